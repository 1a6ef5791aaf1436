/**
 * Shared fixtures of the integration suite: a real Outpost server as a child process, HTTP
 * helpers (login, tokens, JSON requests), a raw Yjs WebSocket client built on the y-protocols
 * encoders, the official y-websocket client, and `waitFor`, the only way these tests wait.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import {
  MESSAGE_SAVED,
  TaskBoard,
  type ClientToServerEvents,
  type Notification,
  type Role,
  type ServerToClientEvents,
  type Task,
} from '@outpost/model';
import { collectGarbage, inspectorUrl } from '../../bench/src/lib/inspector.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

export const DEMO_USERS = [
  'admin',
  'leader',
  'supervisor',
  'worker',
  'worker2',
  'volunteer',
  'viewer',
] as const;
export type DemoUser = (typeof DEMO_USERS)[number];
export const TASKS_DOC = 'board:demo:g1';
export const SUPPLIES_DOC = 'board:demo:command';
export const WORKSPACE_DOC = 'workspace:demo';

/** y-websocket message types. */
export const MSG_SYNC = 0;
export const MSG_AWARENESS = 1;

// ---------------------------------------------------------------------------------------------
// Waiting

export interface WaitOptions {
  /** Give up after this long (ms). Default 10 s. */
  timeout?: number;
  /** Pause between attempts (ms). Default 20 ms. */
  interval?: number;
}

/**
 * Runs `assertion` until it stops throwing, and returns its result. Bounded in time (and so in
 * attempts): on timeout, rethrows the assertion's last error so the failure says what was wrong.
 */
