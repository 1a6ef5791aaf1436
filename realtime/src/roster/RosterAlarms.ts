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
 * The same pass applies the workspace's `swapAutoApprove` rule: where it is on, a swap someone
 * has taken is approved by the server (`decidedBy: 'system'`), as a supervisor would.
 */
export class RosterAlarms {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** Active alarms by document name and shift id, for sockets that connect later. */
  private readonly active = new Map<string, Map<string, RosterAlarmEvent>>();

  constructor(
    private readonly hub: YjsHub,
    private readonly io: OutpostIo,
    private readonly workspaces: () => Promise<{ id: string }[]>,
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  start(): void {
    this.io.on('connection', (socket) => {
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
    await this.running;
  }

  /** One pass over every roster of every workspace. */
  async check(): Promise<void> {
    for (const workspace of await this.workspaces()) {
      const { grids, autoApprove } = await this.hub.read(workspaceDocName(workspace.id), (doc) => {
        const directory = new WorkspaceDirectory(doc);
        return {
          grids: directory.listGrids().map((g) => g.id),
          autoApprove: readRosterSettings(directory.meta).swapAutoApprove,
        };
      });
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
    const changes = await this.hub.read(documentName, (doc) => {
      const found = this.evaluate(doc, now);
      if (found.length === 0) this.remember(documentName, grid, doc);
      return found.length + takenSwaps(new Roster(doc)).length;
    });
    if (changes === 0) return;
    const events = await this.hub.change(
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
        const out: RosterAlarmEvent[] = [];
        // Re-evaluated inside the write, so nothing that changed meanwhile is overwritten.
        for (const alarm of this.evaluate(doc, now)) {
          roster.alarms.set(alarm.shift, alarm);
          out.push(toEvent(roster, documentName, grid, alarm));
        }
        this.remember(documentName, grid, doc);
        return out;
      },
      'system',
    );
    for (const event of events) {
      this.logger.info(event.active ? 'uncovered post' : 'uncovered post ended', {
        document: documentName,
        shift: event.shift,
        clearedBy: event.clearedBy,
      });
      for (const socket of this.io.of('/').sockets.values()) {
        if (concerns(socket.data.auth, event)) socket.emit('rosterAlarm', event);
      }
    }
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

  private remember(documentName: string, grid: string, doc: Y.Doc): void {
    const roster = new Roster(doc);
    const active = new Map<string, RosterAlarmEvent>();
    for (const alarm of roster.activeAlarms())
      active.set(alarm.shift, toEvent(roster, documentName, grid, alarm));
    if (active.size) this.active.set(documentName, active);
    else this.active.delete(documentName);
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
