import * as Y from 'yjs';
import {
  WORK_FIELDS,
  can,
  inScope,
  type Action,
  type DocumentRef,
  type Principal,
} from '@outpost/model';
import type { UpdateReport } from '../extensions/validateUpdate.ts';
import { checkRosterWrite } from '../roster/rosterAccess.ts';

/** The person a rule is checked for. */
export interface Actor extends Principal {
  userId: string;
}

/** A refusal: the reason names what was not allowed, in words a person can act on. */
export class WriteRefused extends Error {}

/** Task fields nobody may change once a task exists. */
const IMMUTABLE = new Set(['id', 'createdBy', 'createdAt']);

/**
 * The task action a change of one field needs, given whether the actor is assigned to the
 * task. Shared by the Yjs guard and the REST API so both paths enforce one rule.
 */
export function taskFieldAllowed(actor: Actor, field: string, assigned: boolean): boolean {
  if (IMMUTABLE.has(field)) return false;
  if (field === 'assignees') return can(actor, 'tasks', 'assign');
  if (field === 'archived') return can(actor, 'tasks', 'archive');
  if (WORK_FIELDS.includes(field)) {
    return can(actor, 'tasks', 'edit') || (can(actor, 'tasks', 'work') && assigned);
  }
  return can(actor, 'tasks', 'edit');
}

const need = (actor: Actor, action: Action, what: string) => {
  if (!can(actor, 'tasks', action))
    throw new WriteRefused(`your role (${actor.role}) may not ${what}`);
};

/**
 * Throws WriteRefused unless `actor` may make every change in `report` to the document.
 * Attribution inside the document (createdBy, updatedBy, comment authors, history) must name
 * the actor: nobody writes in someone else's name.
 */
export function checkWrite(
  actor: Actor,
  ref: DocumentRef,
  documentGrid: string | null,
  doc: Y.Doc,
  report: UpdateReport,
  /** May this user id be assigned a task on this document (exists, enabled, in scope)? */
  assignable: (userId: string) => boolean = () => true,
): void {
  if (report.empty) return;
  if (ref.kind === 'roster') return checkRosterWrite(actor, ref.id!, doc, report);
  if (ref.kind === 'workspace') {
    for (const path of [...report.inserted.map((e) => e.path), ...report.deleted]) {
      if (path[0] === 'members') throw new WriteRefused('members are managed by the server');
      if (!can(actor, 'settings', 'edit')) {
        throw new WriteRefused(`your role (${actor.role}) may not change workspace settings`);
      }
    }
    return;
  }

  const tasks = doc.getMap('tasks') as Y.Map<Y.Map<unknown>>;
  const created = new Set<string>();
  for (const { path } of report.inserted) {
    if (path[0] === 'tasks' && path.length === 2) created.add(path[1]!);
  }
  const assigned = (taskId: string) => {
    const set = tasks.get(taskId)?.get('assignees');
    return set instanceof Y.Map && set.get(actor.userId) === true;
  };
  const checkPath = (path: readonly string[], deleting: boolean) => {
    if (path[0] === 'meta') {
      if (!can(actor, 'settings', 'edit'))
        throw new WriteRefused('only administrators may rename a board');
      return;
    }
    const taskId = path[1]!;
    if (path.length === 2) {
      if (deleting) throw new WriteRefused('tasks are archived, never deleted');
      need(actor, 'create', 'create tasks');
      return;
    }
    const field = path[2]!;
    if (created.has(taskId)) {
      // A new task: creating covers its fields, but not assigning others or archiving it. A
      // person who works tasks may take the task they create.
      if (field === 'assignees' && path.length >= 4) {
        const self = path[3] === actor.userId && can(actor, 'tasks', 'work');
        if (!self) need(actor, 'assign', 'assign tasks');
      }
      return;
    }
    if (field === 'comments' && deleting) {
      need(actor, 'edit', 'remove comments');
      return;
    }
    if (!taskFieldAllowed(actor, field, assigned(taskId))) {
      throw new WriteRefused(
        can(actor, 'tasks', 'work') && WORK_FIELDS.includes(field)
          ? `you may change "${field}" only on tasks assigned to you`
          : `your role (${actor.role}) may not change "${field}"`,
      );
    }
  };
  for (const { path, values } of report.inserted) {
    checkPath(path, false);
    checkValues(actor, documentGrid, path, values);
    if (created.has(path[1] ?? '') && path[2] === 'archived' && values?.includes(true)) {
      need(actor, 'archive', 'archive tasks');
    }
    if (
      path[0] === 'tasks' &&
      path[2] === 'assignees' &&
      path.length === 4 &&
      !assignable(path[3]!)
    ) {
      throw new WriteRefused('only people whose grids include this board can be assigned');
    }
  }
  for (const path of report.deleted) checkPath(path, true);
}

/** Attribution and scope of written values. */
function checkValues(
  actor: Actor,
  documentGrid: string | null,
  path: readonly string[],
  values: readonly unknown[] | null,
): void {
  if (!values || path[0] !== 'tasks' || path.length < 3) return;
  const field = path[2];
  for (const value of values) {
    if ((field === 'createdBy' || field === 'updatedBy') && value !== actor.userId) {
      throw new WriteRefused(`"${field}" must name you`);
    }
    if (field === 'comments' && (value as { author?: unknown }).author !== actor.userId) {
      throw new WriteRefused('a comment must be signed by its author');
    }
    if (field === 'history' && (value as { by?: unknown }).by !== actor.userId) {
      throw new WriteRefused('history entries must name you');
    }
    if (field === 'grid') {
      // On a grid's board a task is in that grid (null says the same); on a workspace-wide
      // board, in a grid of the person's scope.
      const grid = value as string | null;
      const ok =
        documentGrid !== null ? grid === null || grid === documentGrid : inScope(actor, grid);
      if (!ok) throw new WriteRefused('a task on this board must stay in its grid');
    }
  }
}
