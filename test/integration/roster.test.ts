/**
 * Rosters through real sockets: a real server, the official y-websocket client for people who
 * may write, and the raw client to show what the server refuses (who may open which grid's
 * roster, who may assign, check in, offer and approve).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Roster, rosterDocName, type Shift } from '@outpost/model';
import {
  Cleanup,
  OutpostServer,
  RawYjsClient,
  heldEntries,
  principal,
  syncedProvider,
  updateFrom,
  upgradeStatus,
  waitFor,
  type Principal,
} from './helpers.ts';

const G1 = rosterDocName('demo', 'g1');
const G2 = rosterDocName('demo', 'g2');

const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let supervisor: Principal;
let worker: Principal;
let worker2: Principal;
let volunteer: Principal;
let viewer: Principal;

beforeAll(async () => {
  server = servers.server(await OutpostServer.start());
  supervisor = await principal(server, 'supervisor');
  worker = await principal(server, 'worker');
  worker2 = await principal(server, 'worker2');
  volunteer = await principal(server, 'volunteer');
  viewer = await principal(server, 'viewer');
});
afterEach(() => cleanup.run());
afterAll(() => servers.run());

async function open(who: Principal, doc = G1): Promise<Roster> {
  const p = cleanup.provider(await syncedProvider(server, doc, { token: who.token }));
  return new Roster(p.doc);
}

/** Sends a change as `who` through a raw socket; resolves with the close code (null: kept). */
async function attempt(who: Principal, change: (roster: Roster) => void): Promise<number | null> {
  const client = cleanup.client(await RawYjsClient.synced(server, G1, { token: who.token }));
  const { update } = updateFrom(client.doc, (doc) => change(new Roster(doc)));
  client.sendUpdate(update);
  // A refused update closes the socket; an accepted one is acknowledged as saved.
  client.sendSaved(1);
  return waitFor(() => {
    if (client.closeInfo) return client.closeInfo.code;
    if (client.savedAcks.includes(1)) return null;
    throw new Error('no answer yet');
  });
}

const staffOf = (roster: Roster, who: Principal) => roster.staffOfUser(who.user.id)[0]!.id;
const future = (roster: Roster): Shift =>
  roster.listShifts().find((s) => s.start > Date.now() + 86_400_000 && s.required > 0)!;

describe('who opens which roster', () => {
  it('opens a grid roster only within the person’s grids', async () => {
    expect(await upgradeStatus(server, G2, { token: worker.token })).toBe(403);
    expect(
      await upgradeStatus(server, rosterDocName('demo', 'nope'), { token: supervisor.token }),
    ).toBe(404);
    const mine = await open(worker);
    expect(mine.listCheckpoints().map((c) => c.name)).toContain('东湖花园 北门');
    const seen = await open(viewer, G2);
    expect(seen.listCheckpoints().length).toBeGreaterThan(0);
  });
});

