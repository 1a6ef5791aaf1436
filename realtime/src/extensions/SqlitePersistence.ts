import * as Y from 'yjs';
import type {
  Extension,
  OnChangePayload,
  OnLoadDocumentPayload,
  OnStoreDocumentPayload,
  Origin,
} from '../core/types.ts';
import type { SqliteStore } from '../store/SqliteStore.ts';

const STORAGE: Origin = { kind: 'storage' };

interface Batch {
  entries: { name: string; update: Uint8Array; doc: Y.Doc }[];
  done: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Persistence in the embedded store. Updates are appended in batches: everything that arrives
 * in one turn of the event loop is written in one SQLite transaction right after it (one commit
 * instead of one per update), and the core broadcasts an update only once its batch has
 * committed, so no client ever receives an update that a crash could lose. The log is folded
 * into a snapshot every `compactEvery` updates and when a document unloads.
 */
export class SqlitePersistence implements Extension {
  readonly name = 'sqlite-persistence';
  readonly priority = 1000;
  private batch: Batch | null = null;

  constructor(
    private readonly store: SqliteStore,
    private readonly compactEvery: number,
  ) {}

  onLoadDocument({ documentName, doc }: OnLoadDocumentPayload): void {
    const stored = this.store.load(documentName);
    doc.transact(() => {
      for (const update of stored.updates) Y.applyUpdate(doc, update, STORAGE);
    }, STORAGE);
    if (stored.pending >= this.compactEvery) this.compact(documentName, doc);
  }

  onChange({ documentName, doc, update }: OnChangePayload): Promise<void> {
    if (!this.batch) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const done = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.batch = { entries: [], done, resolve, reject };
      setImmediate(() => this.commit());
    }
    this.batch.entries.push({ name: documentName, update, doc });
    return this.batch.done;
  }

  onStoreDocument({ documentName, doc, reason }: OnStoreDocumentPayload): void {
    // A document nobody ever wrote to leaves no row behind.
    if (doc.store.clients.size > 0) this.compact(documentName, doc);
    if (reason !== 'compact') this.store.forget(documentName);
  }

  private commit(): void {
    const batch = this.batch!;
    this.batch = null;
    let due: Map<string, Y.Doc>;
    try {
      due = this.store.appendMany(batch.entries, this.compactEvery);
    } catch (error) {
      batch.reject(error);
      return;
    }
    batch.resolve();
    for (const [name, doc] of due) if (!doc.isDestroyed) this.compact(name, doc);
  }

  private compact(documentName: string, doc: Y.Doc): void {
    this.store.compact(documentName, Y.encodeStateAsUpdate(doc));
  }
}
