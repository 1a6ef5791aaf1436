/**
 * Not a test: screenshots of the login page, the home page, a board and the card dialog at
 * phone (390×844) and wall-screen (1920×1080) sizes, in English and Chinese, for a person to
 * look at. Needs `pnpm build` first. Run from the repo root:
 *   node --import tsx test/e2e/take-screenshots.ts [outDir]
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { startServer } from './server.ts';

const outDir = path.resolve(process.argv[2] ?? '/tmp/outpost-shots');
mkdirSync(outDir, { recursive: true });

const sizes = [
  { name: 'phone', viewport: { width: 390, height: 844 }, scale: 2, mobile: true },
  { name: 'wall', viewport: { width: 1920, height: 1080 }, scale: 1, mobile: false },
];
const locales = ['en-US', 'zh-CN'];

const server = await startServer();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});

async function shot(page: Page, name: string) {
  const file = path.join(outDir, `${name}.png`);
  await page.screenshot({ path: file });
  process.stdout.write(`${file}\n`);
}

try {
  for (const size of sizes) {
    for (const locale of locales) {
      const context = await browser.newContext({
        baseURL: server.url,
        viewport: size.viewport,
        deviceScaleFactor: size.scale,
        isMobile: size.mobile,
        hasTouch: size.mobile,
        locale,
        timezoneId: 'Asia/Shanghai',
      });
      const page = await context.newPage();
      const tag = `${size.name}-${locale}`;
      const zh = locale === 'zh-CN';
      await page.goto('/login');
      await page.getByRole('button', { name: zh ? '登录' : 'Sign in' }).waitFor();
      await shot(page, `${tag}-1-login`);

      await page.getByLabel(zh ? '用户名' : 'Username').fill('leader');
      await page.getByLabel(zh ? '密码' : 'Password').fill(server.password);
      await page.getByRole('button', { name: zh ? '登录' : 'Sign in' }).click();
      await page.getByRole('heading', { name: zh ? '看板' : 'Boards' }).waitFor();
      await page
        .getByRole('region', { name: zh ? '看板' : 'Boards' })
        .getByRole('link')
        .first()
        .waitFor();
      await shot(page, `${tag}-2-home`);

      await page
        .getByRole('region', { name: zh ? '看板' : 'Boards' })
        .getByRole('link')
        .first()
        .click();
      await page.getByRole('status', { name: zh ? '连接状态' : 'Connection' }).waitFor();
      await page
        .getByRole('region', { name: zh ? '待办' : 'To do' })
        .getByRole('listitem')
        .first()
        .waitFor();
      await page.waitForTimeout(300);
      await shot(page, `${tag}-3-board`);

      await page
        .getByRole('region', { name: zh ? '进行中' : 'In progress' })
        .getByRole('listitem')
        .first()
        .getByRole('button')
        .first()
        .click();
      await page.getByRole('dialog').waitFor();
      await page.waitForTimeout(300);
      await shot(page, `${tag}-4-card`);
      await page.keyboard.press('Escape');

      await page.getByRole('button', { name: zh ? '新建任务' : 'New task', exact: true }).click();
      await page.getByRole('dialog').waitFor();
      await page.waitForTimeout(300);
      await shot(page, `${tag}-5-new`);
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.stop();
}
