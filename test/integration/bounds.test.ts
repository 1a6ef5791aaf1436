/**
 * Bad input ends the connection that sent it, and nothing else: malformed frames, text frames,
 * oversized frames and schema-breaking updates are refused with a close code, never reach other
 * clients or the store, and the server keeps serving.
 */
import * as encoding from 'lib0/encoding';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TaskBoard } from '@outpost/model';
import {
  Cleanup,
  MSG_AWARENESS,
  MSG_SYNC,
  OutpostServer,
  RawYjsClient,
  TASKS_DOC,
  principal,
  readBoard,
  syncedProvider,
  updateFrom,
  waitFor,
  writers,
  type Principal,
} from './helpers.ts';

const MAX_MESSAGE_BYTES = 65_536;
const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let leader: Principal;
let worker: Principal;
/** Yjs client ids of every refused update: none may ever show up in the document. */
const refusedWriters = new Set<number>();

beforeAll(async () => {
  server = servers.server(
    await OutpostServer.start({ env: { OUTPOST_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES) } }),
  );
  leader = await principal(server, 'leader');
  worker = await principal(server, 'worker');
});

afterEach(() => cleanup.run());
afterAll(() => servers.run());

/** A witness that stays connected, and a way to prove it is still in sync with the server. */
async function witness(): Promise<{ client: RawYjsClient; checkStillSyncing(): Promise<void> }> {
  const client = cleanup.client(
    await RawYjsClient.synced(server, TASKS_DOC, { token: worker.token }),
  );
  return {
    client,
    async checkStillSyncing() {
      // Another client writes; the witness receives it...
      const writer = await RawYjsClient.synced(server, TASKS_DOC, { token: leader.token });
      // Assigned to the witness's worker, who may then move it.
      const id = writer.board.create(
        { title: 'still syncing', assignees: [worker.user.id] },
        leader.user.id,
      );
      await waitFor(() => expect(client.board.get(id)?.title).toBe('still syncing'));
      // ...and the witness's own writes reach others.
      client.board.update(id, { status: 'done' }, worker.user.id);
      await waitFor(() => expect(writer.board.get(id)?.status).toBe('done'));
      await writer.close();
      expect(client.isOpen).toBe(true);
    },
  };
}

function raw(...bytes: number[]): Uint8Array {
  return Uint8Array.from(bytes);
}

/** A sync Update frame carrying `update`. */
function updateFrame(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MSG_SYNC);
  encoding.writeVarUint(encoder, 2);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

describe('malformed frames', () => {
  it('closes only the offending connection with 4400; the others keep syncing', async () => {
    const { client: other, checkStillSyncing } = await witness();
    const bad: [string, Uint8Array | string][] = [
      ['unknown sync message type', raw(MSG_SYNC, 9, 0xde, 0xad, 0xbe, 0xef)],
      ['unknown message type', raw(42, 1, 2, 3)],
      ['truncated sync message', raw(MSG_SYNC)],
      ['update whose length runs past the frame', raw(MSG_SYNC, 2, 0xff, 0xff, 0x03, 1, 2)],
      ['update that is not a Yjs update', raw(MSG_SYNC, 2, 5, 0xff, 0xff, 0xff, 0xff, 0xff)],
      ['awareness that is not JSON', raw(MSG_AWARENESS, 6, 1, 1, 1, 2, 0x7b, 0x7b)],
      ['text frame', '[0, 0, 0]'],
    ];
    for (const [what, data] of bad) {
      const client = cleanup.client(
        await RawYjsClient.synced(server, TASKS_DOC, { token: leader.token }),
      );
      client.send(data);
      const close = await client.closed;
      expect({ what, code: close.code }).toEqual({ what, code: 4400 });
    }
    expect(other.isOpen).toBe(true);
    await checkStillSyncing();
  });

  it('closes a frame larger than OUTPOST_MAX_MESSAGE_BYTES with 1009, and accepts one just below', async () => {
    const { checkStillSyncing } = await witness();
    const client = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, {
        token: leader.token,
        sendLocalUpdates: false,
      }),
    );
    // A legitimate update close to the limit (many tasks in one transaction) is accepted.
    let big: Uint8Array = new Uint8Array();
    let count = 0;
    for (let n = 10; n < 200; n += 10) {
      const candidate = updateFrom(client.doc, (doc) => {
        const board = new TaskBoard(doc);
        for (let i = 0; i < n; i++) {
          board.create({ title: `bulk ${i}`, description: 'x'.repeat(400) }, leader.user.id);
        }
      }).update;
      if (updateFrame(candidate).byteLength > MAX_MESSAGE_BYTES - 1024) break;
      big = candidate;
      count = n;
    }
    expect(updateFrame(big).byteLength).toBeGreaterThan(MAX_MESSAGE_BYTES / 2);
    client.sendUpdate(big);
    const reader = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: worker.token }),
    );
    await waitFor(() =>
      expect(reader.board.list().filter((t) => t.title.startsWith('bulk ')).length).toBe(count),
    );

    const oversized = new Uint8Array(MAX_MESSAGE_BYTES + 1);
    oversized.set([MSG_SYNC, 2]);
    client.send(oversized);
    expect((await client.closed).code).toBe(1009);
    await checkStillSyncing();
  });
});

