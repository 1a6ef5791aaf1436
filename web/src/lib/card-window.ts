/**
 * Which cards of a long column to render: the ones in view plus a margin above and below, and
 * how much room the others take, so the column scrolls as if every card were there. Pure
 * arithmetic over card heights (measured once a card has been shown, estimated before), kept
 * apart from the component so it can be tested without a browser.
 */

export interface WindowInput {
  /** Cards in the column. */
  count: number;
  /** Height of the i-th card in px (measured, or an estimate). */
  heightOf: (index: number) => number;
  /** Space between two cards, px. */
  gap: number;
  /** How far the list is scrolled, px from the top of the first card. */
  scrollTop: number;
  /** Height of the visible part of the list, px. */
  viewport: number;
  /** Extra px rendered above and below what is in view. */
  overscan: number;
}

export interface CardWindow {
  /** First rendered card. */
  start: number;
  /** One past the last rendered card. */
  end: number;
  /** Room taken by the cards before `start` (their heights and gaps), px. */
  before: number;
  /** Room taken by the cards from `end` on, px. */
  after: number;
  /** Top of the i-th card, px from the top of the first card (0 ≤ i ≤ count). */
  topOf: (index: number) => number;
}

export function cardWindow(input: WindowInput): CardWindow {
  const { count, heightOf, gap } = input;
  // tops[i]: where card i starts; tops[count]: the whole column, with one trailing gap.
  const tops = new Float64Array(count + 1);
  for (let i = 0; i < count; i++) tops[i + 1] = tops[i]! + Math.max(0, heightOf(i)) + gap;
  const total = tops[count]!;
  const viewport = Math.max(0, input.viewport);
  // A list scrolled past its end (it just got shorter) shows its last screen.
  const scrollTop = Math.min(Math.max(0, input.scrollTop), Math.max(0, total - viewport));
  const from = scrollTop - input.overscan;
  const to = scrollTop + viewport + input.overscan;
  let start = 0;
  // The first card whose bottom edge reaches into the rendered band.
  while (start < count && tops[start + 1]! - gap < from) start++;
  let end = start;
  while (end < count && tops[end]! <= to) end++;
  return {
    start,
    end,
    before: tops[start]!,
    after: total - tops[end]!,
    topOf: (index) => tops[Math.min(Math.max(0, index), count)]!,
  };
}
