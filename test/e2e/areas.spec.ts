/**
 * Grid areas on the live map: an administrator deletes, imports (GeoJSON, with a preview that
 * refuses a bad file) and draws grid outlines, and a leader's open map follows without a
 * reload; areas are shaded by the live counters and by the measure chosen; all of it with no
 * tile server (this machine has no network). People without the right see no tools.
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

function area(page: Page, grid: string): Locator {
  return page.locator(`path.grid-area[data-grid="${grid}"]`);
}

const G3 = '东湖街道 第3网格 (铁路新村)';
const G4 = '东湖街道 第4网格 (滨江小区)';

/** A GeoJSON file in memory, for `setInputFiles`. */
function geojson(name: string, features: unknown[]) {
  return {
    name,
    mimeType: 'application/geo+json',
    buffer: Buffer.from(JSON.stringify({ type: 'FeatureCollection', features })),
  };
}

const square = (lng: number, lat: number, size = 0.003) => ({
  type: 'Polygon',
  coordinates: [
    [
      [lng, lat],
      [lng + size, lat],
      [lng + size, lat + size],
      [lng, lat + size],
      [lng, lat],
    ],
  ],
});

test('an administrator deletes and imports areas; a leader sees both live, without tiles', async ({
  browser,
}) => {
  const leader = await signIn(browser, 'leader', { viewport: { width: 390, height: 844 } });
  await leader.page.goto('/map');
  // No tile server here: the map says so and still draws the demo's areas on a plain background.
  await expect(leader.page.getByText('Map tiles are unavailable')).toBeVisible();
  await expect(area(leader.page, 'g4')).toBeVisible();
  await expect(leader.page.getByRole('img', { name: G4 })).toBeVisible();
  // A leader may not edit areas: no tools at all.
  await expect(leader.page.getByText('Edit grid areas')).toHaveCount(0);
  await leader.page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));

  const admin = await signIn(browser, 'admin', { viewport: { width: 1920, height: 1080 } });
  await admin.page.goto('/map');
  await admin.page.getByText('Edit grid areas').click();
  const panel = admin.page.locator('details.area-panel');
  await panel.getByLabel('Area of').selectOption({ label: G4 });
  await expect(panel.getByText('Has an area')).toBeVisible();
  admin.page.once('dialog', (dialog) => void dialog.accept());
  await panel.getByRole('button', { name: 'Delete area' }).click();
  await expect(panel.getByText(`Area of ${G4} deleted.`)).toBeVisible();
  await expect(panel.getByText('No area yet')).toBeVisible();
  await expect(area(leader.page, 'g4')).toHaveCount(0);

  // A file with problems: every feature is listed with its problem and nothing is written.
  await panel.getByText('Import from GeoJSON').click();
  const file = panel.getByLabel('GeoJSON file');
  await file.setInputFiles(
    geojson('bad.geojson', [
      { type: 'Feature', properties: { name: G4 }, geometry: square(114.36, 30.545) },
      { type: 'Feature', properties: { name: 'Nowhere' }, geometry: square(114.37, 30.545) },
      {
        type: 'Feature',
        properties: { grid: 'g3' },
        geometry: {
          type: 'LineString',
          coordinates: [
            [114.37, 30.54],
            [114.38, 30.55],
          ],
        },
      },
    ]),
  );
  await expect(panel.getByText('1 of 3 features ready.')).toBeVisible();
  const rows = panel.locator('tbody tr');
  await expect(rows.nth(0)).toContainText(G4);
  await expect(rows.nth(0)).toContainText('OK');
  await expect(rows.nth(1)).toContainText('no grid has this id or name');
  await expect(rows.nth(2)).toContainText('not a polygon');
  await expect(panel.getByText('Nothing is imported until every feature is fine.')).toBeVisible();
  await expect(panel.getByRole('button', { name: /^Import/ })).toHaveCount(0);

  // Not JSON at all.
  await file.setInputFiles({ name: 'x.geojson', mimeType: 'text/plain', buffer: Buffer.from('{') });
  await expect(panel.getByText('This file is not valid JSON.')).toBeVisible();

  // A clean file: the preview maps each feature to its grid, then one click imports both.
  await file.setInputFiles(
    geojson('grids.geojson', [
      { type: 'Feature', properties: { 网格: G4 }, geometry: square(114.36, 30.545) },
      { type: 'Feature', properties: { id: 'g3' }, geometry: square(114.371, 30.545, 0.004) },
    ]),
  );
  await expect(panel.getByText('2 of 2 features ready.')).toBeVisible();
  await expect(rows.nth(1)).toContainText('OK, replaces the current area');
  await panel.getByRole('button', { name: 'Import 2 areas' }).click();
  await expect(panel.getByText('2 areas imported.')).toBeVisible();

  // The leader's page, never reloaded, draws the new outlines.
  await expect(area(leader.page, 'g4')).toBeVisible();
  await expect(leader.page.getByRole('img', { name: G4 })).toBeVisible();
  expect(await leader.page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(
    1,
  );

  // The same outline exported from AMap holds GCJ-02 numbers: said so, it is converted to
  // WGS-84 and lands about 500 m further west than the file's numbers read as WGS-84.
  const asWgs84 = (await area(leader.page, 'g4').boundingBox())!;
  await panel.getByLabel('Coordinates in the file').selectOption('gcj02');
  await file.setInputFiles(
    geojson('amap.geojson', [
      { type: 'Feature', properties: { 网格: G4 }, geometry: square(114.36, 30.545) },
    ]),
  );
  await expect(panel.getByText('1 of 1 features ready.')).toBeVisible();
  await panel.getByRole('button', { name: 'Import 1 area' }).click();
  await expect(panel.getByText('1 area imported.')).toBeVisible();
  await expect
    .poll(async () => (await area(leader.page, 'g4').boundingBox())!.x)
    .toBeLessThan(asWgs84.x - 5);
  await admin.context.close();
  await leader.context.close();
});

