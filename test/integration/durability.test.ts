/**
 * What the server says it has, it keeps: across a clean restart, across SIGKILL in the middle of
 * a burst of edits (nothing any client has received is lost), and after a durable ack.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_NOTICE, MESSAGE_SAVED, TaskBoard, type Task } from '@outpost/model';
import {
  Cleanup,
  MSG_SYNC,
  OutpostServer,
  RawYjsClient,
  SUPPLIES_DOC,
  TASKS_DOC,
  principal,
  readBoard,
  syncedProvider,
  waitFor,
  type Principal,
} from './helpers.ts';

const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let admin: Principal;
let leader: Principal;
let worker: Principal;

beforeAll(async () => {
  // Compact often, so the burst below is also killed around compactions.
  server = servers.server(await OutpostServer.start({ env: { OUTPOST_COMPACT_EVERY: '40' } }));
  admin = await principal(server, 'admin');
  leader = await principal(server, 'leader');
  worker = await principal(server, 'worker');
});

afterEach(() => cleanup.run());
afterAll(() => servers.run());

const byId = (tasks: Task[]) => new Map(tasks.map((t) => [t.id, t]));

describe('durability', () => {
  it('keeps everything clients wrote across SIGTERM and a restart on the same data', async () => {
    const a = cleanup.provider(await syncedProvider(server, TASKS_DOC, { token: leader.token }));
    // The command post's board belongs to no grid: only workspace-wide people open it.
    const b = cleanup.provider(await syncedProvider(server, SUPPLIES_DOC, { token: admin.token }));
    const bystander = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: leader.token }),
    );
    const tasksBoard = new TaskBoard(a.doc);
    const suppliesBoard = new TaskBoard(b.doc);
    const created: string[] = [];
    for (let i = 0; i < 20; i++) {
      created.push(tasksBoard.create({ title: `restart task ${i}` }, leader.user.id));
    }
    tasksBoard.update(created[0]!, { status: 'done', description: 'finished' }, leader.user.id);
    tasksBoard.addComment(created[1]!, 'on my way', leader.user.id);
    const supply = suppliesBoard.create(
      { title: 'restart supply', tags: ['water'] },
      admin.user.id,
    );
    suppliesBoard.setAssignees(supply, [leader.user.id], admin.user.id);

    // The server has it all once another client has received it.
    await waitFor(() => {
      for (const id of created) expect(bystander.board.get(id)).not.toBeNull();
      expect(bystander.board.get(created[1]!)?.comments).toHaveLength(1);
    });
    const expectedTasks = byId(bystander.board.list());
    await waitFor(async () => {
      const supplies = await readBoard(server, admin.token, SUPPLIES_DOC);
      expect(byId(supplies).get(supply)?.assignees).toEqual([leader.user.id]);
    });
    // No client may resend its state after the restart: only the server's copy counts.
    a.destroy();
    b.destroy();

    expect(await server.stop()).toBe(0);
    const close = await bystander.closed;
    expect(close.code).toBe(1001);

    await server.restart();
    const tasks = byId(await readBoard(server, worker.token));
    expect(tasks).toEqual(expectedTasks);
    expect(tasks.get(created[0]!)).toMatchObject({ status: 'done', description: 'finished' });
    expect(tasks.get(created[1]!)?.comments.map((c) => c.text)).toEqual(['on my way']);
    const supplies = byId(await readBoard(server, admin.token, SUPPLIES_DOC));
    expect(supplies.get(supply)).toMatchObject({
      title: 'restart supply',
      tags: ['water'],
      assignees: [leader.user.id],
    });
  });

  it('loses nothing any client had received when the server is SIGKILLed mid-burst', async () => {
    const TOTAL = 1500;
    // The writer edits the tasks it creates after creating them: that takes the right to edit.
    const writer = cleanup.provider(
      await syncedProvider(server, TASKS_DOC, { token: leader.token }),
    );
    const observer = cleanup.provider(
      await syncedProvider(server, TASKS_DOC, { token: worker.token }),
    );
    const writerBoard = new TaskBoard(writer.doc);
    const observerBoard = new TaskBoard(observer.doc);
    const burstTasks = () => observerBoard.list().filter((t) => t.title.startsWith('burst '));

    let stop = false;
    let written = 0;
    const burst = (async () => {
      for (let i = 0; i < TOTAL && !stop; i++) {
        const id = writerBoard.create({ title: `burst ${i}`, tags: [`n${i}`] }, leader.user.id);
        if (i % 3 === 0) writerBoard.update(id, { status: 'in_progress' }, leader.user.id);
        written++;
        // Yield now and then, so frames go out while the burst goes on.
        if (i % 5 === 4) await new Promise((resolve) => setImmediate(resolve));
      }
    })();

    await waitFor(() => expect(burstTasks().length).toBeGreaterThanOrEqual(200), {
      timeout: 30_000,
      interval: 2,
    });
    const killed = server.kill();
    // What the observer holds at the moment of the kill: everything it received from the server.
    const seen = burstTasks();
    stop = true;
    writer.destroy();
    observer.destroy();
    await killed;
    await burst;

    // It really was mid-burst: the server had not passed on every edit the writer made.
    expect(seen.length).toBeLessThan(TOTAL);
    expect(written).toBeLessThan(TOTAL);

    await server.restart();
    const after = byId(await readBoard(server, leader.token));
    const missing = seen.filter((t) => after.get(t.id)?.title !== t.title);
    expect(missing.map((t) => t.title)).toEqual([]);
    for (const task of seen) {
      const stored = after.get(task.id)!;
      expect(stored.tags).toEqual(task.tags);
      // The observer's copy may lag a later edit, never lead it.
      if (task.status === 'in_progress') expect(stored.status).toBe('in_progress');
    }
    // Every task that survived is whole (each one was written in one update).
    for (const task of after.values()) {
      if (task.title.startsWith('burst ')) expect(task.tags).toEqual([`n${task.title.slice(6)}`]);
    }
  });

  it('answers [100, seq] only after the updates before it are stored, and standard clients never see 100/101', async () => {
    const standard = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: worker.token }),
    );
    const outpost = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: leader.token }),
    );

    const first = outpost.board.create({ title: 'acked 0' }, leader.user.id);
    outpost.sendSaved(7);
    await waitFor(() => expect(outpost.savedAcks).toEqual([7]));

    const more: string[] = [];
    for (let i = 1; i <= 25; i++)
      more.push(outpost.board.create({ title: `acked ${i}` }, leader.user.id));
    outpost.sendSaved(8);
    standard.board.create({ title: 'standard edit' }, worker.user.id);
    await waitFor(() => expect(outpost.savedAcks).toEqual([7, 8]));

    // Acked means durable: kill at once, without a clean shutdown.
    await server.kill();
    await server.restart();
    const tasks = byId(await readBoard(server, worker.token));
    for (const id of [first, ...more]) expect(tasks.has(id)).toBe(true);

    // The standard client (never sent 100) got only y-websocket messages, even when refused.
    const types = new Set(standard.frames.map((f) => f.type));
    expect(types.has(MESSAGE_SAVED)).toBe(false);
    expect(types.has(MESSAGE_NOTICE)).toBe(false);

    // After the restart: a standard client closed for a bad frame gets no notice...
    const standard2 = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: worker.token }),
    );
    standard2.send(Uint8Array.from([MSG_SYNC, 9, 1, 2, 3]));
    expect((await standard2.closed).code).toBe(4400);
    expect(
      standard2.frames.some((f) => f.type === MESSAGE_SAVED || f.type === MESSAGE_NOTICE),
    ).toBe(false);
    // ...while an Outpost client (it sent 100) is told why before the close.
    const outpost2 = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: leader.token }),
    );
    outpost2.sendSaved(1);
    await waitFor(() => expect(outpost2.savedAcks).toEqual([1]));
    outpost2.send(Uint8Array.from([MSG_SYNC, 9, 1, 2, 3]));
    expect((await outpost2.closed).code).toBe(4400);
    expect(outpost2.frames.some((f) => f.type === MESSAGE_NOTICE)).toBe(true);
  });
});
