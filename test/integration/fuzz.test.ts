/**
 * Bounded fuzzing of a running server: random and mutated y-websocket frames (bit flips,
 * truncations, random varUints, huge lengths, spliced frames) on the Yjs endpoint, and random
 * socket.io events, payloads and raw engine.io packets. Whatever arrives, the server stays up,
 * keeps serving normal clients, and holds no memory afterwards (its heap after a full GC); a
 * client that floods it with frames is cut off (4429).
 */
import * as encoding from 'lib0/encoding';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { TaskBoard, type Task } from '@outpost/model';
import {
  Cleanup,
  MSG_AWARENESS,
  MSG_SYNC,
  OutpostServer,
  RawYjsClient,
  TASKS_DOC,
  UpgradeRefused,
  WORKSPACE_DOC,
  api,
  awarenessFrame,
  frame,
  notificationClient,
  principal,
  heapAfterGc,
  updateFrom,
  waitFor,
  within,
  type Principal,
} from './helpers.ts';

/** Time the fuzzing may take (warm-up, then the measured run), and the most it sends. */
const WARM_UP_MS = 3_000;
const FUZZ_MS = 14_000;
const MAX_FRAMES = 30_000;
const MAX_EVENTS = 10_000;
const MAX_RAW_PACKETS = 5_000;
/** Heap the server may still hold after the fuzz, after a full GC (it should be about none). */
const MEMORY_BUDGET = 8 * 1024 * 1024;
/** Fixed, so a failure can be replayed; OUTPOST_FUZZ_SEED tries another sequence. */
const SEED = Number(process.env.OUTPOST_FUZZ_SEED ?? 0x0b5e55ed);

const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let leader: Principal;
let worker: Principal;

beforeAll(async () => {
  // An inspector, to force a full GC before reading the heap.
  server = servers.server(
    await OutpostServer.start({ env: { NODE_OPTIONS: '--inspect=127.0.0.1:0' } }),
  );
  leader = await principal(server, 'leader');
  worker = await principal(server, 'worker');
});

afterEach(() => cleanup.run());
afterAll(() => servers.run());

// ---------------------------------------------------------------------------------------------
// Randomness

type Rand = () => number;

