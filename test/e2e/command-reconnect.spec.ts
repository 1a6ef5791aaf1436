/**
 * The command view is left open on a wall screen all day: when the server goes away (here it is
 * killed with SIGKILL) the view says so, and when the server is back it picks up by itself,
 * without a reload, with a fresh snapshot and live changes again.
 */
import { expect, signIn, test } from './fixtures.ts';
import { startServer, type RunningServer } from './server.ts';

let server: RunningServer | null = null;

test.afterEach(async () => {
  await server?.stop();
  server = null;
});

test('the command view reconnects by itself after the server restarts', async ({ browser }) => {
  test.setTimeout(120_000);
  server = await startServer();
  const leader = await signIn(
    browser,
    'leader',
    { baseURL: server.url, viewport: { width: 1920, height: 1080 } },
    server.password,
  );
  await leader.page.goto('/command');
  const feed = leader.page.locator('.feed-status');
  await expect(feed).toHaveText('Live');
  // Marks the page: a reload would lose it.
  await leader.page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

  await server.kill();
  await expect(feed).toHaveText('Offline: reconnecting…');

  server = await server.restart();
  await expect(feed).toHaveText('Live', { timeout: 30_000 });

  // Live again: a task located after the restart shows up as a pin.
  const api = leader.context.request;
  const created = await api.post('/api/boards/g1/tasks', {
    data: { title: 'After the restart', location: { lat: 30.571, lng: 114.392 } },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { task } = (await created.json()) as { task: { id: string } };
  await expect(leader.page.locator(`.leaflet-marker-icon[data-key="g1/${task.id}"]`)).toHaveCount(
    1,
  );
  expect(await leader.page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(
    42,
  );
  await leader.context.close();
});