describe('schema-breaking updates', () => {
  const cases: [string, (doc: Y.Doc, taskId: string) => void][] = [
    ['a task that is a plain string', (doc) => doc.getMap('tasks').set('evilTask1', 'not a map')],
    ['a root map the schema does not have', (doc) => doc.getMap('evil').set('payload', 1)],
    [
      "status 'nope' on an existing task",
      (doc, taskId) => (doc.getMap('tasks').get(taskId) as Y.Map<unknown>).set('status', 'nope'),
    ],
    [
      'a field tasks do not have',
      (doc, taskId) => (doc.getMap('tasks').get(taskId) as Y.Map<unknown>).set('hacked', true),
    ],
    [
      'a title that is shared text instead of a string',
      (doc, taskId) =>
        (doc.getMap('tasks').get(taskId) as Y.Map<unknown>).set('title', new Y.Text('rich')),
    ],
    [
      'a valid new task together with an invalid value in the same update',
      (doc) => {
        // The task alone would be allowed (signed by its writer); the bad value is not.
        new TaskBoard(doc).create({ title: 'smuggled' }, leader.user.id);
        doc.getMap('meta').set('name', 42);
      },
    ],
  ];

  it.each(cases)('refuses %s with 4400; nobody sees it', async (_what, change) => {
    const { client: other, checkStillSyncing } = await witness();
    const evil = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, {
        token: leader.token,
        sendLocalUpdates: false,
      }),
    );
    const taskId = evil.board.list()[0]!.id;
    const statusBefore = evil.board.get(taskId)!.status;
    const { update, clientID } = updateFrom(evil.doc, (doc) => change(doc, taskId));
    refusedWriters.add(clientID);
    evil.sendUpdate(update);
    expect((await evil.closed).code).toBe(4400);

    // Anything broadcast before this check would have reached the witness first.
    await checkStillSyncing();
    expect(writers(other.doc).has(clientID)).toBe(false);
    expect(other.doc.share.has('evil')).toBe(false);
    expect(other.board.get(taskId)?.status).toBe(statusBefore);
    expect(other.board.list().some((t) => t.title === 'smuggled')).toBe(false);
    // A late joiner does not get it either.
    const late = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: worker.token }),
    );
    expect(writers(late.doc).has(clientID)).toBe(false);
  });

  it('stored none of the refused updates, and serves normally after a restart', async () => {
    expect(refusedWriters.size).toBe(cases.length);
    await cleanup.run();
    expect(await server.stop()).toBe(0);
    await server.restart();
    const client = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: worker.token }),
    );
    for (const id of refusedWriters) expect(writers(client.doc).has(id)).toBe(false);
    expect(client.doc.share.has('evil')).toBe(false);
    const tasks = client.board.list();
    expect(tasks.some((t) => t.title === 'smuggled')).toBe(false);
    expect(tasks.every((t) => ['todo', 'in_progress', 'blocked', 'done'].includes(t.status))).toBe(
      true,
    );
    expect((client.doc.getMap('tasks').get(tasks[0]!.id) as Y.Map<unknown>).has('hacked')).toBe(
      false,
    );

    // Still serving: the official client syncs and writes.
    const p = cleanup.provider(await syncedProvider(server, TASKS_DOC, { token: leader.token }));
    const id = new TaskBoard(p.doc).create({ title: 'after the storm' }, leader.user.id);
    await waitFor(async () => {
      const board = await readBoard(server, worker.token);
      expect(board.find((t) => t.id === id)?.title).toBe('after the storm');
    });
  });
});
