import * as Y from 'yjs';
import {
  MAX_PINS,
  MAX_RECENT_EVENTS,
  Roster,
  WorkspaceDirectory,
  boardDocName,
  buildDailyReport,
  checkpointPin,
  countCheckpoints,
  countGrid,
  crossGridBookings,
  dayOf,
  dayRange,
  inScope,
  newId,
  pinKey,
  pinOf,
  readTask,
  rosterDocName,
  taskFacts,
  workspaceDocName,
  type Alarm,
  type Checkpoint,
  type ElsewhereBooking,
  type CheckpointPin,
  type DailyReport,
  type GridCounters,
  type MapPin,
  type Principal,
  type Shift,
  type StaffMember,
  type SummaryDelta,
  type SummaryEvent,
  type SummarySnapshot,
  type TaskFacts,
} from '@outpost/model';
import type { Extension, OnChangePayload, OnLoadDocumentPayload, Origin } from '../core/types.ts';
import type { YjsHub } from '../core/YjsHub.ts';
import type { Logger } from '../logger.ts';

/** Who is watching a workspace's summary, and how to reach them. */
export interface SummaryWatchers {
  /** Calls `send` once per watcher of the workspace with that watcher's principal. */
  each(
    workspaceId: string,
    visit: (principal: Principal, send: (delta: SummaryDelta) => void) => void,
  ): void;
}

export interface SummaryOptions {
  hub: () => YjsHub;
  /** Ids of every workspace, for the first build. */
  workspaces: () => Promise<string[]>;
  watchers: SummaryWatchers;
  logger: Logger;
  /** How often counters are re-taken for time alone (overdue tasks, a new day). */
  tickMs?: number;
  /**
   * Keep every board, roster and directory in memory (cluster mode). A node learns of another
   * node's edits only for documents it has loaded; without this, a leader's summary on one node
   * would miss what people connected to other nodes do.
   */
  keepLoaded?: boolean;
  now?: () => number;
}

/** What the summary keeps of one grid's roster. */
interface RosterState {
  checkpoints: Checkpoint[];
  shifts: Shift[];
  staff: StaffMember[];
  /** Active (uncleared) alarms by shift id. */
  alarms: Map<string, Alarm>;
  /** Every alarm the roster keeps (raised and cleared), for the daily report. */
  history: Alarm[];
}

interface CounterPair {
  /** Every task of the grid: what a person with workspace-wide scope sees. */
  all: GridCounters;
  /** Only tasks on the grid's own boards: what a person scoped to the grid may see. */
  scoped: GridCounters;
}

class WorkspaceSummary {
  timeZone = 'Asia/Shanghai';
  /** Grid ids of the directory, so that quiet grids still show with zeros. */
  gridIds: string[] = [];
  readonly gridNames = new Map<string, string>();
  readonly boards = new Map<string, string | null>();
  readonly tasks = new Map<string, TaskFacts>();
  readonly keysByBoard = new Map<string, Set<string>>();
  readonly keysByGrid = new Map<string | null, Set<string>>();
  readonly counters = new Map<string | null, CounterPair>();
  readonly rosters = new Map<string, RosterState>();
  readonly checkpointPins = new Map<string, CheckpointPin>();
  /** Newest first. */
  events: SummaryEvent[] = [];
  seq = 0;
  dayStart = 0;

  constructor(readonly id: string) {}

  set(facts: TaskFacts): void {
    const key = pinKey(facts.boardId, facts.id);
    this.remove(key);
    this.tasks.set(key, facts);
    index(this.keysByBoard, facts.boardId, key);
    index(this.keysByGrid, facts.grid, key);
  }

  remove(key: string): TaskFacts | undefined {
    const old = this.tasks.get(key);
    if (!old) return undefined;
    this.tasks.delete(key);
    this.keysByBoard.get(old.boardId)?.delete(key);
    this.keysByGrid.get(old.grid)?.delete(key);
    return old;
  }

