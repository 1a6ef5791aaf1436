import {
  Roster,
  WorkspaceDirectory,
  can,
  inScope,
  isUncovered,
  readRosterSettings,
  rosterDocName,
  workspaceDocName,
  type Alarm,
  type RosterAlarmEvent,
} from '@outpost/model';
import type * as Y from 'yjs';
import type { Extension, OnChangePayload } from '../core/types.ts';
import type { YjsHub } from '../core/YjsHub.ts';
import type { OutpostIo } from '../http/socketio.ts';
import type { Logger } from '../logger.ts';

/**
 * The uncovered-post alarm. Every `intervalMs` it looks at each grid's roster: a shift that
 * has started with people required, nobody checked in, at an open checkpoint, not
 * acknowledged, raises an alarm; the alarm ends when someone checks in, a supervisor
 * acknowledges it, the checkpoint closes or the shift ends.
 *
 * The record lives in the roster document (root `alarms`, written by the server), so it
 * survives a restart and anyone who opens the roster later sees it. Each change is also sent
 * over socket.io (`rosterAlarm`) to every connected supervisor of the grid (who may edit
 * schedules there), and a supervisor's socket that connects gets the alarms active then.
 *
 * In a cluster every node runs the pass, and a supervisor is connected to one of them. So each
 * node tells its own sockets what changed in a roster's alarms since it last looked, whenever
 * the roster changes (through its own pass or another node's, relayed): every supervisor hears
 * each alarm once, from whichever node they are on, as soon as that node has the change.
 *
 * The same pass applies the workspace's `swapAutoApprove` rule: where it is on, a swap someone
 * has taken is approved by the server (`decidedBy: 'system'`), as a supervisor would.
 */
export class RosterAlarms implements Extension {
  readonly name = 'roster-alarms';
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** Active alarms by document name and shift id, as this node last announced them. */
  private readonly active = new Map<string, Map<string, RosterAlarmEvent>>();
  /** Rosters changed since the last announcement (document name → grid). */
  private readonly changed = new Map<string, string>();
  private announcing: NodeJS.Immediate | null = null;

  constructor(
    private readonly hub: () => YjsHub,
    private readonly io: () => OutpostIo,
    private readonly workspaces: () => Promise<{ id: string }[]>,
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Any change to a roster, from this node or relayed from another: announce what it did. */
  onChange({ documentName, ref }: OnChangePayload): void {
    if (ref.kind !== 'roster' || !ref.id || this.timer === null) return;
    this.changed.set(documentName, ref.id);
    // Once the transaction is over; a burst of changes to rosters is announced once.
    this.announcing ??= setImmediate(() => {
      this.announcing = null;
      const changed = [...this.changed];
      this.changed.clear();
      for (const [name, grid] of changed) {
        this.hub()
          .read(name, (doc) => this.announce(name, grid, doc))
          .catch((error: unknown) =>
            this.logger.warn('roster alarm announcement failed', {
              doc: name,
              error: String(error),
            }),
          );
      }
    });
  }

  start(): void {
    this.io().on('connection', (socket) => {
      for (const alarms of this.active.values()) {
        for (const alarm of alarms.values()) {
          if (concerns(socket.data.auth, alarm)) socket.emit('rosterAlarm', alarm);
        }
      }
    });
    const tick = () => {
      this.running ??= this.check()
        .catch((error: unknown) => this.logger.error('roster alarm check failed', { error }))
        .finally(() => (this.running = null));
    };
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
    tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.announcing) clearImmediate(this.announcing);
    this.announcing = null;
    await this.running;
  }

  /** One pass over every roster of every workspace. */
  async check(): Promise<void> {
    for (const workspace of await this.workspaces()) {
      const { grids, autoApprove } = await this.hub().read(
        workspaceDocName(workspace.id),
        (doc) => {
          const directory = new WorkspaceDirectory(doc);
          return {
            grids: directory.listGrids().map((g) => g.id),
            autoApprove: readRosterSettings(directory.meta).swapAutoApprove,
          };
        },
      );
      for (const grid of grids) {
        if (this.timer === null) return;
        await this.checkRoster(workspace.id, grid, autoApprove);
      }
    }
    this.logger.debug('roster alarm pass done', { at: this.clock() });
  }

