import {
  expect,
  request,
  test as base,
  type APIRequestContext,
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

/** The demo board of grid 1 (东湖花园): the leader, the supervisor and `worker` can all open it. */
export const GRID_BOARD = '/board/g1';

/** A fresh browser context (its own cookies, storage and IndexedDB) signed in as `username`. */
export async function signIn(
  browser: Browser,
  username: string,
  options: BrowserContextOptions = {},
  password = demoPassword(),
): Promise<Person> {
  const context = await browser.newContext({ baseURL: serverUrl(), ...options });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'Boards' })).toBeVisible();
  return { context, page };
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

/** The REST API, signed in as `username` (for setting up what a test needs, not for testing the UI). */
export async function apiAs(username: string, password = demoPassword()): Promise<Api> {
  const context = await request.newContext({
    baseURL: serverUrl(),
    extraHTTPHeaders: { 'X-Requested-With': 'outpost' },
  });
  const response = await context.post('/api/auth/login', { data: { username, password } });
  expect(response.ok(), `sign in as ${username}`).toBe(true);
  return new Api(context);
}

export interface Account {
  id: string;
  username: string;
  displayName: string;
  password: string;
}

export class Api {
  constructor(readonly context: APIRequestContext) {}

  async userId(username: string): Promise<string> {
    const response = await this.context.get('/api/users');
    expect(response.ok()).toBe(true);
    const { users } = (await response.json()) as { users: { id: string; username: string }[] };
    const user = users.find((u) => u.username === username);
    if (!user) throw new Error(`no user ${username}`);
    return user.id;
  }

  /** A task on a board, as `POST /api/boards/:id/tasks` creates it. */
  async createTask(
    boardId: string,
    input: { title: string; assignees?: string[]; status?: string },
  ): Promise<string> {
    const response = await this.context.post(`/api/boards/${boardId}/tasks`, { data: input });
    expect(response.status(), await response.text()).toBe(201);
    return ((await response.json()) as { task: { id: string } }).task.id;
  }

  /** A new person (admins only), who has already used their invitation to set a password. */
  async createPerson(role: string, grids: string[] | null, prefix = 'e2e'): Promise<Account> {
    const username = `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const displayName = `${prefix} ${username.slice(-6)}`;
    const response = await this.context.post('/api/users', {
      data: { username, displayName, role, grids },
    });
    expect(response.status(), await response.text()).toBe(201);
    const { user, invite } = (await response.json()) as {
      user: { id: string };
      invite: { path: string };
    };
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    const token = invite.path.split('/').pop()!;
    const joined = await this.context.post(`/api/invites/${token}`, { data: { password } });
    expect(joined.ok(), await joined.text()).toBe(true);
    return { id: user.id, username, displayName, password };
  }

  async changeUser(id: string, change: Record<string, unknown>): Promise<void> {
    const response = await this.context.patch(`/api/users/${id}`, { data: change });
    expect(response.ok(), await response.text()).toBe(true);
  }

  dispose(): Promise<void> {
    return this.context.dispose();
  }
}
