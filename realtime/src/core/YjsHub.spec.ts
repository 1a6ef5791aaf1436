import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CLOSE, TaskBoard, parseDocName } from '@outpost/model';
import { createLogger } from '../logger.ts';
import { MESSAGE_SYNC } from './protocol.ts';
import type { AuthContext, Extension, SocketLike } from './types.ts';
import { YjsHub } from './YjsHub.ts';

const NAME = 'board:w1:b1';
const REF = parseDocName(NAME)!;
const USER: AuthContext = {
  userId: 'u1',
  username: 'alice',
  displayName: 'Alice',
  role: 'worker',
  grids: null,
  workspaceId: 'w1',
  documentGrid: null,
  via: 'session',
  credential: 's:test',
};

/** An in-memory client: a Y.Doc that speaks the y-websocket sync protocol to the hub. */
class MemoryClient implements SocketLike {
  readonly doc = new Y.Doc();
  readonly received: Uint8Array[] = [];
  closed: { code: number; reason: string } | null = null;
  bufferedAmount = 0;
  connection!: ReturnType<YjsHub['connect']>;

  constructor(hub: YjsHub) {
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== this) this.sendToServer((e) => syncProtocol.writeUpdate(e, update));
    });
    this.connection = hub.connect(this, NAME, REF, USER);
  }

  send(data: Uint8Array): void {
    this.received.push(data);
    const decoder = decoding.createDecoder(data);
    if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return;
    const reply = encoding.createEncoder();
    encoding.writeVarUint(reply, MESSAGE_SYNC);
    syncProtocol.readSyncMessage(decoder, reply, this.doc, this);
    // Replies travel asynchronously, as over a network.
    if (encoding.length(reply) > 1)
      queueMicrotask(() => this.connection.receive(encoding.toUint8Array(reply)));
  }

  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }

  sendToServer(write: (encoder: encoding.Encoder) => void): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    write(encoder);
    this.connection.receive(encoding.toUint8Array(encoder));
  }

  syncStep1(): void {
    this.sendToServer((e) => syncProtocol.writeSyncStep1(e, this.doc));
  }

  leave(): void {
    this.connection.close(CLOSE.goingAway, 'bye');
  }
}

/** A store in memory, with hooks to delay loads and count calls. */
class MemoryStore implements Extension {
  readonly name = 'memory-store';
  readonly updates = new Map<string, Uint8Array[]>();
  loads = 0;
  stores: string[] = [];
  gate: Promise<void> = Promise.resolve();
  failNextAppend = false;
  /** Connections that had already received the update when it was stored. */
  seenBeforeStore: number[] = [];
  clients: MemoryClient[] = [];

  async onLoadDocument({ documentName, doc }: { documentName: string; doc: Y.Doc }) {
    this.loads++;
    await this.gate;
    for (const u of this.updates.get(documentName) ?? [])
      Y.applyUpdate(doc, u, { kind: 'storage' });
  }
  onChange({ documentName, update }: { documentName: string; update: Uint8Array }) {
    if (this.failNextAppend) {
      this.failNextAppend = false;
      throw new Error('disk full');
    }
    this.seenBeforeStore.push(
      this.clients.filter(
        (c) => Y.encodeStateAsUpdate(c.doc).length > 2 && hasUpdate(c.doc, update),
      ).length,
    );
    const list = this.updates.get(documentName) ?? [];
    list.push(update);
    this.updates.set(documentName, list);
  }
  onStoreDocument({ reason }: { reason: string }) {
    this.stores.push(reason);
  }
}

function hasUpdate(doc: Y.Doc, update: Uint8Array): boolean {
  const probe = new Y.Doc();
  Y.applyUpdate(probe, Y.encodeStateAsUpdate(doc));
  const before = Y.encodeStateVector(probe);
  Y.applyUpdate(probe, update);
  return Buffer.from(before).equals(Buffer.from(Y.encodeStateVector(probe)));
}

const hubs: YjsHub[] = [];
function makeHub(store: MemoryStore, unloadGraceMs = 1000): YjsHub {
  const hub = new YjsHub({
    extensions: [store],
    maxMessageBytes: 1 << 20,
    maxDocumentBytes: 1 << 20,
    unloadGraceMs,
    logger: createLogger('silent'),
  });
  hubs.push(hub);
  return hub;
}

async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

