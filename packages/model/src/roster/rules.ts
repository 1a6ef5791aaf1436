import {
  ROSTER_LIMITS,
  type Checkpoint,
  type OpeningHours,
  type RosterSettings,
  type Shift,
  type ShiftTemplate,
  type StaffingState,
} from './types.ts';
import { dayStamp, daysBetween, isHhMm, localDay, localInstant, minutesOfDay } from './time.ts';

/**
 * The roster's rules as pure functions over plain snapshots: the same answers on the server
 * (alarms, API), in every browser (the roster views) and in the benchmark. Nothing here reads
 * a clock; every function is given `now` or a window.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A problem with an input, named by field so a form or an import row can point at it. */
export interface RuleError {
  field: string;
  /** Stable code for translation. */
  code: string;
  message: string;
}

const TEMPLATE_ID = /^[a-z0-9]{1,8}$/;

/**
 * Checks a daily shift pattern: each template well-formed (a start `HH:mm`, a length of 1 min
 * to 24 h, a whole, non-negative staffing need), and no two templates overlapping in the
 * 24-hour cycle, counting shifts that cross midnight. Returns every problem found.
 */
export function validatePattern(pattern: readonly ShiftTemplate[]): RuleError[] {
  const errors: RuleError[] = [];
  if (!Array.isArray(pattern))
    return [{ field: 'pattern', code: 'invalid', message: 'not a list' }];
  if (pattern.length > ROSTER_LIMITS.templates) {
    errors.push({
      field: 'pattern',
      code: 'too_many',
      message: `at most ${ROSTER_LIMITS.templates} shifts a day`,
    });
  }
  const ids = new Set<string>();
  const spans: { index: number; from: number; to: number }[] = [];
  pattern.forEach((t, index) => {
    const at = `pattern.${index}`;
    if (typeof t !== 'object' || t === null) {
      errors.push({ field: at, code: 'invalid', message: 'not a shift' });
      return;
    }
    if (typeof t.id !== 'string' || !TEMPLATE_ID.test(t.id) || ids.has(t.id)) {
      errors.push({ field: `${at}.id`, code: 'invalid_id', message: 'missing or repeated id' });
    }
    ids.add(t.id);
    if (
      typeof t.name !== 'string' ||
      t.name.trim().length === 0 ||
      t.name.length > ROSTER_LIMITS.nameLength
    ) {
      errors.push({ field: `${at}.name`, code: 'required', message: 'a shift needs a name' });
    }
    if (!isHhMm(t.start)) {
      errors.push({ field: `${at}.start`, code: 'invalid_time', message: 'start must be HH:mm' });
    }
    if (!Number.isInteger(t.minutes) || t.minutes <= 0) {
      errors.push({
        field: `${at}.minutes`,
        code: 'end_before_start',
        message: 'a shift must end after it starts',
      });
    } else if (t.minutes > 24 * 60) {
      errors.push({
        field: `${at}.minutes`,
        code: 'too_long',
        message: 'a shift lasts at most 24 hours',
      });
    }
    if (!Number.isInteger(t.required) || t.required < 0 || t.required > ROSTER_LIMITS.required) {
      errors.push({
        field: `${at}.required`,
        code: 'invalid_required',
        message: `people needed must be a whole number from 0 to ${ROSTER_LIMITS.required}`,
      });
    }
    if (isHhMm(t.start) && Number.isInteger(t.minutes) && t.minutes > 0 && t.minutes <= 1440) {
      const from = minutesOfDay(t.start);
      spans.push({ index, from, to: from + t.minutes });
    }
  });
  const total = spans.reduce((sum, s) => sum + (s.to - s.from), 0);
  // On the 24-hour cycle: a shift from 22:00 for 8 h also overlaps one at 01:00 (+24 h).
  const overlaps = (a: number, b: number, c: number, d: number) => a < d && c < b;
  for (let i = 0; i < spans.length; i++) {
    for (let j = i + 1; j < spans.length; j++) {
      const a = spans[i]!;
      const b = spans[j]!;
      if (
        overlaps(a.from, a.to, b.from, b.to) ||
        overlaps(a.from, a.to, b.from + 1440, b.to + 1440) ||
        overlaps(a.from + 1440, a.to + 1440, b.from, b.to)
      ) {
        errors.push({
          field: `pattern.${b.index}.start`,
          code: 'overlap',
          message: `shifts ${a.index + 1} and ${b.index + 1} overlap`,
        });
      }
    }
  }
  if (total > 1440 && !errors.some((e) => e.code === 'overlap')) {
    errors.push({ field: 'pattern', code: 'overlap', message: 'shifts add up to more than 24 h' });
  }
  return errors;
}