  /** Re-counts one grid; returns the pair when it changed. */
  recount(grid: string | null, now: number): CounterPair | null {
    const facts = [...(this.keysByGrid.get(grid) ?? [])].map((k) => this.tasks.get(k)!);
    const roster = grid === null ? undefined : this.rosters.get(grid);
    const posts = roster
      ? countCheckpoints(roster.checkpoints, roster.shifts, now, this.timeZone)
      : { staffed: 0, uncovered: 0, onDuty: 0 };
    const pair: CounterPair = {
      all: { ...countGrid(grid, facts, now, this.dayStart), ...posts },
      scoped: {
        ...countGrid(
          grid,
          facts.filter((f) => f.boardGrid !== null),
          now,
          this.dayStart,
        ),
        ...posts,
      },
    };
    const old = this.counters.get(grid);
    this.counters.set(grid, pair);
    return old && sameCounters(old.all, pair.all) && sameCounters(old.scoped, pair.scoped)
      ? null
      : pair;
  }

  allGrids(): (string | null)[] {
    const grids = new Set<string | null>(this.gridIds);
    for (const [grid, keys] of this.keysByGrid) if (keys.size > 0) grids.add(grid);
    return [...grids];
  }
}

/** What one change did, before it is cut to each watcher's scope. */
export interface Change {
  pins: { facts: TaskFacts; pin: MapPin }[];
  checkpoints: CheckpointPin[];
  removedCheckpoints: { key: string; grid: string }[];
  /** Pins that left, with the scope they had (only those who saw them are told). */
  removed: { key: string; scope: string | null }[];
  /** Grids whose counters may have moved (re-counted when published). */
  grids: Set<string | null>;
  events: SummaryEvent[];
  dayStart?: number;
}

/**
 * Keeps per-grid figures, task pins and a feed of significant events for every workspace,
 * up to date as boards change, so the command view and the map of a district open from one
 * small scoped answer instead of every board. It builds once at start (each board is read
 * once), then follows every board through the hub's hooks: a load replaces the board's
 * facts, a change re-reads only the tasks the transaction touched.
 */
export class SummaryService implements Extension {
  readonly name = 'summary';
  /** After persistence (1000) has filled a document on load. */
  readonly priority = 1;

  private readonly workspaces = new Map<string, WorkspaceSummary>();
  private readonly now: () => number;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Resolves once every stored board has been read once. */
  ready: Promise<void> = Promise.resolve();
  /** Documents kept loaded (`keepLoaded`): name → release. */
  private readonly kept = new Map<string, () => void>();
  private keeping: Promise<void> | null = null;
  /** Asked again while a pass ran: run one more once it ends. */
  private keepAgain = false;
  private stopped = false;
  /** Changes not yet published, per workspace (see `publish`). */
  private readonly queued = new Map<WorkspaceSummary, Change>();
  private flushing: NodeJS.Immediate | null = null;

  constructor(private readonly options: SummaryOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Reads every workspace and board once, then keeps counters current with the clock. */
  start(): Promise<void> {
    this.ready = this.options.keepLoaded
      ? this.keepAll()
      : (async () => {
          const hub = this.options.hub();
          for (const workspaceId of await this.options.workspaces()) {
            const { boards, grids } = await this.documentsOf(workspaceId);
            // Loading a board runs `onLoadDocument`, which takes its facts; so for rosters.
            for (const name of [...boards, ...grids]) await hub.read(name, () => {});
          }
        })().catch((error: unknown) => {
          this.options.logger.error('summary build failed', { error: String(error) });
        });
    this.timer = setInterval(() => {
      this.tick();
      // A kept document that was closed meanwhile (its store failed) is loaded again.
      if (this.options.keepLoaded) void this.keepAll();
    }, this.options.tickMs ?? 30_000);
    this.timer.unref();
    return this.ready;
  }

  stop(): void {
    this.stopped = true;
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = null;
    this.queued.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const release of this.kept.values()) release();
    this.kept.clear();
  }

  /** Names of a workspace's boards and rosters, from its directory. */
  private documentsOf(workspaceId: string): Promise<{ boards: string[]; grids: string[] }> {
    return this.options.hub().read(workspaceDocName(workspaceId), (doc) => {
      const directory = new WorkspaceDirectory(doc);
      return {
        boards: directory.listBoards().map((b) => boardDocName(workspaceId, b.id)),
        grids: directory.listGrids().map((g) => rosterDocName(workspaceId, g.id)),
      };
    });
  }

