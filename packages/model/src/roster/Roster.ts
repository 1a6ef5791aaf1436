import * as Y from 'yjs';
import { newId } from '../ids.ts';
import { isLatLng } from '../schema.ts';
import {
  CHECKPOINT_KINDS,
  CHECKPOINT_STATUSES,
  ROSTER_LIMITS,
  SWAP_STATUSES,
  type Alarm,
  type CheckIn,
  type Checkpoint,
  type CheckpointInput,
  type CheckpointPatch,
  type DutyLink,
  type Shift,
  type StaffInput,
  type StaffMember,
  type Swap,
} from './types.ts';
import {
  checkInOpen,
  generateShifts,
  validateHours,
  validatePattern,
  type RuleError,
} from './rules.ts';
import { isIsoDate } from './time.ts';

/** Input the roster refused, with every problem named by field. */
export class RosterInputError extends Error {
  constructor(readonly errors: RuleError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}

const fail = (field: string, code: string, message: string): never => {
  throw new RosterInputError([{ field, code, message }]);
};

/**
 * Typed access to one grid's roster document (`roster:<workspaceId>:<gridId>`): its
 * checkpoints, staff, shifts, swaps and the server's alarm record. Rosters are sharded per
 * grid, so a district of 750 checkpoints in a few hundred grids keeps every document small and
 * a supervisor loads only the grids they work in.
 *
 * Checkpoints, shifts and swaps are a Y.Map each with one key per field (concurrent edits of
 * different fields both survive); a shift's assignees and check-ins are Y.Maps keyed by staff
 * id, so two supervisors assigning two people to one shift at once keep both.
 */
export class Roster {
  readonly meta: Y.Map<unknown>;
  readonly checkpoints: Y.Map<Y.Map<unknown>>;
  readonly staff: Y.Map<StaffMember>;
  readonly shifts: Y.Map<Y.Map<unknown>>;
  readonly swaps: Y.Map<Y.Map<unknown>>;
  readonly alarms: Y.Map<Alarm>;
  readonly dutyLinks: Y.Map<DutyLink>;

  constructor(readonly doc: Y.Doc) {
    this.meta = doc.getMap('meta');
    this.checkpoints = doc.getMap('checkpoints');
    this.staff = doc.getMap('staff');
    this.shifts = doc.getMap('shifts');
    this.swaps = doc.getMap('swaps');
    this.alarms = doc.getMap('alarms');
    this.dutyLinks = doc.getMap('dutyLinks');
  }

  // ---- checkpoints -------------------------------------------------------------------------

  listCheckpoints(): Checkpoint[] {
    const list: Checkpoint[] = [];
    this.checkpoints.forEach((ymap) => {
      const c = readCheckpoint(ymap);
      if (c) list.push(c);
    });
    return list.sort((a, b) => a.name.localeCompare(b.name));
  }

  getCheckpoint(id: string): Checkpoint | null {
    const ymap = this.checkpoints.get(id);
    return ymap ? readCheckpoint(ymap) : null;
  }

  createCheckpoint(
    input: CheckpointInput,
    grid: string,
    actor: string,
    now = Date.now(),
    id = newId(),
  ): string {
    const fields = normalizeCheckpoint({
      kind: 'gate',
      location: null,
      hours: null,
      pattern: [],
      contact: '',
      status: 'open',
      notes: '',
      ...input,
    });
    this.doc.transact(() => {
      const ymap = new Y.Map<unknown>();
      this.checkpoints.set(id, ymap);
      ymap.set('id', id);
      ymap.set('grid', grid);
      for (const [key, value] of Object.entries(fields)) ymap.set(key, value);
      ymap.set('createdBy', actor);
      ymap.set('createdAt', now);
      ymap.set('updatedBy', actor);
      ymap.set('updatedAt', now);
    });
    return id;
  }

  /** Sets the given fields only. Checkpoints are closed (status), never deleted. */
  updateCheckpoint(id: string, patch: CheckpointPatch, actor: string, now = Date.now()): void {
    const ymap = this.checkpoints.get(id) ?? fail('id', 'not_found', 'no such checkpoint');
    const fields = normalizeCheckpoint(patch);
    this.doc.transact(() => {
      let changed = false;
      for (const [key, value] of Object.entries(fields)) {
        if (JSON.stringify(ymap.get(key)) === JSON.stringify(value)) continue;
        ymap.set(key, value);
        changed = true;
      }
      if (!changed) return;
      ymap.set('updatedBy', actor);
      ymap.set('updatedAt', now);
    });
  }

  // ---- staff -------------------------------------------------------------------------------

