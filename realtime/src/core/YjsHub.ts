import type { IncomingMessage } from 'node:http';
import { CLOSE, parseDocName, type DocumentRef } from '@outpost/model';
import type * as Y from 'yjs';
import { Connection } from './Connection.ts';
import { DocumentRoom } from './DocumentRoom.ts';
import { HookError, type AuthContext, type Extension, type SocketLike } from './types.ts';
import type { Logger } from '../logger.ts';

export interface HubOptions {
  extensions: Extension[];
  maxMessageBytes: number;
  maxDocumentBytes: number;
  unloadGraceMs: number;
  logger: Logger;
}

/**
 * The core: knows documents, connections and messages, and nothing else. Authentication,
 * persistence, validation and notifications are extensions; sockets come in through the
 * minimal `SocketLike` interface, so the core runs without a network in tests.
 */
export class YjsHub {
  private readonly rooms = new Map<string, DocumentRoom>();
  private readonly extensions: Extension[];
  private closing = false;

  constructor(private readonly options: HubOptions) {
    this.extensions = [...options.extensions].sort(
      (a, b) => (b.priority ?? 100) - (a.priority ?? 100),
    );
  }

  /**
   * Resolves who is asking for `documentName`. Throws HookError with an HTTP-like code:
   * 404 for a name that is not an Outpost document, 401 when nobody vouches for the request.
   */
  async authenticate(
    request: IncomingMessage,
    documentName: string,
  ): Promise<{ ref: DocumentRef; context: AuthContext }> {
    const ref = parseDocName(documentName);
    if (!ref) throw new HookError(404, 'unknown document');
    for (const ext of this.extensions) {
      if (!ext.onAuthenticate) continue;
      const context = await ext.onAuthenticate({ request, documentName, ref });
      if (context) return { ref, context };
    }
    throw new HookError(401, 'authentication required');
  }

  /** Attaches an authenticated socket to its document. Feed frames to `receive`, and call `close` when the socket ends. */
  connect(
    socket: SocketLike,
    documentName: string,
    ref: DocumentRef,
    context: AuthContext,
  ): Connection {
    if (this.closing) {
      socket.close(CLOSE.goingAway, 'server shutting down');
      throw new HookError(CLOSE.goingAway, 'server shutting down');
    }
    const room = this.room(documentName, ref);
    const connection = new Connection(socket, room, context, this.options.maxMessageBytes * 4);
    room.addConnection(connection);
    void this.runConnectHooks(connection);
    return connection;
  }

  /** Loads a document (if needed) and runs a server-side change on it with a `server` origin. */
  async change<T>(
    documentName: string,
    actor: string | null,
    change: (doc: Y.Doc) => T,
    via: 'api' | 'held' | 'system' = 'api',
  ): Promise<T> {
    const { room, release } = await this.acquire(documentName);
    try {
      const result = room.transactAsServer(actor, change, via);
      await room.flushed();
      return result;
    } finally {
      release();
    }
  }

  /**
   * Loads a document and keeps it in memory (and, in a cluster, subscribed to other nodes'
   * updates) until the returned release is called.
   */
  async keep(documentName: string): Promise<() => void> {
    return (await this.acquire(documentName)).release;
  }

  /** A loaded room, held in memory until `release`; a room closed while loading is replaced. */
  private async acquire(
    documentName: string,
  ): Promise<{ room: DocumentRoom; release: () => void }> {
    const ref = parseDocName(documentName);
    if (!ref) throw new HookError(404, 'unknown document');
    for (;;) {
      const room = this.room(documentName, ref);
      const release = room.hold();
      try {
        await room.loaded;
      } catch (error) {
        release();
        throw error;
      }
      if (room.isReady) return { room, release };
      release();
    }
  }

  /** Reads a document without changing it. */
  read<T>(documentName: string, read: (doc: Y.Doc) => T): Promise<T> {
    return this.change(documentName, null, (doc) => read(doc));
  }

  get stats(): { documents: number; connections: number } {
    let connections = 0;
    for (const room of this.rooms.values()) connections += room.connections.size;
    return { documents: this.rooms.size, connections };
  }

  /** Closes every connection matching `predicate` with `code` and `reason`; returns how many. */
  closeWhere(predicate: (connection: Connection) => boolean, code: number, reason: string): number {
    let closed = 0;
    for (const room of this.rooms.values()) {
      for (const connection of [...room.connections]) {
        if (predicate(connection)) {
          connection.close(code, reason);
          closed++;
        }
      }
    }
    return closed;
  }

  /** Is the document in memory now? (Tests and metrics.) */
  isLoaded(documentName: string): boolean {
    return this.rooms.has(documentName);
  }

  /** Closes every connection with 1001 and stores every document. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      [...this.rooms.values()].map((room) =>
        room.shutdown(CLOSE.goingAway, 'server shutting down'),
      ),
    );
  }

  private room(documentName: string, ref: DocumentRef): DocumentRoom {
    const existing = this.rooms.get(documentName);
    if (existing?.isOpen) return existing;
    // A room on its way out keeps its entry until it is gone; the new one replaces it and
    // loads after the old one's final store (the store serialises per document).
    const room = new DocumentRoom(documentName, ref, this.extensions, {
      maxDocumentBytes: this.options.maxDocumentBytes,
      unloadGraceMs: this.options.unloadGraceMs,
      logger: this.options.logger,
      previous: existing?.gone,
      onUnloaded: (gone) => {
        if (this.rooms.get(documentName) === gone) this.rooms.delete(documentName);
      },
    });
    this.rooms.set(documentName, room);
    return room;
  }

  private async runConnectHooks(connection: Connection): Promise<void> {
    try {
      for (const ext of this.extensions) {
        await ext.onConnect?.({
          documentName: connection.room.name,
          ref: connection.room.ref,
          connection,
        });
      }
    } catch (error) {
      if (error instanceof HookError) connection.close(error.code, error.message);
      else connection.close(CLOSE.serverError, 'server error');
    }
  }
}