  /** Keeps every directory, board and roster loaded; one pass at a time. */
  private keepAll(): Promise<void> {
    if (this.keeping) {
      this.keepAgain = true;
      return this.keeping;
    }
    this.keeping = (async () => {
      do {
        this.keepAgain = false;
        for (const workspaceId of await this.options.workspaces()) {
          await this.keep(workspaceDocName(workspaceId));
          const { boards, grids } = await this.documentsOf(workspaceId);
          for (const name of [...boards, ...grids]) await this.keep(name);
        }
      } while (this.keepAgain && !this.stopped);
    })()
      .catch((error: unknown) => {
        this.options.logger.error('summary could not load every document', {
          error: String(error),
        });
      })
      .finally(() => (this.keeping = null));
    return this.keeping;
  }

  private async keep(name: string): Promise<void> {
    const hub = this.options.hub();
    if (this.kept.has(name) && hub.isLoaded(name)) return;
    this.kept.get(name)?.();
    this.kept.delete(name);
    if (this.stopped) return;
    const release = await hub.keep(name);
    // Stopped meanwhile: keep nothing more.
    if (this.stopped) release();
    else this.kept.set(name, release);
  }

  onLoadDocument({ ref, doc }: OnLoadDocumentPayload): void {
    const summary = this.workspace(ref.workspaceId);
    if (this.readWhole(summary, ref, doc, false) || ref.kind !== 'board' || !ref.id) return;
    const change = emptyChange();
    this.replaceBoard(summary, ref.id, doc, change);
    this.publish(summary, change);
  }

  onChange({ ref, doc, transaction, origin }: OnChangePayload): void {
    const summary = this.workspace(ref.workspaceId);
    if (this.readWhole(summary, ref, doc, true) || ref.kind !== 'board' || !ref.id) return;
    const root = doc.getMap('tasks');
    const change = emptyChange();
    const by = actorOf(origin);
    for (const taskId of touchedTasks(root, transaction)) {
      const ymap = root.get(taskId);
      const task = ymap instanceof Y.Map ? readTask(ymap as Y.Map<unknown>) : null;
      this.setTask(
        summary,
        ref.id,
        taskId,
        task ? this.factsOf(summary, ref.id, task) : null,
        change,
        by,
      );
    }
    this.publish(summary, change);
  }

  /**
   * Directories and rosters are read whole on load and on every change (boards, by the tasks a
   * change touched). True when `ref` was one of them.
   */
  private readWhole(
    summary: WorkspaceSummary,
    ref: OnLoadDocumentPayload['ref'],
    doc: Y.Doc,
    live: boolean,
  ): boolean {
    if (ref.kind === 'workspace') {
      this.readDirectory(summary, doc);
      return true;
    }
    if (ref.kind !== 'roster' || !ref.id) return false;
    const change = emptyChange();
    this.readRoster(summary, ref.id, doc, change, live);
    this.publish(summary, change);
    return true;
  }

  /** Everything in the person's scope, as of now. */
  snapshot(principal: Principal & { workspaceId: string }): SummarySnapshot {
    const summary = this.workspace(principal.workspaceId);
    // Changes still queued are published first: the snapshot's seq then covers them.
    this.flush(summary);
    const now = this.now();
    const wide = inScope(principal, null);
    const pins: MapPin[] = [];
    let truncated = false;
    for (const facts of summary.tasks.values()) {
      if (!inScope(principal, facts.boardGrid)) continue;
      const pin = pinOf(facts);
      if (!pin) continue;
      if (pins.length >= MAX_PINS) {
        truncated = true;
        break;
      }
      pins.push(pin);
    }
    const checkpoints = [...summary.checkpointPins.values()].filter((c) =>
      inScope(principal, c.grid),
    );
    const grids: GridCounters[] = [];
    for (const grid of summary.allGrids()) {
      if (!wide && (grid === null || !inScope(principal, grid))) continue;
      const pair = summary.counters.get(grid) ?? summary.recount(grid, now)!;
      grids.push(wide ? pair.all : pair.scoped);
    }
    return {
      seq: summary.seq,
      at: now,
      dayStart: summary.dayStart,
      grids,
      pins,
      checkpoints,
      truncated,
      events: summary.events.filter((e) => inScope(principal, e.scope)),
    };
  }

