import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { CLOSE, type DocumentRef } from '@outpost/model';
import type { Connection } from './Connection.ts';
import { encodeAwareness, encodeSyncStep1, encodeUpdate } from './protocol.ts';
import { HookError, type Extension, type Origin } from './types.ts';
import type { Logger } from '../logger.ts';

export interface RoomOptions {
  maxDocumentBytes: number;
  unloadGraceMs: number;
  logger: Logger;
  /** Called when the room has left memory (after its final store). */
  onUnloaded(room: DocumentRoom): void;
  /** A previous room of the same document still storing: loading waits for it. */
  previous?: Promise<void>;
}

type RoomState = 'loading' | 'ready' | 'unloading' | 'closed';

/**
 * One document in memory with the connections that have it open. Loads once however many
 * clients join at once; appends every change through the extensions' `onChange` before
 * broadcasting it; leaves memory after the last client has been gone for a grace period,
 * storing first.
 */
export class DocumentRoom {
  readonly doc: Y.Doc;
  /**
   * Presence, created when the first client announces some: most documents never have any, and
   * an Awareness costs a timer and three maps per document.
   */
  private presence: awarenessProtocol.Awareness | null = null;
  /**
   * The greeting's SyncStep1 (the document's state vector), shared by every greeting until
   * the document changes: a hundred phones joining an unchanged board cost one encoding, and
   * the endpoint frames the same message once.
   */
  private stepOne: Uint8Array | null = null;
  readonly connections = new Set<Connection>();
  readonly loaded: Promise<void>;
  private state: RoomState = 'loading';
  private unloadTimer: NodeJS.Timeout | null = null;
  /** Server-side users (API requests) holding the room open. */
  private holds = 0;
  /** Approximate stored size: what was loaded plus everything appended since. */
  private size = 0;
  private unloading: Promise<void> | null = null;
  /** Updates in memory whose stores have not confirmed them yet, in integration order. */
  private outbox: { update: Uint8Array; skip: Connection | null; durable: Promise<void> }[] = [];
  private durableWaiters: (() => void)[] = [];
  private failed = false;
  /** Which connection announced each awareness client id. */
  private readonly awarenessOwners = new Map<number, Connection>();

  constructor(
    readonly name: string,
    readonly ref: DocumentRef,
    private readonly extensions: readonly Extension[],
    private readonly options: RoomOptions,
  ) {
    // A fixed guid: a random one costs 36 calls into the system's random source per document.
    this.doc = new Y.Doc({ gc: true, guid: name });
    // Listening for updates starts once loaded: while the stores fill the document, Yjs would
    // encode the whole stored state once more for a listener that ignores it.
    this.loaded = this.load();
    // A failed load is reported to the connections; it must not crash the process.
    this.loaded.catch(() => undefined);
  }

  /** The document's presence (awareness), created on first use. */
  get awareness(): awarenessProtocol.Awareness {
    if (!this.presence) {
      this.presence = new awarenessProtocol.Awareness(this.doc);
      // The server announces no awareness state of its own.
      this.presence.setLocalState(null);
      this.presence.on('update', this.onAwarenessUpdate);
    }
    return this.presence;
  }

  get isReady(): boolean {
    return this.state === 'ready';
  }

  get isOpen(): boolean {
    return this.state === 'loading' || this.state === 'ready';
  }

  /** Approximate stored bytes of the document. */
  get storedBytes(): number {
    return this.size;
  }

  addConnection(connection: Connection): void {
    this.cancelUnload();
    this.connections.add(connection);
    if (this.state === 'ready') this.greet(connection);
  }

  removeConnection(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    if (this.presence && connection.awarenessClients?.size) {
      awarenessProtocol.removeAwarenessStates(
        this.presence,
        [...connection.awarenessClients],
        null,
      );
    }
    for (const ext of this.extensions) {
      if (!ext.onDisconnect) continue;
      Promise.resolve(
        ext.onDisconnect({
          documentName: this.name,
          ref: this.ref,
          connection,
          remaining: this.connections.size,
        }),
      ).catch((error: unknown) =>
        this.options.logger.warn('onDisconnect failed', { ext: ext.name, error: String(error) }),
      );
    }
    this.scheduleUnloadIfIdle();
  }

