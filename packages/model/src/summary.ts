import { inScope, type Principal } from './permissions.ts';
import { presentCount, staffingState } from './roster/rules.ts';
import type { Alarm, Checkpoint, CheckpointKind, Shift, StaffingState } from './roster/types.ts';
import type { LatLng, Priority, Task, TaskKind, TaskStatus } from './types.ts';
import { TASK_KINDS } from './types.ts';

/**
 * What the command view, the map and the daily report know of a task: a few plain facts the
 * server keeps per workspace as boards change, so that a leader's browser never has to
 * download every board. Everything here is a pure function of those facts.
 */
export interface TaskFacts {
  id: string;
  boardId: string;
  /** Grid of the board the task lives on; null for a workspace-wide board. Decides who sees it. */
  boardGrid: string | null;
  /** Grid the task counts under: the board's grid, else the task's own grid field. */
  grid: string | null;
  title: string;
  status: TaskStatus;
  kind: TaskKind;
  priority: Priority;
  location: LatLng | null;
  due: number | null;
  archived: boolean;
  createdAt: number;
  /** When the task last moved to done (epoch ms); null while it is not done. */
  doneAt: number | null;
}

/** One task pin on the map. `key` is unique in a workspace (`<boardId>/<taskId>`). */
export interface MapPin {
  key: string;
  id: string;
  boardId: string;
  grid: string | null;
  title: string;
  status: TaskStatus;
  kind: TaskKind;
  priority: Priority;
  lat: number;
  lng: number;
  due: number | null;
}

/** Live figures of one grid (null: tasks that belong to no grid). */
export interface GridCounters {
  grid: string | null;
  /** Not done and not archived. */
  open: number;
  /** Open and past due now. */
  overdue: number;
  blocked: number;
  /** Moved to done since the start of today (workspace time zone). */
  doneToday: number;
  /** Checkpoints staffed now (enough people checked in). */
  staffed: number;
  /** Checkpoints open but short of people now. */
  uncovered: number;
  /** People checked in on a running shift now. */
  onDuty: number;
}

/** One checkpoint on the map, coloured by its live staffing. Key: `cp:<grid>/<id>`. */
export interface CheckpointPin {
  key: string;
  id: string;
  grid: string;
  name: string;
  kind: CheckpointKind;
  state: StaffingState;
  present: number;
  required: number;
  lat: number;
  lng: number;
}

/** A significant event for the command view's feed. */
export interface SummaryEvent {
  id: string;
  kind: 'task_done' | 'task_created' | 'task_reopened' | 'alarm_raised' | 'checkpoint_closed';
  /** Epoch ms, server clock. */
  at: number;
  grid: string | null;
  /** Grid of the board concerned; decides who sees the event (like `TaskFacts.boardGrid`). */
  scope: string | null;
  title: string;
  boardId?: string;
  taskId?: string;
  /** User id of whoever caused it. */
  by?: string;
}

/** What a watcher receives first: everything in their scope, as of `seq`. */
export interface SummarySnapshot {
  seq: number;
  /** Server clock when the snapshot was taken (ms). */
  at: number;
  /** Start of today in the workspace time zone (ms). */
  dayStart: number;
  grids: GridCounters[];
  pins: MapPin[];
  checkpoints: CheckpointPin[];
  /** True when there were more pins in scope than one snapshot carries (`MAX_PINS`). */
  truncated: boolean;
  /** Most recent first. */
  events: SummaryEvent[];
}

/** A change after the snapshot. Apply in order; pins by key, grid rows by grid. */
export interface SummaryDelta {
  seq: number;
  at: number;
  pins: MapPin[];
  /** Keys of pins that left (archived, location cleared, task moved out of scope). */
  removed: string[];
  /** Checkpoints whose pin changed (replace by key). */
  checkpoints: CheckpointPin[];
  /** Keys of checkpoint pins that left. */
  removedCheckpoints: string[];
  grids: GridCounters[];
  events: SummaryEvent[];
  /** Set when the day rolled over: counters restarted. */
  dayStart?: number;
}

/** Most pins one snapshot carries (a city: ~6,000 checkpoints and the located tasks). */
export const MAX_PINS = 20_000;
/** Events the server keeps per workspace for a newly opened command view. */
export const MAX_RECENT_EVENTS = 100;

export const pinKey = (boardId: string, taskId: string) => `${boardId}/${taskId}`;

/** When the task last moved to done: the last status move in its history, else its last update. */
export function doneAt(task: Task): number | null {
  if (task.status !== 'done') return null;
  for (let i = task.history.length - 1; i >= 0; i--) {
    const entry = task.history[i]!;
    if (entry.fields?.includes('status') || entry.action === 'created') return entry.at;
  }
  return task.updatedAt || task.createdAt;
}

