import * as Y from 'yjs';
import type {
  Extension,
  OnChangePayload,
  OnLoadDocumentPayload,
  OnStoreDocumentPayload,
  Origin,
} from '../core/types.ts';
import type { Metrics } from '../cluster/metrics.ts';
import type { DocumentStore } from '../store/types.ts';

const STORAGE: Origin = { kind: 'storage' };
/** Updates that are already durable (another node stored them): broadcast, never stored again. */
const RELAYED: Origin = { kind: 'redis' };
/** How long a compaction lease lasts; a node that dies mid-compaction blocks others this long. */
const LEASE_MS = 30_000;

interface Batch {
  entries: { name: string; update: Uint8Array }[];
  done: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** What this node has of one loaded document. */
interface Tracked {
  doc: Y.Doc;
  /** Every update up to this sequence number is in `doc`. */
  cursor: number;
  /** Sequence numbers above `cursor` already in `doc` (arrived out of order). */
  ahead: Set<number>;
  /** Updates stored since the last snapshot (as far as this node knows). */
  pending: number;
  /** A catch-up read in flight. */
  catchingUp: Promise<void> | null;
}

export interface StorePersistenceOptions {
  compactEvery: number;
  /** Who this node is, for compaction leases. */
  nodeId: string;
  /** Told of every update once it is durable (cluster mode relays it to the other nodes). */
  onStored?: (name: string, seq: number, update: Uint8Array) => void;
  metrics?: Metrics;
}

/**
 * Persistence in the document store (SQLite embedded, PostgreSQL in cluster mode). Updates are
 * appended in batches: everything that arrives in one turn of the event loop is written in one
 * transaction right after it, and the core broadcasts an update only once its batch has
 * committed, so no client ever receives an update that a crash could lose. The log is folded
 * into a snapshot every `compactEvery` updates and when a document unloads, by one node at a
 * time (a lease). Updates other nodes stored arrive through `applyRelayed` or are read back
 * with `catchUp`: the store's log is the source of truth.
 */
export class StorePersistence implements Extension {
  readonly name = 'store-persistence';
  readonly priority = 1000;
  private batch: Batch | null = null;
  private readonly docs = new Map<string, Tracked>();
  /** Relayed updates that arrived while their document was being read from the store. */
  private readonly early = new Map<string, { seq: number; update: Uint8Array }[]>();

  constructor(
    private readonly store: DocumentStore,
    private readonly options: StorePersistenceOptions,
  ) {}

  /** Names of the documents this node has in memory. */
  get loaded(): string[] {
    return [...this.docs.keys()];
  }

  async onLoadDocument({ documentName, doc, storedBytes }: OnLoadDocumentPayload): Promise<void> {
    const early: { seq: number; update: Uint8Array }[] = [];
    this.early.set(documentName, early);
    let stored;
    try {
      stored = await this.store.read(documentName);
    } finally {
      this.early.delete(documentName);
    }
    const tracked: Tracked = {
      doc,
      cursor: stored.seq,
      ahead: new Set(),
      pending: stored.pending,
      catchingUp: null,
    };
    // What other nodes stored during the read is durable too: part of the loaded state.
    let bytes = stored.bytes;
    if (stored.updates.length || early.length) {
      doc.transact(() => {
        for (const update of stored.updates) Y.applyUpdate(doc, update, STORAGE);
        for (const { seq, update } of early) {
          if (seq <= tracked.cursor) continue;
          Y.applyUpdate(doc, update, STORAGE);
          bytes += update.byteLength;
          this.seen(tracked, seq);
        }
      }, STORAGE);
    }
    storedBytes?.(bytes);
    this.docs.set(documentName, tracked);
    if (tracked.ahead.size) void this.catchUp(documentName).catch(() => undefined);
    if (stored.pending >= this.options.compactEvery) await this.compact(documentName);
  }

  onChange({ documentName, update, origin }: OnChangePayload): Promise<void> | void {
    if (origin.kind === 'redis' || origin.kind === 'storage') return;
    if (!this.batch) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const done = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.batch = { entries: [], done, resolve, reject };
      setImmediate(() => void this.commit());
    }
    this.batch.entries.push({ name: documentName, update });
    return this.batch.done;
  }

