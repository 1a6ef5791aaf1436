import type { BoardSummary, Grid, Principal, Task } from '@outpost/model';
import { can, inScope, isReadOnly } from '@outpost/model';

/**
 * What the signed-in person may do, read from the permission matrix of `@outpost/model` (the
 * same one the server enforces), so the app shows only controls whose writes the server will
 * accept. Plain functions, no state: the board and the pages derive them from the live user.
 */

/** What a person may do on a board as a whole. */
export interface BoardAbilities {
  /** Nothing at all may be written (viewers): the app shows "Read-only". */
  readOnly: boolean;
  /** Add tasks. */
  create: boolean;
  /** Change any field of any task (title, description, kind, priority, grid, due, tags). */
  edit: boolean;
  /** Choose who a task is assigned to. */
  assign: boolean;
  /** Archive and restore tasks. */
  archive: boolean;
}

/** What a person may do to one task. */
export interface TaskAbilities {
  edit: boolean;
  assign: boolean;
  archive: boolean;
  /** Move it (status and order), tick and add checklist items, comment. */
  work: boolean;
}

const NOTHING: BoardAbilities = {
  readOnly: true,
  create: false,
  edit: false,
  assign: false,
  archive: false,
};

/** `stopped`: the board no longer syncs (access ended), so nothing may be written. */
export function boardAbilities(user: Principal, stopped = false): BoardAbilities {
  if (stopped) return NOTHING;
  return {
    readOnly: isReadOnly(user),
    create: can(user, 'tasks', 'create'),
    edit: can(user, 'tasks', 'edit'),
    assign: can(user, 'tasks', 'assign'),
    archive: can(user, 'tasks', 'archive'),
  };
}

/**
 * The server's rule (`taskFieldAllowed`): editing needs `edit`; status, order, checklist and
 * comments need `edit`, or `work` on a task assigned to the person.
 */
export function taskAbilities(
  user: Principal & { id: string },
  task: Pick<Task, 'assignees'>,
  stopped = false,
): TaskAbilities {
  const board = boardAbilities(user, stopped);
  const assigned = task.assignees.includes(user.id);
  return {
    edit: board.edit,
    assign: board.assign,
    archive: board.archive,
    work: !stopped && (board.edit || (can(user, 'tasks', 'work') && assigned)),
  };
}

/** May the person open this board (the server's `readable`)? */
export function canOpenBoard(user: Principal, board: Pick<BoardSummary, 'grid'>): boolean {
  return can(user, 'tasks', 'read') && inScope(user, board.grid);
}

/**
 * Grids a task on this board may be put in: a grid's board keeps its tasks in its grid; a
 * workspace-wide board allows the grids of the person's scope. `null` stands for "no grid".
 */
export function gridChoices(
  user: Principal,
  boardGrid: string | null,
  grids: readonly Grid[],
): (string | null)[] {
  if (boardGrid !== null) return [boardGrid, null];
  return [
    ...(inScope(user, null) ? [null] : []),
    ...grids.filter((g) => inScope(user, g.id)).map((g) => g.id),
  ];
}

/** Pages a person may open from the home page. */
export function pageAbilities(user: Principal): {
  people: boolean;
  managePeople: boolean;
  held: boolean;
  auditExport: boolean;
  roster: boolean;
} {
  return {
    people: can(user, 'people', 'read'),
    managePeople: can(user, 'people', 'edit'),
    held: can(user, 'tasks', 'edit'),
    auditExport: can(user, 'reports', 'read'),
    roster: can(user, 'checkpoints', 'read'),
  };
}
