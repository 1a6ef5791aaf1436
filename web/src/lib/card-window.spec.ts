import { describe, expect, it } from 'vitest';
import { cardWindow, type WindowInput } from './card-window.ts';

const uniform = (over: Partial<WindowInput> = {}): WindowInput => ({
  count: 1000,
  heightOf: () => 100,
  gap: 10,
  scrollTop: 0,
  viewport: 500,
  overscan: 200,
  ...over,
});

describe('cardWindow', () => {
  it('renders the top of the column plus the margin below when not scrolled', () => {
    const w = cardWindow(uniform());
    // 700 px are rendered: cards at 0, 110, ..., 660 start inside it.
    expect(w.start).toBe(0);
    expect(w.end).toBe(7);
    expect(w.before).toBe(0);
    expect(w.after).toBe((1000 - 7) * 110);
  });

  it('keeps the room of the cards not rendered, so the column scrolls as a whole', () => {
    const w = cardWindow(uniform({ scrollTop: 55_000 }));
    // Band 54,800 to 55,700: card 498 ends at 54,880, card 506 starts at 55,660.
    expect(w.start).toBe(498);
    expect(w.end).toBe(507);
    expect(w.before).toBe(498 * 110);
    expect(w.before + (w.end - w.start) * 110 + w.after).toBe(1000 * 110);
    expect(w.topOf(500)).toBe(55_000);
  });

  it('shows the last screen when the list is scrolled past its end', () => {
    const w = cardWindow(uniform({ count: 20, scrollTop: 999_999 }));
    expect(w.end).toBe(20);
    expect(w.after).toBe(0);
    expect(w.start).toBeGreaterThan(0);
  });

  it('follows cards of different heights', () => {
    const heights = [300, 40, 40, 40, 500, 40, 40];
    const w = cardWindow({
      count: heights.length,
      heightOf: (i) => heights[i]!,
      gap: 0,
      scrollTop: 400,
      viewport: 100,
      overscan: 0,
    });
    // Band 400 to 500: card 3 spans 380-420, card 4 spans 420-920.
    expect([w.start, w.end]).toEqual([3, 5]);
    expect(w.before).toBe(380);
    expect(w.after).toBe(80);
  });

  it('renders nothing for an empty column and everything for a short one', () => {
    expect(cardWindow(uniform({ count: 0 }))).toMatchObject({
      start: 0,
      end: 0,
      before: 0,
      after: 0,
    });
    const short = cardWindow(uniform({ count: 3 }));
    expect([short.start, short.end, short.after]).toEqual([0, 3, 0]);
  });
});
