/**
 * Not a test: screenshots of grid areas (the map shaded by overdue tasks, the command view,
 * the GeoJSON import preview) at phone (390×844) and wall-screen (1920×1080) sizes, in English
 * and Chinese, for a person to look at. Needs `pnpm build` first. Run from the repo root:
 *   node --import tsx test/e2e/area-screenshots.ts [outDir]
 */
import { LOCALES, SIZES, launchChromium, screenshotsTo, signedIn } from './screenshot-kit.ts';
import { startServer } from './server.ts';

const shot = screenshotsTo('/tmp/outpost-area-shots');

/** A file with one clean feature per demo grid and one that matches no grid. */
const FILE = JSON.stringify({
  type: 'FeatureCollection',
  features: [
    ...['g1', 'g2', 'g3'].map((id, i) => ({
      type: 'Feature',
      properties: { grid: id },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [114.36 + i * 0.006, 30.55],
            [114.365 + i * 0.006, 30.55],
            [114.365 + i * 0.006, 30.556],
            [114.36 + i * 0.006, 30.55],
          ],
        ],
      },
    })),
    { type: 'Feature', properties: { name: '东湖街道 第9网格' }, geometry: null },
  ],
});

const server = await startServer();
const browser = await launchChromium();

try {
  for (const locale of LOCALES) {
    for (const size of SIZES) {
      const { context, page } = await signedIn(browser, server, size, locale, 'admin');
      const suffix = `${size.name}-${locale}`;
      for (const view of ['map', 'command']) {
        await page.goto(`/${view}`);
        await page.locator('path.grid-area').first().waitFor();
        await page.locator('select').nth(1).selectOption('overdue');
        // The tile timeout (6 s) passes, so the "tiles unavailable" note is what people see here.
        await page.waitForTimeout(7000);
        await shot(page, `${view}-areas-${suffix}`);
      }
      await page.goto(`${server.url}/map`);
      await page.locator('details.area-panel > summary').click();
      await page.locator('details.import > summary').click();
      await page.locator('details.import input[type="file"]').setInputFiles({
        name: 'grids.geojson',
        mimeType: 'application/geo+json',
        buffer: Buffer.from(FILE),
      });
      await page.locator('details.import table').waitFor();
      await page.locator('details.area-panel').scrollIntoViewIfNeeded();
      await shot(page, `areas-import-${suffix}`);
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.stop();
}
