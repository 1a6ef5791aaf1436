/**
 * The client code the bench runs against every server, identically.
 *
 * - `LightClient`: speaks just enough y-websocket to be a real participant (sends SyncStep1,
 *   answers the server's SyncStep1 with an empty SyncStep2, counts bytes) without a Y.Doc, so
 *   thousands fit in one process. Subscribers and idle connections use it.
 * - `FullClient`: a Y.Doc with the y-protocols sync handshake, sending its local changes; writers,
 *   joiners and the durable-ack client use it.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { TaskBoard } from '@outpost/model';
import {
  EMPTY_SYNC_STEP1,
  EMPTY_SYNC_STEP2,
  MSG_SAVED,
  MSG_SYNC,
  SYNC_STEP1,
  SYNC_STEP2,
  SYNC_UPDATE,
  encodeSaved,
  encodeSync,
} from '../lib/protocol.ts';

/** Transaction origin of changes that came from the server (never sent back). */
const REMOTE = Symbol('remote');

export type FrameListener = (data: Buffer, at: number) => void;

abstract class BaseClient {
  bytesIn = 0;
  framesIn = 0;
  /** Bytes received up to and including the SyncStep2 that made this client synced. */
  bytesUntilSynced = 0;
  /** Size of that SyncStep2 frame. */
  step2Bytes = 0;
  synced = false;
  closeInfo: string | null = null;
  protected readonly closedPromise: Promise<void>;

  constructor(readonly ws: WebSocket) {
    ws.binaryType = 'nodebuffer';
    this.closedPromise = new Promise((resolve) => {
      ws.once('close', (code: number, reason: Buffer) => {
        this.closeInfo = `${code}${reason.length ? ` ${reason.toString()}` : ''}`;
        resolve();
      });
    });
    ws.on('error', () => undefined);
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(data: Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data);
  }

  /** Closes the socket and waits for it (bounded: terminates after `timeoutMs`). */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    if (this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.terminate();
      return;
    }
    this.ws.close(1000, 'bench done');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.closedPromise,
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.ws.terminate();
          resolve();
        }, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Opens the socket; resolves once synced, rejects on refusal, close or timeout. */
  protected open(timeoutMs: number, onOpen: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        fail(new Error(`not synced within ${timeoutMs} ms`));
        this.ws.terminate();
      }, timeoutMs);
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      };
      this.onSynced = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve();
      };
      this.ws.once('open', onOpen);
      this.ws.once('unexpected-response', (_req, res) => {
        fail(new Error(`upgrade refused: HTTP ${res.statusCode}`));
        res.resume();
        this.ws.terminate();
      });
      this.ws.once('error', (error) => fail(error));
      this.ws.once('close', (code: number, reason: Buffer) =>
        fail(new Error(`closed before sync: ${code} ${reason.toString()}`)),
      );
    });
  }

  protected onSynced: () => void = () => undefined;

  protected markSynced(frameBytes: number): void {
    if (this.synced) return;
    this.synced = true;
    this.bytesUntilSynced = this.bytesIn;
    this.step2Bytes = frameBytes;
    this.onSynced();
  }
}

export class LightClient extends BaseClient {
  /** Called with every sync update frame (not SyncStep1/2) and its receive time. */
  onUpdate: FrameListener | null = null;

  static async connect(url: string, timeoutMs: number): Promise<LightClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
    const client = new LightClient(ws);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const at = performance.now();
      client.bytesIn += data.byteLength;
      client.framesIn++;
      if (!isBinary || data[0] !== MSG_SYNC) return;
      const syncType = data[1];
      if (syncType === SYNC_UPDATE) client.onUpdate?.(data, at);
      else if (syncType === SYNC_STEP1) client.send(EMPTY_SYNC_STEP2);
      else if (syncType === SYNC_STEP2) client.markSynced(data.byteLength);
    });
    await client.open(timeoutMs, () => client.send(EMPTY_SYNC_STEP1));
    return client;
  }
}

export interface FullClientOptions {
  /** Start from this document (a returning client); a fresh one otherwise. */
  doc?: Y.Doc;
  timeoutMs: number;
}

export class FullClient extends BaseClient {
  readonly board: TaskBoard;
  step2Count = 0;
  private step2Waiters: (() => void)[] = [];
  private ackWaiters = new Map<number, (at: number) => void>();

  private constructor(
    ws: WebSocket,
    readonly doc: Y.Doc,
  ) {
    super(ws);
    this.board = new TaskBoard(doc);
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== REMOTE) this.send(encodeSync(SYNC_UPDATE, update));
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.bytesIn += data.byteLength;
      this.framesIn++;
      if (isBinary) this.receive(data);
    });
  }

  /** Connects and resolves once the server's SyncStep2 has been applied. */
  static async connect(url: string, options: FullClientOptions): Promise<FullClient> {
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      handshakeTimeout: options.timeoutMs,
      maxPayload: 256 * 1024 * 1024,
    });
    const client = new FullClient(ws, options.doc ?? new Y.Doc());
    await client.open(options.timeoutMs, () => client.sendSyncStep1());
    return client;
  }

  sendSyncStep1(): void {
    this.send(encodeSync(SYNC_STEP1, Y.encodeStateVector(this.doc)));
  }

  /**
   * Resolves once the server has processed everything sent so far: servers handle a socket's
   * frames in order, so the answer to a SyncStep1 sent now comes after all earlier frames.
   */
  async barrier(timeoutMs: number): Promise<void> {
    const next = new Promise<void>((resolve) => this.step2Waiters.push(resolve));
    this.sendSyncStep1();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      next,
      this.closedPromise.then(() => {
        throw new Error(`connection closed during barrier: ${this.closeInfo}`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no SyncStep2 within ${timeoutMs} ms (barrier)`)),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** Sends Outpost's `[100, seq]`; resolves with the time the `[100, seq]` answer arrived. */
  requestSaved(seq: number): Promise<number> {
    const acked = new Promise<number>((resolve) => this.ackWaiters.set(seq, resolve));
    this.send(encodeSaved(seq));
    return acked;
  }

  private receive(data: Buffer): void {
    const at = performance.now();
    const decoder = decoding.createDecoder(data);
    const type = decoding.readVarUint(decoder);
    if (type === MSG_SYNC) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MSG_SYNC);
      const syncType = syncProtocol.readSyncMessage(decoder, encoder, this.doc, REMOTE);
      if (encoding.length(encoder) > 1) this.send(encoding.toUint8Array(encoder));
      if (syncType === SYNC_STEP2) {
        this.step2Count++;
        this.markSynced(data.byteLength);
        for (const waiter of this.step2Waiters.splice(0)) waiter();
      }
    } else if (type === MSG_SAVED) {
      const seq = decoding.readVarUint(decoder);
      const waiter = this.ackWaiters.get(seq);
      this.ackWaiters.delete(seq);
      waiter?.(at);
    }
  }
}