/** mulberry32: a small seeded generator, uniform in [0, 1). */
function generator(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rand: Rand, min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
const pick = <T>(rand: Rand, list: readonly T[]): T => list[int(rand, 0, list.length - 1)]!;

function randomBytes(rand: Rand, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = int(rand, 0, 255);
  return bytes;
}

/** A varUint from the whole range: small, around byte boundaries, or near 2^53. */
function randomVarUint(rand: Rand): number {
  const choices = [
    int(rand, 0, 10),
    int(rand, 120, 140),
    int(rand, 0, 2 ** 16),
    2 ** 31 + int(rand, -2, 2),
    2 ** 32 + int(rand, -2, 2),
    Number.MAX_SAFE_INTEGER - int(rand, 0, 3),
  ];
  return pick(rand, choices);
}

function varUintBytes(value: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, value);
  return encoding.toUint8Array(encoder);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// y-websocket frames

/** Valid frames of every kind a client sends, to mutate. */
function corpus(doc: Y.Doc, userId: string): Uint8Array[] {
  const syncStep1 = (sv: Uint8Array) =>
    frame(MSG_SYNC, (e) => {
      encoding.writeVarUint(e, 0);
      encoding.writeVarUint8Array(e, sv);
    });
  const update = (type: 1 | 2, data: Uint8Array) =>
    frame(MSG_SYNC, (e) => {
      encoding.writeVarUint(e, type);
      encoding.writeVarUint8Array(e, data);
    });
  const taskId = new TaskBoard(doc).list()[0]!.id;
  const created = updateFrom(doc, (d) => new TaskBoard(d).create({ title: 'fuzz' }, userId));
  const edited = updateFrom(doc, (d) =>
    new TaskBoard(d).update(taskId, { description: 'fuzzed' }, userId),
  );
  return [
    syncStep1(Y.encodeStateVector(doc)),
    syncStep1(Y.encodeStateVector(new Y.Doc())),
    update(1, Y.encodeStateAsUpdate(new Y.Doc())),
    update(2, created.update),
    update(2, edited.update),
    update(1, edited.update),
    awarenessFrame([[123_456_789, 1, { user: { name: 'fuzz' }, cursor: 3 }]]),
    awarenessFrame([[7, 2, null]]),
    Uint8Array.from([3]),
    frame(100, (e) => encoding.writeVarUint(e, 5)),
  ];
}

/** A frame made from nothing, or a valid frame mutated in one of many ways. */
function fuzzFrame(rand: Rand, valid: readonly Uint8Array[]): Uint8Array | string {
  const roll = rand();
  if (roll < 0.08) return randomBytes(rand, int(rand, 0, 64));
  if (roll < 0.12) {
    return concat(
      ...Array.from({ length: int(rand, 1, 6) }, () => varUintBytes(randomVarUint(rand))),
    );
  }
  if (roll < 0.14) return String.fromCharCode(...randomBytes(rand, int(rand, 0, 16)));
  if (roll < 0.2) {
    // Huge lengths: a sync update, an awareness update, or an awareness state claiming far more
    // bytes (or states) than the frame has.
    const huge = randomVarUint(rand);
    return pick(rand, [
      concat(
        Uint8Array.from([MSG_SYNC, int(rand, 0, 2)]),
        varUintBytes(huge),
        randomBytes(rand, 8),
      ),
      concat(Uint8Array.from([MSG_AWARENESS]), varUintBytes(huge), randomBytes(rand, 8)),
      frame(MSG_AWARENESS, (e) =>
        encoding.writeVarUint8Array(
          e,
          concat(varUintBytes(huge), varUintBytes(1), varUintBytes(1), varUintBytes(huge)),
        ),
      ),
    ]);
  }
  const base = pick(rand, valid);
  switch (int(rand, 0, 5)) {
    case 0: {
      const flipped = base.slice();
      for (let i = int(rand, 1, 8); i > 0 && flipped.length; i--) {
        flipped[int(rand, 0, flipped.length - 1)]! ^= 1 << int(rand, 0, 7);
      }
      return flipped;
    }
    case 1:
      return base.slice(0, int(rand, 0, Math.max(0, base.length - 1)));
    case 2: {
      const at = int(rand, 0, base.length);
      return concat(base.slice(0, at), varUintBytes(randomVarUint(rand)), base.slice(at));
    }
    case 3:
      return concat(base, randomBytes(rand, int(rand, 1, 32)));
    case 4:
      return concat(base.slice(0, int(rand, 1, base.length)), pick(rand, valid));
    default:
      return base;
  }
}

interface Stats {
  frames: number;
  batches: number;
  refusedUpgrades: number;
  closes: Map<number, number>;
  events: number;
  rawPackets: number;
}

const newStats = (): Stats => ({
  frames: 0,
  batches: 0,
  refusedUpgrades: 0,
  closes: new Map(),
  events: 0,
  rawPackets: 0,
});

/**
 * One lane of Yjs fuzzing: a connection gets a batch of fuzzed frames and then a durable-ack
 * request, and is done once the server has answered it or closed the socket; then the next.
 */
async function yjsLane(rand: Rand, valid: readonly Uint8Array[], deadline: number, stats: Stats) {
  const documents = [TASKS_DOC, 'board:demo:g2', WORKSPACE_DOC];
  while (performance.now() < deadline && stats.frames < MAX_FRAMES) {
    let client: RawYjsClient;
    try {
      client = await RawYjsClient.connect(server, pick(rand, documents), {
        token: pick(rand, [leader, worker]).token,
        syncOnOpen: rand() < 0.5,
        sendLocalUpdates: false,
      });
    } catch (error) {
      if (!(error instanceof UpgradeRefused)) throw error;
      stats.refusedUpgrades++;
      continue;
    }
    const count = int(rand, 1, 16);
    for (let i = 0; i < count; i++) client.send(fuzzFrame(rand, valid));
    stats.frames += count;
    const seq = 1_000_000 + stats.batches++;
    client.sendSaved(seq);
    await waitFor(
      () => {
        if (!client.closeInfo && !client.savedAcks.includes(seq)) throw new Error('not answered');
      },
      { timeout: 10_000, interval: 5 },
    );
    const code = client.closeInfo?.code ?? 0;
    stats.closes.set(code, (stats.closes.get(code) ?? 0) + 1);
    await client.close();
  }
}

// ---------------------------------------------------------------------------------------------
// socket.io

function randomValue(rand: Rand, depth = 0): unknown {
  const kind = int(rand, 0, depth > 2 ? 4 : 7);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rand() < 0.5;
    case 2:
      return pick(rand, [randomVarUint(rand), -1, 0.5, Number.NaN, -0]);
    case 3:
      return String.fromCharCode(...randomBytes(rand, int(rand, 0, 40)));
    case 4:
      return Buffer.from(randomBytes(rand, int(rand, 0, 64)));
    case 5:
      return Array.from({ length: int(rand, 0, 5) }, () => randomValue(rand, depth + 1));
    case 6:
      return Object.fromEntries(
        Array.from({ length: int(rand, 0, 5) }, (_, i) => [
          pick(rand, ['__proto__', 'constructor', 'ping', `k${i}`]),
          randomValue(rand, depth + 1),
        ]),
      );
    default:
      // Bigger than the server's 64 KB message limit now and then.
      return 'x'.repeat(pick(rand, [10, 1000, 70_000]));
  }
}