test('an administrator draws an area on the map and others see it', async ({ browser }) => {
  const admin = await signIn(browser, 'admin', { viewport: { width: 1280, height: 900 } });
  const leader = await signIn(browser, 'leader');
  await leader.page.goto('/map');
  await expect(area(leader.page, 'g3')).toBeVisible();
  const before = await area(leader.page, 'g3').getAttribute('d');

  await admin.page.goto('/map');
  await admin.page.getByText('Edit grid areas').click();
  const panel = admin.page.locator('details.area-panel');
  await panel.getByLabel('Area of').selectOption({ label: G3 });
  await panel.getByRole('button', { name: 'Redraw area' }).click();
  await expect(panel.getByText('Click the map to place each corner')).toBeVisible();
  const map = admin.page.getByRole('region', { name: 'Map of tasks' });
  await map.scrollIntoViewIfNeeded();
  const box = (await map.boundingBox())!;
  const at = (x: number, y: number) => [box.x + box.width * x, box.y + box.height * y] as const;
  for (const [x, y] of [at(0.3, 0.3), at(0.6, 0.32), at(0.55, 0.7), at(0.3, 0.3)]) {
    await admin.page.mouse.click(x, y);
  }
  await expect(panel.getByText(`Area of ${G3} saved.`)).toBeVisible();
  await expect(panel.getByRole('button', { name: 'Redraw area' })).toBeVisible();

  // Three corners: the leader's outline of grid 3 changes to the new triangle.
  await expect(async () => {
    const now = await area(leader.page, 'g3').getAttribute('d');
    expect(now).not.toBe(before);
    expect(now!.match(/L/g)).toHaveLength(2);
  }).toPass();

  // Editing: drag a corner and save; the leader's outline follows.
  const triangle = await area(leader.page, 'g3').getAttribute('d');
  await panel.getByRole('button', { name: 'Edit corners' }).click();
  await expect(panel.getByText('Drag a corner to move it')).toBeVisible();
  const corner = admin.page.locator('.leaflet-marker-pane .marker-icon:not(.marker-icon-middle)');
  await expect(corner).toHaveCount(3);
  const handle = (await corner.first().boundingBox())!;
  await admin.page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await admin.page.mouse.down();
  await admin.page.mouse.move(handle.x + 60, handle.y - 40, { steps: 8 });
  await admin.page.mouse.up();
  await panel.getByRole('button', { name: 'Save area' }).click();
  await expect(panel.getByText(`Area of ${G3} saved.`)).toBeVisible();
  await expect(corner).toHaveCount(0);
  await expect(async () => {
    const now = await area(leader.page, 'g3').getAttribute('d');
    expect(now).not.toBe(triangle);
    expect(now!.match(/L/g)).toHaveLength(2);
  }).toPass();

  // Editing and cancelling writes nothing and puts the outline back.
  const saved = await area(admin.page, 'g3').getAttribute('d');
  await panel.getByRole('button', { name: 'Edit corners' }).click();
  await expect(corner).toHaveCount(3);
  const again = (await corner.first().boundingBox())!;
  await admin.page.mouse.move(again.x + again.width / 2, again.y + again.height / 2);
  await admin.page.mouse.down();
  await admin.page.mouse.move(again.x - 50, again.y + 30, { steps: 8 });
  await admin.page.mouse.up();
  await panel.getByRole('button', { name: 'Cancel' }).click();
  await expect(panel.getByRole('button', { name: 'Edit corners' })).toBeVisible();
  await expect(panel.getByText(/saved\.$/)).toHaveCount(0);
  await expect(area(admin.page, 'g3')).toHaveAttribute('d', saved!);
  await expect(area(leader.page, 'g3')).not.toHaveAttribute('d', triangle!);
  // So does a drawing given up before it is finished.
  await panel.getByRole('button', { name: 'Redraw area' }).click();
  await admin.page.mouse.click(...at(0.4, 0.4));
  await panel.getByRole('button', { name: 'Cancel' }).click();
  await expect(panel.getByRole('button', { name: 'Redraw area' })).toBeVisible();
  await expect(panel.getByText(/saved\.$/)).toHaveCount(0);
  await expect(area(admin.page, 'g3')).toHaveAttribute('d', saved!);
  await admin.context.close();
  await leader.context.close();
});

