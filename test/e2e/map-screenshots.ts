import { chromium } from '@playwright/test';
import { startServer } from './server.ts';
const server = await startServer();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const pages = (process.argv[2] ?? '/map,/command').split(',');
const user = process.argv[3] ?? 'leader';
const locale = process.argv[4] ?? 'en-US';
for (const size of [
  { n: 'wall', w: 1920, h: 1080, s: 1 },
  { n: 'phone', w: 390, h: 844, s: 2 },
]) {
  const context = await browser.newContext({
    viewport: { width: size.w, height: size.h },
    deviceScaleFactor: size.s,
    locale,
    timezoneId: 'Asia/Shanghai',
  });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') console.log('console:', m.text());
  });
  page.on('pageerror', (e) => console.log('pageerror:', e.message));
  await page.goto(server.url + '/login');
  await page.locator('input[autocomplete="username"], input[name="username"]').first().fill(user);
  await page.locator('input[type="password"]').fill(server.password);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL(/\/$/);
  for (const p of pages) {
    await page.goto(server.url + p);
    await page.waitForTimeout(7000);
    const file = `/tmp/shots/${p.replace(/\W/g, '') || 'home'}-${user}-${locale}-${size.n}.png`;
    await page.screenshot({ path: file, fullPage: process.argv[5] === 'full' });
    console.log(file);
  }
  await context.close();
}
await browser.close();
await server.stop();
