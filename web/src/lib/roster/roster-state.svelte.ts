import type {
  Alarm,
  Checkpoint,
  CheckpointInput,
  CheckpointPatch,
  DutyLink,
  ElsewhereBooking,
  RosterAnalysis,
  RosterSettings,
  Shift,
  StaffInput,
  StaffMember,
  Staffing,
  Swap,
} from '@outpost/model';
import {
  CLOSE,
  Roster,
  addDays,
  analyzeRoster,
  can,
  checkInOpen,
  dayStart,
  inScope,
  localDay,
  rosterDocName,
  staffingState,
  weekStart,
} from '@outpost/model';
import { request } from '../api.ts';
import { indexBy } from '../collections.ts';
import { DocConnection, type AccessEnd } from '../sync/doc-connection.svelte.ts';
import type { SessionState } from '../state/session-state.svelte.ts';
import type { WorkspaceState } from '../state/workspace-state.svelte.ts';

/** What the signed-in person may do on a roster (the server's rules, see rosterAccess.ts). */
export interface RosterAbilities {
  editCheckpoints: boolean;
  createCheckpoints: boolean;
  editSchedule: boolean;
  createShifts: boolean;
  assign: boolean;
  /** Check in and out yourself, offer and take swaps. */
  work: boolean;
}

export function rosterAbilities(user: Parameters<typeof can>[0], stopped = false): RosterAbilities {
  const has = (r: 'checkpoints' | 'schedules', a: Parameters<typeof can>[2]) =>
    !stopped && can(user, r, a);
  return {
    editCheckpoints: has('checkpoints', 'edit'),
    createCheckpoints: has('checkpoints', 'create'),
    editSchedule: has('schedules', 'edit'),
    createShifts: has('schedules', 'create'),
    assign: has('schedules', 'assign'),
    work: has('schedules', 'work') || has('schedules', 'edit'),
  };
}

/** May the person open the roster of this grid (the server's `rosterReadable`)? */
export function canOpenRoster(user: Parameters<typeof inScope>[0], grid: string): boolean {
  return can(user, 'checkpoints', 'read') && inScope(user, grid);
}

/** How often "now" moves on (staffing states, alarms, check-in buttons). */
const CLOCK_MS = 15_000;
/** How often bookings in other grids are asked again (they change on other grids' rosters). */
const ELSEWHERE_MS = 60_000;
/** After a change here, how long before asking (the change reaches the server first). */
const ELSEWHERE_SETTLE_MS = 1_500;

/**
 * One grid's roster, open in the browser: the Yjs document with its connection, immutable
 * snapshots refreshed from the document, the week shown, and the rules (gaps, double
 * bookings, rest, live staffing) computed from the snapshots in the workspace's time zone.
 * Every change goes through the `Roster` mutators of `@outpost/model`, and only when the
 * person's role allows it, so the app never sends a write the server will refuse.
 */
export class RosterState {
  readonly connection: DocConnection;
  readonly roster: Roster;

  checkpoints = $state.raw<Checkpoint[]>([]);
  staff = $state.raw<StaffMember[]>([]);
  shifts = $state.raw<Shift[]>([]);
  swaps = $state.raw<Swap[]>([]);
  alarms = $state.raw<Alarm[]>([]);
  dutyLinks = $state.raw<DutyLink[]>([]);
  now = $state(Date.now());
  /** First day (Monday) of the week shown, ISO date in the workspace zone. */
  week = $state('');
  ended = $state.raw<AccessEnd | null>(null);
  /**
   * This roster's people who are booked at the same time on another grid's roster. Each grid
   * keeps its own roster, so only the server sees both; asked after changes and every minute.
   */
  elsewhere = $state.raw<ElsewhereBooking[]>([]);