describe('YjsHub', () => {
  it('loads a document once however many clients join at once, and serves none before it is loaded', async () => {
    const store = new MemoryStore();
    const seed = new TaskBoard(new Y.Doc());
    seed.create({ title: 'stored task' }, 'u0');
    store.updates.set(NAME, [Y.encodeStateAsUpdate(seed.doc)]);
    let open!: () => void;
    store.gate = new Promise((r) => (open = r));
    const hub = makeHub(store);
    const clients = Array.from({ length: 5 }, () => new MemoryClient(hub));
    for (const c of clients) c.syncStep1();
    await new Promise((r) => setTimeout(r, 20));
    expect(clients.every((c) => c.received.length === 0)).toBe(true);
    open();
    await until(() => clients.every((c) => new TaskBoard(c.doc).list().length === 1));
    expect(store.loads).toBe(1);
  });

  it('answers SyncStep1 with only what the client lacks', async () => {
    const store = new MemoryStore();
    const seed = new TaskBoard(new Y.Doc());
    for (let i = 0; i < 50; i++) seed.create({ title: `task ${i}` }, 'u0');
    store.updates.set(NAME, [Y.encodeStateAsUpdate(seed.doc)]);
    const hub = makeHub(store);
    const fresh = new MemoryClient(hub);
    fresh.syncStep1();
    await until(() => new TaskBoard(fresh.doc).list().length === 50);
    const fullReply = Math.max(...fresh.received.map((m) => m.length));

    const returning = new MemoryClient(hub);
    Y.applyUpdate(returning.doc, Y.encodeStateAsUpdate(seed.doc), returning);
    returning.received.length = 0;
    returning.syncStep1();
    await until(() => returning.received.length >= 1);
    const largest = Math.max(...returning.received.map((m) => m.length));
    expect(largest).toBeLessThan(fullReply / 20);
  });

  it('stores each update before any other client receives it, and does not echo it to the sender', async () => {
    const store = new MemoryStore();
    const hub = makeHub(store);
    const a = new MemoryClient(hub);
    const b = new MemoryClient(hub);
    store.clients = [b];
    a.syncStep1();
    b.syncStep1();
    await until(() => a.received.length > 0 && b.received.length > 0);
    const sentToA = a.received.length;
    new TaskBoard(a.doc).create({ title: 'from a' }, 'u1');
    await until(() => new TaskBoard(b.doc).list().length === 1);
    expect(store.seenBeforeStore).toEqual([0]);
    expect(a.received.length).toBe(sentToA);
  });

  it('leaves memory after the grace period once the last client is gone, storing first', async () => {
    const store = new MemoryStore();
    const hub = makeHub(store, 30);
    const a = new MemoryClient(hub);
    a.syncStep1();
    await until(() => a.received.length > 0);
    new TaskBoard(a.doc).create({ title: 'kept' }, 'u1');
    a.leave();
    expect(hub.isLoaded(NAME)).toBe(true);
    await until(() => !hub.isLoaded(NAME));
    expect(store.stores).toEqual(['unload']);
    const b = new MemoryClient(hub);
    b.syncStep1();
    await until(() => new TaskBoard(b.doc).list().length === 1);
    expect(store.loads).toBe(2);
  });

  it('greets each client with the state vector of the document as it is when it joins', async () => {
    const store = new MemoryStore();
    const hub = makeHub(store);
    const stateVectorOf = (message: Uint8Array) => {
      const decoder = decoding.createDecoder(message);
      expect(decoding.readVarUint(decoder)).toBe(MESSAGE_SYNC);
      expect(decoding.readVarUint(decoder)).toBe(syncProtocol.messageYjsSyncStep1);
      return Y.decodeStateVector(decoding.readVarUint8Array(decoder));
    };
    const a = new MemoryClient(hub);
    a.syncStep1();
    await until(() => a.received.length > 0);
    const b = new MemoryClient(hub);
    await until(() => b.received.length > 0);
    expect(stateVectorOf(b.received[0]!).size).toBe(0);
    new TaskBoard(a.doc).create({ title: 'after the first greetings' }, 'u1');
    await until(() => new TaskBoard(b.doc).list().length === 1);
    const c = new MemoryClient(hub);
    await until(() => c.received.length > 0);
    expect(stateVectorOf(c.received[0]!).get(a.doc.clientID)).toBeGreaterThan(0);
  });

  it('closes only the connection that sent a malformed frame', async () => {
    const store = new MemoryStore();
    const hub = makeHub(store);
    const bad = new MemoryClient(hub);
    const good = new MemoryClient(hub);
    good.syncStep1();
    await until(() => good.received.length > 0);
    bad.connection.receive(new Uint8Array([0, 2, 200, 1, 2]));
    expect(bad.closed?.code).toBe(CLOSE.invalidMessage);
    bad.connection.receive(new Uint8Array([42]));
    expect(good.closed).toBeNull();
    const other = new MemoryClient(hub);
    other.syncStep1();
    new TaskBoard(good.doc).create({ title: 'still served' }, 'u1');
    await until(() => new TaskBoard(other.doc).list().length === 1);
  });

  it('never broadcasts an update it could not store', async () => {
    const store = new MemoryStore();
    const hub = makeHub(store);
    const a = new MemoryClient(hub);
    const b = new MemoryClient(hub);
    a.syncStep1();
    b.syncStep1();
    await until(() => a.received.length > 0 && b.received.length > 0);
    store.failNextAppend = true;
    new TaskBoard(a.doc).create({ title: 'lost disk' }, 'u1');
    await until(() => a.closed !== null && b.closed !== null);
    expect(a.closed?.code).toBe(CLOSE.serverError);
    expect(new TaskBoard(b.doc).list()).toHaveLength(0);
  });

  it('with a slow store, sends an update to nobody (not even in a SyncStep2) until it is durable', async () => {
    const store = new MemoryStore();
    const pending: (() => void)[] = [];
    const slow: Extension = {
      name: 'slow-store',
      onChange: () => new Promise<void>((resolve) => pending.push(resolve)),
    };
    const hub = new YjsHub({
      extensions: [store, slow],
      maxMessageBytes: 1 << 20,
      maxDocumentBytes: 1 << 20,
      unloadGraceMs: 1000,
      logger: createLogger('silent'),
    });
    hubs.push(hub);
    const a = new MemoryClient(hub);
    const b = new MemoryClient(hub);
    a.syncStep1();
    b.syncStep1();
    await until(() => a.received.length > 0 && b.received.length > 0);
    new TaskBoard(a.doc).create({ title: 'slow write' }, 'u1');
    await until(() => pending.length === 1);
    const late = new MemoryClient(hub);
    late.syncStep1();
    let saved = false;
    void a.connection.room.flushed().then(() => (saved = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(new TaskBoard(b.doc).list()).toHaveLength(0);
    expect(new TaskBoard(late.doc).list()).toHaveLength(0);
    expect(saved).toBe(false);
    pending[0]!();
    await until(
      () => new TaskBoard(b.doc).list().length === 1 && new TaskBoard(late.doc).list().length === 1,
    );
    await until(() => saved);
  });
});
