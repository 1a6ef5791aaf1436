/**
 * The uncovered-post alarm end to end: a real server whose alarm clock runs every 200 ms
 * (`OUTPOST_ROSTER_CHECK_MS`; the logic is the production one), real socket.io clients, the
 * official y-websocket client for the supervisor's edits, and a restart in the middle.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import {
  DEFAULT_ROSTER_SETTINGS,
  Roster,
  WorkspaceDirectory,
  rosterDocName,
  type RosterAlarmEvent,
} from '@outpost/model';
import {
  Cleanup,
  OutpostServer,
  WORKSPACE_DOC,
  principal,
  syncedProvider,
  waitFor,
  type OutpostSocket,
  type Principal,
} from './helpers.ts';

const G1 = rosterDocName('demo', 'g1');
const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let supervisor: Principal;
let worker: Principal;
let worker2: Principal;

beforeAll(async () => {
  server = servers.server(await OutpostServer.start({ env: { OUTPOST_ROSTER_CHECK_MS: '200' } }));
  supervisor = await principal(server, 'supervisor');
  worker = await principal(server, 'worker');
  worker2 = await principal(server, 'worker2');
});
afterEach(() => cleanup.run());
afterAll(() => servers.run());

/** A socket.io client that records every roster alarm it is sent. */
async function alarmsOf(who: Principal): Promise<RosterAlarmEvent[]> {
  const socket: OutpostSocket = io(server.url, {
    reconnection: false,
    forceNew: true,
    extraHeaders: { Authorization: `Bearer ${who.token}` },
  });
  const received: RosterAlarmEvent[] = [];
  socket.on('rosterAlarm', (alarm) => received.push(alarm));
  cleanup.add(socket, (s) => s.close());
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return received;
}

async function openRoster(who: Principal): Promise<Roster> {
  const p = cleanup.provider(await syncedProvider(server, G1, { token: who.token }));
  return new Roster(p.doc);
}

/** A one-off shift at the demo North gate starting in a moment, nobody on it. */
function shiftSoon(roster: Roster, name: string): string {
  const start = Date.now() + 1_000;
  return roster.addShift({
    checkpoint: 'g1-cp1',
    name,
    start,
    end: start + 3_600_000,
    required: 1,
  });
}

describe('uncovered-post alarm', () => {
  it('reaches the grid’s supervisor when a shift starts with nobody checked in, and no one else', async () => {
    const sup = await alarmsOf(supervisor);
    const mine = await alarmsOf(worker);
    const other = await alarmsOf(worker2);
    const roster = await openRoster(supervisor);
    const shiftId = shiftSoon(roster, 'Alarm test A');
    const alarm = await waitFor(
      () => {
        const found = sup.find((a) => a.shift === shiftId && a.active);
        if (!found) throw new Error('no alarm yet');
        return found;
      },
      { timeout: 15_000 },
    );
    expect(alarm).toMatchObject({
      grid: 'g1',
      checkpointName: '东湖花园 北门',
      shiftName: 'Alarm test A',
    });
    await waitFor(() => expect(roster.alarms.get(shiftId)?.clearedAt).toBeNull());
    expect(mine.some((a) => a.shift === shiftId)).toBe(false);
    expect(other.some((a) => a.shift === shiftId)).toBe(false);

    // Someone checks in: the alarm ends, and the supervisor hears that too.
    const staffId = roster.listStaff().find((s) => s.userId === worker.user.id)!.id;
    roster.assign(shiftId, staffId);
    roster.checkIn(shiftId, staffId, supervisor.user.id);
    await waitFor(() => expect(sup.some((a) => a.shift === shiftId && !a.active)).toBe(true), {
      timeout: 15_000,
    });
    expect(roster.alarms.get(shiftId)?.clearedBy).toBe('checkin');
  });

  it('survives a restart, reaches a supervisor who connects later, and ends when acknowledged', async () => {
    const roster = await openRoster(supervisor);
    const shiftId = shiftSoon(roster, 'Alarm test B');
    await waitFor(() => expect(roster.alarms.get(shiftId)?.clearedAt).toBeNull(), {
      timeout: 15_000,
    });
    await cleanup.run();
    await server.stop();
    await server.restart();
    supervisor = await principal(server, 'supervisor');

    const later = await alarmsOf(supervisor);
    await waitFor(() => expect(later.some((a) => a.shift === shiftId && a.active)).toBe(true), {
      timeout: 15_000,
    });
    const again = await openRoster(supervisor);
    again.acknowledge(shiftId, supervisor.user.id);
    await waitFor(() => expect(later.some((a) => a.shift === shiftId && !a.active)).toBe(true), {
      timeout: 15_000,
    });
    expect(again.alarms.get(shiftId)).toMatchObject({ clearedBy: 'ack' });
  });
});

describe('swap auto-approval (workspace setting)', () => {
  it('applies a taken swap without a supervisor once the workspace allows it', async () => {
    const admin = await principal(server, 'admin');
    supervisor = await principal(server, 'supervisor');
    const volunteer = await principal(server, 'volunteer');
    worker = await principal(server, 'worker');
    const workspace = cleanup.provider(
      await syncedProvider(server, WORKSPACE_DOC, { token: admin.token }),
    );
    new WorkspaceDirectory(workspace.doc).meta.set('roster', {
      ...DEFAULT_ROSTER_SETTINGS,
      swapAutoApprove: true,
    });

    const sup = await openRoster(supervisor);
    const shift = sup
      .listShifts()
      .find((s) => s.start > Date.now() + 86_400_000 && s.required > 0)!;
    const from = sup.staffOfUser(worker.user.id)[0]!.id;
    const to = sup.staffOfUser(volunteer.user.id)[0]!.id;
    sup.assign(shift.id, from);
    sup.unassign(shift.id, to);
    const mine = await openRoster(worker);
    await waitFor(() => expect(mine.getShift(shift.id)!.assignees).toContain(from));
    const swapId = mine.offerSwap(shift.id, from, worker.user.id);
    const theirs = await openRoster(volunteer);
    await waitFor(() => expect(theirs.getSwap(swapId)?.status).toBe('offered'));
    theirs.takeSwap(swapId, to, volunteer.user.id);

    await waitFor(() => expect(sup.getSwap(swapId)).toMatchObject({ status: 'approved' }), {
      timeout: 15_000,
    });
    expect(sup.getSwap(swapId)!.decidedBy).toBe('system');
    await waitFor(() => expect(mine.getShift(shift.id)!.assignees).toContain(to));
    expect(mine.getShift(shift.id)!.assignees).not.toContain(from);
  });
});
