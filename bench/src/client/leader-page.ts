import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Target } from '../servers/targets.ts';

export const CHROMIUM = '/usr/bin/chromium';

export interface LeaderPage {
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

/** Debian's Chromium, signed in as the demo leader on a wall-sized screen. */
export async function openLeaderPage(target: Target): Promise<LeaderPage> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const context = await browser.newContext({
      baseURL: target.httpUrl,
      locale: 'en-US',
      viewport: { width: 1920, height: 1080 },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(120_000);
    await page.goto('/login');
    await page.getByLabel(/user ?name/i).fill('leader');
    await page.getByLabel(/password/i).fill(target.password);
    await page.getByLabel(/password/i).press('Enter');
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    return { browser, context, page };
  } catch (error) {
    await browser.close().catch(() => undefined);
    throw error;
  }
}
