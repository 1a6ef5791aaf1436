/**
 * The holding queue, through the official y-websocket client: a read-only person's edit is
 * refused (4403) and applied nowhere, but kept; a supervisor or leader sees it, accepting it
 * applies it for everyone, rejecting it changes nothing, and a client that sends the same
 * change again does not fill the queue with copies.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import path from 'node:path';
import Database from 'better-sqlite3';
import { REFUSAL_KEPT, REFUSAL_NOT_KEPT, TaskBoard, type Task } from '@outpost/model';
import {
  Cleanup,
  OutpostServer,
  RawYjsClient,
  TASKS_DOC,
  api,
  heldEntries,
  principal,
  readBoard,
  syncedProvider,
  updateFrom,
  waitFor,
  writers,
  type HeldEntry,
  type Principal,
} from './helpers.ts';

const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let leader: Principal;
let supervisor: Principal;
let worker: Principal;
let viewer: Principal;

beforeAll(async () => {
  server = servers.server(await OutpostServer.start());
  [leader, supervisor, worker, viewer] = await Promise.all([
    principal(server, 'leader'),
    principal(server, 'supervisor'),
    principal(server, 'worker'),
    principal(server, 'viewer'),
  ]);
});

afterEach(() => cleanup.run());
afterAll(() => servers.run());

/** Records every terminal close the provider reports (y-websocket's `closed` event). */
function closes(p: WebsocketProvider): { code: number; reason: string }[] {
  const seen: { code: number; reason: string }[] = [];
  p.on('closed', (event) => seen.push(event));
  return seen;
}

/** A new task on the board, made by the leader: each test edits its own. */
async function fixture(title: string): Promise<Task> {
  const response = await api<{ task: Task }>(server, '/api/boards/g1/tasks', {
    token: leader.token,
    body: { title },
  });
  expect(response.status).toBe(201);
  return response.body.task;
}

/** Open held changes of the viewer that touch one task. */
async function openHeldFor(taskId: string, by: Principal = leader): Promise<HeldEntry[]> {
  return (await heldEntries(server, by)).filter(
    (h) =>
      h.userId === viewer.user.id &&
      h.document === TASKS_DOC &&
      h.decision === null &&
      h.summary.some((line) => line.startsWith(`task ${taskId}:`)),
  );
}