export async function waitFor<T>(
  assertion: () => T | Promise<T>,
  { timeout = 10_000, interval = 20 }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  const maxAttempts = Math.ceil(timeout / Math.max(interval, 1)) + 1;
  let lastError: unknown = new Error('waitFor: no attempt ran');
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    try {
      return await assertion();
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  if (lastError instanceof Error) {
    lastError.message = `waitFor timed out after ${timeout} ms: ${lastError.message}`;
  }
  throw lastError;
}

/**
 * Resolves with `promise`, or fails after `timeout` ms saying what did not happen: a bound on
 * waiting for an event, never a pause.
 */
export async function within<T>(promise: Promise<T>, timeout: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${timeout} ms`)), timeout);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Server processes

export interface ServerOptions {
  /** Extra environment (e.g. OUTPOST_MAX_MESSAGE_BYTES). */
  env?: Record<string, string>;
  /** Demo password (nodes of one cluster share theirs); random by default. */
  password?: string;
  /** How long the start may take (ms); default 30 s. Cluster nodes starting together take longer. */
  startTimeoutMs?: number;
}

const running = new Set<ChildProcess>();

// Last line of defence: a test runner that dies must not leave servers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A real Outpost server (`node --import tsx realtime/src/main.ts`) on 127.0.0.1. */
export class OutpostServer {
  port = 0;
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);
  /** Everything the process wrote on stderr (JSON log lines), for failure messages. */
  stderr = '';
  /** The inspector's WebSocket address, when started with `--inspect` (in NODE_OPTIONS). */
  inspector: string | null = null;

  private constructor(
    readonly dataDir: string,
    private readonly env: Record<string, string>,
    readonly password = `pw-${crypto.randomBytes(9).toString('base64url')}`,
    private readonly startTimeoutMs = START_TIMEOUT_MS,
  ) {}

  /** Starts a server on a fresh data directory and a free port, seeded with the demo workspace. */
  static async start(options: ServerOptions = {}): Promise<OutpostServer> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-it-'));
    const server = new OutpostServer(
      dataDir,
      options.env ?? {},
      options.password,
      options.startTimeoutMs,
    );
    await server.spawn();
    return server;
  }

  get url(): string {
    return `http://${HOST}:${this.port}`;
  }

  /** Process id of the running server (for /proc readings), or null when it is not running. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get wsUrl(): string {
    return `ws://${HOST}:${this.port}/yjs`;
  }

  /** Starts the process again on the same data directory and the same port. */
  async restart(): Promise<void> {
    if (this.child) throw new Error('server is still running');
    await this.spawn();
  }

  /** SIGTERM, then SIGKILL if the process has not exited in time. Resolves with the exit code. */
  async stop(): Promise<number | null> {
    const child = this.child;
    if (!child) return null;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
    });
    const result = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      child.kill('SIGKILL');
      await this.exited;
      throw new Error(`server did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM`);
    }
    return result;
  }

  /**
   * Sends SIGKILL now (synchronously, so a caller can kill "mid-burst"); the returned promise
   * resolves once the process is gone.
   */
  kill(): Promise<unknown> {
    const child = this.child;
    if (!child) return Promise.resolve();
    child.kill('SIGKILL');
    return this.exited;
  }

  /** Pauses (SIGSTOP) or continues (SIGCONT) the process: a node that stops answering. */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    this.child?.kill(signal);
  }

  /** Stops the process (SIGKILL if it does not stop) and removes the data directory. */
  async dispose(): Promise<void> {
    try {
      if (this.child) await this.stop();
    } catch {
      await this.kill();
    }
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  private spawn(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'realtime/src/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? os.tmpdir(),
        NODE_ENV: 'test',
        PORT: String(this.port),
        HOST,
        DATA_DIR: this.dataDir,
        OUTPOST_DEMO: '1',
        OUTPOST_DEMO_PASSWORD: this.password,
        LOG_LEVEL: 'warn',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    running.add(child);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        running.delete(child);
        if (this.child === child) this.child = null;
        resolve(code);
      });
    });
    child.stderr!.setEncoding('utf8');
    this.inspector = null;
    child.stderr!.on('data', (chunk: string) => {
      this.inspector ??= inspectorUrl(chunk);
      // Bounded: keep the tail only.
      this.stderr = (this.stderr + chunk).slice(-20_000);
    });
    return new Promise<void>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`server did not start within ${this.startTimeoutMs} ms\n${this.stderr}`));
      }, this.startTimeoutMs);
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (chunk: string) => {
        stdout = (stdout + chunk).slice(-10_000);
        const match = /Outpost is running at http:\/\/[^:\s]+:(\d+)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          const port = Number(match[1]);
          if (this.port !== 0 && port !== this.port) {
            reject(new Error(`restarted on port ${port}, expected ${this.port}`));
          }
          this.port = port;
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`server exited during start (${code ?? signal})\n${this.stderr}`));
      });
    });
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Raw body sent as-is (with `contentType`). */
  rawBody?: string;
  contentType?: string;
  token?: string;
  cookie?: string;
  headers?: Record<string, string>;
}

/** A JSON request to the server; the body is parsed when the response is JSON. */
export async function api<T = Record<string, unknown>>(
  server: Pick<OutpostServer, 'url'>,
  pathname: string,
  options: RequestOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.rawBody !== undefined) {
    body = options.rawBody;
    headers['content-type'] = options.contentType ?? 'application/json';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  const response = await fetch(`${server.url}${pathname}`, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  const parsed: unknown = (response.headers.get('content-type') ?? '').includes('application/json')
    ? JSON.parse(text)
    : text;
  return { status: response.status, body: parsed as T, headers: response.headers };
}

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  workspaceId: string;
  role: Role;
  /** Grid ids the person works in; null means every grid. */
  grids: string[] | null;
}

/** Logs a demo user in; returns the `Cookie` header value of the session and the user. */
export function login(
  server: OutpostServer,
  username: DemoUser,
): Promise<{ cookie: string; user: SessionUser }> {
  return loginWith(server, username, server.password);
}

/** Logs any account in with its password; same answer as `login`. */
export async function loginWith(
  server: OutpostServer,
  username: string,
  password: string,
): Promise<{ cookie: string; user: SessionUser }> {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await response.json()) as { user: SessionUser };
  if (response.status !== 200) {
    throw new Error(`login ${username}: ${response.status} ${JSON.stringify(body)}`);
  }
  const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('outpost_session='));
  if (!setCookie) throw new Error('login set no outpost_session cookie');
  return { cookie: setCookie.split(';')[0]!, user: body.user };
}

