import { IndexeddbPersistence } from 'y-indexeddb';
import * as Y from 'yjs';
import { request } from '../api.ts';
import { forgetLocalDocument, localDocuments, readUnsaved } from './local-store.ts';

/**
 * Handing in: when a person's access ends (account disabled, signed out everywhere, a change
 * refused, a board taken out of their scope) while this device holds changes the server has
 * not stored, the whole local state of each such document goes to `POST /api/held/hand-in`.
 * The server keeps what it does not already have in its holding queue for a supervisor; it
 * accepts the old session cookie for this even after the account was disabled.
 *
 * - `held`: the server kept new changes for review.
 * - `already`: the server had every change already (stored, or held after a refusal).
 * - `failed`: no answer, or refused: the local copy must be kept.
 */
export type HandInOutcome = 'held' | 'already' | 'failed';

export async function handInUpdate(document: string, update: Uint8Array): Promise<HandInOutcome> {
  const result = await request<{ held: boolean }>('/api/held/hand-in', {
    method: 'POST',
    body: { document, update: toBase64(update) },
  });
  if (!result.ok) return 'failed';
  return result.data?.held ? 'held' : 'already';
}

/** Hands in a document this browser keeps in IndexedDB but does not have open. */
export async function handInStoredDocument(name: string): Promise<HandInOutcome> {
  const doc = new Y.Doc();
  const persistence = new IndexeddbPersistence(name, doc);
  try {
    await persistence.whenSynced;
    return await handInUpdate(name, Y.encodeStateAsUpdate(doc));
  } catch {
    return 'failed';
  } finally {
    await persistence.destroy();
    doc.destroy();
  }
}

/**
 * Hands in every stored document with unsaved changes (except `skip`, handled by whoever has
 * them open) and forgets the ones the server took. Returns the combined outcome: `held` if
 * anything was kept for review, `failed` if anything could not be handed in, else `already`
 * (also when there was nothing to hand in).
 */
export async function handInStoredDocuments(skip: readonly string[] = []): Promise<HandInOutcome> {
  const outcomes: HandInOutcome[] = [];
  for (const name of localDocuments()) {
    if (skip.includes(name) || readUnsaved(name) === 0) continue;
    const outcome = await handInStoredDocument(name);
    if (outcome !== 'failed') await forgetLocalDocument(name);
    outcomes.push(outcome);
  }
  return combine(outcomes);
}

export function combine(outcomes: readonly HandInOutcome[]): HandInOutcome {
  if (outcomes.includes('failed')) return 'failed';
  return outcomes.includes('held') ? 'held' : 'already';
}

/** Base64 of any size (spreading a large array into `fromCharCode` would overflow the stack). */
export function toBase64(bytes: Uint8Array): string {
  const CHUNK = 0x8000;
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}
