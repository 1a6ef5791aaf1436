/** What a document store returns on load: a snapshot and the updates appended after it. */
export interface StoredDocument {
  /** Snapshot first (if any), then updates in append order. */
  updates: Uint8Array[];
  /** Total bytes of `updates`. */
  bytes: number;
  /** Updates appended since the last snapshot. */
  pending: number;
}

/**
 * Durable storage of Yjs documents as an append-only log with periodic snapshots. An update
 * passed to `append` is durable (survives the process being killed) when `append` returns.
 */
export interface DocumentStore {
  load(name: string): StoredDocument;
  /** Appends one update; returns how many updates the document has since its last snapshot. */
  append(name: string, update: Uint8Array): number;
  /**
   * Replaces the document's snapshot and every update appended so far by `snapshot`, which must
   * contain them all, atomically.
   */
  compact(name: string, snapshot: Uint8Array): void;
  /** Names of all stored documents (admin, tests). */
  list(): string[];
  /** Cheap health check for `/readyz`. */
  ping(): boolean;
}