  /** The daily report over the tasks the person may see, for a day of the workspace. */
  report(
    principal: Principal & { workspaceId: string },
    day: string,
    grids: string[] | null,
  ): DailyReport {
    const summary = this.workspace(principal.workspaceId);
    const visible = [...summary.tasks.values()].filter((f) => inScope(principal, f.boardGrid));
    const rosters = [...summary.rosters]
      .filter(([grid]) => inScope(principal, grid))
      .map(([grid, r]) => ({
        grid,
        checkpoints: r.checkpoints,
        shifts: r.shifts,
        alarms: r.history,
      }));
    return buildDailyReport(visible, {
      day,
      timeZone: summary.timeZone,
      now: this.now(),
      grids,
      rosters,
    });
  }

  /**
   * People on this grid's current and coming shifts who are also on an overlapping shift of
   * another grid's roster (recognised by account or phone), with where and when.
   */
  elsewhere(workspaceId: string, grid: string): ElsewhereBooking[] {
    const summary = this.workspace(workspaceId);
    const rosters = [...summary.rosters].map(([id, r]) => ({
      grid: id,
      staff: r.staff,
      shifts: r.shifts,
      checkpoints: r.checkpoints,
    }));
    return crossGridBookings(rosters, this.now())
      .filter((b) => b.grid === grid)
      .map((b) => ({
        shift: b.shift,
        staff: b.staff,
        other: { ...b.other, gridName: summary.gridNames.get(b.other.grid) ?? b.other.grid },
      }));
  }

  /** Ids of the workspace's grids (known from its directory). */
  gridIds(workspaceId: string): string[] {
    return this.workspace(workspaceId).gridIds;
  }

  timeZone(workspaceId: string): string {
    return this.workspace(workspaceId).timeZone;
  }

  /** Today's date (`YYYY-MM-DD`) in the workspace's time zone. */
  today(workspaceId: string): string {
    return dayOf(this.now(), this.workspace(workspaceId).timeZone);
  }

  /** Re-takes counters that move with time alone: overdue tasks, a new day. */
  tick(): void {
    const now = this.now();
    for (const summary of this.workspaces.values()) {
      const change = emptyChange();
      this.rollDay(summary, now, change);
      for (const grid of summary.allGrids()) change.grids.add(grid);
      // Staffing moves with the clock: shifts start and end.
      for (const grid of summary.rosters.keys()) this.refreshCheckpoints(summary, grid, change);
      this.publish(summary, change);
    }
  }

  private workspace(id: string): WorkspaceSummary {
    let summary = this.workspaces.get(id);
    if (!summary) {
      summary = new WorkspaceSummary(id);
      this.workspaces.set(id, summary);
      summary.dayStart = dayRange(dayOf(this.now(), summary.timeZone), summary.timeZone).start;
    }
    return summary;
  }

  private rollDay(summary: WorkspaceSummary, now: number, change: Change): void {
    const start = dayRange(dayOf(now, summary.timeZone), summary.timeZone).start;
    if (start === summary.dayStart) return;
    summary.dayStart = start;
    for (const grid of summary.allGrids()) change.grids.add(grid);
    change.dayStart = start;
  }

