import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { CLOSE } from '@outpost/model';
import type { DocumentRoom } from './DocumentRoom.ts';
import {
  MESSAGE_AUTH,
  MESSAGE_AWARENESS,
  MESSAGE_QUERY_AWARENESS,
  MESSAGE_SAVED,
  MESSAGE_SYNC,
  encodeNotice,
  encodeSaved,
  encodeSyncStep2,
} from './protocol.ts';
import { HookError, type AuthContext, type Origin, type SocketLike } from './types.ts';

let nextId = 1;

/** Largest awareness state one client may announce (JSON characters). */
const MAX_AWARENESS_STATE = 16 * 1024;
/** Flood protection: a burst of this many frames, refilled at `FRAMES_PER_SECOND`. */
const FRAME_BURST = 1000;
const FRAMES_PER_SECOND = 300;
/** Bytes waiting to be sent to one client beyond which it is disconnected as too slow. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** Rewrites `user.id`/`user.name` of an awareness state to the authenticated person. */
function stampIdentity(json: string, context: AuthContext): string {
  let state: unknown;
  try {
    state = JSON.parse(json);
  } catch {
    throw new ProtocolError(CLOSE.invalidMessage, 'malformed awareness state');
  }
  if (state === null || typeof state !== 'object' || Array.isArray(state)) return 'null';
  const record = state as Record<string, unknown>;
  const claimed = record.user;
  const user = claimed && typeof claimed === 'object' && !Array.isArray(claimed) ? claimed : {};
  return JSON.stringify({
    ...record,
    user: { ...user, id: context.userId, name: context.displayName },
  });
}

/** Refused frames and malformed input end this one connection with a reason; nothing else. */
class ProtocolError extends HookError {}

/**
 * One client socket on one document. Frames are handled strictly in arrival order; frames that
 * arrive while the document is still loading wait in a bounded queue, so no client is ever
 * served a document before its stored state is in memory.
 */
export class Connection {
  readonly id = nextId++;
  readonly origin: Origin;
  /** Awareness client ids this connection has announced (removed when it leaves); null: none. */
  awarenessClients: Set<number> | null = null;
  /** True once the client has sent an Outpost extension message: only then are extensions sent. */
  outpostClient = false;
  closed = false;
  /** A refusal is waiting to settle: nothing more is taken from this connection. */
  private refusing = false;
  /** Frames that arrived while the document was loading (null: none). */
  private queue: Uint8Array[] | null = null;
  private allowance = FRAME_BURST;
  private lastFrameAt = Date.now();
  private queuedBytes = 0;

  constructor(
    readonly socket: SocketLike,
    readonly room: DocumentRoom,
    readonly context: AuthContext,
    private readonly maxQueuedBytes: number,
  ) {
    this.origin = { kind: 'connection', connection: this };
  }

  /** Feed one binary frame from the socket. */
  receive(data: Uint8Array): void {
    if (this.closed || this.refusing) return;
    const now = Date.now();
    this.allowance = Math.min(
      FRAME_BURST,
      this.allowance + ((now - this.lastFrameAt) * FRAMES_PER_SECOND) / 1000,
    );
    this.lastFrameAt = now;
    if (this.allowance < 1) {
      this.close(CLOSE.tooManyMessages, 'too many messages');
      return;
    }
    this.allowance -= 1;
    if (!this.room.isReady) {
      this.queuedBytes += data.byteLength;
      if (this.queuedBytes > this.maxQueuedBytes) {
        this.close(CLOSE.invalidMessage, 'too much data before the document was loaded');
        return;
      }
      (this.queue ??= []).push(data);
      return;
    }
    this.handle(data);
  }

  /** Called by the room once the document is loaded. */
  drain(): void {
    const queued = this.queue;
    if (!queued) return;
    this.queue = null;
    this.queuedBytes = 0;
    for (const frame of queued) {
      if (this.closed || this.refusing) return;
      this.handle(frame);
    }
  }

