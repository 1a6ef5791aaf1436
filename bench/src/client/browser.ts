/**
 * The browser scenario (Outpost only): Debian's Chromium through playwright-core. Seeds a large
 * board over Yjs, signs two people in through the login page, measures how long the board takes
 * to become interactive, then moves a card by keyboard in one page and times until the other
 * page shows it in its new column.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as Y from 'yjs';
import { docUrl } from '../lib/protocol.ts';
import { errorMessage, summarize, type Summary } from '../lib/stats.ts';
import { FullClient, LightClient } from './clients.ts';
import { seedBoard } from './seed.ts';
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
    // The second person must see the whole workspace: the bench board is not in a grid, and a
    // supervisor's scope is a set of grids.
    const b = await signIn(browser, args, 'admin');
    progress('two pages signed in');

    const interactiveMs = await openBoard(a.page, args);
    const interactiveSecondMs = await openBoard(b.page, args);
    const cardsRendered = await a.page.locator('[data-card-id]').count();
    // The card at the top of "To do" is the one moved (right, then left, and so on).
    const movedId = await a.page.locator(TOP_CARD).first().getAttribute('data-card-id');
    if (!movedId) throw new Error('the first card of "To do" has no data-card-id');
    // Long columns render only the cards in view: the second person watches the ends of the
    // two columns, where a card moved by keyboard lands.
    for (const column of ['todo', 'in_progress']) {
      await b.page
        .locator(`[data-column="${column}"] ul`)
        .evaluate((list) => list.scrollTo({ top: list.scrollHeight }));
    }
    progress(
      `board interactive in ${interactiveMs.toFixed(0)} ms (second page ${interactiveSecondMs.toFixed(0)} ms), ${cardsRendered} cards rendered`,
    );

    // A plain Yjs client on the same board tells when the edit went over the wire.
    const wire = await LightClient.connect(
      docUrl(args.wsBase, args.doc, args.token),
      args.timeoutMs,
    );
    let wireAt = NaN;
    wire.onUpdate = (_data, at) => {
      if (Number.isNaN(wireAt)) wireAt = at;
    };
    const latencies: number[] = [];
    const local: number[] = [];
    const wireLatencies: number[] = [];
    try {
      for (let i = 0; i < args.moves; i++) {
        const right = i % 2 === 0;
        const column = right ? 'in_progress' : 'todo';
        const target = `[data-column="${column}"] li[data-card-id="${movedId}"]`;
        // The card's first button opens it; Alt+arrows on it move the card.
        const card = a.page.locator(`li[data-card-id="${movedId}"] > button`);
        await card.focus({ timeout: args.timeoutMs });
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

/** The first card shown in the "To do" column. */
const TOP_CARD = '[data-column="todo"] li[data-card-id]';

/** Navigation start until online, all saved, and the first card of "To do" is on screen. */
async function openBoard(page: Page, args: BrowserArgs): Promise<number> {
  const profileDir = process.env.BENCH_BROWSER_PROFILE;
  const cdp = profileDir ? await page.context().newCDPSession(page) : null;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  const t0 = performance.now();
  try {
    return await waitInteractive(page, args, t0);
  } finally {
    if (cdp && profileDir) {
      const { profile } = await cdp.send('Profiler.stop');
      fs.mkdirSync(profileDir, { recursive: true });
      const file = path.join(profileDir, `board-${Date.now()}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(profile));
      await cdp.detach();
    }
  }
}

async function waitInteractive(page: Page, args: BrowserArgs, t0: number): Promise<number> {
  await page.goto(`/board/${args.boardId}`, { waitUntil: 'commit' });
  const status = page.getByRole('status', { name: 'Connection' });
  try {
    await status
      .filter({ hasText: 'Online · all saved' })
      .waitFor({ state: 'visible', timeout: args.timeoutMs });
  } catch (error) {
    // Say what the page showed instead (a refusal page has no connection status at all).
    const shown = await status.allTextContents().catch(() => []);
    const headings = await page
      .getByRole('heading')
      .allTextContents()
      .catch(() => []);
    throw new Error(
      `the board did not say "Online · all saved" (status ${JSON.stringify(shown)}, headings ${JSON.stringify(headings)}): ${errorMessage(error).split('\n')[0]}`,
    );
  }
  await page.locator(TOP_CARD).first().waitFor({ state: 'visible', timeout: args.timeoutMs });
  return performance.now() - t0;
}