export function taskFacts(task: Task, board: { id: string; grid: string | null }): TaskFacts {
  return {
    id: task.id,
    boardId: board.id,
    boardGrid: board.grid,
    grid: board.grid ?? task.grid,
    title: task.title,
    status: task.status,
    kind: task.kind,
    priority: task.priority,
    location: task.location,
    due: task.due,
    archived: task.archived,
    createdAt: task.createdAt,
    doneAt: doneAt(task),
  };
}

export function pinOf(facts: TaskFacts): MapPin | null {
  if (facts.archived || !facts.location) return null;
  return {
    key: pinKey(facts.boardId, facts.id),
    id: facts.id,
    boardId: facts.boardId,
    grid: facts.grid,
    title: facts.title,
    status: facts.status,
    kind: facts.kind,
    priority: facts.priority,
    lat: facts.location.lat,
    lng: facts.location.lng,
    due: facts.due,
  };
}

export function isOpen(facts: Pick<TaskFacts, 'archived' | 'status'>): boolean {
  return !facts.archived && facts.status !== 'done';
}

export function isOverdue(
  facts: Pick<TaskFacts, 'archived' | 'status' | 'due'>,
  now: number,
): boolean {
  return isOpen(facts) && facts.due !== null && facts.due < now;
}

/** May this person see this task's pin, counters and events? The same rule as opening its board. */
export function factsVisible(principal: Principal, scope: string | null): boolean {
  return inScope(principal, scope);
}

/** Counters of one grid from its tasks. */
export function countGrid(
  grid: string | null,
  tasks: Iterable<TaskFacts>,
  now: number,
  dayStart: number,
): GridCounters {
  const counters: GridCounters = {
    grid,
    open: 0,
    overdue: 0,
    blocked: 0,
    doneToday: 0,
    staffed: 0,
    uncovered: 0,
    onDuty: 0,
  };
  for (const t of tasks) {
    if (t.archived) continue;
    if (t.status === 'done') {
      if (t.doneAt !== null && t.doneAt >= dayStart) counters.doneToday++;
      continue;
    }
    counters.open++;
    if (t.status === 'blocked') counters.blocked++;
    if (t.due !== null && t.due < now) counters.overdue++;
  }
  return counters;
}