describe('a read-only edit over the official client', () => {
  it('is refused with 4403, applied nowhere, and listed for review', async () => {
    const leaderP = cleanup.provider(
      await syncedProvider(server, TASKS_DOC, { token: leader.token }),
    );
    const viewerP = cleanup.provider(
      await syncedProvider(server, TASKS_DOC, { token: viewer.token }),
    );
    const task = await fixture('refused edit');
    const closed = closes(viewerP);
    const viewerBoard = new TaskBoard(viewerP.doc);
    await waitFor(() => expect(viewerBoard.get(task.id)).toEqual(task));

    viewerBoard.update(task.id, { title: 'the viewer was here' }, viewer.user.id);
    await waitFor(() => expect(closed).toHaveLength(1));
    expect(closed[0]!.code).toBe(4403);
    expect(closed[0]!.reason).toMatch(/viewer.*title.*kept for a supervisor/);

    // Nothing reached the other client or the server's copy.
    expect(new TaskBoard(leaderP.doc).get(task.id)?.title).toBe(task.title);
    const fresh = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: worker.token }),
    );
    expect(fresh.board.get(task.id)?.title).toBe(task.title);
    expect(writers(fresh.doc).has(viewerP.doc.clientID)).toBe(false);

    // The change waits in the holding queue, for the supervisor of the grid and the leader.
    for (const reviewer of [supervisor, leader]) {
      const held = await openHeldFor(task.id, reviewer);
      expect(held).toHaveLength(1);
      expect(held[0]).toMatchObject({
        userId: viewer.user.id,
        document: TASKS_DOC,
        decision: null,
        summary: [`task ${task.id}: history, title, updatedAt, updatedBy`],
      });
      expect(held[0]!.reason).toMatch(/viewer/);
    }
    // Those who may not review cannot see the queue.
    for (const other of [viewer, worker]) {
      expect((await api(server, '/api/held', { token: other.token })).status).toBe(403);
    }
  });

  it('is applied for everyone once a leader accepts it', async () => {
    const leaderP = cleanup.provider(
      await syncedProvider(server, TASKS_DOC, { token: leader.token }),
    );
    const other = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: worker.token }),
    );
    const viewerP = cleanup.provider(
      await syncedProvider(server, TASKS_DOC, { token: viewer.token }),
    );
    const task = await fixture('accepted edit');
    const closed = closes(viewerP);
    await waitFor(() => expect(new TaskBoard(viewerP.doc).get(task.id)).toEqual(task));
    new TaskBoard(viewerP.doc).update(
      task.id,
      { description: 'seen from the road' },
      viewer.user.id,
    );
    await waitFor(() => expect(closed.map((c) => c.code)).toEqual([4403]));
    const [entry] = await openHeldFor(task.id);
    expect(entry).toBeDefined();

    // Someone who may not review cannot accept it.
    const refused = await api(server, `/api/held/${entry!.id}/accept`, {
      method: 'POST',
      token: worker.token,
      body: {},
    });
    expect(refused.status).toBe(403);

    const accepted = await api<{ held: HeldEntry }>(server, `/api/held/${entry!.id}/accept`, {
      method: 'POST',
      token: leader.token,
      body: {},
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.held).toMatchObject({
      id: entry!.id,
      decision: 'accepted',
      decidedBy: leader.user.id,
    });
    await waitFor(() =>
      expect(new TaskBoard(leaderP.doc).get(task.id)?.description).toBe('seen from the road'),
    );
    await waitFor(() => expect(other.board.get(task.id)?.description).toBe('seen from the road'));
    expect(writers(other.doc).has(viewerP.doc.clientID)).toBe(true);
    // Decided once: a second decision is refused, and the supervisor sees the decision.
    const again = await api(server, `/api/held/${entry!.id}/reject`, {
      method: 'POST',
      token: supervisor.token,
      body: {},
    });
    expect(again.status).toBe(409);
    const listed = (await heldEntries(server, supervisor)).find((h) => h.id === entry!.id);
    expect(listed).toMatchObject({ decision: 'accepted', decidedBy: leader.user.id });
  });

  it('leaves the document unchanged when rejected', async () => {
    const viewerP = cleanup.provider(
      await syncedProvider(server, TASKS_DOC, { token: viewer.token }),
    );
    const task = await fixture('rejected edit');
    const closed = closes(viewerP);
    await waitFor(() => expect(new TaskBoard(viewerP.doc).get(task.id)).toEqual(task));
    new TaskBoard(viewerP.doc).move(task.id, 'blocked', null, viewer.user.id);
    await waitFor(() => expect(closed.map((c) => c.code)).toEqual([4403]));
    const [entry] = await openHeldFor(task.id, supervisor);
    expect(entry).toBeDefined();

    const rejected = await api<{ held: HeldEntry }>(server, `/api/held/${entry!.id}/reject`, {
      method: 'POST',
      token: supervisor.token,
      body: {},
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body.held).toMatchObject({
      decision: 'rejected',
      decidedBy: supervisor.user.id,
    });
    const after = (await readBoard(server, leader.token)).find((t) => t.id === task.id);
    expect(after).toEqual(task);
    const accept = await api(server, `/api/held/${entry!.id}/accept`, {
      method: 'POST',
      token: leader.token,
      body: {},
    });
    expect(accept.status).toBe(409);
    expect((await readBoard(server, leader.token)).find((t) => t.id === task.id)).toEqual(task);
  });

  /** Sends `update` from the viewer on a new raw socket and waits for the refusal. */
  async function sendRefused(update: Uint8Array): Promise<void> {
    const client = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, {
        token: viewer.token,
        sendLocalUpdates: false,
      }),
    );
    client.sendUpdate(update);
    await waitFor(() => expect(client.closeInfo?.code).toBe(4403));
  }

  it('holds an edit of an existing task sent twice (on two sockets) only once', async () => {
    const task = await fixture('sent twice');
    const base = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: leader.token }),
    );
    // Overwriting a value deletes the old one, so the update carries a delete set (as every
    // update encoded from a document that has ever deleted anything does).
    const { update } = updateFrom(base.doc, (doc) =>
      new TaskBoard(doc).update(task.id, { priority: 'urgent' }, viewer.user.id),
    );
    await sendRefused(update);
    await waitFor(async () => expect(await openHeldFor(task.id)).toHaveLength(1));
    await sendRefused(update);
    expect(await openHeldFor(task.id)).toHaveLength(1);
  });

  it('holds the change of a reconnecting official client only once', async () => {
    const viewerP = cleanup.provider(
      await syncedProvider(server, TASKS_DOC, { token: viewer.token }),
    );
    const task = await fixture('resent on reconnect');
    const closed = closes(viewerP);
    await waitFor(() => expect(new TaskBoard(viewerP.doc).get(task.id)).toEqual(task));
    new TaskBoard(viewerP.doc).update(task.id, { kind: 'fix' }, viewer.user.id);
    await waitFor(() => expect(closed).toHaveLength(1));
    await waitFor(async () => expect(await openHeldFor(task.id)).toHaveLength(1));
    // Reconnecting, the provider sends what the server lacks (the held change) in its SyncStep2.
    viewerP.connect();
    await waitFor(() => expect(closed.map((c) => c.code)).toEqual([4403, 4403]));
    expect(await openHeldFor(task.id)).toHaveLength(1);
  });
});

