import * as Y from 'yjs';
import {
  can,
  inScope,
  type Action,
  type DutyLink,
  type Principal,
  type Resource,
} from '@outpost/model';
import { WriteRefused, type Actor } from '../access/writeRules.ts';
import type { UpdateReport } from '../extensions/validateUpdate.ts';

/** May this person open the roster of `grid`? Anyone who reads checkpoints, in their grids. */
export function rosterReadable(principal: Principal, grid: string): boolean {
  return can(principal, 'checkpoints', 'read') && inScope(principal, grid);
}

const need = (actor: Actor, resource: Resource, action: Action, what: string) => {
  if (!can(actor, resource, action))
    throw new WriteRefused(`your role (${actor.role}) may not ${what}`);
};

/** A device clock may run a little fast; a check-in far in the future is not honest. */
const CLOCK_SKEW_MS = 5 * 60_000;

const IMMUTABLE_CHECKPOINT = new Set(['id', 'grid', 'createdBy', 'createdAt']);
const IMMUTABLE_SHIFT = new Set(['id', 'checkpoint', 'template']);

/**
 * Throws WriteRefused unless `actor` may make every change in `report` to the roster of
 * `grid` (document `roster:<workspace>:<grid>`; read access was checked when it was opened):
 *
 * - checkpoints: `checkpoints` create / edit; closed, never deleted; they stay in this grid;
 * - staff: `schedules` edit; marked inactive, never removed;
 * - shifts: `schedules` create (generate), edit (times, need, acknowledging an alarm), assign
 *   (who is on it); a shift with check-ins is never removed;
 * - check-ins: `schedules` edit for anyone; `schedules` work for yourself only, on a shift you
 *   are assigned to, signed with your id;
 * - swaps: `schedules` work to offer your own shift, cancel your offer or take one for
 *   yourself; `schedules` assign to approve or reject;
 * - alarms and meta: written by the server only.
 */
