/**
 * The few y-websocket frames the bench writes by hand. Every type and sub-type used here is
 * below 128, so each varUint is one byte and frames can be recognised by their first bytes.
 */
import * as encoding from 'lib0/encoding';

export const MSG_SYNC = 0;
export const MSG_AWARENESS = 1;
/** Outpost's durable acknowledgement (packages/model/src/protocol.ts). */
export const MSG_SAVED = 100;

export const SYNC_STEP1 = 0;
export const SYNC_STEP2 = 1;
export const SYNC_UPDATE = 2;

/** SyncStep1 with the state vector of an empty document (no clients). */
export const EMPTY_SYNC_STEP1 = Uint8Array.of(MSG_SYNC, SYNC_STEP1, 1, 0);
/** SyncStep2 carrying an empty update (no structs, empty delete set). */
export const EMPTY_SYNC_STEP2 = Uint8Array.of(MSG_SYNC, SYNC_STEP2, 2, 0, 0);

export function encodeSync(syncType: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MSG_SYNC);
  encoding.writeVarUint(encoder, syncType);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

export function encodeSaved(seq: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MSG_SAVED);
  encoding.writeVarUint(encoder, seq);
  return encoding.toUint8Array(encoder);
}

/** `ws://host:port/yjs/<doc>?token=…`: the same URL shape for every server under test. */
export function docUrl(wsBase: string, doc: string, token: string): string {
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${wsBase}${encodeURIComponent(doc)}${query}`;
}