  async onStoreDocument({ documentName, doc, reason }: OnStoreDocumentPayload): Promise<void> {
    const tracked = this.docs.get(documentName);
    try {
      // A document nobody ever wrote to leaves no row behind.
      if (tracked && tracked.pending > 0 && doc.store.clients.size > 0)
        await this.compact(documentName);
    } finally {
      if (reason !== 'compact') this.docs.delete(documentName);
    }
  }

  /** An update another node stored as `seq` (through Redis). */
  applyRelayed(name: string, seq: number, update: Uint8Array): void {
    const early = this.early.get(name);
    if (early) {
      early.push({ seq, update });
      return;
    }
    const tracked = this.docs.get(name);
    if (!tracked) return;
    if (tracked.doc.isDestroyed) {
      this.docs.delete(name);
      return;
    }
    if (seq <= tracked.cursor || tracked.ahead.has(seq)) return;
    Y.applyUpdate(tracked.doc, update, RELAYED);
    this.seen(tracked, seq);
    // Something was missed in between (a lost message): read it back from the store.
    if (tracked.ahead.size > 0) void this.catchUp(name).catch(() => undefined);
  }

  /** Reads what other nodes stored since this node's cursor and applies it. */
  catchUp(name: string): Promise<void> {
    const tracked = this.docs.get(name);
    if (!tracked) return Promise.resolve();
    tracked.catchingUp ??= (async () => {
      try {
        const stored = await this.store.read(name, tracked.cursor);
        if (tracked.doc.isDestroyed) return;
        const missed = stored.seq - tracked.cursor - tracked.ahead.size;
        if (missed > 0) this.options.metrics?.caughtUp.inc(missed);
        if (stored.updates.length) {
          tracked.doc.transact(() => {
            for (const update of stored.updates) Y.applyUpdate(tracked.doc, update, RELAYED);
          }, RELAYED);
        }
        for (let s = tracked.cursor + 1; s <= stored.seq; s++) this.seen(tracked, s);
      } finally {
        tracked.catchingUp = null;
      }
    })();
    return tracked.catchingUp;
  }

  /** Catches up every loaded document; resolves when all reads are done. */
  async catchUpAll(): Promise<void> {
    await Promise.all(this.loaded.map((name) => this.catchUp(name)));
  }

  /** This node's cursor of a loaded document (tests, metrics). */
  cursor(name: string): number | null {
    return this.docs.get(name)?.cursor ?? null;
  }

  private seen(tracked: Tracked, seq: number): void {
    if (seq <= tracked.cursor) return;
    tracked.ahead.add(seq);
    while (tracked.ahead.delete(tracked.cursor + 1)) tracked.cursor++;
  }

  private async commit(): Promise<void> {
    const batch = this.batch!;
    this.batch = null;
    let results: { seq: number; pending: number }[];
    const started = performance.now();
    try {
      results = await this.store.appendMany(batch.entries);
    } catch (error) {
      this.options.metrics?.storeErrors.inc();
      batch.reject(error);
      return;
    }
    this.options.metrics?.storeLatency.observe((performance.now() - started) / 1000);
    this.options.metrics?.updatesStored.inc(batch.entries.length);
    const due = new Set<string>();
    batch.entries.forEach(({ name, update }, i) => {
      const { seq, pending } = results[i]!;
      const tracked = this.docs.get(name);
      if (tracked) {
        this.seen(tracked, seq);
        tracked.pending = pending;
        if (pending >= this.options.compactEvery) due.add(name);
      }
      this.options.onStored?.(name, seq, update);
    });
    batch.resolve();
    for (const name of due) {
      this.compact(name).catch(() => {
        // Every update is in the log; the next compaction folds it in.
      });
    }
  }

  private async compact(name: string): Promise<void> {
    const tracked = this.docs.get(name);
    if (!tracked || tracked.doc.isDestroyed) return;
    if (!(await this.store.lease(name, this.options.nodeId, LEASE_MS))) return;
    // Whatever other nodes stored must be in the snapshot too.
    await this.catchUp(name);
    if (tracked.doc.isDestroyed) return;
    const seq = tracked.cursor;
    const snapshot = Y.encodeStateAsUpdate(tracked.doc);
    if (await this.store.compact(name, snapshot, seq, this.options.nodeId)) {
      tracked.pending = 0;
    }
  }
}
