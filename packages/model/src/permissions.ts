/**
 * Who may do what: the written matrix of roles × resources × actions. The server enforces it on
 * every path (REST, socket.io, Yjs), the web app reads it to hide what a person cannot do, and
 * the permission tests are generated from it, so the three cannot drift apart.
 */

export const ROLES = ['admin', 'leader', 'supervisor', 'worker', 'volunteer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const RESOURCES = [
  'tasks',
  'checkpoints',
  'schedules',
  'people',
  'reports',
  'settings',
] as const;
export type Resource = (typeof RESOURCES)[number];

/**
 * - `read`: see it (within scope).
 * - `create`: add new ones.
 * - `edit`: change any field.
 * - `assign`: change who a task is assigned to.
 * - `archive`: archive or restore.
 * - `work`: on tasks assigned to you only: change status, checklist and comments.
 */
export const ACTIONS = ['read', 'create', 'edit', 'assign', 'archive', 'work'] as const;
export type Action = (typeof ACTIONS)[number];

const ALL_TASKS: readonly Action[] = ['read', 'create', 'edit', 'assign', 'archive', 'work'];

/** The matrix. A role not listed for an action may not do it anywhere. */
export const PERMISSIONS: Record<Role, Record<Resource, readonly Action[]>> = {
  admin: {
    tasks: ALL_TASKS,
    checkpoints: ['read', 'create', 'edit', 'archive'],
    schedules: ['read', 'create', 'edit', 'assign'],
    people: ['read', 'create', 'edit'],
    reports: ['read'],
    settings: ['read', 'edit'],
  },
  leader: {
    tasks: ALL_TASKS,
    checkpoints: ['read', 'create', 'edit', 'archive'],
    schedules: ['read', 'create', 'edit', 'assign'],
    people: ['read'],
    reports: ['read'],
    settings: ['read'],
  },
  supervisor: {
    tasks: ALL_TASKS,
    checkpoints: ['read', 'create', 'edit', 'archive'],
    schedules: ['read', 'create', 'edit', 'assign'],
    people: ['read'],
    reports: ['read'],
    settings: [],
  },
  worker: {
    tasks: ['read', 'create', 'work'],
    checkpoints: ['read'],
    schedules: ['read', 'work'],
    people: ['read'],
    reports: [],
    settings: [],
  },
  volunteer: {
    tasks: ['read', 'work'],
    checkpoints: ['read'],
    schedules: ['read', 'work'],
    people: [],
    reports: [],
    settings: [],
  },
  viewer: {
    tasks: ['read'],
    checkpoints: ['read'],
    schedules: ['read'],
    people: [],
    reports: ['read'],
    settings: [],
  },
};

/**
 * Roles whose scope is always the whole workspace. Every other role works in the grids listed
 * on the account (`grids`), or in every grid when the account's list is null.
 */
export const WORKSPACE_WIDE_ROLES: readonly Role[] = ['admin', 'leader'];

/** What the server knows of a person when deciding: their role and their grid scope. */
export interface Principal {
  role: Role;
  /** Grid ids the person works in; null means every grid of the workspace. */
  grids: readonly string[] | null;
}

export function can(
  principal: Pick<Principal, 'role'>,
  resource: Resource,
  action: Action,
): boolean {
  return PERMISSIONS[principal.role]?.[resource]?.includes(action) ?? false;
}

/** Does the person's scope cover a grid (null: something that belongs to no grid)? */
export function inScope(principal: Principal, grid: string | null): boolean {
  if (WORKSPACE_WIDE_ROLES.includes(principal.role) || principal.grids === null) return true;
  return grid !== null && principal.grids.includes(grid);
}

/** Can the person write anything at all? (False: the web app shows read-only mode.) */
export function isReadOnly(principal: Pick<Principal, 'role'>): boolean {
  return RESOURCES.every((r) => PERMISSIONS[principal.role][r].every((a) => a === 'read'));
}

/** Task fields that `work` may change on a task assigned to the person. */
export const WORK_FIELDS: readonly string[] = [
  'status',
  'order',
  'checklist',
  'comments',
  'history',
  'updatedBy',
  'updatedAt',
];

/** The matrix as a Markdown table (docs/permissions.md embeds it; a test keeps them equal). */
export function renderPermissionTable(): string {
  const header = `| role | scope | ${RESOURCES.join(' | ')} |`;
  const rule = `| --- | --- | ${RESOURCES.map(() => '---').join(' | ')} |`;
  const rows = ROLES.map((role) => {
    const scope = WORKSPACE_WIDE_ROLES.includes(role) ? 'workspace' : 'own grids';
    const cells = RESOURCES.map((r) => PERMISSIONS[role][r].join(', ') || '—');
    return `| ${role} | ${scope} | ${cells.join(' | ')} |`;
  });
  return [header, rule, ...rows].join('\n');
}
