/**
 * Not a test: screenshots of the live map, the command view and the daily report at phone
 * (390×844) and wall-screen (1920×1080) sizes, in English and Chinese, for a person to look
 * at. Needs `pnpm build` first. Run from the repo root:
 *   node --import tsx test/e2e/map-screenshots.ts [outDir]
 */
import { LOCALES, SIZES, launchChromium, screenshotsTo, signedIn } from './screenshot-kit.ts';
import { startServer } from './server.ts';

const shot = screenshotsTo('/tmp/outpost-map-shots');
const pages = ['map', 'command', 'report'];

const server = await startServer();
const browser = await launchChromium();
try {
  for (const locale of LOCALES) {
    for (const size of SIZES) {
      const { context, page } = await signedIn(browser, server, size, locale, 'leader');
      for (const name of pages) {
        await page.goto(`/${name}`);
        // The tile timeout (6 s) passes, so the "tiles unavailable" note is what people see here.
        await page.waitForTimeout(name === 'report' ? 2500 : 7000);
        await shot(page, `${name}-${size.name}-${locale}`);
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.stop();
}
