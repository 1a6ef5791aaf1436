import * as decoding from 'lib0/decoding';
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
  /** Awareness client ids this connection has announced (removed when it leaves). */
  readonly awarenessClients = new Set<number>();
  /** True once the client has sent an Outpost extension message: only then are extensions sent. */
  outpostClient = false;
  closed = false;
  private queue: Uint8Array[] = [];
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
    if (this.closed) return;
    if (!this.room.isReady) {
      this.queuedBytes += data.byteLength;
      if (this.queuedBytes > this.maxQueuedBytes) {
        this.close(CLOSE.invalidMessage, 'too much data before the document was loaded');
        return;
      }
      this.queue.push(data);
      return;
    }
    this.handle(data);
  }

  /** Called by the room once the document is loaded. */
  drain(): void {
    const queued = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    for (const frame of queued) {
      if (this.closed) return;
      this.handle(frame);
    }
  }

  send(message: Uint8Array): void {
    if (this.closed) return;
    try {
      this.socket.send(message);
    } catch {
      this.close(CLOSE.goingAway, 'send failed');
    }
  }

  /** Closes the socket; tells Outpost clients why first. Safe to call more than once. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    if (this.outpostClient && code !== CLOSE.goingAway) {
      this.send(encodeNotice(String(code), reason));
    }
    this.closed = true;
    this.queue = [];
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
      if (error instanceof HookError) this.close(error.code, error.message);
      else this.close(CLOSE.invalidMessage, 'malformed message');
    }
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
      case syncProtocol.messageYjsUpdate:
        this.room.applyClientUpdate(this, decoding.readVarUint8Array(decoder));
        break;
      default:
        throw new ProtocolError(CLOSE.invalidMessage, `unknown sync message ${syncType}`);
    }
  }

  private handleAwareness(update: Uint8Array): void {
    awarenessProtocol.applyAwarenessUpdate(this.room.awareness, update, this);
  }

  private handleSaved(seq: number): void {
    this.outpostClient = true;
    this.room.flushed().then(
      () => this.send(encodeSaved(seq)),
      () => this.close(CLOSE.serverError, 'could not store the document'),
    );
  }
}
