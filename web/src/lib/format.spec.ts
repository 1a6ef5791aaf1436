import { describe, expect, it } from 'vitest';
import { fromDateTimeLocal, parseTags, toDateTimeLocal } from './format.ts';
import { initials } from './presence.ts';

describe('format', () => {
  it('round-trips a datetime-local value', () => {
    const ms = fromDateTimeLocal('2026-03-04T05:06');
    expect(ms).not.toBeNull();
    expect(toDateTimeLocal(ms)).toBe('2026-03-04T05:06');
    expect(fromDateTimeLocal('')).toBeNull();
    expect(toDateTimeLocal(null)).toBe('');
  });

  it('splits tags on ASCII and Chinese separators, without blanks or repeats', () => {
    expect(parseTags('摸排， 回访、night, night ,; ')).toEqual(['摸排', '回访', 'night']);
  });
});

describe('initials', () => {
  it('uses the last two characters of a Chinese name', () => {
    expect(initials('张网格 (Worker Zhang)')).toBe('网格');
    expect(initials('王伟')).toBe('王伟');
  });

  it('uses the first letters of other names', () => {
    expect(initials('Leader Wang')).toBe('LW');
    expect(initials('ops')).toBe('OP');
    expect(initials('  ')).toBe('?');
  });
});
