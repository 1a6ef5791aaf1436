/** What a document store returns on load or catch-up: a snapshot and the updates after it. */
export interface StoredDocument {
  /** Snapshot first (if any), then updates in sequence order. */
  updates: Uint8Array[];
  /** Total bytes of `updates`. */
  bytes: number;
  /** Updates stored after the last snapshot. */
  pending: number;
  /**
   * The document's sequence number this read covers: every update up to it is in `updates`
   * (or in an earlier read). Sequence numbers are per document, gap-free, in commit order.
   */
  seq: number;
}

/**
 * Durable storage of Yjs documents as an append-only log with periodic snapshots, shared by
 * every node in cluster mode. An update is durable (survives any process being killed) once
 * the promise of `appendMany` has resolved.
 */
export interface DocumentStore {
  /** Everything stored of the document (`after` omitted), or only what came after sequence `after`. */
  read(name: string, after?: number): Promise<StoredDocument>;
  /**
   * Appends updates in one transaction; resolves, after the commit, to each entry's sequence
   * number and how many updates its document has stored since its last snapshot.
   */
  appendMany(
    entries: readonly { name: string; update: Uint8Array }[],
  ): Promise<{ seq: number; pending: number }[]>;
  /**
   * Takes the compaction lease of a document for `ms` if nobody else holds it. Only the holder
   * may compact; a holder that dies simply lets the lease run out.
   */
  lease(name: string, holder: string, ms: number): Promise<boolean>;
  /**
   * Replaces the snapshot and every update up to `seq` by `snapshot` (which must contain them
   * all), atomically, and gives the lease back. False (and nothing written) when `holder` no
   * longer holds the lease.
   */
  compact(name: string, snapshot: Uint8Array, seq: number, holder: string): Promise<boolean>;
  /** Names of all stored documents (admin, tests). */
  list(): Promise<string[]>;
  /** Cheap health check for `/readyz`; rejects or resolves false when the store is down. */
  ping(): Promise<boolean>;
}