/** Creates an API token with a session cookie. */
export async function createToken(
  server: OutpostServer,
  cookie: string,
  name = 'integration',
): Promise<{ id: string; token: string }> {
  const response = await api<{ id: string; token: string }>(server, '/api/tokens', {
    cookie,
    body: { name },
  });
  if (response.status !== 201) {
    throw new Error(`POST /api/tokens: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body;
}

export interface Principal {
  user: SessionUser;
  cookie: string;
  token: string;
  tokenId: string;
}

/** Logs in and creates a token: everything a test needs to act as that user. */
export async function principal(server: OutpostServer, username: DemoUser): Promise<Principal> {
  const { cookie, user } = await login(server, username);
  const { id, token } = await createToken(server, cookie, `it-${username}`);
  return { user, cookie, token, tokenId: id };
}

// ---------------------------------------------------------------------------------------------
// Accounts, the holding queue and the audit trail

/** A new account made for one test: invited by an administrator, joined, signed in. */
export interface Account extends Principal {
  password: string;
}

export interface NewAccount {
  username: string;
  role: Role;
  grids: string[] | null;
  displayName?: string;
}

/** An administrator invites a person; the person joins with a password and signs in. */
export async function createAccount(
  server: OutpostServer,
  admin: Principal,
  input: NewAccount,
): Promise<Account> {
  const created = await api<{ user: { id: string }; invite: { token: string } }>(
    server,
    '/api/users',
    { token: admin.token, body: { displayName: input.username, ...input } },
  );
  if (created.status !== 201) {
    throw new Error(`POST /api/users: ${created.status} ${JSON.stringify(created.body)}`);
  }
  const password = `pw-${crypto.randomBytes(9).toString('base64url')}`;
  const joined = await api(server, `/api/invites/${created.body.invite.token}`, {
    body: { password },
  });
  if (joined.status !== 200) {
    throw new Error(`POST /api/invites: ${joined.status} ${JSON.stringify(joined.body)}`);
  }
  const { cookie, user } = await loginWith(server, input.username, password);
  const { id, token } = await createToken(server, cookie, `it-${input.username}`);
  return { user, cookie, token, tokenId: id, password };
}

/** `PATCH /api/users/:id` as `by`. */
export function patchUser(
  server: OutpostServer,
  by: Principal,
  userId: string,
  change: Record<string, unknown>,
): Promise<ApiResponse<Record<string, unknown>>> {
  return api(server, `/api/users/${userId}`, { method: 'PATCH', token: by.token, body: change });
}

/** An entry of the holding queue as `GET /api/held` lists it. */
export interface HeldEntry {
  id: string;
  workspaceId: string;
  document: string;
  userId: string;
  reason: string;
  summary: string[];
  createdAt: number;
  decision: 'accepted' | 'rejected' | null;
  decidedBy: string | null;
  decidedAt: number | null;
}

/** The holding queue as `by` sees it (fails unless `by` may review it). */
export async function heldEntries(server: OutpostServer, by: Principal): Promise<HeldEntry[]> {
  const response = await api<{ held: HeldEntry[] }>(server, '/api/held', { token: by.token });
  if (response.status !== 200) {
    throw new Error(`GET /api/held: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body.held;
}

/** An entry of the audit trail as `GET /api/audit` answers it. */
export interface AuditEntry {
  id: number;
  at: number;
  deviceAt: number | null;
  userId: string | null;
  workspaceId: string;
  document: string;
  via: string;
  entity: string | null;
  action: string;
  fields: string[];
}

/** Base64 of bytes, as `POST /api/held/hand-in` takes an update. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** Resident memory of a process in bytes, from /proc/<pid>/status (Linux). */
/**
 * The server's V8 heap in use right after a full garbage collection: memory it still holds, as
 * opposed to memory not yet collected (which the resident size also counts, at the collector's
 * whim). The server must have been started with `NODE_OPTIONS=--inspect=127.0.0.1:0`.
 */
export async function heapAfterGc(server: OutpostServer): Promise<number> {
  if (!server.inspector) throw new Error('the server was not started with an inspector');
  return (await collectGarbage(server.inspector)).heapUsedBytes;
}

// ---------------------------------------------------------------------------------------------
// Yjs over a raw WebSocket

export interface ConnectOptions {
  /** Sent as `?token=`. */
  token?: string;
  headers?: Record<string, string>;
  /** Send SyncStep1 (with the doc's state vector) as soon as the socket opens. Default true. */
  syncOnOpen?: boolean;
  /** Send local document changes to the server. Default true. */
  sendLocalUpdates?: boolean;
  /** Start from this document instead of an empty one. */
  doc?: Y.Doc;
}

export interface Frame {
  /** First varUint of the frame. */
  type: number;
  /** Sync sub-type (0 step1, 1 step2, 2 update) for sync frames. */
  syncType?: number;
  data: Uint8Array;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

/** Thrown when the server refuses the WebSocket upgrade with an HTTP status. */
export class UpgradeRefused extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: string,
  ) {
    super(`upgrade refused with HTTP ${statusCode}: ${body}`);
  }
}

export const REMOTE = Symbol('remote');

/**
 * A Yjs client speaking the y-websocket protocol with the y-protocols encoders directly. It
 * answers the server's SyncStep1, applies the server's updates and awareness, records every
 * frame it receives, and sends local document changes (unless told not to).
 */
export class RawYjsClient {
  readonly frames: Frame[] = [];
  readonly awareness: awarenessProtocol.Awareness;
  /** Set once the server answered our SyncStep1 with SyncStep2. */
  synced = false;
  closeInfo: CloseInfo | null = null;
  readonly closed: Promise<CloseInfo>;

  private constructor(
    readonly ws: WebSocket,
    readonly doc: Y.Doc,
    readonly docName: string,
  ) {
    this.awareness = new awarenessProtocol.Awareness(doc);
    this.awareness.setLocalState(null);
    this.closed = new Promise((resolve) => {
      ws.once('close', (code: number, reason: Buffer) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
      });
    });
  }

  /** Opens a socket on `/yjs/<docName>`; rejects with UpgradeRefused when the server says no. */
  static connect(
    server: Pick<OutpostServer, 'wsUrl'>,
    docName: string,
    options: ConnectOptions = {},
  ): Promise<RawYjsClient> {
    const query = options.token ? `?token=${encodeURIComponent(options.token)}` : '';
    const ws = new WebSocket(`${server.wsUrl}/${encodeURIComponent(docName)}${query}`, {
      headers: options.headers,
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
    });
    ws.binaryType = 'nodebuffer';
    const client = new RawYjsClient(ws, options.doc ?? new Y.Doc(), docName);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) client.onFrame(new Uint8Array(data));
    });
    ws.on('error', () => undefined);
    if (options.sendLocalUpdates !== false) {
      client.doc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin !== REMOTE) client.sendUpdate(update);
      });
    }
    client.awareness.on(
      'update',
      ({ added, updated, removed }: Record<string, number[]>, origin: unknown) => {
        if (origin === REMOTE) return;
        const changed = [...added!, ...updated!, ...removed!];
        client.send(
          frame(MSG_AWARENESS, (e) =>
            encoding.writeVarUint8Array(
              e,
              awarenessProtocol.encodeAwarenessUpdate(client.awareness, changed),
            ),
          ),
        );
      },
    );
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        if (options.syncOnOpen !== false) client.sendSyncStep1();
        resolve(client);
      });
      ws.once('unexpected-response', (_request, response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => reject(new UpgradeRefused(response.statusCode ?? 0, body)));
        response.on('error', () => reject(new UpgradeRefused(response.statusCode ?? 0, body)));
      });
      ws.once('error', reject);
    });
  }

  /** Connects and waits until the server answered our SyncStep1. */
  static async synced(
    server: Pick<OutpostServer, 'wsUrl'>,
    docName: string,
    options: ConnectOptions = {},
  ): Promise<RawYjsClient> {
    const client = await RawYjsClient.connect(server, docName, options);
    await waitFor(() => {
      if (client.closeInfo) throw new Error(`closed: ${JSON.stringify(client.closeInfo)}`);
      if (!client.synced) throw new Error(`${docName} not synced yet`);
    });
    return client;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get board(): TaskBoard {
    return new TaskBoard(this.doc);
  }

  send(data: Uint8Array | string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data);
  }

  sendSyncStep1(stateVector: Uint8Array = Y.encodeStateVector(this.doc)): void {
    this.send(
      frame(MSG_SYNC, (e) => {
        encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep1);
        encoding.writeVarUint8Array(e, stateVector);
      }),
    );
  }

  sendUpdate(update: Uint8Array): void {
    this.send(
      frame(MSG_SYNC, (e) => {
        encoding.writeVarUint(e, syncProtocol.messageYjsUpdate);
        encoding.writeVarUint8Array(e, update);
      }),
    );
  }

  /** Outpost's durable-ack request `[100, seq]`. */
  sendSaved(seq: number): void {
    this.send(frame(MESSAGE_SAVED, (e) => encoding.writeVarUint(e, seq)));
  }

  /** Sequence numbers of the server's `[100, seq]` answers so far. */
  get savedAcks(): number[] {
    return this.frames
      .filter((f) => f.type === MESSAGE_SAVED)
      .map((f) => {
        const d = decoding.createDecoder(f.data);
        decoding.readVarUint(d);
        return decoding.readVarUint(d);
      });
  }

  /** Closes the socket and waits until it is closed (bounded). */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close(1000, 'bye');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.closed,
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.ws.terminate();
          resolve();
        }, 5_000);
      }),
    ]);
    clearTimeout(timer);
  }

  private onFrame(data: Uint8Array): void {
    const decoder = decoding.createDecoder(data);
    const type = decoding.readVarUint(decoder);
    const record: Frame = { type, data };
    this.frames.push(record);
    if (type === MSG_SYNC) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MSG_SYNC);
      record.syncType = syncProtocol.readSyncMessage(decoder, encoder, this.doc, REMOTE);
      if (record.syncType === syncProtocol.messageYjsSyncStep2) this.synced = true;
      if (encoding.length(encoder) > 1) this.send(encoding.toUint8Array(encoder));
    } else if (type === MSG_AWARENESS) {
      awarenessProtocol.applyAwarenessUpdate(
        this.awareness,
        decoding.readVarUint8Array(decoder),
        REMOTE,
      );
    }
  }
}