  readonly abilities: RosterAbilities;
  readonly checkpointById = $derived(indexBy(this.checkpoints, (c) => c.id));
  readonly staffById = $derived(indexBy(this.staff, (s) => s.id));
  readonly shiftById = $derived(indexBy(this.shifts, (s) => s.id));
  /** The person's own staff records on this roster (linked to their account). */
  readonly mine = $derived(this.staff.filter((s) => s.userId === this.session.user.id));
  readonly days = $derived(Array.from({ length: 7 }, (_, i) => addDays(this.week, i)));
  readonly weekFrom = $derived(dayStart(this.week, this.zone));
  readonly weekTo = $derived(dayStart(addDays(this.week, 7), this.zone));
  readonly analysis: RosterAnalysis = $derived(
    analyzeRoster(this.shifts, this.checkpointById, this.settings, this.weekFrom, this.weekTo),
  );
  /** Gaps from now over the next 24 hours. */
  readonly nextGaps = $derived(
    analyzeRoster(this.shifts, this.checkpointById, this.settings, this.now, this.now + 86_400_000)
      .gaps,
  );
  readonly staffing: ReadonlyMap<string, Staffing> = $derived(
    indexBy(
      this.checkpoints.map((c) => ({
        id: c.id,
        ...staffingState(c, this.shifts, this.now, this.zone),
      })),
      (s) => s.id,
    ),
  );
  readonly activeAlarms = $derived(this.alarms.filter((a) => a.clearedAt === null));
  /** My shifts from now on (and the one running), earliest first. */
  readonly myShifts = $derived.by(() => {
    const ids = this.mine.map((s) => s.id);
    return this.shifts.filter((s) => s.end > this.now && s.assignees.some((a) => ids.includes(a)));
  });
  /** Offers others made that I could take. */
  readonly openOffers = $derived(
    this.swaps.filter((s) => s.status === 'offered' && !this.mine.some((m) => m.id === s.from)),
  );

  private readonly cleanup: (() => void)[] = [];

  constructor(
    readonly grid: string,
    readonly session: SessionState,
    readonly workspace: WorkspaceState,
  ) {
    this.abilities = $derived(rosterAbilities(session.user, this.ended !== null));
    this.week = weekStart(localDay(Date.now(), workspace.timeZone));
    this.connection = new DocConnection(rosterDocName(session.user.workspaceId, grid), {
      onAccessEnded: (_connection, end) => {
        if (end.code === CLOSE.unauthorized) session.endAccess(end.reason);
        else this.ended = end;
      },
    });
    this.cleanup.push(session.track(this.connection));
    this.roster = new Roster(this.connection.doc);
    this.refresh();
    this.cleanup.push(this.roster.observe(() => this.refresh()));
    const clock = setInterval(() => (this.now = Date.now()), CLOCK_MS);
    this.cleanup.push(() => clearInterval(clock));
    if (can(session.user, 'schedules', 'read')) {
      void this.loadElsewhere();
      let settle: ReturnType<typeof setTimeout> | undefined;
      this.cleanup.push(
        this.roster.observe(() => {
          clearTimeout(settle);
          settle = setTimeout(() => void this.loadElsewhere(), ELSEWHERE_SETTLE_MS);
        }),
      );
      const poll = setInterval(() => void this.loadElsewhere(), ELSEWHERE_MS);
      this.cleanup.push(() => {
        clearTimeout(settle);
        clearInterval(poll);
      });
    }
  }

  /** Asks the server; offline or refused, the last answer stays. */
  private async loadElsewhere(): Promise<void> {
    const result = await request<{ bookings: ElsewhereBooking[] }>(
      `/api/rosters/${encodeURIComponent(this.grid)}/elsewhere`,
    );
    if (result.ok) this.elsewhere = result.data.bookings;
  }

  /** The workspace's time zone: every shift is shown in it, whatever the device's zone. */
  get zone(): string {
    return this.workspace.timeZone;
  }

  get settings(): RosterSettings {
    return this.workspace.rosterSettings;
  }

  get userId(): string {
    return this.session.user.id;
  }

  destroy(): void {
    for (const stop of this.cleanup.splice(0)) stop();
    this.connection.destroy();
  }

  private refresh(): void {
    this.checkpoints = this.roster.listCheckpoints();
    this.staff = this.roster.listStaff();
    this.shifts = this.roster.listShifts();
    this.swaps = this.roster.listSwaps();
    this.alarms = this.roster.listAlarms();
    this.dutyLinks = this.roster.listDutyLinks();
  }

  moveWeek(weeks: number): void {
    this.week = addDays(this.week, 7 * weeks);
  }

  thisWeek(): void {
    this.week = weekStart(localDay(Date.now(), this.zone));
  }

  /** Shifts of a checkpoint starting on a local day. */
  shiftsOn(checkpointId: string, day: string): Shift[] {
    return this.shifts.filter(
      (s) => s.checkpoint === checkpointId && localDay(s.start, this.zone) === day,
    );
  }

