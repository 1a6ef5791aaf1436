/**
 * A client worker process. The bench sends it commands over IPC (`{id, command}`) and gets back
 * `{id, ok, result}` or `{id, ok: false, error}`. Connections live in named groups between
 * commands, so the bench can sample a server between "connect" and "run" and "close".
 * Every wait is bounded; the worker exits when the bench goes away.
 */
import * as Y from 'yjs';
import { WorkspaceDirectory, type TaskStatus } from '@outpost/model';
import { SYNC_UPDATE, docUrl, encodeSync } from '../lib/protocol.ts';
import { errorMessage, pollUntil, sleep, summarize, type Summary } from '../lib/stats.ts';
import { runBrowser, type BrowserArgs } from './browser.ts';
import { FullClient, LightClient } from './clients.ts';
import { ACTOR, backlogUpdate, nextStatus, seedBoard, singleTaskUpdate } from './seed.ts';

export interface Endpoint {
  wsBase: string;
  token: string;
}

export interface ConnectArgs extends Endpoint {
  group: string;
  /** One entry per connection: the document it opens. */
  docs: string[];
  concurrency: number;
  perConnectionTimeoutMs: number;
  totalTimeoutMs: number;
  /** The first connection of each document sends one task creation once synced. */
  seedFirstPerDoc?: boolean;
}

export interface ConnectResult {
  requested: number;
  connected: number;
  failed: number;
  wallMs: number;
  perConnection: Summary | null;
  /** Every connection's time to synced, ms. */
  times: number[];
  errors: string[];
}

export interface FanoutPrepareArgs extends Endpoint {
  group: string;
  doc: string;
  edits: number;
  timeoutMs: number;
}

export interface FanoutRunArgs {
  ratePerSec: number;
  drainTimeoutMs: number;
}

export interface FanoutResult {
  subscribers: number;
  edits: number;
  expected: number;
  received: number;
  lost: number;
  duplicates: number;
  latency: Summary | null;
  /** How late the writer sent its edits against the schedule (client overload shows here). */
  maxSendLagMs: number;
  sendMs: number;
  drainMs: number;
}

export interface ColdSeedArgs extends Endpoint {
  doc: string;
  tasks: number;
  lateEdits: number;
  timeoutMs: number;
}

export interface ColdSeedResult {
  /** Date.now() once the seeder's socket had closed. */
  closedAt: number;
  seedBytes: number;
  seedUpdates: number;
  buildMs: number;
  seedMs: number;
  idealDiffBytes: number;
}

export interface ColdJoinArgs extends Endpoint {
  doc: string;
  joins: number;
  timeoutMs: number;
}

export interface JoinSample {
  ms: number;
  bytes: number;
  step2Bytes: number;
  tasks: number;
}

export interface ColdJoinResult {
  joins: JoinSample[];
  returning: JoinSample & { idealDiffBytes: number; complete: boolean };
  expectedTasks: number;
}

export interface DurableArgs extends Endpoint {
  doc: string;
  edits: number;
  ratePerSec: number;
  timeoutMs: number;
}

export interface DurableResult {
  edits: number;
  acked: number;
  latency: Summary | null;
}

export type Command =
  | { cmd: 'ping' }
  | { cmd: 'connect'; args: ConnectArgs }
  | { cmd: 'close'; group: string }
  | { cmd: 'reset' }
  | { cmd: 'registerBoards'; args: RegisterBoardsArgs }
  | { cmd: 'fanoutPrepare'; args: FanoutPrepareArgs }
  | { cmd: 'fanoutRun'; args: FanoutRunArgs }
  | { cmd: 'coldSeed'; args: ColdSeedArgs }
  | { cmd: 'coldJoin'; args: ColdJoinArgs }
  | { cmd: 'ingest'; args: IngestArgs }
  | { cmd: 'durable'; args: DurableArgs }
  | { cmd: 'browser'; args: BrowserArgs };

export interface Request {
  id: number;
  command: Command;
}

export type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string }
  | { progress: string };

const groups = new Map<string, LightClient[]>();

function progress(text: string): void {
  process.send?.({ progress: text } satisfies Reply);
}

// ---------------------------------------------------------------------------------------------
// Boards must be listed in their workspace directory before Outpost opens them

export interface RegisterBoardsArgs extends Endpoint {
  workspace: string;
  boardIds: string[];
  timeoutMs: number;
}