describe('a refusal that promises the change is kept', () => {
  /** The viewer retitles `task` on a fresh connection; resolves to how the server closed it. */
  async function refusedRetitle(task: Task, title: string) {
    const client = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, {
        token: viewer.token,
        sendLocalUpdates: false,
      }),
    );
    const { update } = updateFrom(client.doc, (doc) =>
      new TaskBoard(doc).update(task.id, { title }, viewer.user.id),
    );
    client.sendUpdate(update);
    return client.closed;
  }

  it('is sent only once the change is stored, and says so when storing it failed', async () => {
    const task = await fixture('kept or not');
    const kept = await refusedRetitle(task, 'kept for review');
    expect(kept.code).toBe(4403);
    expect(kept.reason.endsWith(REFUSAL_KEPT)).toBe(true);
    // Already stored when the refusal arrived.
    expect(await openHeldFor(task.id)).toHaveLength(1);

    // The store refuses the next one (a real failure of the real database, as a full disk
    // would cause): the refusal must not promise that it was kept.
    const db = new Database(path.join(server.dataDir, 'outpost.db'));
    try {
      db.exec(`CREATE TRIGGER refuse_held BEFORE INSERT ON held_updates
               BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
      const lost = await refusedRetitle(task, 'cannot be kept');
      expect(lost.code).toBe(4403);
      expect(lost.reason.endsWith(REFUSAL_NOT_KEPT)).toBe(true);
      expect(await openHeldFor(task.id)).toHaveLength(1);
    } finally {
      db.exec('DROP TRIGGER IF EXISTS refuse_held');
      db.close();
    }
  });

  it('is not made when the person’s review queue is full; the hand-in says so too', async () => {
    const task = await fixture('a queue that fills');
    // At most 50 open changes per person and document, counting those the tests above left.
    const open = (await heldEntries(server, leader)).filter(
      (h) => h.userId === viewer.user.id && h.document === TASKS_DOC && h.decision === null,
    ).length;
    const room = 50 - open;
    const reasons: string[] = [];
    for (let i = 0; i <= room; i++)
      reasons.push((await refusedRetitle(task, `attempt ${i}`)).reason);
    expect(reasons.slice(0, room).every((r) => r.endsWith(REFUSAL_KEPT))).toBe(true);
    expect(reasons[room]!.endsWith(REFUSAL_NOT_KEPT)).toBe(true);

    // The client then hands the change in itself: refused with the reason, nothing said kept.
    const doc = (
      await RawYjsClient.synced(server, TASKS_DOC, { token: leader.token, sendLocalUpdates: false })
    ).doc;
    const { update } = updateFrom(doc, (d) =>
      new TaskBoard(d).update(task.id, { title: 'handed in' }, viewer.user.id),
    );
    const handIn = await api<{ error: string }>(server, '/api/held/hand-in', {
      token: viewer.token,
      body: { document: TASKS_DOC, update: Buffer.from(update).toString('base64') },
    });
    expect(handIn.status).toBe(409);
    expect(handIn.body.error).toMatch(/wait for review/);
  });
});