test('areas are shaded by the chosen measure and follow the counters live', async ({ browser }) => {
  const leaderApi = await apiAs('leader');
  const worker = await leaderApi.userId('worker');
  const title = uniqueTitle('Shade check');
  const response = await leaderApi.context.post('/api/boards/g1/tasks', {
    data: { title, status: 'blocked', assignees: [worker] },
  });
  expect(response.status()).toBe(201);
  await leaderApi.context.dispose();

  const leader = await signIn(browser, 'leader', { viewport: { width: 1920, height: 1080 } });
  await leader.page.goto('/command');
  await expect(leader.page.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
  const g1 = area(leader.page, 'g1');
  // Outlines only until a measure is chosen.
  await expect(g1).toHaveAttribute('aria-label', /^东湖街道 第1网格 \(东湖花园\)$/);
  await leader.page.getByLabel('Shade areas by').selectOption('Open tasks');
  await expect(leader.page.getByRole('list', { name: 'Area colours' })).toBeVisible();
  await expect(g1).toHaveAttribute('aria-label', /: \d+ open tasks?$/);
  const open = Number((await g1.getAttribute('aria-label'))!.match(/: (\d+) open/)![1]);
  const colour = await g1.getAttribute('fill');
  expect(colour).not.toBe('#94a3b8');

  const phone = await signIn(browser, 'worker', { viewport: { width: 390, height: 844 } });
  await openBoard(phone.page, GRID_BOARD);
  await card(phone.page, title).getByRole('button', { name: 'Move to Done' }).click();
  await expect(g1).toHaveAttribute('aria-label', new RegExp(`: ${open - 1} open tasks?$`));

  // Another measure recolours and relabels every area.
  await leader.page.getByLabel('Shade areas by').selectOption('Coverage gaps');
  await expect(g1).toHaveAttribute('aria-label', /posts? short of people$/);
  // Clicking an area filters the view to its grid.
  await g1.dispatchEvent('click');
  await expect(leader.page.getByRole('combobox', { name: /^Grid/ })).toHaveValue('g1');
  await expect(area(leader.page, 'g2')).toHaveCount(0);
  await phone.context.close();
  await leader.context.close();
});