/** Encodes one frame: the message type, then whatever `write` adds. */
export function frame(type: number, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/**
 * An awareness frame announcing `entries` as [client id, clock, state] (null: the client left),
 * written by hand so a test can claim any client id.
 */
export function awarenessFrame(entries: [number, number, unknown][]): Uint8Array {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, entries.length);
  for (const [clientId, clock, state] of entries) {
    encoding.writeVarUint(inner, clientId);
    encoding.writeVarUint(inner, clock);
    encoding.writeVarString(inner, JSON.stringify(state));
  }
  return frame(MSG_AWARENESS, (e) => encoding.writeVarUint8Array(e, encoding.toUint8Array(inner)));
}

/** Resolves with how a client's socket closed and when (performance.now()). */
export function closeTime(client: RawYjsClient): Promise<CloseInfo & { at: number }> {
  return client.closed.then((info) => ({ ...info, at: performance.now() }));
}

/** The HTTP status of a refused Yjs upgrade (fails if the upgrade is accepted). */
export async function upgradeStatus(
  server: OutpostServer,
  docName: string,
  options: ConnectOptions = {},
): Promise<number> {
  try {
    const client = await RawYjsClient.connect(server, docName, options);
    await client.close();
  } catch (error) {
    if (error instanceof UpgradeRefused) return error.statusCode;
    throw error;
  }
  throw new Error(`upgrade to ${docName} was accepted`);
}

