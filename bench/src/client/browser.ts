/**
 * The browser scenario (Outpost only): Debian's Chromium through playwright-core. Seeds a large
 * board over Yjs, signs two people in through the login page, measures how long the board takes
 * to become interactive, then moves a card by keyboard in one page and times until the other
 * page shows it in its new column.
 */
import * as Y from 'yjs';
import { docUrl } from '../lib/protocol.ts';
import { errorMessage, summarize, type Summary } from '../lib/stats.ts';
import { FullClient, LightClient } from './clients.ts';
import { seedBoard, seedTitle } from './seed.ts';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export interface BrowserArgs {
  httpUrl: string;
  wsBase: string;
  token: string;
  password: string;
  boardId: string;
  doc: string;
  tasks: number;
  moves: number;
  timeoutMs: number;
}

export interface BrowserResult {
  tasks: number;
  /** Navigation to the board until it is online, saved and the first seeded card is shown. */
  interactiveMs: number;
  /** The same for a second person's page (own context), opened after the first. */
  interactiveSecondMs: number;
  cardsRendered: number;
  /** Key press in page A until page B shows the card in its new column. */
  edit: Summary | null;
  /** Key press until page A itself shows the move (local rendering). */
  editLocal: Summary | null;
  /** Key press until a plain Yjs client connected to the server receives the update. */
  editWire: Summary | null;
  moves: number;
}

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Thrown for a web app that cannot be used yet: the scenario reports `skipped: <reason>`. */
class Skip extends Error {
  constructor(reason: string) {
    super(`skipped: ${reason}`);
  }
}

export async function runBrowser(
  args: BrowserArgs,
  progress: (text: string) => void,
): Promise<BrowserResult> {
  const login = await fetch(`${args.httpUrl}/login`, { signal: AbortSignal.timeout(15_000) });
  const html = await login.text();
  if (login.status !== 200 || !/<html/i.test(html)) {
    throw new Skip(`GET /login answered HTTP ${login.status}: ${html.slice(0, 120).trim()}`);
  }

  const seed = seedBoard(args.tasks);
  const seeder = await FullClient.connect(docUrl(args.wsBase, args.doc, args.token), {
    timeoutMs: args.timeoutMs,
  });
  try {
    for (const chunk of seed.chunks) Y.applyUpdate(seeder.doc, chunk);
    await seeder.barrier(args.timeoutMs);
  } finally {
    await seeder.close();
  }
  progress(`seeded ${args.tasks} tasks on ${args.doc}`);

  const { chromium } = await import('playwright-core');
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      timeout: 60_000,
    });
  } catch (error) {
    throw new Skip(`could not launch ${CHROMIUM}: ${errorMessage(error).split('\n')[0]}`);
  }
  try {
    const a = await signIn(browser, args, 'leader');
    const b = await signIn(browser, args, 'supervisor');
    progress('two pages signed in');

    const firstId = seed.ids[0]!;
    const interactiveMs = await openBoard(a.page, args, firstId);
    const interactiveSecondMs = await openBoard(b.page, args, firstId);
    const cardsRendered = await a.page.locator('[data-card-id]').count();
    progress(
      `board interactive in ${interactiveMs.toFixed(0)} ms (second page ${interactiveSecondMs.toFixed(0)} ms), ${cardsRendered} cards rendered`,
    );

    // The first seeded card starts in "todo"; move it right, then left, and so on.
    // A plain Yjs client on the same board tells when the edit went over the wire.
    const wire = await LightClient.connect(
      docUrl(args.wsBase, args.doc, args.token),
      args.timeoutMs,
    );
    let wireAt = NaN;
    wire.onUpdate = (_data, at) => {
      if (Number.isNaN(wireAt)) wireAt = at;
    };
    const title = seedTitle(0);
    const latencies: number[] = [];
    const local: number[] = [];
    const wireLatencies: number[] = [];
    try {
      for (let i = 0; i < args.moves; i++) {
        const right = i % 2 === 0;
        const column = right ? 'in_progress' : 'todo';
        const target = `[data-column="${column}"] li[data-card-id="${firstId}"]`;
        const card = a.page.locator(`li[data-card-id="${firstId}"] button`, { hasText: title });
        await card.first().focus({ timeout: args.timeoutMs });
        let localAt = NaN;
        const shownHere = a.page
          .locator(target)
          .waitFor({ state: 'attached', timeout: args.timeoutMs })
          .then(() => (localAt = performance.now()));
        const shownThere = b.page
          .locator(target)
          .waitFor({ state: 'attached', timeout: args.timeoutMs });
        wireAt = NaN;
        const t0 = performance.now();
        await a.page.keyboard.press(right ? 'Alt+ArrowRight' : 'Alt+ArrowLeft');
        await shownThere;
        latencies.push(performance.now() - t0);
        await shownHere;
        local.push(localAt - t0);
        if (!Number.isNaN(wireAt)) wireLatencies.push(wireAt - t0);
      }
    } finally {
      await wire.close();
    }
    await a.context.close();
    await b.context.close();
    return {
      tasks: args.tasks,
      interactiveMs,
      interactiveSecondMs,
      cardsRendered,
      edit: summarize(latencies),
      editLocal: summarize(local),
      editWire: summarize(wireLatencies),
      moves: latencies.length,
    };
  } finally {
    await browser.close().catch(() => undefined);
  }
}

interface Person {
  context: BrowserContext;
  page: Page;
}

/** Signs in through /login (labelled fields); a page that does not work is a Skip. */
async function signIn(browser: Browser, args: BrowserArgs, username: string): Promise<Person> {
  const context = await browser.newContext({ baseURL: args.httpUrl, locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(args.timeoutMs);
  try {
    await page.goto('/login');
    await page.getByLabel(/user ?name/i).fill(username, { timeout: 15_000 });
    await page.getByLabel(/password/i).fill(args.password, { timeout: 15_000 });
    await page.getByLabel(/password/i).press('Enter');
    await page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 20_000 });
  } catch (error) {
    await context.close();
    throw new Skip(`login page not usable: ${errorMessage(error).split('\n')[0]}`);
  }
  return { context, page };
}

/** Navigation start until online, all saved, and the first seeded card is in the page. */
async function openBoard(page: Page, args: BrowserArgs, firstId: string): Promise<number> {
  const t0 = performance.now();
  await page.goto(`/board/${args.boardId}`, { waitUntil: 'commit' });
  await page
    .getByRole('status', { name: 'Connection' })
    .filter({ hasText: 'Online · all saved' })
    .waitFor({ state: 'visible', timeout: args.timeoutMs });
  await page
    .locator(`li[data-card-id="${firstId}"]`)
    .waitFor({ state: 'visible', timeout: args.timeoutMs });
  return performance.now() - t0;
}
