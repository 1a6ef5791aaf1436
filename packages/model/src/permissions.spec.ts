import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { can, inScope, isReadOnly, renderPermissionTable } from './permissions.ts';

describe('permissions', () => {
  it('docs/permissions.md shows exactly the matrix the server enforces', () => {
    const doc = readFileSync(
      path.resolve(import.meta.dirname, '../../../docs/permissions.md'),
      'utf8',
    );
    expect(doc).toContain(renderPermissionTable());
  });

  it('scopes grid roles to their grids and workspace roles to everything', () => {
    expect(inScope({ role: 'worker', grids: ['g1'] }, 'g1')).toBe(true);
    expect(inScope({ role: 'worker', grids: ['g1'] }, 'g2')).toBe(false);
    expect(inScope({ role: 'worker', grids: ['g1'] }, null)).toBe(false);
    expect(inScope({ role: 'supervisor', grids: null }, null)).toBe(true);
    expect(inScope({ role: 'leader', grids: ['g1'] }, 'g9')).toBe(true);
  });

  it('knows who can write nothing', () => {
    expect(isReadOnly({ role: 'viewer' })).toBe(true);
    expect(isReadOnly({ role: 'volunteer' })).toBe(false);
    expect(can({ role: 'volunteer' }, 'tasks', 'create')).toBe(false);
    expect(can({ role: 'worker' }, 'tasks', 'assign')).toBe(false);
  });
});