/** A fresh client's view of a board: connect, sync, read the tasks, disconnect. */
export async function readBoard(
  server: OutpostServer,
  token: string,
  docName = TASKS_DOC,
): Promise<Task[]> {
  const client = await RawYjsClient.synced(server, docName, { token });
  try {
    return client.board.list();
  } finally {
    await client.close();
  }
}

/**
 * The update a change produces when made in a scratch copy of `base` (by a new Yjs client id),
 * for sending raw without touching `base`.
 */
export function updateFrom(
  base: Y.Doc,
  change: (doc: Y.Doc) => void,
): { update: Uint8Array; clientID: number } {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(base));
  const before = Y.encodeStateVector(copy);
  copy.transact(() => change(copy));
  const update = Y.encodeStateAsUpdate(copy, before);
  const clientID = copy.clientID;
  copy.destroy();
  return { update, clientID };
}

/** Yjs client ids that have written to `doc`. */
export function writers(doc: Y.Doc): Set<number> {
  return new Set(Y.decodeStateVector(Y.encodeStateVector(doc)).keys());
}

// ---------------------------------------------------------------------------------------------
// The official client (y-websocket)

export interface ProviderOptions {
  token: string;
  doc?: Y.Doc;
}

/**
 * The official y-websocket provider against the server. BroadcastChannel is off: Node has it,
 * and two providers of one process would otherwise sync through it instead of the server.
 */