  /** Applies a client's update after the extensions accepted it. Throws HookError to refuse. */
  applyClientUpdate(connection: Connection, update: Uint8Array): void {
    if (this.state !== 'ready') throw new HookError(CLOSE.serverError, 'document is not available');
    if (this.size + update.byteLength > this.options.maxDocumentBytes) {
      throw new HookError(CLOSE.documentTooLarge, 'document would exceed its maximum size');
    }
    for (const ext of this.extensions) {
      ext.beforeApplyUpdate?.({
        documentName: this.name,
        ref: this.ref,
        doc: this.doc,
        update,
        origin: connection.origin,
      });
    }
    Y.applyUpdate(this.doc, update, connection.origin);
  }

  /** Runs a server-side change (API, seeding) as one transaction with a `server` origin. */
  transactAsServer<T>(
    actor: string | null,
    change: (doc: Y.Doc) => T,
    via: 'api' | 'held' | 'system' = 'api',
  ): T {
    if (this.state !== 'ready') throw new Error(`document ${this.name} is not loaded`);
    let result!: T;
    this.doc.transact(
      () => {
        result = change(this.doc);
      },
      { kind: 'server', actor, via } satisfies Origin,
    );
    return result;
  }

  hold(): () => void {
    this.holds++;
    this.cancelUnload();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.scheduleUnloadIfIdle();
    };
  }

  /** Resolves when every change so far is durable in every store (rejects if storing failed). */
  flushed(): Promise<void> {
    if (!this.outbox.length)
      return this.state === 'closed' && this.failed
        ? Promise.reject(new Error('store failed'))
        : Promise.resolve();
    return new Promise((resolve, reject) =>
      this.durableWaiters.push(() => (this.failed ? reject(new Error('store failed')) : resolve())),
    );
  }

  /**
   * Runs `send` at the next moment when every change in memory is also durable, so what it
   * computes from the document (a SyncStep2) holds nothing a crash could lose.
   */
  whenDurable(send: () => void): void {
    if (!this.outbox.length) send();
    else this.durableWaiters.push(send);
  }

  /** Asks the stores to compact now (e.g. after many appended updates). */
  async compact(): Promise<void> {
    if (this.state !== 'ready') return;
    await this.store('compact');
  }

  /** The connection that announced an awareness client id, or null. */
  awarenessOwner(clientId: number): Connection | null {
    return this.awarenessOwners.get(clientId) ?? null;
  }

  sendAwarenessTo(connection: Connection): void {
    if (!this.presence) return;
    const clients = [...this.presence.getStates().keys()];
    if (clients.length) connection.send(encodeAwareness(this.presence, clients));
  }

  /** Closes every connection and leaves memory, storing first unless the room has failed. */
  shutdown(code: number, reason: string, store = true): Promise<void> {
    if (this.unloading) return this.unloading;
    for (const connection of [...this.connections]) connection.close(code, reason);
    return this.unload(store ? 'shutdown' : null);
  }

  private async load(): Promise<void> {
    let storedBytes: number | null = null;
    const payload = {
      documentName: this.name,
      ref: this.ref,
      doc: this.doc,
      storedBytes: (bytes: number) => (storedBytes = (storedBytes ?? 0) + bytes),
    };
    try {
      await this.options.previous;
      for (const ext of this.extensions) await ext.onLoadDocument?.(payload);
    } catch (error) {
      this.options.logger.error('document load failed', { doc: this.name, error: String(error) });
      void this.shutdown(CLOSE.serverError, 'could not load the document', false);
      throw error;
    }
    if (this.state !== 'loading') return;
    this.size = storedBytes ?? Y.encodeStateAsUpdate(this.doc).byteLength;
    this.doc.on('update', this.onDocUpdate);
    this.state = 'ready';
    for (const connection of this.connections) {
      this.greet(connection);
    }
    this.scheduleUnloadIfIdle();
  }

  /** First messages of a connection: our state vector, then everyone's awareness; then its queue. */
  private greet(connection: Connection): void {
    connection.send((this.stepOne ??= encodeSyncStep1(this.doc)));
    this.sendAwarenessTo(connection);
    connection.drain();
  }

  private onDocUpdate = (
    update: Uint8Array,
    origin: unknown,
    _doc: Y.Doc,
    transaction: Y.Transaction,
  ) => {
    this.stepOne = null;
    const typed = origin as Origin | null;
    // Loading replays stored updates: nothing to append or send.
    if (typed?.kind === 'storage') return;
    const resolved: Origin = typed ?? { kind: 'server', actor: null };
    const durable: Promise<void>[] = [];
    try {
      for (const ext of this.extensions) {
        const result = ext.onChange?.({
          documentName: this.name,
          ref: this.ref,
          doc: this.doc,
          update,
          origin: resolved,
          transaction,
        });
        if (result) durable.push(result);
      }
    } catch (error) {
      this.fail(error);
      return;
    }
    this.size += update.byteLength;
    const skip = resolved.kind === 'connection' ? resolved.connection : null;
    if (durable.length === 0 && this.outbox.length === 0) {
      this.broadcast(update, skip);
      return;
    }
    this.outbox.push({
      update,
      skip,
      durable: durable.length === 1 ? durable[0]! : Promise.all(durable).then(() => undefined),
    });
    if (this.outbox.length === 1) void this.drainOutbox();
  };

  /** Sends stored updates in order, each once every store has it; then runs what waited for that. */
  private async drainOutbox(): Promise<void> {
    while (this.outbox.length) {
      const head = this.outbox[0]!;
      try {
        await head.durable;
      } catch (error) {
        this.fail(error);
        return;
      }
      if (this.state === 'closed') return;
      this.outbox.shift();
      this.broadcast(head.update, head.skip);
    }
    const waiting = this.durableWaiters;
    this.durableWaiters = [];
    for (const run of waiting) run();
  }

  private broadcast(update: Uint8Array, skip: Connection | null): void {
    const message = encodeUpdate(update);
    for (const connection of this.connections) {
      if (connection !== skip) connection.send(message);
    }
  }

  /**
   * The change is in memory but not stored: never send it. Drop the room; clients keep their
   * edits and send them again when they reconnect to a freshly loaded copy.
   */
  private fail(error: unknown): void {
    this.options.logger.error('storing an update failed', { doc: this.name, error: String(error) });
    this.failed = true;
    this.outbox = [];
    const waiting = this.durableWaiters;
    this.durableWaiters = [];
    for (const run of waiting) run();
    void this.shutdown(CLOSE.serverError, 'could not store the change', false);
  }

  private onAwarenessUpdate = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ) => {
    const changed = added.concat(updated, removed);
    if (changed.length === 0) return;
    const connection =
      origin && this.connections.has(origin as Connection) ? (origin as Connection) : null;
    if (connection) {
      for (const id of added) {
        (connection.awarenessClients ??= new Set()).add(id);
        this.awarenessOwners.set(id, connection);
      }
    }
    for (const id of removed) {
      this.awarenessOwners.get(id)?.awarenessClients?.delete(id);
      this.awarenessOwners.delete(id);
    }
    const message = encodeAwareness(this.presence!, changed);
    for (const other of this.connections) {
      if (other !== connection) other.send(message);
    }
  };

  private scheduleUnloadIfIdle(): void {
    if (this.state !== 'ready' || this.connections.size > 0 || this.holds > 0 || this.unloadTimer)
      return;
    this.unloadTimer = setTimeout(() => {
      this.unloadTimer = null;
      if (this.connections.size === 0 && this.holds === 0) void this.unload('unload');
    }, this.options.unloadGraceMs);
    this.unloadTimer.unref();
  }

  private cancelUnload(): void {
    if (this.unloadTimer) clearTimeout(this.unloadTimer);
    this.unloadTimer = null;
  }

  /** Resolves once the room has left memory (immediately if it never started to). */
  get gone(): Promise<void> {
    return this.unloading ?? Promise.resolve();
  }

  private unload(reason: 'unload' | 'shutdown' | null): Promise<void> {
    if (this.unloading) return this.unloading;
    this.cancelUnload();
    const wasReady = this.state === 'ready';
    this.state = 'unloading';
    this.unloading = (async () => {
      try {
        if (reason && wasReady) await this.store(reason);
      } catch (error) {
        // Every update was appended when it arrived; a failed final compaction loses nothing.
        this.options.logger.warn('final store failed', { doc: this.name, error: String(error) });
      } finally {
        this.state = 'closed';
        if (this.presence) {
          this.presence.off('update', this.onAwarenessUpdate);
          this.presence.destroy();
          this.presence = null;
        }
        this.doc.off('update', this.onDocUpdate);
        this.doc.destroy();
        this.options.onUnloaded(this);
      }
    })();
    return this.unloading;
  }

  private async store(reason: 'compact' | 'unload' | 'shutdown'): Promise<void> {
    await this.flushed();
    for (const ext of this.extensions) {
      await ext.onStoreDocument?.({
        documentName: this.name,
        ref: this.ref,
        doc: this.doc,
        reason,
      });
    }
  }
}