export function validateHours(hours: OpeningHours | null): RuleError[] {
  if (hours === null) return [];
  const errors: RuleError[] = [];
  if (!isHhMm(hours.from))
    errors.push({ field: 'hours.from', code: 'invalid_time', message: 'must be HH:mm' });
  if (!isHhMm(hours.to))
    errors.push({ field: 'hours.to', code: 'invalid_time', message: 'must be HH:mm' });
  if (errors.length === 0 && hours.from === hours.to) {
    errors.push({
      field: 'hours.to',
      code: 'end_before_start',
      message: 'opening and closing times are the same (leave them empty for 24 hours)',
    });
  }
  return errors;
}

/** Is the checkpoint within its opening hours at `now`? */
export function isWithinHours(hours: OpeningHours | null, now: number, zone: string): boolean {
  if (hours === null) return true;
  const day = localDay(now, zone);
  const minute = Math.floor((now - localInstant(day, '00:00', zone)) / 60_000);
  const from = minutesOfDay(hours.from);
  const to = minutesOfDay(hours.to);
  return from < to ? minute >= from && minute < to : minute >= from || minute < to;
}

/** Deterministic id of the shift generated from a template on a local day. */
export function shiftId(checkpointId: string, day: string, templateId: string): string {
  return `${checkpointId}-${dayStamp(day)}-${templateId}`;
}

/** A shift to create, before anyone is assigned. */
export type ShiftSpec = Pick<
  Shift,
  'id' | 'checkpoint' | 'template' | 'name' | 'start' | 'end' | 'required'
>;

/**
 * The shifts a checkpoint's pattern yields on the local days `from`..`to` (included), in the
 * workspace zone. A template starting at 22:00 for 8 h on 1 March ends at 06:00 on 2 March.
 * Ids are deterministic, so generating a week twice (or on two devices) yields the same shifts.
 */
export function generateShifts(
  checkpoint: Pick<Checkpoint, 'id' | 'pattern'>,
  from: string,
  to: string,
  zone: string,
): ShiftSpec[] {
  const specs: ShiftSpec[] = [];
  for (const day of daysBetween(from, to).slice(0, ROSTER_LIMITS.generateDays)) {
    for (const t of checkpoint.pattern) {
      const start = localInstant(day, t.start, zone);
      specs.push({
        id: shiftId(checkpoint.id, day, t.id),
        checkpoint: checkpoint.id,
        template: t.id,
        name: t.name,
        start,
        end: start + t.minutes * 60_000,
        required: t.required,
      });
    }
  }
  return specs;
}

/** People checked in and not yet out. */
export function presentCount(shift: Pick<Shift, 'checkins'>): number {
  let count = 0;
  for (const c of shift.checkins) if (c.out === null) count++;
  return count;
}

export interface CoverageGap {
  shift: Shift;
  /** People still to assign. */
  missing: number;
}

/**
 * Shifts overlapping [from, to) with fewer people assigned than required, earliest first.
 * Shifts of checkpoints that are not open need nobody and are left out.
 */
export function coverageGaps(
  shifts: readonly Shift[],
  checkpoints: ReadonlyMap<string, Pick<Checkpoint, 'status'>>,
  from: number,
  to: number,
): CoverageGap[] {
  const gaps: CoverageGap[] = [];
  for (const shift of shifts) {
    if (shift.end <= from || shift.start >= to) continue;
    if (checkpoints.get(shift.checkpoint)?.status !== 'open') continue;
    const missing = shift.required - shift.assignees.length;
    if (missing > 0) gaps.push({ shift, missing });
  }
  return gaps.sort((a, b) => a.shift.start - b.shift.start);
}

export interface DoubleBooking {
  staff: string;
  first: Shift;
  second: Shift;
}

