/**
 * The live map and the command view: a worker finishes a task on their phone and the leader's
 * map pin, grid counters and event feed change without a reload; the map works with no tile
 * server (this machine has no network), and a pin opens its card.
 */
import type { Locator, Page } from '@playwright/test';
import {
  apiAs,
  card,
  expect,
  openBoard,
  signIn,
  test,
  uniqueTitle,
  GRID_BOARD,
} from './fixtures.ts';

/** A located task on grid 1's board, assigned to the worker, one step from Done. */
async function locatedTask(title: string, location: { lat: number; lng: number }) {
  const leaderApi = await apiAs('leader');
  const worker = await leaderApi.userId('worker');
  const response = await leaderApi.context.post('/api/boards/g1/tasks', {
    data: { title, status: 'blocked', assignees: [worker], location },
  });
  expect(response.status(), await response.text()).toBe(201);
  const { task } = (await response.json()) as { task: { id: string } };
  await leaderApi.context.dispose();
  return task.id;
}

function counter(page: Page, grid: string, measure: string): Locator {
  return page.locator(`tr[data-grid="${grid}"] [data-measure="${measure}"]`);
}

function marker(page: Page, key: string): Locator {
  return page.locator(`.leaflet-marker-icon[data-key="${key}"]`);
}

test('a worker finishes a task and the leader sees pin and counters change live', async ({
  browser,
}) => {
  const title = uniqueTitle('Gate 3 night shift check');
  // Away from the demo's pins, so it is never inside a cluster.
  const id = await locatedTask(title, { lat: 30.5705, lng: 114.3905 });

  const leader = await signIn(browser, 'leader', { viewport: { width: 1920, height: 1080 } });
  await leader.page.goto('/command');
  await expect(leader.page.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
  const pin = marker(leader.page, `g1/${id}`);
  await expect(pin).toHaveAttribute('data-status', 'blocked');
  const open = Number(await counter(leader.page, 'g1', 'open').innerText());
  const doneToday = Number(await counter(leader.page, 'g1', 'doneToday').innerText());
  const blocked = Number(await counter(leader.page, 'g1', 'blocked').innerText());

  const worker = await signIn(browser, 'worker', {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  await openBoard(worker.page, GRID_BOARD);
  await card(worker.page, title).getByRole('button', { name: 'Move to Done' }).click();

  // The leader's page was not reloaded: the same document shows the change.
  await leader.page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
  await expect(pin).toHaveAttribute('data-status', 'done');
  await expect(counter(leader.page, 'g1', 'open')).toHaveText(String(open - 1));
  await expect(counter(leader.page, 'g1', 'blocked')).toHaveText(String(blocked - 1));
  await expect(counter(leader.page, 'g1', 'doneToday')).toHaveText(String(doneToday + 1));
  const feed = leader.page.getByRole('region', { name: 'Live events' });
  await expect(feed.getByRole('link', { name: `${title} done` })).toBeVisible();
  await expect(feed).toContainText('Worker Zhang');
  expect(await leader.page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(
    1,
  );

  await leader.context.close();
  await worker.context.close();
});

test('the map works with no tile server, lists pins in view and opens a card', async ({
  browser,
}) => {
  const title = uniqueTitle('Water delivery building 7');
  const id = await locatedTask(title, { lat: 30.5402, lng: 114.3502 });
  const leader = await signIn(browser, 'leader', {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  await leader.page.goto('/map');
  await expect(leader.page.getByText('Map tiles are unavailable')).toBeVisible();
  await expect(leader.page.locator('.map')).toHaveAttribute('data-tiles', 'unavailable');
  // Pins still draw (the demo has located tasks in every grid), on a plain background.
  await expect(marker(leader.page, `g1/${id}`)).toBeVisible();
  const list = leader.page.getByRole('complementary');
  await expect(list.getByRole('heading', { name: /pins? in view/ })).toBeVisible();
  const row = list.locator(`li[data-key="g1/${id}"]`);
  await expect(row).toContainText(title);

  // A grid filter keeps to that grid.
  await leader.page.getByLabel('Grid').selectOption({ label: '东湖街道 第2网格 (幸福里)' });
  await expect(row).toHaveCount(0);
  await expect(marker(leader.page, `g1/${id}`)).toHaveCount(0);
  await leader.page.getByLabel('Grid').selectOption({ label: 'All my grids' });

  // Tapping the pin shows its card link; the link opens the task on its board.
  await marker(leader.page, `g1/${id}`).click();
  const popup = leader.page.locator('.leaflet-popup');
  await expect(popup).toContainText(title);
  await popup.getByRole('link', { name: 'Open card' }).click();
  // The board opens the card's dialog (and then tidies `?task=` out of the address).
  await expect(leader.page).toHaveURL(/\/board\/g1/);
  await expect(leader.page.getByRole('dialog')).toContainText(title);
  await leader.context.close();
});

test('a worker sees only the pins of their grid', async ({ browser }) => {
  const title = uniqueTitle('Grid 1 only');
  const id = await locatedTask(title, { lat: 30.5601, lng: 114.3601 });
  const other = await signIn(browser, 'worker2');
  await other.page.goto('/map');
  await expect(other.page.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
  await expect(other.page.locator('.leaflet-marker-icon').first()).toBeVisible();
  await expect(marker(other.page, `g1/${id}`)).toHaveCount(0);
  await expect(other.page.getByLabel('Grid').locator('option')).toHaveText([
    'All my grids',
    '东湖街道 第2网格 (幸福里)',
  ]);
  await other.context.close();
});
