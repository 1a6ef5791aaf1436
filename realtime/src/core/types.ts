import type { IncomingMessage } from 'node:http';
import type * as Y from 'yjs';
import type { DocumentRef, Role } from '@outpost/model';
import type { Connection } from './Connection.ts';

/**
 * Who is asking: the authenticated principal behind one connection or request. Each connection
 * holds its own copy; a change of role or scope updates it in place (live, no reconnect).
 */
export interface AuthContext {
  userId: string;
  username: string;
  displayName: string;
  role: Role;
  /** Grid ids the principal works in; null means every grid. */
  grids: readonly string[] | null;
  workspaceId: string;
  /** Grid of the board a Yjs connection opened (null: workspace-wide or not a board). */
  documentGrid: string | null;
  /** How the principal proved itself. */
  via: 'session' | 'token';
  /**
   * Opaque id of the credential used (a session or an API token), so that everything opened
   * with it can be closed when it is revoked. Never the secret itself.
   */
  credential: string;
}

/**
 * Where a Yjs transaction came from. Every transaction the core runs carries one, so a hook can
 * tell a client's edit from a load, a server-side write or (later) a relay from another node.
 */
export type Origin =
  | { kind: 'connection'; connection: Connection }
  | { kind: 'storage' }
  | { kind: 'server'; actor: string | null; via?: 'api' | 'held' | 'system' }
  | { kind: 'redis' };

/** The least the core needs of a socket: send bytes, close, and how much is still queued. */
export interface SocketLike {
  send(data: Uint8Array): void;
  close(code: number, reason: string): void;
  readonly bufferedAmount: number;
}

export interface OnAuthenticatePayload {
  request: IncomingMessage;
  documentName: string;
  ref: DocumentRef;
}
export interface OnLoadDocumentPayload {
  documentName: string;
  ref: DocumentRef;
  doc: Y.Doc;
  /**
   * A store tells how many bytes it filled the document from, which spares the room encoding
   * the whole document once more only to learn its size.
   */
  storedBytes?(bytes: number): void;
}
export interface BeforeApplyUpdatePayload {
  documentName: string;
  ref: DocumentRef;
  doc: Y.Doc;
  update: Uint8Array;
  origin: Origin;
}
export interface OnChangePayload {
  documentName: string;
  ref: DocumentRef;
  doc: Y.Doc;
  /** The update exactly as integrated (only what was new to the document). */
  update: Uint8Array;
  origin: Origin;
  transaction: Y.Transaction;
}
export interface OnStoreDocumentPayload {
  documentName: string;
  ref: DocumentRef;
  doc: Y.Doc;
  /** Why the store is asked: compaction during use, the last client left, or shutdown. */
  reason: 'compact' | 'unload' | 'shutdown';
}
export interface OnConnectPayload {
  documentName: string;
  ref: DocumentRef;
  connection: Connection;
}
export interface OnDisconnectPayload {
  documentName: string;
  ref: DocumentRef;
  connection: Connection;
  /** Connections still open on the document. */
  remaining: number;
}

/**
 * A plug-in for the core. Hooks run in `priority` order (higher first, default 100).
 * - `onAuthenticate` returns the principal or null (then the next extension is asked); if no
 *   extension answers, the upgrade is refused with 401. Throw `HookError` to refuse with a status.
 * - `onLoadDocument` fills the document before any client sees it (origin `storage`).
 * - `beforeApplyUpdate` may throw `HookError` to refuse an update; nothing is applied then.
 * - `onChange` runs synchronously after an update is integrated. A store returns a promise that
 *   resolves once the update is durable; the core broadcasts the update (in order) and answers
 *   sync requests only after every such promise has resolved, so no client ever receives an
 *   update that a crash could lose. A rejected promise fails the document: its connections are
 *   closed and it leaves memory without storing.
 * - `onStoreDocument` compacts or flushes; awaited before a document leaves memory.
 */
export interface Extension {
  readonly name: string;
  readonly priority?: number;
  onAuthenticate?(payload: OnAuthenticatePayload): Promise<AuthContext | null> | AuthContext | null;
  onLoadDocument?(payload: OnLoadDocumentPayload): Promise<void> | void;
  beforeApplyUpdate?(payload: BeforeApplyUpdatePayload): void;
  onChange?(payload: OnChangePayload): Promise<void> | void;
  onStoreDocument?(payload: OnStoreDocumentPayload): Promise<void> | void;
  onConnect?(payload: OnConnectPayload): Promise<void> | void;
  onDisconnect?(payload: OnDisconnectPayload): Promise<void> | void;
}

/** A refusal with a WebSocket close code (or HTTP status during the upgrade) and a safe message. */
export class HookError extends Error {
  /**
   * @param settled When set, the connection takes nothing more and closes only once it
   *   resolves, with the code and reason it gives (or these): a refusal that promises the
   *   change is kept is sent only after the change has been kept.
   */
  constructor(
    readonly code: number,
    message: string,
    readonly settled?: Promise<{ code: number; message: string } | void>,
  ) {
    super(message);
    this.name = 'HookError';
  }
}
