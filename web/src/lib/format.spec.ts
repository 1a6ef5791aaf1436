import { describe, expect, it } from 'vitest';
import { formatDateTime, fromDateTimeLocal, parseTags, toDateTimeLocal } from './format.ts';
import { initials } from './presence.ts';

describe('format', () => {
  it('reads and writes datetime-local values in the workspace zone, not the device’s', () => {
    const ms = fromDateTimeLocal('2026-03-04T05:06', 'Asia/Shanghai');
    expect(ms).toBe(Date.UTC(2026, 2, 3, 21, 6));
    expect(toDateTimeLocal(ms, 'Asia/Shanghai')).toBe('2026-03-04T05:06');
    expect(toDateTimeLocal(ms, 'UTC')).toBe('2026-03-03T21:06');
    expect(fromDateTimeLocal('', 'Asia/Shanghai')).toBeNull();
    expect(fromDateTimeLocal('not a time', 'Asia/Shanghai')).toBeNull();
    expect(toDateTimeLocal(null, 'Asia/Shanghai')).toBe('');
  });

  it('formats an instant in the given zone', () => {
    const ms = Date.UTC(2026, 2, 3, 21, 6);
    expect(formatDateTime(ms, 'en', 'Asia/Shanghai')).toMatch(/Mar 4.*05:06/);
    expect(formatDateTime(ms, 'en', 'UTC')).toMatch(/Mar 3.*09:06 PM/);
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
