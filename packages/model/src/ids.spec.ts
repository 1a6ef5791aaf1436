import { describe, expect, it } from 'vitest';
import { newId } from './ids.ts';
import { isId } from './schema.ts';

describe('newId', () => {
  it('makes valid, distinct ids that start with a letter or digit', () => {
    const ids = Array.from({ length: 5000 }, newId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(isId(id)).toBe(true);
      expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{11}$/);
    }
  });
});