  listStaff(): StaffMember[] {
    return [...this.staff.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  addStaff(input: StaffInput, id = newId()): string {
    this.staff.set(id, { id, ...normalizeStaff(input) });
    return id;
  }

  updateStaff(id: string, patch: Partial<StaffInput>): void {
    const current = this.staff.get(id) ?? fail('id', 'not_found', 'no such person');
    this.staff.set(id, { id, ...normalizeStaff({ ...current, ...patch }) });
  }

  /** Staff linked to a user account. */
  staffOfUser(userId: string): StaffMember[] {
    return this.listStaff().filter((s) => s.userId === userId);
  }

  // ---- shifts ------------------------------------------------------------------------------

  listShifts(): Shift[] {
    const list: Shift[] = [];
    this.shifts.forEach((ymap) => {
      const s = readShift(ymap);
      if (s) list.push(s);
    });
    return list.sort((a, b) => a.start - b.start || a.checkpoint.localeCompare(b.checkpoint));
  }

  getShift(id: string): Shift | null {
    const ymap = this.shifts.get(id);
    return ymap ? readShift(ymap) : null;
  }

  /**
   * Creates the shifts of a checkpoint's pattern for the local days `from`..`to` in `zone`.
   * Shifts that already exist (same id) are kept as they are, with their assignments.
   * Returns how many were created.
   */
  generate(checkpointId: string, from: string, to: string, zone: string): number {
    const checkpoint =
      this.getCheckpoint(checkpointId) ?? fail('checkpoint', 'not_found', 'no such checkpoint');
    if (!isIsoDate(from)) fail('from', 'invalid_date', 'not a date');
    if (!isIsoDate(to)) fail('to', 'invalid_date', 'not a date');
    if (to < from) fail('to', 'end_before_start', 'the last day is before the first');
    if (checkpoint.pattern.length === 0) {
      fail('pattern', 'empty', 'the checkpoint has no shift pattern yet');
    }
    const specs = generateShifts(checkpoint, from, to, zone);
    let created = 0;
    this.doc.transact(() => {
      for (const spec of specs) {
        if (this.shifts.has(spec.id)) continue;
        this.putShift(spec);
        created++;
      }
    });
    return created;
  }

  /** A one-off shift outside the pattern. */
  addShift(
    spec: Pick<Shift, 'checkpoint' | 'name' | 'start' | 'end' | 'required'>,
    id = newId(),
  ): string {
    if (!this.checkpoints.has(spec.checkpoint))
      fail('checkpoint', 'not_found', 'no such checkpoint');
    if (!(spec.end > spec.start))
      fail('end', 'end_before_start', 'a shift must end after it starts');
    if (spec.end - spec.start > 24 * 3_600_000)
      fail('end', 'too_long', 'a shift lasts at most 24 hours');
    if (
      !Number.isInteger(spec.required) ||
      spec.required < 0 ||
      spec.required > ROSTER_LIMITS.required
    )
      fail('required', 'invalid_required', 'people needed must be a whole number from 0 to 50');
    this.putShift({ ...spec, id, template: null });
    return id;
  }

  private putShift(
    spec: Pick<Shift, 'id' | 'checkpoint' | 'template' | 'name' | 'start' | 'end' | 'required'>,
  ): void {
    // One transaction: the server judges a new shift's fields as part of creating it.
    this.doc.transact(() => {
      const ymap = new Y.Map<unknown>();
      this.shifts.set(spec.id, ymap);
      ymap.set('id', spec.id);
      ymap.set('checkpoint', spec.checkpoint);
      ymap.set('template', spec.template);
      ymap.set('name', spec.name);
      ymap.set('start', spec.start);
      ymap.set('end', spec.end);
      ymap.set('required', spec.required);
      ymap.set('assignees', new Y.Map());
      ymap.set('checkins', new Y.Map());
      ymap.set('ack', null);
    });
  }

  private shiftMap(id: string): Y.Map<unknown> {
    return this.shifts.get(id) ?? fail('shift', 'not_found', 'no such shift');
  }

  private set(shiftId: string, key: 'assignees' | 'checkins'): Y.Map<unknown> {
    const set = this.shiftMap(shiftId).get(key);
    if (!(set instanceof Y.Map)) return fail('shift', 'invalid', 'malformed shift');
    return set;
  }

  setRequired(shiftId: string, required: number): void {
    if (!Number.isInteger(required) || required < 0 || required > ROSTER_LIMITS.required)
      fail('required', 'invalid_required', 'people needed must be a whole number from 0 to 50');
    this.shiftMap(shiftId).set('required', required);
  }

  assign(shiftId: string, staffId: string): void {
    const staff = this.staff.get(staffId) ?? fail('staff', 'unknown_person', 'unknown person');
    if (!staff.active) fail('staff', 'inactive', 'this person is no longer on the roster');
    const set = this.set(shiftId, 'assignees');
    if (!set.has(staffId) && set.size >= ROSTER_LIMITS.assignees)
      fail('staff', 'too_many', 'too many people on one shift');
    if (!set.has(staffId)) set.set(staffId, true);
  }

  unassign(shiftId: string, staffId: string): void {
    const set = this.set(shiftId, 'assignees');
    if (set.has(staffId)) set.delete(staffId);
  }

  /** Records that a person assigned to the shift is at the post. */
  checkIn(shiftId: string, staffId: string, actor: string, now = Date.now()): void {
    const shift = this.getShift(shiftId) ?? fail('shift', 'not_found', 'no such shift');
    if (!shift.assignees.includes(staffId)) fail('staff', 'not_assigned', 'not on this shift');
    if (!checkInOpen(shift, now))
      fail('shift', 'not_open', 'check-in opens 30 minutes before the shift');
    const current = shift.checkins.find((c) => c.staff === staffId);
    if (current && current.out === null) return;
    this.set(shiftId, 'checkins').set(staffId, { staff: staffId, in: now, out: null, by: actor });
  }

  checkOut(shiftId: string, staffId: string, actor: string, now = Date.now()): void {
    const shift = this.getShift(shiftId) ?? fail('shift', 'not_found', 'no such shift');
    const current = shift.checkins.find((c) => c.staff === staffId);
    if (!current || current.out !== null) fail('staff', 'not_checked_in', 'not checked in');
    this.set(shiftId, 'checkins').set(staffId, {
      ...current!,
      out: Math.max(now, current!.in),
      by: actor,
    });
  }

  /** A supervisor takes note of an uncovered post; the alarm stops for this shift. */
  acknowledge(shiftId: string, actor: string, now = Date.now()): void {
    this.shiftMap(shiftId).set('ack', { by: actor, at: now });
  }

  // ---- swaps -------------------------------------------------------------------------------

  listSwaps(): Swap[] {
    const list: Swap[] = [];
    this.swaps.forEach((ymap) => {
      const s = readSwap(ymap);
      if (s) list.push(s);
    });
    return list.sort((a, b) => b.createdAt - a.createdAt);
  }

  getSwap(id: string): Swap | null {
    const ymap = this.swaps.get(id);
    return ymap ? readSwap(ymap) : null;
  }

  /** A person offers their shift to anyone who can take it. */
  offerSwap(
    shiftId: string,
    fromStaff: string,
    actor: string,
    now = Date.now(),
    id = newId(),
  ): string {
    const shift = this.getShift(shiftId) ?? fail('shift', 'not_found', 'no such shift');
    if (!shift.assignees.includes(fromStaff)) fail('staff', 'not_assigned', 'not on this shift');
    if (shift.end <= now) fail('shift', 'over', 'this shift is over');
    const open = this.listSwaps().some(
      (s) =>
        s.shift === shiftId &&
        s.from === fromStaff &&
        (s.status === 'offered' || s.status === 'taken'),
    );
    if (open) fail('shift', 'already_offered', 'this shift is already offered');
    this.doc.transact(() => {
      const ymap = new Y.Map<unknown>();
      this.swaps.set(id, ymap);
      ymap.set('id', id);
      ymap.set('shift', shiftId);
      ymap.set('from', fromStaff);
      ymap.set('to', null);
      ymap.set('status', 'offered');
      ymap.set('offeredBy', actor);
      ymap.set('takenBy', null);
      ymap.set('decidedBy', null);
      ymap.set('createdAt', now);
      ymap.set('updatedAt', now);
    });
    return id;
  }

  takeSwap(swapId: string, toStaff: string, actor: string, now = Date.now()): void {
    const ymap = this.swaps.get(swapId) ?? fail('swap', 'not_found', 'no such swap');
    const swap = readSwap(ymap)!;
    if (swap.status !== 'offered') fail('swap', 'not_offered', 'this shift is no longer offered');
    const staff = this.staff.get(toStaff) ?? fail('staff', 'unknown_person', 'unknown person');
    if (!staff.active) fail('staff', 'inactive', 'this person is no longer on the roster');
    if (this.getShift(swap.shift)?.assignees.includes(toStaff))
      fail('staff', 'already_assigned', 'already on this shift');
    this.doc.transact(() => {
      ymap.set('to', toStaff);
      ymap.set('status', 'taken');
      ymap.set('takenBy', actor);
      ymap.set('updatedAt', now);
    });
  }

  /** Approves (moves the shift from one person to the other) or rejects a taken swap. */
  decideSwap(swapId: string, approve: boolean, actor: string, now = Date.now()): void {
    const ymap = this.swaps.get(swapId) ?? fail('swap', 'not_found', 'no such swap');
    const swap = readSwap(ymap)!;
    if (swap.status !== 'taken' || swap.to === null)
      fail('swap', 'not_taken', 'nobody has taken this shift yet');
    this.doc.transact(() => {
      if (approve) {
        this.unassign(swap.shift, swap.from);
        this.assign(swap.shift, swap.to!);
      }
      ymap.set('status', approve ? 'approved' : 'rejected');
      ymap.set('decidedBy', actor);
      ymap.set('updatedAt', now);
    });
  }

  cancelSwap(swapId: string, actor: string, now = Date.now()): void {
    const ymap = this.swaps.get(swapId) ?? fail('swap', 'not_found', 'no such swap');
    const swap = readSwap(ymap)!;
    if (swap.status !== 'offered' && swap.status !== 'taken')
      fail('swap', 'closed', 'already decided');
    this.doc.transact(() => {
      ymap.set('status', 'cancelled');
      ymap.set('decidedBy', actor);
      ymap.set('updatedAt', now);
    });
  }

  // ---- public duty links -------------------------------------------------------------------

  listDutyLinks(): DutyLink[] {
    return [...this.dutyLinks.values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  /** A new public link; `token` must be random (at least 128 bits, base64url). */
  createDutyLink(
    checkpoint: string | null,
    token: string,
    actor: string,
    now = Date.now(),
    id = newId(),
  ): string {
    if (checkpoint !== null && !this.checkpoints.has(checkpoint))
      fail('checkpoint', 'not_found', 'no such checkpoint');
    if (!/^[A-Za-z0-9_-]{22,64}$/.test(token)) fail('token', 'invalid', 'token too short');
    this.dutyLinks.set(id, {
      id,
      checkpoint,
      token,
      createdBy: actor,
      createdAt: now,
      revokedAt: null,
    });
    return id;
  }

  revokeDutyLink(id: string, now = Date.now()): void {
    const link = this.dutyLinks.get(id) ?? fail('link', 'not_found', 'no such link');
    if (link.revokedAt === null) this.dutyLinks.set(id, { ...link, revokedAt: now });
  }

  // ---- alarms (written by the server) ------------------------------------------------------

  listAlarms(): Alarm[] {
    return [...this.alarms.values()].sort((a, b) => b.raisedAt - a.raisedAt);
  }

  activeAlarms(): Alarm[] {
    return this.listAlarms().filter((a) => a.clearedAt === null);
  }

  observe(listener: () => void): () => void {
    this.doc.on('update', listener);
    return () => this.doc.off('update', listener);
  }
}

// ---- reading and normalising -----------------------------------------------------------------

const str = (v: unknown, fallback = '') => (typeof v === 'string' ? v : fallback);
const num = (v: unknown, fallback = 0) =>
  typeof v === 'number' && Number.isFinite(v) ? v : fallback;

export function readCheckpoint(ymap: Y.Map<unknown>): Checkpoint | null {
  const id = ymap.get('id');
  if (typeof id !== 'string') return null;
  const kind = ymap.get('kind');
  const status = ymap.get('status');
  const pattern = ymap.get('pattern');
  return {
    id,
    name: str(ymap.get('name')),
    kind: CHECKPOINT_KINDS.includes(kind as never) ? (kind as Checkpoint['kind']) : 'other',
    grid: str(ymap.get('grid')),
    location: (ymap.get('location') as Checkpoint['location']) ?? null,
    hours: (ymap.get('hours') as Checkpoint['hours']) ?? null,
    pattern: Array.isArray(pattern)
      ? (pattern as Checkpoint['pattern']).slice().sort((a, b) => a.start.localeCompare(b.start))
      : [],
    contact: str(ymap.get('contact')),
    status: CHECKPOINT_STATUSES.includes(status as never)
      ? (status as Checkpoint['status'])
      : 'open',
    notes: str(ymap.get('notes')),
    createdBy: str(ymap.get('createdBy')),
    createdAt: num(ymap.get('createdAt')),
    updatedBy: str(ymap.get('updatedBy')),
    updatedAt: num(ymap.get('updatedAt')),
  };
}

export function readShift(ymap: Y.Map<unknown>): Shift | null {
  const id = ymap.get('id');
  if (typeof id !== 'string') return null;
  const assignees = ymap.get('assignees');
  const checkins = ymap.get('checkins');
  return {
    id,
    checkpoint: str(ymap.get('checkpoint')),
    template: (ymap.get('template') as string | null) ?? null,
    name: str(ymap.get('name')),
    start: num(ymap.get('start')),
    end: num(ymap.get('end')),
    required: num(ymap.get('required')),
    assignees: assignees instanceof Y.Map ? [...assignees.keys()].sort() : [],
    checkins:
      checkins instanceof Y.Map
        ? ([...checkins.values()] as CheckIn[]).sort((a, b) => a.staff.localeCompare(b.staff))
        : [],
    ack: (ymap.get('ack') as Shift['ack']) ?? null,
  };
}

export function readSwap(ymap: Y.Map<unknown>): Swap | null {
  const id = ymap.get('id');
  if (typeof id !== 'string') return null;
  const status = ymap.get('status');
  return {
    id,
    shift: str(ymap.get('shift')),
    from: str(ymap.get('from')),
    to: (ymap.get('to') as string | null) ?? null,
    status: SWAP_STATUSES.includes(status as never) ? (status as Swap['status']) : 'offered',
    offeredBy: str(ymap.get('offeredBy')),
    takenBy: (ymap.get('takenBy') as string | null) ?? null,
    decidedBy: (ymap.get('decidedBy') as string | null) ?? null,
    createdAt: num(ymap.get('createdAt')),
    updatedAt: num(ymap.get('updatedAt')),
  };
}

/** Validates checkpoint fields; throws RosterInputError naming every bad field. */
export function normalizeCheckpoint(input: CheckpointPatch): Record<string, unknown> {
  const errors: RuleError[] = [];
  const out: Record<string, unknown> = {};
  if (input.name !== undefined) {
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name)
      errors.push({ field: 'name', code: 'required', message: 'a checkpoint needs a name' });
    else if (name.length > ROSTER_LIMITS.nameLength)
      errors.push({ field: 'name', code: 'too_long', message: 'name is too long' });
    out.name = name;
  }
  if (input.kind !== undefined) {
    if (!CHECKPOINT_KINDS.includes(input.kind))
      errors.push({ field: 'kind', code: 'invalid', message: 'unknown kind' });
    out.kind = input.kind;
  }
  if (input.status !== undefined) {
    if (!CHECKPOINT_STATUSES.includes(input.status))
      errors.push({ field: 'status', code: 'invalid', message: 'unknown status' });
    out.status = input.status;
  }
  if (input.location !== undefined) {
    if (input.location !== null && !isLatLng(input.location))
      errors.push({ field: 'location', code: 'invalid', message: 'not a position' });
    out.location =
      input.location === null ? null : { lat: input.location.lat, lng: input.location.lng };
  }
  if (input.hours !== undefined) {
    errors.push(...validateHours(input.hours));
    out.hours = input.hours === null ? null : { from: input.hours.from, to: input.hours.to };
  }
  if (input.pattern !== undefined) {
    errors.push(...validatePattern(input.pattern));
    out.pattern = Array.isArray(input.pattern)
      ? input.pattern.map((t) => ({
          id: t.id,
          name: String(t.name).trim(),
          start: t.start,
          minutes: t.minutes,
          required: t.required,
        }))
      : [];
  }
  for (const [key, max] of [
    ['contact', ROSTER_LIMITS.contactLength],
    ['notes', ROSTER_LIMITS.notesLength],
  ] as const) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length > max)
      errors.push({ field: key, code: 'too_long', message: `at most ${max} characters` });
    out[key] = typeof value === 'string' ? value.trim() : '';
  }
  if (errors.length) throw new RosterInputError(errors);
  return out;
}

export function normalizeStaff(input: StaffInput): Omit<StaffMember, 'id'> {
  const errors: RuleError[] = [];
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (!name) errors.push({ field: 'name', code: 'required', message: 'a name is required' });
  else if (name.length > ROSTER_LIMITS.nameLength)
    errors.push({ field: 'name', code: 'too_long', message: 'name is too long' });
  const phone = typeof input.phone === 'string' ? input.phone.trim() : '';
  if (phone.length > ROSTER_LIMITS.phoneLength || !/^[0-9+\-() ]*$/.test(phone))
    errors.push({ field: 'phone', code: 'invalid', message: 'not a phone number' });
  const userId = input.userId ?? null;
  if (userId !== null && !/^[A-Za-z0-9_-]{1,64}$/.test(userId))
    errors.push({ field: 'userId', code: 'invalid', message: 'not an account' });
  if (errors.length) throw new RosterInputError(errors);
  return { name, phone, userId, active: input.active ?? true };
}
