import { clearDocument } from 'y-indexeddb';

/**
 * Small things kept in localStorage: the unsaved-change count per document, and the names of
 * the documents this browser keeps in IndexedDB (so logging out can remove them).
 */
const UNSAVED_PREFIX = 'outpost:unsaved:';
const DOCUMENTS_KEY = 'outpost:documents';

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function readUnsaved(docName: string): number {
  const raw = storage()?.getItem(UNSAVED_PREFIX + docName);
  const value = raw === null || raw === undefined ? 0 : Number.parseInt(raw, 10);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

export function writeUnsaved(docName: string, count: number): void {
  const store = storage();
  if (!store) return;
  if (count > 0) store.setItem(UNSAVED_PREFIX + docName, String(count));
  else store.removeItem(UNSAVED_PREFIX + docName);
}

/** Total unsaved changes over every document this browser has opened. */
export function totalUnsaved(): number {
  return localDocuments().reduce((sum, name) => sum + readUnsaved(name), 0);
}

export function localDocuments(): string[] {
  const raw = storage()?.getItem(DOCUMENTS_KEY);
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export function rememberLocalDocument(docName: string): void {
  const names = localDocuments();
  if (names.includes(docName)) return;
  storage()?.setItem(DOCUMENTS_KEY, JSON.stringify([...names, docName]));
}

/** Deletes one document's local copy (IndexedDB and its counter). */
export async function forgetLocalDocument(docName: string): Promise<void> {
  await clearDocument(docName).catch(() => undefined);
  const store = storage();
  if (!store) return;
  store.removeItem(UNSAVED_PREFIX + docName);
  const rest = localDocuments().filter((name) => name !== docName);
  store.setItem(DOCUMENTS_KEY, JSON.stringify(rest));
}

/** Deletes every local copy (IndexedDB and counters): used at logout on shared phones. */
export async function forgetLocalDocuments(): Promise<void> {
  const names = localDocuments();
  await Promise.allSettled(names.map((name) => clearDocument(name)));
  const store = storage();
  if (!store) return;
  for (const name of names) store.removeItem(UNSAVED_PREFIX + name);
  store.removeItem(DOCUMENTS_KEY);
}