export function checkRosterWrite(
  actor: Actor,
  grid: string,
  doc: Y.Doc,
  report: UpdateReport,
): void {
  if (report.empty) return;
  const staff = doc.getMap('staff') as Y.Map<{ userId?: unknown }>;
  const shifts = doc.getMap('shifts') as Y.Map<Y.Map<unknown>>;
  const swaps = doc.getMap('swaps') as Y.Map<Y.Map<unknown>>;
  const dutyLinks = doc.getMap('dutyLinks') as Y.Map<DutyLink>;
  const own = (staffId: unknown) =>
    typeof staffId === 'string' && staff.get(staffId)?.userId === actor.userId;
  const onShift = (shiftId: string, staffId: string) => {
    const set = shifts.get(shiftId)?.get('assignees');
    return set instanceof Y.Map && set.get(staffId) === true;
  };

  const created = new Set<string>();
  const written = new Set<string>();
  for (const { path } of report.inserted) {
    if (path.length === 2) created.add(path.join('/'));
    written.add(path.join('/'));
  }
  const isNew = (path: readonly string[]) => created.has(`${path[0]}/${path[1]}`);
  /** A deletion that is only the old value of a key this update writes again. */
  const overwritten = (path: readonly string[]) => written.has(path.join('/'));

  // Swaps are judged as a whole: the fields written to each one, then the transition.
  const swapWrites = new Map<string, Map<string, unknown>>();

  const checkPath = (
    path: readonly string[],
    values: readonly unknown[] | null,
    deleting: boolean,
  ) => {
    const [root, id, field, sub] = path;
    switch (root) {
      case 'meta':
      case 'alarms':
        throw new WriteRefused(`"${root}" is kept by the server`);
      case 'checkpoints': {
        if (path.length === 2) {
          if (deleting && !overwritten(path))
            throw new WriteRefused('checkpoints are closed, never deleted');
          need(actor, 'checkpoints', 'create', 'create checkpoints');
          return;
        }
        if (!isNew(path)) {
          if (IMMUTABLE_CHECKPOINT.has(field!))
            throw new WriteRefused(`"${field}" of a checkpoint cannot change`);
          need(actor, 'checkpoints', 'edit', 'edit checkpoints');
        }
        for (const value of values ?? []) {
          if (field === 'grid' && value !== grid)
            throw new WriteRefused("a checkpoint belongs to its grid's roster");
          if ((field === 'createdBy' || field === 'updatedBy') && value !== actor.userId)
            throw new WriteRefused(`"${field}" must name you`);
        }
        return;
      }
      case 'dutyLinks': {
        need(actor, 'schedules', 'edit', 'publish duty tables');
        if (deleting) {
          if (!overwritten(path)) throw new WriteRefused('a public link is revoked, never deleted');
          return;
        }
        const before = dutyLinks.get(id!);
        for (const value of values ?? []) {
          const link = value as Record<string, unknown>;
          if (!before) {
            if (link.createdBy !== actor.userId)
              throw new WriteRefused('"createdBy" must name you');
            continue;
          }
          for (const key of ['id', 'checkpoint', 'token', 'createdBy', 'createdAt'])
            if (link[key] !== (before as unknown as Record<string, unknown>)[key])
              throw new WriteRefused('a public link can only be revoked');
        }
        return;
      }
      case 'staff':
        if (deleting && !overwritten(path))
          throw new WriteRefused('people are marked inactive, never removed from a roster');
        need(actor, 'schedules', 'edit', 'edit the staff list');
        return;
      case 'shifts': {
        const shiftId = id!;
        if (path.length === 2) {
          if (deleting) {
            need(actor, 'schedules', 'edit', 'remove shifts');
            const checkins = shifts.get(shiftId)?.get('checkins');
            if (checkins instanceof Y.Map && checkins.size > 0)
              throw new WriteRefused('a shift people have checked in to cannot be removed');
            return;
          }
          need(actor, 'schedules', 'create', 'create shifts');
          return;
        }
        if (field === 'assignees' && path.length === 4) {
          need(actor, 'schedules', 'assign', 'assign people to shifts');
          if (!deleting && !staff.has(sub!))
            throw new WriteRefused('only people on this roster can be assigned');
          return;
        }
        if (field === 'checkins' && path.length === 4) {
          const staffId = sub!;
          if (!can(actor, 'schedules', 'edit')) {
            if (!can(actor, 'schedules', 'work') || !own(staffId) || !onShift(shiftId, staffId))
              throw new WriteRefused('you may check in and out only yourself, on your own shifts');
            if (deleting && !overwritten(path))
              throw new WriteRefused('a check-in is kept; check out instead');
          }
          for (const value of values ?? []) {
            const c = value as { by?: unknown; in?: unknown; staff?: unknown };
            if (c.by !== actor.userId) throw new WriteRefused('a check-in must name you');
            if (c.staff !== staffId) throw new WriteRefused('a check-in is for one person');
            if (typeof c.in === 'number' && c.in > Date.now() + CLOCK_SKEW_MS)
              throw new WriteRefused('a check-in cannot be in the future');
          }
          return;
        }
        if (isNew(path)) return;
        if (IMMUTABLE_SHIFT.has(field!))
          throw new WriteRefused(`"${field}" of a shift cannot change`);
        need(actor, 'schedules', 'edit', field === 'ack' ? 'acknowledge alarms' : 'edit shifts');
        for (const value of values ?? []) {
          if (field === 'ack' && value !== null && (value as { by?: unknown }).by !== actor.userId)
            throw new WriteRefused('an acknowledgement must name you');
        }
        return;
      }
      case 'swaps': {
        if (path.length === 2) {
          if (deleting && !overwritten(path))
            throw new WriteRefused('swaps are cancelled, never deleted');
          if (!can(actor, 'schedules', 'work') && !can(actor, 'schedules', 'edit'))
            throw new WriteRefused(`your role (${actor.role}) may not offer shifts`);
          return;
        }
        const fields = swapWrites.get(id!) ?? new Map<string, unknown>();
        if (values) for (const value of values) fields.set(field!, value);
        swapWrites.set(id!, fields);
        return;
      }
      default:
        throw new WriteRefused(`"${root}" is not part of a roster`);
    }
  };
  for (const { path, values } of report.inserted) checkPath(path, values, false);
  for (const path of report.deleted) checkPath(path, null, true);

  for (const [swapId, fields] of swapWrites) {
    const existing = swaps.get(swapId);
    const before = (key: string) =>
      created.has(`swaps/${swapId}`) ? undefined : existing?.get(key);
    const after = (key: string) => (fields.has(key) ? fields.get(key) : before(key));
    const status = after('status');
    const changed = fields.has('status') && before('status') !== status;
    const supervisor = can(actor, 'schedules', 'assign');
    if (created.has(`swaps/${swapId}`)) {
      if (status !== 'offered') throw new WriteRefused('a new swap starts as an offer');
      if (after('offeredBy') !== actor.userId) throw new WriteRefused('an offer must name you');
      if (!supervisor && !own(after('from')))
        throw new WriteRefused('you may offer only your own shifts');
      continue;
    }
    for (const key of fields.keys()) {
      if (['id', 'shift', 'from', 'offeredBy', 'createdAt'].includes(key))
        throw new WriteRefused(`"${key}" of a swap cannot change`);
    }
    if (!changed) {
      if ([...fields.keys()].some((k) => k !== 'updatedAt'))
        throw new WriteRefused('a swap changes only by being taken, decided or cancelled');
      continue;
    }
    const from = before('status');
    if (status === 'taken') {
      if (from !== 'offered') throw new WriteRefused('this shift is no longer offered');
      if (!can(actor, 'schedules', 'work') && !supervisor)
        throw new WriteRefused(`your role (${actor.role}) may not take shifts`);
      if (after('takenBy') !== actor.userId) throw new WriteRefused('"takenBy" must name you');
      if (!supervisor && !own(after('to')))
        throw new WriteRefused('you may take a shift only for yourself');
    } else if (status === 'approved' || status === 'rejected') {
      if (from !== 'taken') throw new WriteRefused('nobody has taken this shift yet');
      need(actor, 'schedules', 'assign', 'approve swaps');
      if (after('decidedBy') !== actor.userId) throw new WriteRefused('"decidedBy" must name you');
    } else if (status === 'cancelled') {
      if (from !== 'offered' && from !== 'taken') throw new WriteRefused('already decided');
      if (before('offeredBy') !== actor.userId && !supervisor)
        throw new WriteRefused('only whoever offered it may cancel an offer');
    } else {
      throw new WriteRefused('not a valid change of a swap');
    }
  }
}
