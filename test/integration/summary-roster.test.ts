/**
 * Checkpoints in the summary: pins coloured by live staffing from each grid's roster, counters
 * of staffed and uncovered posts and people on duty, alarms and closures in the event feed,
 * coverage in the daily report, all within the watcher's grids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Roster, type DailyReport, type SummaryDelta, type SummarySnapshot } from '@outpost/model';
import {
  Cleanup,
  OutpostServer,
  RawYjsClient,
  api,
  notificationClient,
  principal,
  waitFor,
  within,
  type Principal,
} from './helpers.ts';

const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let leader: Principal;
let worker2: Principal;

async function watch(who: Principal) {
  const { socket } = cleanup.socket(
    await notificationClient(server, { token: who.token, via: 'header' }),
  );
  const deltas: SummaryDelta[] = [];
  socket.on('summary:delta', (delta) => deltas.push(delta));
  const answer = await within(socket.emitWithAck('summary:watch'), 15_000, 'summary snapshot');
  if ('error' in answer) throw new Error(answer.error);
  return { snapshot: answer as SummarySnapshot, deltas };
}

beforeAll(async () => {
  server = servers.server(await OutpostServer.start());
  [leader, worker2] = await Promise.all([
    principal(server, 'leader'),
    principal(server, 'worker2'),
  ]);
});
afterAll(async () => {
  await cleanup.run();
  await servers.run();
});

describe('checkpoints in the summary', () => {
  it('shows every placed checkpoint with its staffing, within scope', async () => {
    const phone = cleanup.client(
      await RawYjsClient.synced(server, 'roster:demo:g1', { token: leader.token }),
    );
    const roster = new Roster(phone.doc);
    const placed = roster.listCheckpoints().filter((c) => c.location);
    expect(placed.length).toBeGreaterThan(1);

    const lead = await watch(leader);
    const g1 = lead.snapshot.checkpoints.filter((c) => c.grid === 'g1');
    expect(g1.map((c) => c.id).sort()).toEqual(placed.map((c) => c.id).sort());
    const closed = placed.find((c) => c.status !== 'open');
    if (closed) expect(g1.find((c) => c.id === closed.id)!.state).toBe('closed');
    const row = lead.snapshot.grids.find((g) => g.grid === 'g1')!;
    expect(row.staffed + row.uncovered).toBe(
      g1.filter((c) => c.state === 'staffed' || c.state === 'gap').length,
    );
    expect(row.staffed).toBe(g1.filter((c) => c.state === 'staffed').length);

    const other = await watch(worker2);
    expect(other.snapshot.checkpoints.length).toBeGreaterThan(0);
    expect(other.snapshot.checkpoints.every((c) => c.grid === 'g2')).toBe(true);
  });

  it('reports closing a checkpoint live, to its grid only', async () => {
    const lead = await watch(leader);
    const other = await watch(worker2);
    const phone = cleanup.client(
      await RawYjsClient.synced(server, 'roster:demo:g1', { token: leader.token }),
    );
    const roster = new Roster(phone.doc);
    const open = roster.listCheckpoints().find((c) => c.status === 'open' && c.location)!;
    roster.updateCheckpoint(open.id, { status: 'closed' }, leader.user.id);
    const key = `cp:g1/${open.id}`;
    await waitFor(() => {
      const pin = lead.deltas.flatMap((d) => d.checkpoints).find((c) => c.key === key);
      expect(pin?.state).toBe('closed');
    });
    await waitFor(() =>
      expect(lead.deltas.flatMap((d) => d.events)).toContainEqual(
        expect.objectContaining({ kind: 'checkpoint_closed', title: open.name, grid: 'g1' }),
      ),
    );
    expect(JSON.stringify(other.deltas)).not.toContain(open.id);
  });

  it('puts coverage in the daily report', async () => {
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const res = await api<{ report: DailyReport }>(server, `/api/report?day=${today}`, {
      token: leader.token,
    });
    expect(res.status).toBe(200);
    const grids = res.body.report.coverage.map((c) => c.grid);
    expect(grids).toEqual(expect.arrayContaining(['g1', 'g2']));
    for (const c of res.body.report.coverage) {
      expect(c.staffedHours).toBeGreaterThanOrEqual(0);
      expect(c.requiredHours).toBeGreaterThanOrEqual(0);
    }
    expect(res.body.report.coverage.some((c) => c.requiredHours > 0)).toBe(true);
  });

  it('lists the day’s uncovered-post alarms among the report’s events', async () => {
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    // The demo's North gates start their shift with nobody checked in: the alarm service
    // raises them on its first look.
    const alarms = await waitFor(
      async () => {
        const res = await api<{ report: DailyReport }>(server, `/api/report?day=${today}`, {
          token: leader.token,
        });
        const raised = res.body.report.events.filter((e) => e.kind === 'alarm_raised');
        expect([...new Set(raised.map((e) => e.grid))].sort()).toEqual(['g1', 'g2']);
        return raised;
      },
      { timeout: 40_000, interval: 500 },
    );
    expect(alarms.every((e) => e.title.length > 0 && e.boardId === undefined)).toBe(true);
  });
});

describe('one person on two grids at once', () => {
  it('tells each grid its people who are booked at the same time in another grid', async () => {
    const supervisor = await principal(server, 'supervisor');
    const worker = await principal(server, 'worker');
    const start = Date.now() + 2 * 3_600_000;
    const book = async (grid: string, staff: { name: string; phone: string }) => {
      const client = cleanup.client(
        await RawYjsClient.synced(server, `roster:demo:${grid}`, { token: leader.token }),
      );
      const roster = new Roster(client.doc);
      const checkpoint = roster.listCheckpoints().find((c) => c.status === 'open')!;
      const staffId = roster.addStaff({ ...staff, userId: null });
      const shiftId = roster.addShift({
        checkpoint: checkpoint.id,
        name: 'Borrowed',
        start,
        end: start + 8 * 3_600_000,
        required: 1,
      });
      roster.assign(shiftId, staffId);
      return { staffId, shiftId, checkpoint: checkpoint.name };
    };
    // The same phone number written two ways: one person on two gates.
    const g1 = await book('g1', { name: '王五', phone: '139 0000 1234' });
    const g2 = await book('g2', { name: '王五 (借调)', phone: '+86 13900001234' });

    const asked = async (who: Principal, grid: string) =>
      api<{ bookings: { shift: string; staff: string; other: Record<string, unknown> }[] }>(
        server,
        `/api/rosters/${grid}/elsewhere`,
        { token: who.token },
      );
    await waitFor(async () => {
      const res = await asked(supervisor, 'g1');
      expect(res.status).toBe(200);
      expect(res.body.bookings).toContainEqual({
        shift: g1.shiftId,
        staff: g1.staffId,
        other: {
          grid: 'g2',
          gridName: expect.any(String),
          shift: g2.shiftId,
          checkpoint: g2.checkpoint,
          start,
          end: start + 8 * 3_600_000,
        },
      });
    });
    const fromG2 = await asked(worker2, 'g2');
    expect(fromG2.body.bookings.map((b) => b.shift)).toContain(g2.shiftId);
    // Scope holds: a grid-1 worker may not ask about grid 2.
    expect((await asked(worker, 'g2')).status).toBe(403);
    expect((await asked(worker, 'bad id!')).status).toBe(400);
  });
});