export function provider(
  server: Pick<OutpostServer, 'wsUrl'>,
  docName: string,
  { token, doc = new Y.Doc() }: ProviderOptions,
): WebsocketProvider {
  return new WebsocketProvider(server.wsUrl, docName, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: { token },
    disableBc: true,
    maxBackoffTime: 500,
  });
}

export async function syncedProvider(
  server: Pick<OutpostServer, 'wsUrl'>,
  docName: string,
  options: ProviderOptions,
): Promise<WebsocketProvider> {
  const p = provider(server, docName, options);
  await waitFor(() => {
    if (!p.synced) throw new Error(`provider for ${docName} not synced`);
  });
  return p;
}

// ---------------------------------------------------------------------------------------------
// socket.io

export type OutpostSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A socket.io client that records every notification it receives. */
export interface NotificationClient {
  socket: OutpostSocket;
  notifications: Notification[];
}

export async function notificationClient(
  server: OutpostServer,
  auth: { token: string; via: 'header' | 'query' },
): Promise<NotificationClient> {
  const socket: OutpostSocket = io(server.url, {
    reconnection: false,
    forceNew: true,
    timeout: 10_000,
    ...(auth.via === 'header'
      ? { extraHeaders: { Authorization: `Bearer ${auth.token}` } }
      : { query: { token: auth.token } }),
  });
  const notifications: Notification[] = [];
  socket.on('notification', (n) => notifications.push(n));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return { socket, notifications };
}

// ---------------------------------------------------------------------------------------------
// Cleanup

/** Collects things to close and closes them all (each failure ignored) in `afterAll`/`afterEach`. */
export class Cleanup {
  private readonly tasks: (() => unknown)[] = [];

  add<T>(value: T, close: (value: T) => unknown): T {
    this.tasks.push(() => close(value));
    return value;
  }

  server(server: OutpostServer): OutpostServer {
    return this.add(server, (s) => s.dispose());
  }

  client(client: RawYjsClient): RawYjsClient {
    return this.add(client, (c) => c.close());
  }

  provider(p: WebsocketProvider): WebsocketProvider {
    return this.add(p, (x) => x.destroy());
  }

  socket<T extends { socket: OutpostSocket }>(client: T): T {
    return this.add(client, (c) => c.socket.close());
  }

  async run(): Promise<void> {
    const tasks = this.tasks.splice(0).reverse();
    for (const task of tasks) {
      try {
        await task();
      } catch {
        // Closing is best effort; the server processes are killed regardless.
      }
    }
  }
}