  send(message: Uint8Array): void {
    if (this.closed) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      // A reader this far behind (a stalled phone, a client that stopped reading) would make the
      // server hold every broadcast for it until the heartbeat gives up. A reconnect costs it one
      // sync of what it lacks.
      this.close(CLOSE.tooSlow, 'too far behind; reconnect to catch up');
      return;
    }
    try {
      this.socket.send(message);
    } catch {
      this.close(CLOSE.goingAway, 'send failed');
    }
  }

  /** Closes the socket; tells Outpost clients why first. Safe to call more than once. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    // A notice to a reader already too far behind would only queue behind its backlog.
    if (this.outpostClient && code !== CLOSE.goingAway && code !== CLOSE.tooSlow) {
      this.send(encodeNotice(String(code), reason));
    }
    this.closed = true;
    this.queue = null;
    try {
      this.socket.close(code, reason.slice(0, 120));
    } catch {
      // The socket is already gone; the room still forgets the connection below.
    }
    this.room.removeConnection(this);
  }

  private handle(data: Uint8Array): void {
    try {
      const decoder = decoding.createDecoder(data);
      const type = decoding.readVarUint(decoder);
      switch (type) {
        case MESSAGE_SYNC:
          this.handleSync(decoder);
          break;
        case MESSAGE_AWARENESS:
          this.handleAwareness(decoding.readVarUint8Array(decoder));
          break;
        case MESSAGE_QUERY_AWARENESS:
          this.room.sendAwarenessTo(this);
          break;
        case MESSAGE_AUTH:
          // Clients never send auth messages in y-websocket; tolerate and ignore.
          break;
        case MESSAGE_SAVED:
          this.handleSaved(decoding.readVarUint(decoder));
          break;
        default:
          throw new ProtocolError(CLOSE.invalidMessage, `unknown message type ${type}`);
      }
    } catch (error) {
      if (error instanceof HookError) this.refuse(error);
      else this.close(CLOSE.invalidMessage, 'malformed message');
    }
  }

  /**
   * Closes for a refusal. One that settles later (a refused change still being kept for review)
   * first waits, taking nothing more from this connection meanwhile.
   */
  private refuse(error: HookError): void {
    if (!error.settled) {
      this.close(error.code, error.message);
      return;
    }
    this.refusing = true;
    error.settled.then(
      (final) => this.close(final?.code ?? error.code, final?.message ?? error.message),
      () => this.close(error.code, 'not allowed'),
    );
  }

  private handleSync(decoder: decoding.Decoder): void {
    const syncType = decoding.readVarUint(decoder);
    switch (syncType) {
      case syncProtocol.messageYjsSyncStep1: {
        const stateVector = decoding.readVarUint8Array(decoder);
        // Validate now (a malformed vector closes this connection), answer once durable.
        Y.decodeStateVector(stateVector);
        this.room.whenDurable(() => {
          if (this.closed || !this.room.isReady) return;
          this.send(encodeSyncStep2(Y.encodeStateAsUpdate(this.room.doc, stateVector)));
        });
        break;
      }
      case syncProtocol.messageYjsSyncStep2:
      case syncProtocol.messageYjsUpdate: {
        const update = decoding.readVarUint8Array(decoder);
        // The empty update (no structs, no deletions: what a client with nothing new answers to
        // the server's SyncStep1) changes nothing: no checks, no transaction.
        if (update.byteLength === 2 && update[0] === 0 && update[1] === 0) break;
        this.room.applyClientUpdate(this, update);
        break;
      }
      default:
        throw new ProtocolError(CLOSE.invalidMessage, `unknown sync message ${syncType}`);
    }
  }

  /**
   * Presence identity is the server's word, not the client's: every announced state gets
   * `user.id` and `user.name` of the authenticated person (other fields, such as a colour or
   * which card is being edited, pass through), and a client id another connection controls
   * cannot be claimed.
   */
  private handleAwareness(update: Uint8Array): void {
    const decoder = decoding.createDecoder(update);
    const encoder = encoding.createEncoder();
    const count = decoding.readVarUint(decoder);
    if (count > 64) throw new ProtocolError(CLOSE.invalidMessage, 'too many awareness states');
    const entries: [number, number, string][] = [];
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const json = decoding.readVarString(decoder);
      if (json.length > MAX_AWARENESS_STATE)
        throw new ProtocolError(CLOSE.invalidMessage, 'awareness state too large');
      if (!this.awarenessClients?.has(clientId) && this.room.awarenessOwner(clientId) !== null)
        continue;
      entries.push([clientId, clock, stampIdentity(json, this.context)]);
    }
    encoding.writeVarUint(encoder, entries.length);
    for (const [clientId, clock, json] of entries) {
      encoding.writeVarUint(encoder, clientId);
      encoding.writeVarUint(encoder, clock);
      encoding.writeVarString(encoder, json);
    }
    awarenessProtocol.applyAwarenessUpdate(
      this.room.awareness,
      encoding.toUint8Array(encoder),
      this,
    );
  }

  private handleSaved(seq: number): void {
    this.outpostClient = true;
    this.room.flushed().then(
      () => this.send(encodeSaved(seq)),
      () => this.close(CLOSE.serverError, 'could not store the document'),
    );
  }
}