/** Sums counter rows (the "all grids" line of the command view). */
export function sumCounters(rows: readonly GridCounters[]): Omit<GridCounters, 'grid'> {
  const total = {
    open: 0,
    overdue: 0,
    blocked: 0,
    doneToday: 0,
    staffed: 0,
    uncovered: 0,
    onDuty: 0,
  };
  for (const r of rows) {
    for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += r[key];
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Checkpoints (from the grid's roster)

/** A checkpoint's pin at `now`; null when it has no place on the map. */
export function checkpointPin(
  checkpoint: Checkpoint,
  shifts: readonly Shift[],
  now: number,
  timeZone: string,
): CheckpointPin | null {
  if (!checkpoint.location) return null;
  const staffing = staffingState(checkpoint, shifts, now, timeZone);
  return {
    key: `cp:${checkpoint.grid}/${checkpoint.id}`,
    id: checkpoint.id,
    grid: checkpoint.grid,
    name: checkpoint.name,
    kind: checkpoint.kind,
    state: staffing.state,
    present: staffing.present,
    required: staffing.required,
    lat: checkpoint.location.lat,
    lng: checkpoint.location.lng,
  };
}

/** Staffed and uncovered checkpoints and people on duty in one grid at `now`. */
export function countCheckpoints(
  checkpoints: readonly Checkpoint[],
  shifts: readonly Shift[],
  now: number,
  timeZone: string,
): Pick<GridCounters, 'staffed' | 'uncovered' | 'onDuty'> {
  const counts = { staffed: 0, uncovered: 0, onDuty: 0 };
  for (const checkpoint of checkpoints) {
    const staffing = staffingState(checkpoint, shifts, now, timeZone);
    if (staffing.state === 'staffed') counts.staffed++;
    else if (staffing.state === 'gap') counts.uncovered++;
  }
  for (const shift of shifts)
    if (shift.start <= now && now < shift.end) counts.onDuty += presentCount(shift);
  return counts;
}

export interface Coverage {
  grid: string;
  /** Person-hours the shifts of the day asked for. */
  requiredHours: number;
  /** Person-hours people were checked in on those shifts, within the day. */
  staffedHours: number;
}

const HOUR_MS = 3600_000;

/**
 * Checkpoint coverage of `[start, end)` (cut at `asOf` for today): person-hours required by the
 * shifts (required people × the shift's time inside the window) against person-hours checked
 * in (each check-in from `in` to `out`, or to `asOf` while still there, inside both the shift
 * and the window). Closed or suspended checkpoints' shifts ask for nothing.
 */
export function coverage(
  grid: string,
  checkpoints: readonly Checkpoint[],
  shifts: readonly Shift[],
  start: number,
  end: number,
  asOf: number,
): Coverage {
  const until = Math.min(end, asOf);
  const open = new Set(checkpoints.filter((c) => c.status === 'open').map((c) => c.id));
  let required = 0;
  let staffed = 0;
  for (const shift of shifts) {
    if (!open.has(shift.checkpoint)) continue;
    const from = Math.max(shift.start, start);
    const to = Math.min(shift.end, until);
    if (to <= from) continue;
    required += shift.required * (to - from);
    for (const c of shift.checkins) {
      const a = Math.max(c.in, from);
      const b = Math.min(c.out ?? asOf, to);
      if (b > a) staffed += b - a;
    }
  }
  return {
    grid,
    requiredHours: Math.round((required / HOUR_MS) * 10) / 10,
    staffedHours: Math.round((staffed / HOUR_MS) * 10) / 10,
  };
}

// ---------------------------------------------------------------------------------------------
// Days in the workspace time zone

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Offset of `timeZone` from UTC at instant `t`, in ms (Asia/Shanghai: +8 h). */
export function zoneOffset(t: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - Math.floor(t / 1000) * 1000;
}

/** `YYYY-MM-DD` of instant `t` in `timeZone`. */
export function dayOf(t: number, timeZone: string): string {
  const local = new Date(t + zoneOffset(t, timeZone));
  return local.toISOString().slice(0, 10);
}

export function isDay(day: string): boolean {
  const m = DAY.exec(day);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === day;
}

/** Local midnight of `day` in `timeZone`, as epoch ms. */
function midnight(day: string, timeZone: string): number {
  const m = DAY.exec(day)!;
  const guess = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  let t = guess - zoneOffset(guess, timeZone);
  // Around a daylight-saving change the offset at midnight differs from the first guess.
  t = guess - zoneOffset(t, timeZone);
  return t;
}

/** `[start, end)` of a calendar day in `timeZone` (23 or 25 hours across daylight saving). */
export function dayRange(day: string, timeZone: string): { start: number; end: number } {
  if (!isDay(day)) throw new Error(`not a day: ${JSON.stringify(day)}`);
  const m = DAY.exec(day)!;
  const next = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1))
    .toISOString()
    .slice(0, 10);
  return { start: midnight(day, timeZone), end: midnight(next, timeZone) };
}

// ---------------------------------------------------------------------------------------------
// The daily report

export interface ReportCounts {
  created: number;
  done: number;
  /** Past due and not done at the end of the day (or now, for today). */
  overdue: number;
  /** Not done at the end of the day (or now). */
  open: number;
}

export interface ReportRow extends ReportCounts {
  grid: string | null;
  kind: TaskKind;
}

export interface ReportEvent {
  at: number;
  /** `alarm_raised`: a post started its shift with nobody checked in (title: the checkpoint). */
  kind: 'task_created' | 'task_done' | 'alarm_raised';
  grid: string | null;
  title: string;
  /** The task's board and id; absent for an alarm. */
  boardId?: string;
  taskId?: string;
}

export interface DailyReport {
  day: string;
  timeZone: string;
  start: number;
  end: number;
  /** The instant figures such as "overdue" are taken at: the end of the day, or now. */
  asOf: number;
  /** Grids the report covers; null: every grid in the reader's scope. */
  grids: string[] | null;
  /** One row per grid and kind that has anything to report, sorted by grid then kind. */
  rows: ReportRow[];
  byGrid: (ReportCounts & { grid: string | null })[];
  byKind: (ReportCounts & { kind: TaskKind })[];
  totals: ReportCounts;
  /** In time order, at most `MAX_REPORT_EVENTS`. */
  events: ReportEvent[];
  /** How many events there were in all (more than `events` holds when capped). */
  eventCount: number;
  /** Checkpoint coverage per grid (grids with a roster). */
  coverage: Coverage[];
}

export const MAX_REPORT_EVENTS = 1000;

const zero = (): ReportCounts => ({ created: 0, done: 0, overdue: 0, open: 0 });

/**
 * The daily report from task facts: created, done and overdue by grid and kind. A task counts
 * as created on the day its `createdAt` falls in; done when it moved to done that day and is
 * still done; overdue when, at the end of the day (or now, for today), it existed, was past
 * due and not done.
 */
export function buildDailyReport(
  facts: Iterable<TaskFacts>,
  options: {
    day: string;
    timeZone: string;
    now: number;
    grids: string[] | null;
    /** Each grid's checkpoints and shifts, for coverage, and its alarms, for the events. */
    rosters?: readonly {
      grid: string;
      checkpoints: Checkpoint[];
      shifts: Shift[];
      alarms?: readonly Alarm[];
    }[];
  },
): DailyReport {
  const { start, end } = dayRange(options.day, options.timeZone);
  const asOf = Math.min(end, Math.max(start, options.now));
  const wanted = options.grids === null ? null : new Set(options.grids);
  const cells = new Map<string, ReportRow>();
  const events: ReportEvent[] = [];
  const cell = (grid: string | null, kind: TaskKind) => {
    const key = `${grid ?? ''}\u0000${kind}`;
    let row = cells.get(key);
    if (!row) cells.set(key, (row = { grid, kind, ...zero() }));
    return row;
  };
  for (const t of facts) {
    if (wanted && (t.grid === null || !wanted.has(t.grid))) continue;
    const created = t.createdAt >= start && t.createdAt < end;
    const done = t.status === 'done' && t.doneAt !== null && t.doneAt >= start && t.doneAt < end;
    const existed = t.createdAt < asOf;
    const doneBy = t.status === 'done' && t.doneAt !== null && t.doneAt < asOf;
    const open = existed && !t.archived && !doneBy;
    const overdue = open && t.due !== null && t.due < asOf;
    if (!created && !done && !open) continue;
    const row = cell(t.grid, t.kind);
    if (created) {
      row.created++;
      events.push(event(t, 'task_created', t.createdAt));
    }
    if (done) {
      row.done++;
      events.push(event(t, 'task_done', t.doneAt!));
    }
    if (open) row.open++;
    if (overdue) row.overdue++;
  }
  for (const roster of options.rosters ?? []) {
    if (wanted && !wanted.has(roster.grid)) continue;
    const names = new Map(roster.checkpoints.map((c) => [c.id, c.name]));
    for (const alarm of roster.alarms ?? []) {
      if (alarm.raisedAt < start || alarm.raisedAt >= end) continue;
      events.push({
        at: alarm.raisedAt,
        kind: 'alarm_raised',
        grid: roster.grid,
        title: names.get(alarm.checkpoint) ?? alarm.checkpoint,
      });
    }
  }
  const rows = [...cells.values()].sort(
    (a, b) =>
      (a.grid ?? '\uffff').localeCompare(b.grid ?? '\uffff') ||
      TASK_KINDS.indexOf(a.kind) - TASK_KINDS.indexOf(b.kind),
  );
  const byGridMap = new Map<string | null, ReportCounts & { grid: string | null }>();
  const byKindMap = new Map<TaskKind, ReportCounts & { kind: TaskKind }>();
  const totals = zero();
  for (const row of rows) {
    let g = byGridMap.get(row.grid);
    if (!g) byGridMap.set(row.grid, (g = { grid: row.grid, ...zero() }));
    let k = byKindMap.get(row.kind);
    if (!k) byKindMap.set(row.kind, (k = { kind: row.kind, ...zero() }));
    for (const target of [g, k, totals]) add(target, row);
  }
  events.sort((a, b) => a.at - b.at || a.title.localeCompare(b.title));
  return {
    day: options.day,
    timeZone: options.timeZone,
    start,
    end,
    asOf,
    grids: options.grids,
    rows,
    byGrid: [...byGridMap.values()],
    byKind: TASK_KINDS.flatMap((kind) => byKindMap.get(kind) ?? []),
    totals,
    events: events.slice(0, MAX_REPORT_EVENTS),
    eventCount: events.length,
    coverage: (options.rosters ?? [])
      .filter((r) => wanted === null || wanted.has(r.grid))
      .map((r) => coverage(r.grid, r.checkpoints, r.shifts, start, end, asOf))
      .sort((a, b) => a.grid.localeCompare(b.grid)),
  };
}

function add(target: ReportCounts, row: ReportCounts): void {
  target.created += row.created;
  target.done += row.done;
  target.overdue += row.overdue;
  target.open += row.open;
}

function event(t: TaskFacts, kind: ReportEvent['kind'], at: number): ReportEvent {
  return { at, kind, grid: t.grid, title: t.title, boardId: t.boardId, taskId: t.id };
}