  private async checkRoster(
    workspaceId: string,
    grid: string,
    autoApprove: boolean,
  ): Promise<void> {
    const documentName = rosterDocName(workspaceId, grid);
    const now = this.clock();
    const takenSwaps = (roster: Roster) =>
      autoApprove
        ? roster.listSwaps().filter((swap) => swap.status === 'taken' && swap.to !== null)
        : [];
    // Look first, write only when something changes: most passes change nothing.
    const changes = await this.hub().read(documentName, (doc) => {
      const found = this.evaluate(doc, now);
      // Also catches up on what this node has not announced (a roster it just loaded).
      if (found.length === 0) this.announce(documentName, grid, doc);
      return found.length + takenSwaps(new Roster(doc)).length;
    });
    if (changes === 0) return;
    // The change is announced through `onChange`, here and on every other node.
    await this.hub().change(
      documentName,
      null,
      (doc) => {
        const roster = new Roster(doc);
        for (const swap of takenSwaps(roster)) {
          roster.decideSwap(swap.id, true, 'system', now);
          this.logger.info('swap approved by the workspace rule', {
            document: documentName,
            swap: swap.id,
          });
        }
        // Re-evaluated inside the write, so nothing that changed meanwhile is overwritten.
        for (const alarm of this.evaluate(doc, now)) {
          roster.alarms.set(alarm.shift, alarm);
          this.logger.info(alarm.clearedAt === null ? 'uncovered post' : 'uncovered post ended', {
            document: documentName,
            shift: alarm.shift,
            clearedBy: alarm.clearedBy,
          });
        }
      },
      'system',
    );
  }

  /** Alarms to raise or clear in this roster at `now` (new values of `alarms` entries). */
  private evaluate(doc: Y.Doc, now: number): Alarm[] {
    const roster = new Roster(doc);
    const checkpoints = new Map(roster.listCheckpoints().map((c) => [c.id, c]));
    const out: Alarm[] = [];
    for (const shift of roster.listShifts()) {
      const recorded = roster.alarms.get(shift.id);
      const checkpoint = checkpoints.get(shift.checkpoint);
      const uncovered = isUncovered(shift, checkpoint, now);
      if (uncovered && !recorded) {
        out.push({
          shift: shift.id,
          checkpoint: shift.checkpoint,
          raisedAt: now,
          clearedAt: null,
          clearedBy: null,
        });
      } else if (!uncovered && recorded && recorded.clearedAt === null) {
        const clearedBy: Alarm['clearedBy'] =
          shift.checkins.length > 0
            ? 'checkin'
            : shift.ack
              ? 'ack'
              : checkpoint?.status !== 'open'
                ? 'closed'
                : 'ended';
        out.push({ ...recorded, clearedAt: now, clearedBy });
      }
    }
    return out;
  }

  /**
   * Tells this node's supervisors what changed in the roster's alarms since this node last
   * announced them: alarms raised, and alarms ended (with how, from the record).
   */
  private announce(documentName: string, grid: string, doc: Y.Doc): void {
    const roster = new Roster(doc);
    const before = this.active.get(documentName);
    const active = new Map<string, RosterAlarmEvent>();
    const events: RosterAlarmEvent[] = [];
    for (const alarm of roster.activeAlarms()) {
      const event = toEvent(roster, documentName, grid, alarm);
      active.set(alarm.shift, event);
      if (before?.get(alarm.shift)?.raisedAt !== alarm.raisedAt) events.push(event);
    }
    for (const [shift, was] of before ?? []) {
      if (active.has(shift)) continue;
      const recorded = roster.alarms.get(shift);
      // A shift deleted with its alarm: the alarm ends with it.
      events.push(
        recorded?.clearedAt
          ? toEvent(roster, documentName, grid, recorded)
          : { ...was, active: false, clearedBy: 'ended' },
      );
    }
    if (active.size) this.active.set(documentName, active);
    else this.active.delete(documentName);
    if (events.length === 0) return;
    for (const socket of this.io().of('/').sockets.values()) {
      for (const event of events) {
        if (concerns(socket.data.auth, event)) socket.emit('rosterAlarm', event);
      }
    }
  }
}

function toEvent(
  roster: Roster,
  documentName: string,
  grid: string,
  alarm: Alarm,
): RosterAlarmEvent {
  const shift = roster.getShift(alarm.shift);
  return {
    documentName,
    grid,
    shift: alarm.shift,
    checkpoint: alarm.checkpoint,
    checkpointName: roster.getCheckpoint(alarm.checkpoint)?.name ?? '',
    shiftName: shift?.name ?? '',
    start: shift?.start ?? 0,
    end: shift?.end ?? 0,
    raisedAt: alarm.raisedAt,
    active: alarm.clearedAt === null,
    clearedBy: alarm.clearedBy,
  };
}

/** Supervisors of the grid: those who may edit its schedules. */
function concerns(
  auth: { role: Parameters<typeof can>[0]['role']; grids: readonly string[] | null },
  alarm: RosterAlarmEvent,
): boolean {
  return can(auth, 'schedules', 'edit') && inScope(auth, alarm.grid);
}