  private readDirectory(summary: WorkspaceSummary, doc: Y.Doc): void {
    const directory = new WorkspaceDirectory(doc);
    const zoneChanged = directory.timeZone !== summary.timeZone;
    summary.timeZone = directory.timeZone;
    const grids = directory.listGrids();
    summary.gridIds = grids.map((g) => g.id);
    summary.gridNames.clear();
    for (const g of grids) summary.gridNames.set(g.id, g.name);
    const change = emptyChange();
    for (const board of directory.listBoards()) {
      const grid = board.grid ?? null;
      const known = summary.boards.has(board.id);
      const before = summary.boards.get(board.id);
      summary.boards.set(board.id, grid);
      if (!known || before === grid) continue;
      // A board moved to another grid: its tasks count elsewhere and reach other people.
      for (const key of [...(summary.keysByBoard.get(board.id) ?? [])]) {
        const old = summary.tasks.get(key)!;
        const facts: TaskFacts = {
          ...old,
          boardGrid: grid,
          grid: grid ?? (old.grid === before ? null : old.grid),
        };
        this.setTask(summary, board.id, old.id, facts, change, undefined);
      }
    }
    if (zoneChanged) this.rollDay(summary, this.now(), change);
    this.publish(summary, change);
    // A board or grid added (perhaps on another node): keep its documents too.
    if (this.options.keepLoaded) {
      const names = [
        ...directory.listBoards().map((b) => boardDocName(summary.id, b.id)),
        ...summary.gridIds.map((g) => rosterDocName(summary.id, g)),
      ];
      if (names.some((name) => !this.kept.has(name))) void this.keepAll();
    }
  }

  /** Takes a grid's roster; with `live`, records alarms raised and checkpoints closed. */
  private readRoster(
    summary: WorkspaceSummary,
    grid: string,
    doc: Y.Doc,
    change: Change,
    live: boolean,
  ): void {
    const roster = new Roster(doc);
    const checkpoints = roster.listCheckpoints();
    const next: RosterState = {
      checkpoints,
      shifts: roster.listShifts(),
      staff: roster.listStaff(),
      alarms: new Map(roster.activeAlarms().map((a) => [a.shift, a])),
      history: roster.listAlarms(),
    };
    const old = summary.rosters.get(grid);
    summary.rosters.set(grid, next);
    if (live && old) {
      const names = new Map(checkpoints.map((c) => [c.id, c.name]));
      const event = (kind: SummaryEvent['kind'], title: string): SummaryEvent => ({
        id: newId(),
        kind,
        at: this.now(),
        grid,
        scope: grid,
        title,
      });
      for (const alarm of next.alarms.values()) {
        if (!old.alarms.has(alarm.shift))
          change.events.push(
            event('alarm_raised', names.get(alarm.checkpoint) ?? alarm.checkpoint),
          );
      }
      const before = new Map(old.checkpoints.map((c) => [c.id, c.status]));
      for (const checkpoint of checkpoints) {
        if (before.get(checkpoint.id) === 'open' && checkpoint.status !== 'open')
          change.events.push(event('checkpoint_closed', checkpoint.name));
      }
    }
    this.refreshCheckpoints(summary, grid, change);
    change.grids.add(grid);
  }

  /** Re-takes a grid's checkpoint pins (staffing at this instant); records what changed. */
  private refreshCheckpoints(summary: WorkspaceSummary, grid: string, change: Change): void {
    const roster = summary.rosters.get(grid);
    const now = this.now();
    const seen = new Set<string>();
    for (const checkpoint of roster?.checkpoints ?? []) {
      const pin = checkpointPin(checkpoint, roster!.shifts, now, summary.timeZone);
      if (!pin) continue;
      seen.add(pin.key);
      const old = summary.checkpointPins.get(pin.key);
      summary.checkpointPins.set(pin.key, pin);
      if (!old || JSON.stringify(old) !== JSON.stringify(pin)) {
        change.checkpoints.push(pin);
        change.grids.add(grid);
      }
    }
    const prefix = `cp:${grid}/`;
    for (const key of [...summary.checkpointPins.keys()]) {
      if (key.startsWith(prefix) && !seen.has(key)) {
        summary.checkpointPins.delete(key);
        change.removedCheckpoints.push({ key, grid });
      }
    }
  }

  private factsOf(
    summary: WorkspaceSummary,
    boardId: string,
    task: NonNullable<ReturnType<typeof readTask>>,
  ): TaskFacts {
    return taskFacts(task, { id: boardId, grid: summary.boards.get(boardId) ?? null });
  }

