import { describe, expect, it } from 'vitest';
import { SaveTracker } from './save-tracker.ts';

describe('SaveTracker', () => {
  it('counts local changes until a request sent after them is confirmed', () => {
    const tracker = new SaveTracker();
    tracker.countChange();
    tracker.countChange();
    expect(tracker.unsaved).toBe(2);
    const seq = tracker.request();
    tracker.countChange();
    expect(tracker.confirm(seq)).toBe(true);
    // The change made after the request is still unsaved.
    expect(tracker.unsaved).toBe(1);
    expect(tracker.confirm(tracker.request())).toBe(true);
    expect(tracker.unsaved).toBe(0);
  });

  it('keeps changes restored from an earlier session until confirmed', () => {
    const tracker = new SaveTracker(3);
    expect(tracker.unsaved).toBe(3);
    expect(tracker.confirm(tracker.request())).toBe(true);
    expect(tracker.unsaved).toBe(0);
  });

  it('ignores answers it did not ask for, and answers of a closed connection', () => {
    const tracker = new SaveTracker();
    tracker.countChange();
    expect(tracker.confirm(42)).toBe(false);
    const seq = tracker.request();
    tracker.dropPending();
    expect(tracker.confirm(seq)).toBe(false);
    expect(tracker.unsaved).toBe(1);
  });

  it('a later answer covers earlier requests; an earlier one never undoes a later', () => {
    const tracker = new SaveTracker();
    tracker.countChange();
    const first = tracker.request();
    tracker.countChange();
    const second = tracker.request();
    expect(tracker.confirm(second)).toBe(true);
    expect(tracker.unsaved).toBe(0);
    expect(tracker.confirm(first)).toBe(false);
    expect(tracker.unsaved).toBe(0);
  });
});