describe('live roster', () => {
  it('shows a supervisor’s assignment to a worker at once', async () => {
    const sup = await open(supervisor);
    const mine = await open(worker);
    const shift = future(sup);
    const me = staffOf(sup, worker);
    sup.assign(shift.id, me);
    await waitFor(() => expect(mine.getShift(shift.id)!.assignees).toContain(me));
  });

  it('lets a worker check in to their own shift, and refuses it for someone else', async () => {
    const sup = await open(supervisor);
    const now = Date.now();
    const running = sup
      .listShifts()
      .find((s) => s.start <= now && now < s.end && s.checkpoint === 'g1-cp1')!;
    const me = staffOf(sup, worker);
    expect(running.assignees).toContain(me);
    expect(await attempt(worker, (r) => r.checkIn(running.id, me, worker.user.id))).toBeNull();
    await waitFor(() =>
      expect(sup.getShift(running.id)!.checkins.map((c) => c.staff)).toContain(me),
    );
    const other = running.assignees.find((s) => s !== me)!;
    expect(await attempt(worker, (r) => r.checkIn(running.id, other, worker.user.id))).toBe(4403);
    const held = await heldEntries(server, supervisor);
    expect(held.some((h) => h.document === G1 && /yourself/.test(h.reason))).toBe(true);
  });

  it('refuses assignments, checkpoints and staff from a worker, and a forged name', async () => {
    const sup = await open(supervisor);
    const shift = future(sup);
    const someone = sup.listStaff().find((s) => s.userId === null)!.id;
    expect(await attempt(worker, (r) => r.assign(shift.id, someone))).toBe(4403);
    expect(
      await attempt(worker, (r) => r.createCheckpoint({ name: 'X' }, 'g1', worker.user.id)),
    ).toBe(4403);
    expect(await attempt(worker, (r) => r.addStaff({ name: 'Ghost' }))).toBe(4403);
    expect(await attempt(viewer, (r) => r.acknowledge(shift.id, viewer.user.id))).toBe(4403);
    expect(
      await attempt(supervisor, (r) => r.createCheckpoint({ name: 'Y' }, 'g1', worker.user.id)),
    ).toBe(4403);
    // A checkpoint of another grid does not belong in this roster.
    expect(
      await attempt(supervisor, (r) => r.createCheckpoint({ name: 'Z' }, 'g2', supervisor.user.id)),
    ).toBe(4403);
    expect(sup.listCheckpoints().map((c) => c.name)).not.toContain('X');
  });

  it('refuses a malformed pattern (overlapping shifts) with 4400', async () => {
    const code = await attempt(supervisor, (r) => {
      const id = r.listCheckpoints()[0]!.id;
      r.checkpoints.get(id)!.set('pattern', [
        { id: 'a', name: 'A', start: '08:00', minutes: 600, required: 1 },
        { id: 'b', name: 'B', start: '12:00', minutes: 600, required: 1 },
      ]);
    });
    expect(code).toBe(4400);
  });

  it('lets a supervisor create a checkpoint and generate its shifts', async () => {
    const sup = await open(supervisor);
    const mine = await open(worker);
    const id = sup.createCheckpoint(
      {
        name: '东湖花园 临时卡点',
        kind: 'other',
        pattern: [{ id: 'd', name: 'Day', start: '08:00', minutes: 720, required: 1 }],
      },
      'g1',
      supervisor.user.id,
    );
    expect(sup.generate(id, '2026-03-02', '2026-03-08', 'Asia/Shanghai')).toBe(7);
    await waitFor(() =>
      expect(mine.listShifts().filter((s) => s.checkpoint === id)).toHaveLength(7),
    );
  });

  it('runs a swap: the worker offers, the volunteer takes, the supervisor approves', async () => {
    const sup = await open(supervisor);
    const shift = future(sup);
    const from = staffOf(sup, worker);
    const to = staffOf(sup, volunteer);
    sup.assign(shift.id, from);
    sup.unassign(shift.id, to);
    const w = await open(worker);
    await waitFor(() => expect(w.getShift(shift.id)!.assignees).toContain(from));
    const swapId = w.offerSwap(shift.id, from, worker.user.id);
    const v = await open(volunteer);
    await waitFor(() => expect(v.getSwap(swapId)?.status).toBe('offered'));
    // Nobody takes a shift in someone else's name, nor approves without the right.
    const someoneElse = sup.listStaff().find((s) => s.userId === null)!.id;
    expect(
      await attempt(volunteer, (r) => r.takeSwap(swapId, someoneElse, volunteer.user.id)),
    ).toBe(4403);
    v.takeSwap(swapId, to, volunteer.user.id);
    await waitFor(() => expect(sup.getSwap(swapId)?.status).toBe('taken'));
    expect(await attempt(worker, (r) => r.decideSwap(swapId, true, worker.user.id))).toBe(4403);
    sup.decideSwap(swapId, true, supervisor.user.id);
    await waitFor(() => expect(w.getShift(shift.id)!.assignees).toContain(to));
    expect(w.getShift(shift.id)!.assignees).not.toContain(from);
  });
});

describe('scope', () => {
  it('keeps worker2 out of grid 1 and in grid 2', async () => {
    expect(await upgradeStatus(server, G1, { token: worker2.token })).toBe(403);
    const r = await open(worker2, G2);
    expect(r.staffOfUser(worker2.user.id)).toHaveLength(1);
  });
});

describe('public duty table', () => {
  const TOKEN = 'Abcdefghijklmnopqrstuvwx';
  const get = (token: string) => fetch(`${server.url}/api/public/duty/${token}`);

  it('shows who is on duty without signing in, hides phones, and ends when withdrawn', async () => {
    expect(await attempt(worker, (r) => r.createDutyLink(null, TOKEN, worker.user.id))).toBe(4403);
    const sup = await open(supervisor);
    const id = sup.createDutyLink(null, TOKEN, supervisor.user.id);
    const response = await waitFor(async () => {
      const r = await get(`demo.g1.${TOKEN}`);
      expect(r.status).toBe(200);
      return r;
    });
    const body = (await response.json()) as {
      grid: string;
      checkpoints: { name: string; now: { people: { name: string; phone?: string }[] }[] }[];
    };
    expect(body.grid).toContain('第1网格');
    const names = body.checkpoints.map((c) => c.name);
    expect(names).toContain('东湖花园 北门');
    expect(names).not.toContain('东湖花园 南门'); // closed
    const people = body.checkpoints.flatMap((c) => c.now.flatMap((s) => s.people));
    expect(people.length).toBeGreaterThan(0);
    expect(people.every((p) => p.phone === undefined)).toBe(true);

    expect((await get(`demo.g1.${TOKEN.replace('A', 'B')}`)).status).toBe(404);
    expect((await get(`demo.g2.${TOKEN}`)).status).toBe(404);
    expect((await get('nonsense')).status).toBe(404);
    // A link is withdrawn, never deleted, and only by changing revokedAt.
    expect(
      await attempt(supervisor, (r) =>
        r.dutyLinks.set(id, { ...r.dutyLinks.get(id)!, token: 'Zzzzzzzzzzzzzzzzzzzzzzzz' }),
      ),
    ).toBe(4403);
    sup.revokeDutyLink(id);
    await waitFor(async () => expect((await get(`demo.g1.${TOKEN}`)).status).toBe(404));
  });

  it('limits requests per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 70; i++) statuses.push((await get(`demo.g1.x${i}`)).status);
    expect(statuses).toContain(429);
  });
});
