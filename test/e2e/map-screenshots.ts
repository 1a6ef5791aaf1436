/**
 * Not a test: screenshots of the live map, the command view and the daily report at phone
 * (390×844) and wall-screen (1920×1080) sizes, in English and Chinese, for a person to look
 * at. Needs `pnpm build` first. Run from the repo root:
 *   node --import tsx test/e2e/map-screenshots.ts [outDir]
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { startServer } from './server.ts';

const outDir = path.resolve(process.argv[2] ?? '/tmp/outpost-map-shots');
mkdirSync(outDir, { recursive: true });
const sizes = [
  { name: 'wall', width: 1920, height: 1080, scale: 1, mobile: false },
  { name: 'phone', width: 390, height: 844, scale: 2, mobile: true },
];
const pages = ['map', 'command', 'report'];

const server = await startServer();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  for (const locale of ['en-US', 'zh-CN']) {
    for (const size of sizes) {
      const context = await browser.newContext({
        viewport: { width: size.width, height: size.height },
        deviceScaleFactor: size.scale,
        isMobile: size.mobile,
        hasTouch: size.mobile,
        locale,
        timezoneId: 'Asia/Shanghai',
      });
      const page = await context.newPage();
      page.on('pageerror', (e) => process.stderr.write(`pageerror: ${e.message}\n`));
      await page.goto(`${server.url}/login`);
      await page.locator('input[autocomplete="username"]').fill('leader');
      await page.locator('input[type="password"]').fill(server.password);
      await page.locator('button[type="submit"]').click();
      await page.waitForURL(/\/$/);
      for (const name of pages) {
        await page.goto(`${server.url}/${name}`);
        // The tile timeout (6 s) passes, so the "tiles unavailable" note is what people see here.
        await page.waitForTimeout(name === 'report' ? 2500 : 7000);
        const file = path.join(outDir, `${name}-${size.name}-${locale}.png`);
        await page.screenshot({ path: file });
        process.stdout.write(`${file}\n`);
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.stop();
}