async function registerBoards(args: RegisterBoardsArgs): Promise<{ ms: number }> {
  const t0 = performance.now();
  const client = await FullClient.connect(
    docUrl(args.wsBase, `workspace:${args.workspace}`, args.token),
    { timeoutMs: args.timeoutMs },
  );
  try {
    const directory = new WorkspaceDirectory(client.doc);
    for (let i = 0; i < args.boardIds.length; i += 500) {
      client.doc.transact(() => {
        for (const id of args.boardIds.slice(i, i + 500)) {
          if (!directory.boards.has(id))
            directory.setBoard({ id, name: `Bench ${id}`, grid: null });
        }
      });
    }
    await client.barrier(args.timeoutMs);
    return { ms: performance.now() - t0 };
  } finally {
    await client.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Connections

async function connect(args: ConnectArgs): Promise<ConnectResult> {
  const clients = groups.get(args.group) ?? [];
  groups.set(args.group, clients);
  const times: number[] = [];
  const errors = new Set<string>();
  const seeded = new Set<string>();
  const task = args.seedFirstPerDoc ? encodeSync(SYNC_UPDATE, singleTaskUpdate()) : null;
  let next = 0;
  let failed = 0;
  const started = performance.now();
  const deadline = started + args.totalTimeoutMs;
  const runner = async () => {
    while (next < args.docs.length && performance.now() < deadline) {
      const doc = args.docs[next++]!;
      const t0 = performance.now();
      try {
        const client = await LightClient.connect(
          docUrl(args.wsBase, doc, args.token),
          args.perConnectionTimeoutMs,
        );
        times.push(performance.now() - t0);
        clients.push(client);
        if (task && !seeded.has(doc)) {
          seeded.add(doc);
          client.send(task);
        }
      } catch (error) {
        failed++;
        if (errors.size < 5) errors.add(errorMessage(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, args.concurrency) }, runner));
  const notTried = args.docs.length - next;
  if (notTried > 0) errors.add(`${notTried} connections not tried: total time limit reached`);
  return {
    requested: args.docs.length,
    connected: times.length,
    failed: failed + notTried,
    wallMs: performance.now() - started,
    perConnection: summarize(times),
    times: times.map((t) => Math.round(t * 100) / 100),
    errors: [...errors],
  };
}

async function closeGroup(group: string): Promise<{ closed: number; wallMs: number }> {
  const clients = groups.get(group) ?? [];
  groups.delete(group);
  const started = performance.now();
  // Bounded batches: closing 10,000 sockets at once floods the server with close frames.
  for (let i = 0; i < clients.length; i += 500) {
    await Promise.all(clients.slice(i, i + 500).map((c) => c.close(5_000)));
  }
  return { closed: clients.length, wallMs: performance.now() - started };
}

async function reset(): Promise<void> {
  for (const group of [...groups.keys()]) await closeGroup(group);
  if (fanout) {
    await fanout.writer.close();
    fanout = null;
  }
}

// ---------------------------------------------------------------------------------------------
// Fan-out: one writer, N subscribers (a connected group), receive times per edit counter

const MARK = Buffer.from('fo#');

/** The counter in a title `fo#<n>#` carried by an update frame, or -1. */
function readCounter(data: Buffer): number {
  const start = data.indexOf(MARK);
  if (start < 0) return -1;
  let n = 0;
  for (let j = start + MARK.length; j < data.length && j < start + 16; j++) {
    const c = data[j]!;
    if (c === 0x23) return n;
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + (c - 0x30);
  }
  return -1;
}

interface FanoutState {
  writer: FullClient;
  taskId: string;
  subscribers: LightClient[];
  edits: number;
  /** Receive time of counter k (1-based; 0 is the warm-up) by subscriber i at [i * (edits+1) + k]. */
  received: Float64Array;
  sentAt: Float64Array;
  count: number;
  duplicates: number;
  status: TaskStatus;
}

let fanout: FanoutState | null = null;

async function fanoutPrepare(args: FanoutPrepareArgs): Promise<{ warmupMs: number }> {
  if (fanout) await fanout.writer.close();
  fanout = null;
  const subscribers = groups.get(args.group) ?? [];
  if (subscribers.length === 0) throw new Error('no subscribers connected');
  const writer = await FullClient.connect(docUrl(args.wsBase, args.doc, args.token), {
    timeoutMs: args.timeoutMs,
  });
  const slots = args.edits + 1;
  const state: FanoutState = {
    writer,
    taskId: '',
    subscribers,
    edits: args.edits,
    received: new Float64Array(subscribers.length * slots).fill(NaN),
    sentAt: new Float64Array(slots).fill(NaN),
    count: 0,
    duplicates: 0,
    status: 'todo',
  };
  subscribers.forEach((client, i) => {
    client.onUpdate = (data, at) => {
      const k = readCounter(data);
      if (k < 0 || k > state.edits) return;
      const slot = i * slots + k;
      if (Number.isNaN(state.received[slot]!)) {
        state.received[slot] = at;
        if (k > 0) state.count++;
      } else state.duplicates++;
    };
  });
  fanout = state;
  const started = performance.now();
  state.sentAt[0] = started;
  state.taskId = writer.board.create({ title: 'fo#0#', status: 'todo' }, ACTOR);
  const ready = await pollUntil(
    () => subscribers.every((_, i) => !Number.isNaN(state.received[i * slots]!)),
    args.timeoutMs,
  );
  if (!ready) {
    const missing = subscribers.filter((_, i) => Number.isNaN(state.received[i * slots]!)).length;
    throw new Error(`${missing} of ${subscribers.length} subscribers never saw the task created`);
  }
  return { warmupMs: performance.now() - started };
}

async function fanoutRun(args: FanoutRunArgs): Promise<FanoutResult> {
  const state = fanout;
  if (!state) throw new Error('fanoutPrepare first');
  const interval = 1000 / args.ratePerSec;
  const slots = state.edits + 1;
  const started = performance.now();
  let maxLag = 0;
  for (let k = 1; k <= state.edits; k++) {
    const due = started + (k - 1) * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const now = performance.now();
    maxLag = Math.max(maxLag, now - due);
    state.status = nextStatus(state.status);
    state.sentAt[k] = now;
    state.writer.board.update(state.taskId, { status: state.status, title: `fo#${k}#` }, ACTOR);
  }
  const sendMs = performance.now() - started;
  const expected = state.subscribers.length * state.edits;
  const drainStart = performance.now();
  await pollUntil(() => state.count >= expected, args.drainTimeoutMs, 10);
  const drainMs = performance.now() - drainStart;
  const latencies: number[] = [];
  for (let i = 0; i < state.subscribers.length; i++) {
    for (let k = 1; k <= state.edits; k++) {
      const at = state.received[i * slots + k]!;
      if (!Number.isNaN(at)) latencies.push(at - state.sentAt[k]!);
    }
  }
  for (const client of state.subscribers) client.onUpdate = null;
  await state.writer.close();
  fanout = null;
  return {
    subscribers: state.subscribers.length,
    edits: state.edits,
    expected,
    received: state.count,
    lost: expected - state.count,
    duplicates: state.duplicates,
    latency: summarize(latencies),
    maxSendLagMs: maxLag,
    sendMs,
    drainMs,
  };
}

// ---------------------------------------------------------------------------------------------
// Cold join: seed a large board, then fresh and returning clients

interface ColdState {
  doc: string;
  /** The board as a returning client last saw it: everything but the last edits. */
  returning: Uint8Array;
  /** State vector of the complete board. */
  fullStateVector: Uint8Array;
  idealDiffBytes: number;
  tasks: number;
}

let cold: ColdState | null = null;

async function coldSeed(args: ColdSeedArgs): Promise<ColdSeedResult> {
  const seed = seedBoard(args.tasks);
  const started = performance.now();
  const seeder = await FullClient.connect(docUrl(args.wsBase, args.doc, args.token), {
    timeoutMs: args.timeoutMs,
  });
  try {
    for (const chunk of seed.chunks) Y.applyUpdate(seeder.doc, chunk);
    await seeder.barrier(args.timeoutMs);
    const seedMs = performance.now() - started;
    const returning = Y.encodeStateAsUpdate(seeder.doc);
    const returningVector = Y.encodeStateVector(seeder.doc);
    const ids = seed.ids;
    for (let i = 0; i < args.lateEdits; i++) {
      const id = ids[(i * 37) % ids.length]!;
      const current = seeder.board.get(id)?.status ?? 'todo';
      seeder.board.update(id, { status: nextStatus(current) }, ACTOR);
    }
    await seeder.barrier(args.timeoutMs);
    const idealDiffBytes = Y.encodeStateAsUpdate(seeder.doc, returningVector).byteLength;
    cold = {
      doc: args.doc,
      returning,
      fullStateVector: Y.encodeStateVector(seeder.doc),
      idealDiffBytes,
      tasks: args.tasks,
    };
    await seeder.close();
    return {
      closedAt: Date.now(),
      seedBytes: seed.update.byteLength,
      seedUpdates: seed.chunks.length,
      buildMs: seed.buildMs,
      seedMs,
      idealDiffBytes,
    };
  } finally {
    await seeder.close();
  }
}

async function join(url: string, doc: Y.Doc, timeoutMs: number): Promise<JoinSample> {
  const t0 = performance.now();
  const client = await FullClient.connect(url, { doc, timeoutMs });
  const ms = performance.now() - t0;
  const sample = {
    ms,
    bytes: client.bytesUntilSynced,
    step2Bytes: client.step2Bytes,
    tasks: client.board.tasks.size,
  };
  await client.close();
  return sample;
}

async function coldJoin(args: ColdJoinArgs): Promise<ColdJoinResult> {
  if (!cold || cold.doc !== args.doc) throw new Error('coldSeed first');
  const url = docUrl(args.wsBase, args.doc, args.token);
  const joins: JoinSample[] = [];
  for (let i = 0; i < args.joins; i++) joins.push(await join(url, new Y.Doc(), args.timeoutMs));
  const doc = new Y.Doc();
  Y.applyUpdate(doc, cold.returning);
  const t0 = performance.now();
  const client = await FullClient.connect(url, { doc, timeoutMs: args.timeoutMs });
  const ms = performance.now() - t0;
  const complete = Buffer.from(Y.encodeStateVector(doc)).equals(Buffer.from(cold.fullStateVector));
  const returning = {
    ms,
    bytes: client.bytesUntilSynced,
    step2Bytes: client.step2Bytes,
    tasks: client.board.tasks.size,
    idealDiffBytes: cold.idealDiffBytes,
    complete,
  };
  await client.close();
  return { joins, returning, expectedTasks: cold.tasks };
}

export interface IngestArgs extends Endpoint {
  doc: string;
  tasks: number;
  timeoutMs: number;
}

/** One large update (a client's offline backlog): time until the server has processed it. */
async function ingest(args: IngestArgs): Promise<{ bytes: number; ms: number }> {
  const seed = backlogUpdate(args.tasks);
  const client = await FullClient.connect(docUrl(args.wsBase, args.doc, args.token), {
    timeoutMs: args.timeoutMs,
  });
  try {
    const t0 = performance.now();
    Y.applyUpdate(client.doc, seed.update);
    await client.barrier(args.timeoutMs);
    return { bytes: seed.update.byteLength, ms: performance.now() - t0 };
  } finally {
    await client.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Durable write: edit, then [100, seq], until the [100, seq] answer

async function durable(args: DurableArgs): Promise<DurableResult> {
  const writer = await FullClient.connect(docUrl(args.wsBase, args.doc, args.token), {
    timeoutMs: args.timeoutMs,
  });
  try {
    const id = writer.board.create({ title: 'durable#0', status: 'todo' }, ACTOR);
    await writer.barrier(args.timeoutMs);
    const interval = 1000 / args.ratePerSec;
    const latencies: number[] = [];
    let status: TaskStatus = 'todo';
    const started = performance.now();
    for (let k = 1; k <= args.edits; k++) {
      const wait = started + (k - 1) * interval - performance.now();
      if (wait > 0) await sleep(wait);
      status = nextStatus(status);
      const t0 = performance.now();
      writer.board.update(id, { status, title: `durable#${k}` }, ACTOR);
      void writer.requestSaved(k).then((at) => latencies.push(at - t0));
    }
    await pollUntil(() => latencies.length >= args.edits, args.timeoutMs, 10);
    return { edits: args.edits, acked: latencies.length, latency: summarize(latencies) };
  } finally {
    await writer.close();
  }
}

// ---------------------------------------------------------------------------------------------

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case 'ping':
      return { pid: process.pid };
    case 'connect':
      return connect(command.args);
    case 'close':
      return closeGroup(command.group);
    case 'reset':
      return reset();
    case 'registerBoards':
      return registerBoards(command.args);
    case 'fanoutPrepare':
      return fanoutPrepare(command.args);
    case 'fanoutRun':
      return fanoutRun(command.args);
    case 'coldSeed':
      return coldSeed(command.args);
    case 'coldJoin':
      return coldJoin(command.args);
    case 'ingest':
      return ingest(command.args);
    case 'durable':
      return durable(command.args);
    case 'browser':
      return runBrowser(command.args, progress);
  }
}

process.on('message', (message: Request) => {
  handle(message.command).then(
    (result) =>
      process.send?.({ id: message.id, ok: true, result: result ?? null } satisfies Reply),
    (error: unknown) =>
      process.send?.({ id: message.id, ok: false, error: errorMessage(error) } satisfies Reply),
  );
});

// Without the bench there is nothing to do: leave (closing sockets with the process).
process.on('disconnect', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => {
  void reset().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 3_000).unref();
});
