/**
 * A board with a long column: only the cards in view (plus a margin) are rendered, yet the
 * column scrolls to every card, search finds any card, a card moved by keyboard into the long
 * column keeps focus, and live changes show up, on a wall screen and on a phone.
 */
import type { Locator, Page } from '@playwright/test';
import {
  apiAs,
  card,
  cardButton,
  column,
  expect,
  openBoard,
  signIn,
  test,
  uniqueTitle,
} from './fixtures.ts';

/** Grid 3's board: no other test uses it. */
const BOARD = 'g3';
const PATH = `/board/${BOARD}`;
/** Comfortably above the column length from which cards are windowed (80). */
const CARDS = 150;

let titles: string[] = [];

test.beforeAll(async () => {
  const api = await apiAs('leader');
  const run = uniqueTitle('Long');
  titles = Array.from({ length: CARDS }, (_, i) => `${run} card ${String(i).padStart(3, '0')}`);
  // In creation order: a new card goes to the end of its column.
  for (const title of titles) await api.createTask(BOARD, { title });
  await api.context.dispose();
});

/** The scrolling list of a column. */
function list(page: Page, name: string): Locator {
  return column(page, name).getByRole('list');
}

/** Titles of the first `n` cards of a column, as shown. */
async function topTitles(scope: Locator, n: number): Promise<string[]> {
  const titles = await scope.locator('[data-card-id] > button').allInnerTexts();
  return titles.slice(0, n);
}

async function scrollTo(page: Page, name: string, where: 'top' | 'bottom'): Promise<void> {
  await list(page, name).evaluate((el, to) => {
    el.scrollTo({ top: to === 'top' ? 0 : el.scrollHeight });
  }, where);
  // The column re-renders its window after the scroll event: until then the cards rendered are
  // those of the old position. Wait for the window to reach the end scrolled to.
  const cards = column(page, name).locator('[data-card-id]');
  await expect(where === 'top' ? cards.first() : cards.last()).toBeInViewport();
}

test('a long column renders what is in view and still reaches every card', async ({ browser }) => {
  const leader = await signIn(browser, 'leader', { viewport: { width: 1920, height: 1080 } });
  try {
    await openBoard(leader.page, PATH);
    const todo = column(leader.page, 'To do');
    await expect(cardButton(todo, titles[0]!)).toBeAttached();
    const rendered = await todo.locator('[data-card-id]').count();
    expect(rendered).toBeGreaterThan(3);
    expect(rendered).toBeLessThan(CARDS / 2);
    await expect(cardButton(todo, titles.at(-1)!)).toHaveCount(0);

    // Scrolled to the end: the last card is there, the first is not rendered any more.
    await scrollTo(leader.page, 'To do', 'bottom');
    await expect(cardButton(todo, titles.at(-1)!)).toBeInViewport();
    await expect(cardButton(todo, titles[0]!)).toHaveCount(0);

    // A card created meanwhile (by someone else) appears at the end, where the person looks.
    const api = await apiAs('leader');
    const late = uniqueTitle('Late card');
    await api.createTask(BOARD, { title: late });
    await api.context.dispose();
    await expect(cardButton(todo, late)).toBeAttached();
    await scrollTo(leader.page, 'To do', 'bottom');
    await expect(cardButton(todo, late)).toBeInViewport();

    // Search finds a card from the middle of the column, which the browser's own find could
    // not (it is not rendered): Ctrl+F goes to the board's search; again, to the browser's.
    const middle = titles[Math.floor(CARDS / 2)]!;
    const search = leader.page.getByLabel('Search', { exact: true });
    await cardButton(todo, late).focus();
    await leader.page.keyboard.press('Control+f');
    await expect(search).toBeFocused();
    await search.fill(middle);
    await expect(todo.locator('[data-card-id]')).toHaveCount(1);
    await expect(cardButton(todo, middle)).toBeVisible();
    await leader.page.getByRole('button', { name: 'Clear filters' }).click();

    // Keyboard: the top card moves right (end of In progress), then back left, to the end of
    // the long To do column, far below what is rendered: the column scrolls to it and the card
    // keeps focus.
    await scrollTo(leader.page, 'To do', 'top');
    const [first] = await topTitles(todo, 1);
    if (!first) throw new Error('no card in To do');
    await cardButton(todo, first).focus();
    await leader.page.keyboard.press('Alt+ArrowRight');
    await expect(cardButton(column(leader.page, 'In progress'), first)).toBeFocused();
    await leader.page.keyboard.press('Alt+ArrowLeft');
    await expect(cardButton(todo, first)).toBeFocused();
    await expect(cardButton(todo, first)).toBeInViewport();
    // Up by keyboard from the end of the column: it stays focused and in view.
    await leader.page.keyboard.press('Alt+ArrowUp');
    await expect(cardButton(todo, first)).toBeFocused();
    // Focus stays on the card while the column is scrolled away from it and back.
    await scrollTo(leader.page, 'To do', 'top');
    await expect(cardButton(todo, first)).toBeFocused();
    await scrollTo(leader.page, 'To do', 'bottom');
    await expect(cardButton(todo, first)).toBeInViewport();

    // Drag and drop inside the window: the second card goes before the first.
    await scrollTo(leader.page, 'To do', 'top');
    const [one, two] = await topTitles(todo, 2);
    if (!one || !two) throw new Error('fewer than two cards in To do');
    await expect(cardButton(todo, one)).toBeInViewport();
    await card(todo, two)
      .getByRole('button', { name: `Drag ${two}` })
      .dragTo(cardButton(todo, one), { targetPosition: { x: 10, y: 2 } });
    const order = async () => {
      const texts = await todo.getByRole('listitem').allInnerTexts();
      return [texts.findIndex((t) => t.startsWith(two)), texts.findIndex((t) => t.startsWith(one))];
    };
    await expect.poll(async () => (await order())[0]! < (await order())[1]!).toBe(true);
  } finally {
    await leader.context.close();
  }
});

test('on a phone the long column scrolls to its last card', async ({ browser }) => {
  const leader = await signIn(browser, 'leader', {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  try {
    await openBoard(leader.page, PATH);
    const todo = column(leader.page, 'To do');
    await expect(todo.locator('[data-card-id]').first()).toBeVisible();
    expect(await todo.locator('[data-card-id]').count()).toBeLessThan(CARDS / 2);
    await expect(cardButton(todo, titles.at(-1)!)).toHaveCount(0);
    await scrollTo(leader.page, 'To do', 'bottom');
    await expect(cardButton(todo, titles.at(-1)!)).toBeVisible();
    await expect(todo.locator('[data-card-id]').first()).not.toBeInViewport();
  } finally {
    await leader.context.close();
  }
});
