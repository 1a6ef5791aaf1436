/**
 * Workspace settings: an administrator on a phone points the map at the district's own tile
 * server (here a real HTTP server on loopback that serves one PNG for every tile), tests it and
 * saves it; a leader's open map switches to those tiles live, with the attribution shown as
 * text. A bad address is explained before anything is saved; a worker has no settings page.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, signIn, test } from './fixtures.ts';

/** A 1×1 PNG: enough for the browser to call the tile loaded. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

interface TileServer {
  server: Server;
  url: string;
  requests: string[];
}

async function startTileServer(): Promise<TileServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (!/^\/\d+\/\d+\/\d+\.png$/.test(req.url ?? '')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(PNG);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/{z}/{x}/{y}.png`, requests };
}

test('an administrator switches the map tiles and a leader sees them live', async ({ browser }) => {
  const tiles = await startTileServer();
  try {
    const leader = await signIn(browser, 'leader', { viewport: { width: 1920, height: 1080 } });
    await leader.page.goto('/map');
    const map = leader.page.getByRole('region', { name: 'Map of tasks' });
    await expect(map).toBeVisible();
    // This machine has no internet: the default (OpenStreetMap) tiles never arrive.
    await expect(map).toHaveAttribute('data-tiles', 'unavailable', { timeout: 15_000 });

    const admin = await signIn(browser, 'admin', {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    await admin.page.getByRole('link', { name: 'Settings' }).click();
    const panel = admin.page.getByRole('region', { name: 'Map tiles' });
    const address = panel.getByLabel('Tile address (URL template)');

    // A bad address is explained as it is typed, and not saved.
    await address.fill('http://127.0.0.1/{z}/{x}.png');
    await expect(panel.getByText('The address needs {z}, {x} and {y}.')).toBeVisible();
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect(panel.getByRole('alert')).toHaveText('The address needs {z}, {x} and {y}.');

    await address.fill(tiles.url);
    await panel
      .getByLabel('Attribution (shown in the corner of the map)')
      .fill('District GIS <b>office</b>');
    await panel.getByRole('button', { name: 'Test' }).click();
    await expect(panel.getByRole('status')).toContainText('A tile arrived');
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect(panel.getByText('Saved. Open maps switch to these tiles now.')).toBeVisible();

    // The leader's open map: the new tiles, and the attribution as text, not markup.
    await expect(map).toHaveAttribute('data-tiles', 'ok');
    const attribution = leader.page.locator('.leaflet-control-attribution');
    await expect(attribution).toContainText('District GIS <b>office</b>');
    await expect(attribution.locator('b')).toHaveCount(0);
    expect(tiles.requests.some((path) => /^\/\d+\/\d+\/\d+\.png$/.test(path))).toBe(true);

    // A worker has no settings page.
    const worker = await signIn(browser, 'worker');
    await expect(worker.page.getByRole('link', { name: 'Settings' })).toHaveCount(0);
    await worker.page.goto('/settings');
    await expect(worker.page.getByRole('alert')).toHaveText(
      'Only administrators and leaders see the workspace settings.',
    );

    // Back to the default, for the tests that expect no tiles.
    await panel.getByRole('button', { name: 'Back to the default' }).click();
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect(map).toHaveAttribute('data-tiles', 'unavailable', { timeout: 15_000 });
    for (const person of [leader, admin, worker]) await person.context.close();
  } finally {
    tiles.server.close();
  }
});
