/**
 * The server-side summary behind the map and the command view: one `summary:watch` answers
 * with the pins and per-grid counters in the person's scope (never a board they may not
 * open), later board edits arrive as scoped deltas without anyone opening the boards, and the
 * summary is rebuilt from storage after a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MapPin, SummaryDelta, SummarySnapshot, Task, DailyReport } from '@outpost/model';
import { dayRange } from '@outpost/model';
import {
  Cleanup,
  OutpostServer,
  RawYjsClient,
  TASKS_DOC,
  api,
  notificationClient,
  principal,
  waitFor,
  within,
  type OutpostSocket,
  type Principal,
} from './helpers.ts';

const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let leader: Principal;
let worker: Principal;
let worker2: Principal;
let supervisor: Principal;
let viewer: Principal;

interface Watcher {
  socket: OutpostSocket;
  snapshot: SummarySnapshot;
  deltas: SummaryDelta[];
}

async function watch(who: Principal): Promise<Watcher> {
  const { socket } = cleanup.socket(
    await notificationClient(server, { token: who.token, via: 'header' }),
  );
  const deltas: SummaryDelta[] = [];
  socket.on('summary:delta', (delta) => deltas.push(delta));
  const answer = await within(socket.emitWithAck('summary:watch'), 15_000, 'summary snapshot');
  if ('error' in answer) throw new Error(answer.error);
  return { socket, snapshot: answer, deltas };
}

async function tasksOf(boardId: string): Promise<Task[]> {
  const res = await api<{ tasks: Task[] }>(server, `/api/boards/${boardId}/tasks`, {
    token: leader.token,
  });
  expect(res.status).toBe(200);
  return res.body.tasks;
}

beforeAll(async () => {
  server = servers.server(await OutpostServer.start());
  [leader, worker, worker2, supervisor, viewer] = await Promise.all([
    principal(server, 'leader'),
    principal(server, 'worker'),
    principal(server, 'worker2'),
    principal(server, 'supervisor'),
    principal(server, 'viewer'),
  ]);
});
afterAll(async () => {
  await cleanup.run();
  await servers.run();
});

describe('summary snapshot', () => {
  it('gives a leader every located task and a worker only their grid', async () => {
    const located = async (boardId: string) =>
      (await tasksOf(boardId)).filter((t) => t.location && !t.archived).map((t) => t.id);
    const byBoard = new Map<string, string[]>();
    for (const board of ['g1', 'g2', 'g3', 'g4', 'command'])
      byBoard.set(board, await located(board));

    const lead = await watch(leader);
    const keys = (pins: MapPin[]) => pins.map((p) => p.key).sort();
    const all = [...byBoard].flatMap(([board, ids]) => ids.map((id) => `${board}/${id}`)).sort();
    expect(all.length).toBeGreaterThan(4);
    expect(keys(lead.snapshot.pins)).toEqual(all);
    expect(lead.snapshot.grids.map((g) => g.grid).sort()).toEqual(
      expect.arrayContaining(['g1', 'g2', 'g3', 'g4']),
    );

    const mine = await watch(worker);
    expect(keys(mine.snapshot.pins)).toEqual(
      byBoard
        .get('g1')!
        .map((id) => `g1/${id}`)
        .sort(),
    );
    expect(mine.snapshot.grids.map((g) => g.grid)).toEqual(['g1']);

    const counts = lead.snapshot.grids.find((g) => g.grid === 'g1')!;
    const g1 = (await tasksOf('g1')).filter((t) => !t.archived);
    expect(counts.open).toBe(g1.filter((t) => t.status !== 'done').length);
    expect(counts.overdue).toBe(
      g1.filter((t) => t.status !== 'done' && t.due !== null && t.due < lead.snapshot.at).length,
    );
    expect(counts.blocked).toBe(g1.filter((t) => t.status === 'blocked').length);
  });
});

describe('live deltas', () => {
  it('tells watchers in scope when a worker finishes a task, and nobody else', async () => {
    const lead = await watch(leader);
    const mine = await watch(worker);
    const other = await watch(worker2);
    const task = (await tasksOf('g1')).find(
      (t) =>
        t.location && t.status !== 'done' && !t.archived && t.assignees.includes(worker.user.id),
    );
    expect(task, 'the demo has a located g1 task for the worker').toBeDefined();
    const before = lead.snapshot.grids.find((g) => g.grid === 'g1')!;

    // The worker's phone: a plain Yjs client on the g1 board.
    const phone = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: worker.token }),
    );
    phone.board.move(task!.id, 'done', null, worker.user.id);

    const key = `g1/${task!.id}`;
    for (const w of [lead, mine]) {
      await waitFor(() => {
        const pin = w.deltas.flatMap((d) => d.pins).find((p) => p.key === key);
        expect(pin?.status).toBe('done');
      });
      const events = w.deltas.flatMap((d) => d.events);
      expect(events).toContainEqual(
        expect.objectContaining({ kind: 'task_done', taskId: task!.id, by: worker.user.id }),
      );
    }
    const after = lead.deltas.flatMap((d) => d.grids).findLast((g) => g.grid === 'g1')!;
    expect(after.open).toBe(before.open - 1);
    expect(after.doneToday).toBe(before.doneToday + 1);
    // Sequence numbers only grow.
    const seqs = lead.deltas.map((d) => d.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs[0]).toBeGreaterThan(lead.snapshot.seq);
    // Worker 2 works in g2 only: nothing about g1 reached them.
    expect(JSON.stringify(other.deltas)).not.toContain(task!.id);

    // Archiving removes the pin.
    const archived = await api(server, `/api/boards/g1/tasks/${task!.id}`, {
      method: 'PATCH',
      token: leader.token,
      body: { archived: true },
    });
    expect(archived.status).toBe(200);
    await waitFor(() => expect(lead.deltas.flatMap((d) => d.removed)).toContain(key));
  });

  it('moves a pin when its location is set through the API', async () => {
    const lead = await watch(leader);
    const task = (await tasksOf('g2')).find((t) => !t.archived)!;
    const res = await api(server, `/api/boards/g2/tasks/${task.id}`, {
      method: 'PATCH',
      token: leader.token,
      body: { location: { lat: 30.56, lng: 114.37 } },
    });
    expect(res.status).toBe(200);
    await waitFor(() => {
      const pin = lead.deltas.flatMap((d) => d.pins).find((p) => p.key === `g2/${task.id}`);
      expect(pin).toMatchObject({ lat: 30.56, lng: 114.37 });
    });
  });
});

describe('daily report', () => {
  const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

  it('counts exactly what the boards hold, for people with reports', async () => {
    const res = await api<{ report: DailyReport; today: string }>(
      server,
      `/api/report?day=${today()}`,
      { token: leader.token },
    );
    expect(res.status).toBe(200);
    expect(res.body.today).toBe(today());
    const { start, end } = dayRange(today(), 'Asia/Shanghai');
    let created = 0;
    for (const board of ['g1', 'g2', 'g3', 'g4', 'command']) {
      const tasks = await (
        await api<{ tasks: Task[] }>(server, `/api/boards/${board}/tasks?archived=1`, {
          token: leader.token,
        })
      ).body.tasks;
      created += tasks.filter((t) => t.createdAt >= start && t.createdAt < end).length;
    }
    expect(res.body.report.totals.created).toBe(created);
    expect(res.body.report.totals.done).toBeGreaterThanOrEqual(1);
    // Without a day: today's, as the workspace's zone counts it (what the report page opens).
    const plain = await api<{ report: DailyReport; today: string }>(server, '/api/report', {
      token: leader.token,
    });
    expect(plain.status).toBe(200);
    expect(plain.body.report.day).toBe(today());
    expect(plain.body.report.totals).toEqual(res.body.report.totals);
  });

  it('refuses people without reports, grids outside scope and bad days', async () => {
    const forWorker = await api(server, `/api/report?day=${today()}`, { token: worker.token });
    expect(forWorker.status).toBe(403);
    const outside = await api(server, `/api/report?day=${today()}&grids=g3`, {
      token: supervisor.token,
    });
    expect(outside.status).toBe(403);
    const mine = await api<{ report: DailyReport }>(server, `/api/report?day=${today()}`, {
      token: supervisor.token,
    });
    expect(mine.status).toBe(200);
    expect(mine.body.report.grids).toEqual(['g1', 'g2']);
    for (const bad of ['2026-02-30', 'yesterday', '']) {
      const res = await api<{ error: string }>(server, `/api/report?day=${bad}`, {
        token: viewer.token,
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/day/);
    }
    const anon = await api(server, `/api/report?day=${today()}`);
    expect(anon.status).toBe(401);
  });
});

describe('after a restart', () => {
  it('rebuilds the same summary from storage', async () => {
    const before = (await watch(leader)).snapshot;
    await cleanup.run();
    await server.stop();
    await server.restart();
    leader = await principal(server, 'leader');
    const after = (await watch(leader)).snapshot;
    expect(after.pins.map((p) => p.key).sort()).toEqual(before.pins.map((p) => p.key).sort());
    expect(after.grids).toEqual(before.grids);
  });
});