/** One lane of socket.io fuzzing: random events and payloads, then a ping the server answers. */
async function socketIoLane(rand: Rand, deadline: number, stats: Stats) {
  while (performance.now() < deadline && stats.events < MAX_EVENTS) {
    const socket: Socket = io(server.url, {
      reconnection: false,
      forceNew: true,
      timeout: 10_000,
      transports: rand() < 0.5 ? ['websocket'] : ['polling', 'websocket'],
      extraHeaders: { Authorization: `Bearer ${pick(rand, [leader, worker]).token}` },
    });
    let disconnected = false;
    socket.on('disconnect', () => (disconnected = true));
    await within(
      new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      }),
      10_000,
      'socket.io connected',
    );
    const count = int(rand, 1, 20);
    for (let i = 0; i < count; i++) {
      const event = pick(rand, [
        'ping',
        'notification',
        'message',
        'error',
        String.fromCharCode(...randomBytes(rand, int(rand, 1, 12))),
      ]);
      const args = Array.from({ length: int(rand, 0, 3) }, () => randomValue(rand));
      if (rand() < 0.3) args.push(() => undefined);
      socket.emit(event, ...args);
    }
    stats.events += count;
    let answered = false;
    socket.emit('ping', () => (answered = true));
    await waitFor(
      () => {
        if (!answered && !disconnected) throw new Error('not answered');
      },
      { timeout: 10_000, interval: 5 },
    );
    socket.close();
  }
}