/** Shifts grouped by assigned staff, each list sorted by start. */
function byStaff(shifts: readonly Shift[]): Map<string, Shift[]> {
  const map = new Map<string, Shift[]>();
  for (const shift of shifts) {
    for (const staff of shift.assignees) {
      const list = map.get(staff);
      if (list) list.push(shift);
      else map.set(staff, [shift]);
    }
  }
  for (const list of map.values()) list.sort((a, b) => a.start - b.start || a.end - b.end);
  return map;
}

/**
 * One person on two shifts that overlap in time (on the same or different checkpoints).
 * A sweep per person: O(n log n) in the number of assignments.
 */
export function doubleBookings(shifts: readonly Shift[]): DoubleBooking[] {
  const result: DoubleBooking[] = [];
  for (const [staff, list] of byStaff(shifts)) {
    // Shifts still running, by end: a new shift overlaps every one ending after it starts.
    let open: Shift[] = [];
    for (const shift of list) {
      open = open.filter((s) => s.end > shift.start);
      for (const earlier of open) result.push({ staff, first: earlier, second: shift });
      open.push(shift);
    }
  }
  return result;
}

export interface RestViolation {
  staff: string;
  kind: 'short_rest' | 'too_many_hours';
  /** The shift that breaks the rule. */
  shift: Shift;
  /** short_rest: hours of rest before it; too_many_hours: hours worked in the 24 h from its start. */
  hours: number;
}

/**
 * Rest rules per person: at least `minRestHours` between the end of one shift and the start of
 * the next (overlaps are double bookings, reported there), and at most `maxHoursIn24h` on
 * shift in any 24 hours. The busiest 24-hour window starts at some shift's start, so checking
 * the windows that start at each shift suffices (two pointers, linear per person).
 */
export function restViolations(
  shifts: readonly Shift[],
  settings: Pick<RosterSettings, 'maxHoursIn24h' | 'minRestHours'>,
): RestViolation[] {
  const result: RestViolation[] = [];
  const minRest = settings.minRestHours * HOUR;
  const maxWork = settings.maxHoursIn24h * HOUR;
  for (const [staff, list] of byStaff(shifts)) {
    for (let i = 1; i < list.length; i++) {
      const rest = list[i]!.start - list[i - 1]!.end;
      if (rest >= 0 && rest < minRest) {
        result.push({ staff, kind: 'short_rest', shift: list[i]!, hours: rest / HOUR });
      }
    }
    let j = 0;
    let flagged = -1;
    for (let i = 0; i < list.length; i++) {
      const windowEnd = list[i]!.start + DAY;
      if (j < i) j = i;
      while (j + 1 < list.length && list[j + 1]!.start < windowEnd) j++;
      let worked = 0;
      for (let k = i; k <= j; k++) {
        worked += Math.min(list[k]!.end, windowEnd) - Math.max(list[k]!.start, list[i]!.start);
      }
      // Report the shift that tips the window over, once per run of violating windows.
      if (worked > maxWork && j > flagged) {
        result.push({ staff, kind: 'too_many_hours', shift: list[j]!, hours: worked / HOUR });
        flagged = j;
      }
    }
  }
  return result;
}

export interface Staffing {
  state: StaffingState;
  /** The shift running at that instant (the latest started, if two overlap), or null. */
  shift: Shift | null;
  required: number;
  assigned: number;
  present: number;
}

/**
 * A checkpoint's live staffing at `now`:
 * - `closed`: the post is closed or suspended, or outside its opening hours with no shift on;
 * - `staffed`: the running shift has at least as many people checked in as it requires;
 * - `gap`: open but short: fewer checked in than required, or open with no shift at all.
 * `shifts` may hold any shifts; only this checkpoint's are looked at.
 */