  staffName(id: string): string {
    return this.staffById.get(id)?.name ?? '?';
  }

  isMine(staffId: string): boolean {
    return this.mine.some((m) => m.id === staffId);
  }

  canCheckIn(shift: Shift, staffId: string): boolean {
    return (
      (this.abilities.editSchedule || (this.abilities.work && this.isMine(staffId))) &&
      shift.assignees.includes(staffId) &&
      checkInOpen(shift, this.now)
    );
  }

  // ---- mutators (each guarded by the person's abilities) ---------------------------------

  private require(ability: keyof RosterAbilities): void {
    if (!this.abilities[ability]) throw new Error(`not allowed: ${ability}`);
  }

  createCheckpoint(input: CheckpointInput): string {
    this.require('createCheckpoints');
    return this.roster.createCheckpoint(input, this.grid, this.userId);
  }

  updateCheckpoint(id: string, patch: CheckpointPatch): void {
    this.require('editCheckpoints');
    this.roster.updateCheckpoint(id, patch, this.userId);
  }

  addStaff(input: StaffInput): string {
    this.require('editSchedule');
    return this.roster.addStaff(input);
  }

  /** Adds every person in one transaction: all of them, or (on any error) none. */
  importStaff(values: StaffInput[]): number {
    this.require('editSchedule');
    this.roster.doc.transact(() => {
      for (const value of values) this.roster.addStaff(value);
    });
    return values.length;
  }

  /** Adds every checkpoint in one transaction: all of them, or none. */
  importCheckpoints(values: CheckpointInput[]): number {
    this.require('createCheckpoints');
    this.roster.doc.transact(() => {
      for (const value of values) this.roster.createCheckpoint(value, this.grid, this.userId);
    });
    return values.length;
  }

  updateStaff(id: string, patch: Partial<StaffInput>): void {
    this.require('editSchedule');
    this.roster.updateStaff(id, patch);
  }

  /** Generates the week shown for every open checkpoint; returns how many shifts were new. */
  generateWeek(
    checkpointIds = this.checkpoints.filter((c) => c.pattern.length).map((c) => c.id),
  ): number {
    this.require('createShifts');
    let created = 0;
    this.roster.doc.transact(() => {
      for (const id of checkpointIds)
        created += this.roster.generate(id, this.week, addDays(this.week, 6), this.zone);
    });
    return created;
  }

  assign(shiftId: string, staffId: string): void {
    this.require('assign');
    this.roster.assign(shiftId, staffId);
  }

  unassign(shiftId: string, staffId: string): void {
    this.require('assign');
    this.roster.unassign(shiftId, staffId);
  }

  checkIn(shiftId: string, staffId: string): void {
    this.roster.checkIn(shiftId, staffId, this.userId);
  }

  checkOut(shiftId: string, staffId: string): void {
    this.roster.checkOut(shiftId, staffId, this.userId);
  }

  acknowledge(shiftId: string): void {
    this.require('editSchedule');
    this.roster.acknowledge(shiftId, this.userId);
  }

  offer(shiftId: string, staffId: string): void {
    this.require('work');
    this.roster.offerSwap(shiftId, staffId, this.userId);
  }

  take(swapId: string, staffId: string): void {
    this.require('work');
    this.roster.takeSwap(swapId, staffId, this.userId);
  }

  decide(swapId: string, approve: boolean): void {
    this.require('assign');
    this.roster.decideSwap(swapId, approve, this.userId);
  }

  /** A public duty-table link with a fresh 144-bit token; returns the link's full token. */
  createDutyLink(checkpoint: string | null): string {
    this.require('editSchedule');
    const bytes = crypto.getRandomValues(new Uint8Array(18));
    const token = btoa(String.fromCharCode(...bytes))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replaceAll('=', '');
    this.roster.createDutyLink(checkpoint, token, this.userId);
    return this.dutyToken(token);
  }

  revokeDutyLink(id: string): void {
    this.require('editSchedule');
    this.roster.revokeDutyLink(id);
  }

  /** The public page's token for a link's secret: `<workspace>.<grid>.<secret>`. */
  dutyToken(secret: string): string {
    return `${this.session.user.workspaceId}.${this.grid}.${secret}`;
  }

  cancel(swapId: string): void {
    this.roster.cancelSwap(swapId, this.userId);
  }
}