/** One lane of raw engine.io packets on the socket.io WebSocket transport. */
async function engineIoLane(rand: Rand, deadline: number, stats: Stats) {
  const packets = ['0', '1', '2', '3', '4', '5', '6', '40', '41', '42', '43', '44', '45', '46'];
  while (performance.now() < deadline && stats.rawPackets < MAX_RAW_PACKETS) {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`, {
      headers: { Authorization: `Bearer ${leader.token}` },
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
    });
    ws.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    const opened = await within(
      new Promise<boolean>((resolve) => {
        ws.once('open', () => resolve(true));
        ws.once('close', () => resolve(false));
      }),
      10_000,
      'engine.io socket opened',
    );
    if (opened) {
      const count = int(rand, 1, 20);
      for (let i = 0; i < count; i++) {
        const roll = rand();
        if (roll < 0.2) ws.send(randomBytes(rand, int(rand, 0, 64)));
        else if (roll < 0.5) ws.send(pick(rand, packets) + JSON.stringify(randomValue(rand)));
        else if (roll < 0.7)
          ws.send(`42${JSON.stringify([pick(rand, ['ping', 'x']), randomValue(rand)])}`);
        else
          ws.send(
            pick(rand, packets) + String.fromCharCode(...randomBytes(rand, int(rand, 0, 24))),
          );
      }
      stats.rawPackets += count;
      ws.close();
    }
    await within(closed, 10_000, 'engine.io socket closed');
  }
}

// ---------------------------------------------------------------------------------------------

/** A normal client still works: REST, a Yjs client that syncs and writes, socket.io. */
async function checkServing(): Promise<void> {
  expect((await api(server, '/healthz')).status).toBe(200);
  const client = cleanup.client(
    await RawYjsClient.synced(server, TASKS_DOC, { token: leader.token }),
  );
  const id = client.board.create({ title: 'after the fuzz' }, leader.user.id);
  await waitFor(async () => {
    const tasks = await api<{ tasks: Task[] }>(server, '/api/boards/g1/tasks', {
      token: worker.token,
    });
    expect(tasks.body.tasks.find((t) => t.id === id)?.title).toBe('after the fuzz');
  });
  expect(client.isOpen).toBe(true);
  const events = cleanup.socket(
    await notificationClient(server, { token: worker.token, via: 'query' }),
  );
  const pong = await within(
    new Promise<number>((resolve) => events.socket.emit('ping', resolve)),
    10_000,
    'socket.io ping answered',
  );
  expect(typeof pong).toBe('number');
}

describe('fuzzing', () => {
  it('stays up, keeps serving, and holds no memory after random and mutated input', async () => {
    const pid = server.pid!;
    // Every document the fuzz touches stays loaded throughout, so loading and unloading them
    // does not count as growth.
    const base = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: leader.token }),
    );
    for (const name of ['board:demo:g2', WORKSPACE_DOC]) {
      cleanup.client(await RawYjsClient.synced(server, name, { token: leader.token }));
    }
    const valid = corpus(base.doc, leader.user.id);
    const fuzz = async (seed: number, ms: number, stats: Stats) => {
      const deadline = performance.now() + ms;
      await Promise.all([
        yjsLane(generator(seed), valid, deadline, stats),
        yjsLane(generator(seed + 1), valid, deadline, stats),
        yjsLane(generator(seed + 2), valid, deadline, stats),
        socketIoLane(generator(seed + 3), deadline, stats),
        engineIoLane(generator(seed + 4), deadline, stats),
      ]);
    };
    // Warm-up: a short run of the same traffic, so that caches the server fills once (compiled
    // code, prepared statements, rate-limit entries) are full before the baseline.
    await fuzz(SEED + 100, WARM_UP_MS, newStats());
    await checkServing();
    const before = await heapAfterGc(server);

    const stats = newStats();
    await fuzz(SEED, FUZZ_MS, stats);

    // It really fuzzed: many frames, most connections ended by the server for bad input.
    expect(stats.frames).toBeGreaterThan(500);
    expect(stats.events).toBeGreaterThan(50);
    expect(stats.rawPackets).toBeGreaterThan(50);
    expect(stats.closes.get(4400) ?? 0).toBeGreaterThan(50);
    // Nothing but the documented close codes (0: the server answered and kept the socket open).
    for (const code of stats.closes.keys()) expect([0, 4400, 4403, 1009]).toContain(code);

    process.kill(pid, 0);
    await checkServing();
    // Memory held by the fuzz is released once its connections are gone (closing takes a
    // moment on the server's side).
    await cleanup.run();
    const measured: number[] = [];
    await waitFor(
      async () => {
        measured.push((await heapAfterGc(server)) - before);
        expect(measured.at(-1)).toBeLessThan(MEMORY_BUDGET);
      },
      { timeout: 15_000, interval: 500 },
    );
    console.log(
      `fuzz: heap held after a full GC, over before: ${measured.map((b) => (b / 1048576).toFixed(1)).join(', ')} MB`,
    );
  });

  it('closes a client that sends more than 1000 frames at once with 4429, and only that one', async () => {
    const bystander = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: worker.token }),
    );
    const flooder = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: leader.token }),
    );
    // Query-awareness frames: valid and cheap, so only their number is wrong.
    for (let i = 0; i < 1500; i++) flooder.send(Uint8Array.from([3]));
    const closed = await within(flooder.closed, 10_000, 'the flooding client closed');
    expect(closed.code).toBe(4429);
    expect(bystander.isOpen).toBe(true);
    await checkServing();
  });
});