export function staffingState(
  checkpoint: Pick<Checkpoint, 'id' | 'status' | 'hours'>,
  shifts: readonly Shift[],
  now: number,
  zone: string,
): Staffing {
  const running = shifts
    .filter((s) => s.checkpoint === checkpoint.id && s.start <= now && now < s.end)
    .sort((a, b) => b.start - a.start);
  if (checkpoint.status !== 'open') {
    return { state: 'closed', shift: running[0] ?? null, required: 0, assigned: 0, present: 0 };
  }
  if (running.length === 0) {
    const open = isWithinHours(checkpoint.hours, now, zone);
    return { state: open ? 'gap' : 'closed', shift: null, required: 0, assigned: 0, present: 0 };
  }
  const required = running.reduce((sum, s) => sum + s.required, 0);
  const assigned = running.reduce((sum, s) => sum + s.assignees.length, 0);
  const present = running.reduce((sum, s) => sum + presentCount(s), 0);
  return {
    state: present >= required ? 'staffed' : 'gap',
    shift: running[0]!,
    required,
    assigned,
    present,
  };
}

/**
 * Is this shift an uncovered post at `now`: started, not over, people required, nobody ever
 * checked in (a person who checked in and out is a different problem), the checkpoint open,
 * and no supervisor has acknowledged it?
 */
export function isUncovered(
  shift: Shift,
  checkpoint: Pick<Checkpoint, 'status'> | undefined,
  now: number,
): boolean {
  return (
    checkpoint?.status === 'open' &&
    shift.required > 0 &&
    shift.start <= now &&
    now < shift.end &&
    shift.checkins.length === 0 &&
    shift.ack === null
  );
}

/** May a person check in to this shift at `now` (from 30 min before its start to its end)? */
export function checkInOpen(shift: Pick<Shift, 'start' | 'end'>, now: number): boolean {
  return now >= shift.start - ROSTER_LIMITS.checkInEarlyMs && now < shift.end;
}

/** One checkpoint's duty as the public table shows it. */
export interface DutyEntry {
  checkpoint: Pick<Checkpoint, 'id' | 'name' | 'kind' | 'contact' | 'status'>;
  /** Shifts running at `now`. */
  now: Shift[];
  /** Shifts starting within `horizonMs` after `now`, earliest first (at most `limit`). */
  next: Shift[];
}

/**
 * Who is on duty now and next at each open checkpoint (the notice board's duty table). A
 * shift with nobody assigned is listed too: a resident should see that a post is empty.
 */
export function dutyTable(
  checkpoints: readonly Checkpoint[],
  shifts: readonly Shift[],
  now: number,
  horizonMs = 3 * 86_400_000,
  limit = 6,
): DutyEntry[] {
  return checkpoints
    .filter((c) => c.status === 'open')
    .map((c) => {
      const own = shifts.filter((s) => s.checkpoint === c.id).sort((a, b) => a.start - b.start);
      return {
        checkpoint: { id: c.id, name: c.name, kind: c.kind, contact: c.contact, status: c.status },
        now: own.filter((s) => s.start <= now && now < s.end),
        next: own.filter((s) => s.start > now && s.start <= now + horizonMs).slice(0, limit),
      };
    });
}

/** Everything the roster views flag, computed once. */
export interface RosterAnalysis {
  gaps: CoverageGap[];
  doubleBookings: DoubleBooking[];
  rest: RestViolation[];
  /** Shift ids with any problem, for highlighting cells. */
  flagged: Set<string>;
}

export function analyzeRoster(
  shifts: readonly Shift[],
  checkpoints: ReadonlyMap<string, Pick<Checkpoint, 'status'>>,
  settings: Pick<RosterSettings, 'maxHoursIn24h' | 'minRestHours'>,
  from: number,
  to: number,
): RosterAnalysis {
  const inWindow = shifts.filter((s) => s.end > from && s.start < to);
  const gaps = coverageGaps(inWindow, checkpoints, from, to);
  // Conflicts may involve shifts just outside the window: a night shift before Monday.
  const near = shifts.filter((s) => s.end > from - DAY && s.start < to + DAY);
  const doubles = doubleBookings(near).filter((d) => d.second.start < to && d.second.end > from);
  const rest = restViolations(near, settings).filter(
    (r) => r.shift.start < to && r.shift.end > from,
  );
  const flagged = new Set<string>();
  for (const g of gaps) flagged.add(g.shift.id);
  for (const d of doubles) {
    flagged.add(d.first.id);
    flagged.add(d.second.id);
  }
  for (const r of rest) flagged.add(r.shift.id);
  return { gaps, doubleBookings: doubles, rest, flagged };
}
