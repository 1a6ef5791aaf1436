import {
  expect,
  test as base,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from '@playwright/test';

function serverUrl(): string {
  const url = process.env.OUTPOST_E2E_URL;
  if (!url) throw new Error('OUTPOST_E2E_URL is not set: run through test/playwright.config.ts');
  return url;
}

export function demoPassword(): string {
  const password = process.env.OUTPOST_E2E_PASSWORD;
  if (!password) throw new Error('OUTPOST_E2E_PASSWORD is not set');
  return password;
}

/** Tests get the running server as their base URL. */
export const test = base.extend({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures must destructure their first argument.
  baseURL: async ({}, use) => {
    await use(serverUrl());
  },
});

export { expect };

export interface Person {
  context: BrowserContext;
  page: Page;
}

/** A fresh browser context (its own cookies, storage and IndexedDB) signed in as `username`. */
export async function signIn(
  browser: Browser,
  username: string,
  options: BrowserContextOptions = {},
): Promise<Person> {
  const context = await browser.newContext({ baseURL: serverUrl(), ...options });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(demoPassword());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'Boards' })).toBeVisible();
  return { context, page };
}

/** Opens the first board listed on the home page; returns its path. */
export async function openFirstBoard(page: Page): Promise<string> {
  const link = page.getByRole('region', { name: 'Boards' }).getByRole('link').first();
  await link.click();
  await expect(page).toHaveURL(/\/board\//);
  await expect(connection(page)).toHaveText('Online · all saved');
  return new URL(page.url()).pathname;
}

export async function openBoard(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expect(connection(page)).toHaveText('Online · all saved');
}

/** The board column (a region named after its status). */
export function column(page: Page, name: string): Locator {
  return page.getByRole('region', { name, exact: true });
}

/** A card, found by its title, anywhere or inside a column. */
export function card(scope: Page | Locator, title: string): Locator {
  const page = 'page' in scope ? scope.page() : scope;
  return scope.getByRole('listitem').filter({
    has: page.getByRole('button', { name: title, exact: true }),
  });
}

/** The button that opens a card (its accessible name is the title). */
export function cardButton(scope: Page | Locator, title: string): Locator {
  return scope.getByRole('button', { name: title, exact: true });
}

export function connection(page: Page): Locator {
  return page.getByRole('status', { name: 'Connection' });
}

/** Creates a card through the "New task" dialog. */
export async function createCard(page: Page, title: string): Promise<void> {
  await page.getByRole('button', { name: 'New task' }).click();
  const dialog = page.getByRole('dialog', { name: 'New task' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Title').fill(title);
  await dialog.getByRole('button', { name: 'Create task' }).click();
  await expect(dialog).toBeHidden();
}

/** A title no other test run uses. */
export function uniqueTitle(prefix: string): string {
  return `${prefix} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
