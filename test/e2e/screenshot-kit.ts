/**
 * What the screenshot scripts (`take-screenshots.ts`, `map-screenshots.ts`,
 * `area-screenshots.ts`) share: Debian's Chromium, the two screen sizes, signing in through the
 * login page, and writing a named PNG. Not a test; run the scripts by hand.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import type { RunningServer } from './server.ts';

/** A phone and a wall screen. */
export const SIZES = [
  { name: 'phone', viewport: { width: 390, height: 844 }, scale: 2, mobile: true },
  { name: 'wall', viewport: { width: 1920, height: 1080 }, scale: 1, mobile: false },
] as const;
export type Size = (typeof SIZES)[number];

export const LOCALES = ['en-US', 'zh-CN'] as const;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A fresh context at `size` in `locale`, on the demo workspace's time zone (not signed in). */
export function contextAt(browser: Browser, server: RunningServer, size: Size, locale: string) {
  return browser.newContext({
    baseURL: server.url,
    viewport: size.viewport,
    deviceScaleFactor: size.scale,
    isMobile: size.mobile,
    hasTouch: size.mobile,
    locale,
    timezoneId: 'Asia/Shanghai',
  });
}

/** A fresh context at `size` in `locale`, signed in as `username` through the login page. */
export async function signedIn(
  browser: Browser,
  server: RunningServer,
  size: Size,
  locale: string,
  username: string,
  password = server.password,
) {
  const context = await contextAt(browser, server, size, locale);
  const page = await context.newPage();
  page.on('pageerror', (e) => process.stderr.write(`pageerror: ${e.message}\n`));
  const zh = locale === 'zh-CN';
  await page.goto('/login');
  await page.getByLabel(zh ? '用户名' : 'Username').fill(username);
  await page.getByLabel(zh ? '密码' : 'Password').fill(password);
  await page.getByRole('button', { name: zh ? '登录' : 'Sign in' }).click();
  await page.getByRole('heading', { name: zh ? '看板' : 'Boards' }).waitFor();
  return { context, page };
}

/** The output folder (the script's first argument, else `fallback`) and a way to fill it. */
export function screenshotsTo(fallback: string): (page: Page, name: string) => Promise<void> {
  const outDir = path.resolve(process.argv[2] ?? fallback);
  mkdirSync(outDir, { recursive: true });
  return async (page, name) => {
    const file = path.join(outDir, `${name}.png`);
    await page.screenshot({ path: file });
    process.stdout.write(`${file}\n`);
  };
}
