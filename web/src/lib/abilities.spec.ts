import { describe, expect, it } from 'vitest';
import { ROLES, type Role } from '@outpost/model';
import {
  boardAbilities,
  canOpenBoard,
  gridChoices,
  pageAbilities,
  taskAbilities,
} from './abilities.ts';

const person = (role: Role, grids: string[] | null = null) => ({ id: `u-${role}`, role, grids });
const grids = [
  { id: 'g1', name: 'One' },
  { id: 'g2', name: 'Two' },
];

describe('abilities', () => {
  it('gives viewers nothing to write, and everybody else something', () => {
    for (const role of ROLES) {
      expect(boardAbilities(person(role)).readOnly).toBe(role === 'viewer');
    }
    expect(boardAbilities(person('viewer'))).toMatchObject({ create: false, edit: false });
  });

  it('lets workers create and work on tasks assigned to them only', () => {
    const worker = person('worker', ['g1']);
    expect(boardAbilities(worker)).toMatchObject({ create: true, edit: false, assign: false });
    expect(taskAbilities(worker, { assignees: [worker.id] }).work).toBe(true);
    expect(taskAbilities(worker, { assignees: ['someone-else'] }).work).toBe(false);
  });

  it('lets volunteers work on their tasks but not create any', () => {
    const volunteer = person('volunteer', ['g1']);
    expect(boardAbilities(volunteer).create).toBe(false);
    expect(taskAbilities(volunteer, { assignees: [volunteer.id] }).work).toBe(true);
  });

  it('lets supervisors do everything to every task', () => {
    const supervisor = person('supervisor', ['g1']);
    expect(taskAbilities(supervisor, { assignees: [] })).toEqual({
      edit: true,
      assign: true,
      archive: true,
      work: true,
    });
  });

  it('takes everything away from a board that stopped syncing', () => {
    const leader = person('leader');
    expect(boardAbilities(leader, true).create).toBe(false);
    expect(taskAbilities(leader, { assignees: [leader.id] }, true).work).toBe(false);
  });

  it('opens boards of the person’s grids only; workspace boards need a workspace-wide scope', () => {
    expect(canOpenBoard(person('worker', ['g1']), { grid: 'g1' })).toBe(true);
    expect(canOpenBoard(person('worker', ['g1']), { grid: 'g2' })).toBe(false);
    expect(canOpenBoard(person('worker', ['g1']), { grid: null })).toBe(false);
    expect(canOpenBoard(person('viewer', null), { grid: null })).toBe(true);
    expect(canOpenBoard(person('leader', ['g1']), { grid: 'g3' })).toBe(true);
  });

  it('keeps tasks of a grid’s board in that grid', () => {
    expect(gridChoices(person('leader'), 'g2', grids)).toEqual(['g2', null]);
    expect(gridChoices(person('leader'), null, grids)).toEqual([null, 'g1', 'g2']);
    expect(gridChoices(person('supervisor', ['g2']), null, grids)).toEqual(['g2']);
  });

  it('links people, held changes and the audit export to the roles that may use them', () => {
    expect(pageAbilities(person('admin'))).toEqual({
      people: true,
      managePeople: true,
      held: true,
      auditExport: true,
      roster: true,
    });
    expect(pageAbilities(person('worker'))).toEqual({
      people: true,
      managePeople: false,
      held: false,
      auditExport: false,
      roster: true,
    });
    expect(pageAbilities(person('viewer')).people).toBe(false);
    expect(pageAbilities(person('viewer')).auditExport).toBe(true);
  });
});
