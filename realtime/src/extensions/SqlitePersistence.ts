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

/**
 * Persistence in the embedded store. Every update is appended in `onChange`, synchronously,
 * before the core broadcasts it, so no client ever receives an update that a crash could lose.
 * The log is folded into a snapshot every `compactEvery` updates and when a document unloads.
 */
export class SqlitePersistence implements Extension {
  readonly name = 'sqlite-persistence';
  readonly priority = 1000;
  private readonly compacting = new Set<string>();

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

  onChange({ documentName, doc, update }: OnChangePayload): void {
    const pending = this.store.append(documentName, update);
    if (pending >= this.compactEvery && !this.compacting.has(documentName)) {
      // Off the hot path: the broadcast goes out first, the snapshot is written next tick.
      this.compacting.add(documentName);
      setImmediate(() => {
        this.compacting.delete(documentName);
        if (!doc.isDestroyed) this.compact(documentName, doc);
      });
    }
  }

  onStoreDocument({ documentName, doc, reason }: OnStoreDocumentPayload): void {
    this.compact(documentName, doc);
    if (reason !== 'compact') this.store.forget(documentName);
  }

  private compact(documentName: string, doc: Y.Doc): void {
    this.store.compact(documentName, Y.encodeStateAsUpdate(doc));
  }
}