  private replaceBoard(
    summary: WorkspaceSummary,
    boardId: string,
    doc: Y.Doc,
    change: Change,
  ): void {
    const root = doc.getMap('tasks');
    const seen = new Set<string>();
    for (const [taskId, ymap] of root.entries()) {
      if (!(ymap instanceof Y.Map)) continue;
      const task = readTask(ymap as Y.Map<unknown>);
      if (!task) continue;
      seen.add(pinKey(boardId, taskId));
      this.setTask(
        summary,
        boardId,
        taskId,
        this.factsOf(summary, boardId, task),
        change,
        undefined,
        false,
      );
    }
    for (const key of [...(summary.keysByBoard.get(boardId) ?? [])]) {
      if (!seen.has(key))
        this.setTask(summary, boardId, summary.tasks.get(key)!.id, null, change, undefined, false);
    }
  }

  /** Sets (or, with null, forgets) one task and records what watchers must hear. */
  private setTask(
    summary: WorkspaceSummary,
    boardId: string,
    taskId: string,
    facts: TaskFacts | null,
    change: Change,
    by: string | undefined,
    live = true,
  ): void {
    const key = pinKey(boardId, taskId);
    const old = summary.tasks.get(key);
    if (facts) summary.set(facts);
    else summary.remove(key);
    if (old && facts && sameFacts(old, facts)) return;
    const oldPin = old ? pinOf(old) : null;
    const pin = facts ? pinOf(facts) : null;
    if (pin) change.pins.push({ facts: facts!, pin });
    if (oldPin && (!pin || old!.boardGrid !== facts!.boardGrid))
      change.removed.push({ key, scope: old!.boardGrid });
    if (old) change.grids.add(old.grid);
    if (facts) change.grids.add(facts.grid);
    if (!live || !facts) return;
    const event = (kind: SummaryEvent['kind']): SummaryEvent => ({
      id: newId(),
      kind,
      at: this.now(),
      grid: facts.grid,
      scope: facts.boardGrid,
      title: facts.title,
      boardId,
      taskId,
      ...(by ? { by } : {}),
    });
    if (!old) change.events.push(event('task_created'));
    else if (old.status !== 'done' && facts.status === 'done')
      change.events.push(event('task_done'));
    else if (old.status === 'done' && facts.status !== 'done')
      change.events.push(event('task_reopened'));
  }

  /**
   * Queues what a change did; everything queued in one turn of the event loop is published
   * together, so a burst of edits costs one re-count of each grid it touched, not one per edit.
   */
  private publish(summary: WorkspaceSummary, change: Change): void {
    if (isEmpty(change)) return;
    const queued = this.queued.get(summary);
    if (queued) merge(queued, change);
    else this.queued.set(summary, change);
    this.flushing ??= setImmediate(() => {
      this.flushing = null;
      for (const queuedSummary of [...this.queued.keys()]) this.flush(queuedSummary);
    });
  }

  /** Re-counts the grids the queued changes touched and sends each watcher what they may see. */
  private flush(summary: WorkspaceSummary): void {
    const change = this.queued.get(summary);
    if (!change) return;
    this.queued.delete(summary);
    const now = this.now();
    const grids = new Map<string | null, CounterPair>();
    for (const grid of change.grids) {
      const pair = summary.recount(grid, now);
      if (pair) grids.set(grid, pair);
    }
    // Only grids whose counters moved are news.
    change.grids = new Set(grids.keys());
    if (isEmpty(change)) return;
    summary.seq++;
    if (change.events.length > 0)
      summary.events = [...change.events.reverse(), ...summary.events].slice(0, MAX_RECENT_EVENTS);
    this.options.watchers.each(summary.id, (principal, send) => {
      const wide = inScope(principal, null);
      const delta: SummaryDelta = {
        seq: summary.seq,
        at: now,
        pins: change.pins.filter((p) => inScope(principal, p.facts.boardGrid)).map((p) => p.pin),
        removed: change.removed.filter((r) => inScope(principal, r.scope)).map((r) => r.key),
        checkpoints: change.checkpoints.filter((c) => inScope(principal, c.grid)),
        removedCheckpoints: change.removedCheckpoints
          .filter((r) => inScope(principal, r.grid))
          .map((r) => r.key),
        grids: [...grids]
          .filter(([grid]) => wide || (grid !== null && inScope(principal, grid)))
          .map(([, pair]) => (wide ? pair.all : pair.scoped)),
        events: change.events.filter((e) => inScope(principal, e.scope)),
        ...(change.dayStart !== undefined ? { dayStart: change.dayStart } : {}),
      };
      if (
        delta.pins.length ||
        delta.removed.length ||
        delta.checkpoints.length ||
        delta.removedCheckpoints.length ||
        delta.grids.length ||
        delta.events.length ||
        delta.dayStart !== undefined
      )
        send(delta);
    });
  }
}

