/**
 * How the server treats documents: it answers a client's SyncStep1 with only what that client
 * lacks, and it lets a document leave memory once its last client is gone, reloading it intact.
 */
import * as decoding from 'lib0/decoding';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Task } from '@outpost/model';
import {
  Cleanup,
  OutpostServer,
  RawYjsClient,
  SUPPLIES_DOC,
  TASKS_DOC,
  api,
  principal,
  waitFor,
  type Principal,
} from './helpers.ts';

const UNLOAD_GRACE_MS = 100;
const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let admin: Principal;
let leader: Principal;
let worker: Principal;

beforeAll(async () => {
  server = servers.server(
    await OutpostServer.start({ env: { OUTPOST_UNLOAD_GRACE_MS: String(UNLOAD_GRACE_MS) } }),
  );
  admin = await principal(server, 'admin');
  leader = await principal(server, 'leader');
  worker = await principal(server, 'worker');
});

afterEach(() => cleanup.run());
afterAll(() => servers.run());

/** The update inside the first SyncStep2 the client received (the answer to its SyncStep1). */
function firstSyncStep2(client: RawYjsClient): Uint8Array {
  const frame = client.frames.find((f) => f.syncType === 1);
  if (!frame) throw new Error('no SyncStep2 received');
  const decoder = decoding.createDecoder(frame.data);
  decoding.readVarUint(decoder);
  decoding.readVarUint(decoder);
  return decoding.readVarUint8Array(decoder);
}

function copyOf(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy;
}

const sorted = (tasks: Task[]) => [...tasks].sort((a, b) => (a.id < b.id ? -1 : 1));

describe('state-vector sync', () => {
  it('answers SyncStep1 with only what the client lacks', async () => {
    const fresh = cleanup.client(
      await RawYjsClient.synced(server, SUPPLIES_DOC, { token: leader.token }),
    );
    const full = firstSyncStep2(fresh);
    expect(full).toEqual(Y.encodeStateAsUpdate(fresh.doc));
    const stale = copyOf(fresh.doc);
    const staleVector = Y.encodeStateVector(stale);

    // Someone else adds one task.
    const created = await api<{ task: Task }>(server, '/api/boards/command/tasks', {
      token: admin.token,
      body: { title: 'one new task', description: 'the only difference' },
    });
    expect(created.status).toBe(201);
    const taskId = created.body.task.id;
    await waitFor(() => expect(fresh.board.get(taskId)).not.toBeNull());

    // A client that has everything but that task gets only that task.
    const behind = cleanup.client(
      await RawYjsClient.synced(server, SUPPLIES_DOC, { token: leader.token, doc: stale }),
    );
    const diff = firstSyncStep2(behind);
    expect(diff.byteLength).toBeLessThan(full.byteLength / 4);
    expect(diff).toEqual(Y.encodeStateAsUpdate(fresh.doc, staleVector));
    expect(behind.board.get(taskId)?.title).toBe('one new task');
    expect(Y.encodeStateVector(behind.doc)).toEqual(Y.encodeStateVector(fresh.doc));

    // A client that is up to date gets an update with nothing in it.
    const current = cleanup.client(
      await RawYjsClient.synced(server, SUPPLIES_DOC, {
        token: leader.token,
        doc: copyOf(fresh.doc),
      }),
    );
    const nothing = firstSyncStep2(current);
    expect(Y.decodeUpdate(nothing).structs).toHaveLength(0);
    expect(nothing.byteLength).toBeLessThan(64);
  });
});

describe('unloading', () => {
  /** Creates a task over REST and returns the Yjs client id the server wrote it with. */
  async function restWriterId(title: string): Promise<number> {
    const watcher = await RawYjsClient.synced(server, TASKS_DOC, { token: leader.token });
    try {
      const response = await api<{ task: Task }>(server, '/api/boards/g1/tasks', {
        token: worker.token,
        body: { title },
      });
      expect(response.status).toBe(201);
      const id = response.body.task.id;
      const task = await waitFor(() => {
        const map = watcher.doc.getMap<Y.Map<unknown>>('tasks').get(id);
        expect(map).toBeDefined();
        return map!;
      });
      return task._item!.id.client;
    } finally {
      await watcher.close();
    }
  }

  it('unloads a document once its last client has left, and reloads it intact', async () => {
    // Edits from a client, then a server-side write while the client is still there.
    const client = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: leader.token }),
    );
    const board = client.board;
    const taskId = board.create({ title: 'survives unloading', tags: ['unload'] }, leader.user.id);
    board.addComment(taskId, 'first comment', leader.user.id);
    board.update(taskId, { status: 'blocked' }, leader.user.id);
    const first = await restWriterId('written while loaded');
    // While a client stays connected, well past the grace period, the same copy keeps serving.
    const started = Date.now();
    for (let i = 0; i < 100 && Date.now() - started < UNLOAD_GRACE_MS * 4; i++) {
      expect(await restWriterId(`still loaded ${i}`)).toBe(first);
    }
    const before = { state: Y.encodeStateVector(client.doc), tasks: sorted(board.list()) };
    await client.close();

    // Once nobody is connected, the next load is a new in-memory copy (a new Yjs client id for
    // the server's own writes). Each try lets the grace period pass with nobody connected.
    const reloaded = await waitFor(
      async () => {
        const id = await restWriterId('written after reload');
        expect(id).not.toBe(first);
        return id;
      },
      { timeout: 10_000, interval: UNLOAD_GRACE_MS * 3 },
    );
    expect(reloaded).not.toBe(first);

    // The reloaded copy holds everything the unloaded one had.
    const fresh = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: worker.token }),
    );
    const freshState = Y.decodeStateVector(Y.encodeStateVector(fresh.doc));
    for (const [clientId, clock] of Y.decodeStateVector(before.state)) {
      expect(freshState.get(clientId) ?? 0).toBeGreaterThanOrEqual(clock);
    }
    const ids = new Set(before.tasks.map((t) => t.id));
    expect(sorted(fresh.board.list().filter((t) => ids.has(t.id)))).toEqual(before.tasks);
    expect(fresh.board.get(taskId)).toMatchObject({
      title: 'survives unloading',
      status: 'blocked',
      tags: ['unload'],
    });
    expect(fresh.board.get(taskId)?.comments.map((c) => c.text)).toEqual(['first comment']);
  });
});