/** Folds `later` into `earlier`, so that applying the result equals applying both in order. */
export function merge(earlier: Change, later: Change): void {
  if (later.removed.length) {
    const gone = new Set(later.removed.map((r) => r.key));
    earlier.pins = earlier.pins.filter((p) => !gone.has(p.pin.key));
    earlier.removed.push(...later.removed);
  }
  if (later.pins.length) {
    const replaced = new Set(later.pins.map((p) => p.pin.key));
    earlier.pins = earlier.pins.filter((p) => !replaced.has(p.pin.key));
    earlier.pins.push(...later.pins);
  }
  if (later.removedCheckpoints.length) {
    const gone = new Set(later.removedCheckpoints.map((r) => r.key));
    earlier.checkpoints = earlier.checkpoints.filter((c) => !gone.has(c.key));
    earlier.removedCheckpoints.push(...later.removedCheckpoints);
  }
  if (later.checkpoints.length) {
    const replaced = new Set(later.checkpoints.map((c) => c.key));
    earlier.checkpoints = earlier.checkpoints.filter((c) => !replaced.has(c.key));
    earlier.checkpoints.push(...later.checkpoints);
  }
  for (const grid of later.grids) earlier.grids.add(grid);
  earlier.events.push(...later.events);
  if (later.dayStart !== undefined) earlier.dayStart = later.dayStart;
}

/** Nothing to tell anyone: no pin, checkpoint, grid, event or new day. */
function isEmpty(change: Change): boolean {
  return (
    change.pins.length === 0 &&
    change.removed.length === 0 &&
    change.checkpoints.length === 0 &&
    change.removedCheckpoints.length === 0 &&
    change.grids.size === 0 &&
    change.events.length === 0 &&
    change.dayStart === undefined
  );
}

export function emptyChange(): Change {
  return {
    pins: [],
    removed: [],
    checkpoints: [],
    removedCheckpoints: [],
    grids: new Set(),
    events: [],
  };
}

function index<K>(map: Map<K, Set<string>>, key: K, value: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function sameCounters(a: GridCounters, b: GridCounters): boolean {
  return (
    a.open === b.open &&
    a.overdue === b.overdue &&
    a.blocked === b.blocked &&
    a.doneToday === b.doneToday &&
    a.staffed === b.staffed &&
    a.uncovered === b.uncovered &&
    a.onDuty === b.onDuty
  );
}

function sameFacts(a: TaskFacts, b: TaskFacts): boolean {
  return (
    a.boardGrid === b.boardGrid &&
    a.grid === b.grid &&
    a.title === b.title &&
    a.status === b.status &&
    a.kind === b.kind &&
    a.priority === b.priority &&
    a.location?.lat === b.location?.lat &&
    a.location?.lng === b.location?.lng &&
    a.due === b.due &&
    a.archived === b.archived &&
    a.createdAt === b.createdAt &&
    a.doneAt === b.doneAt
  );
}

function actorOf(origin: Origin): string | undefined {
  if (origin.kind === 'connection') return origin.connection.context.userId;
  if (origin.kind === 'server') return origin.actor ?? undefined;
  return undefined;
}

/** Ids of the tasks (keys of the root `tasks` map) that a transaction touched. */
export function touchedTasks(root: Y.Map<unknown>, transaction: Y.Transaction): Set<string> {
  const ids = new Set<string>();
  for (const [type, keys] of transaction.changed) {
    if ((type as unknown) === root) {
      for (const key of keys) if (key !== null) ids.add(key);
      continue;
    }
    let current: Y.AbstractType<unknown> = type as Y.AbstractType<unknown>;
    while (current._item) {
      const parent = current._item.parent as Y.AbstractType<unknown>;
      if (parent === root) {
        if (current._item.parentSub) ids.add(current._item.parentSub);
        break;
      }
      current = parent;
    }
  }
  return ids;
}
