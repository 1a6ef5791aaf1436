/**
 * Document names. A name is what a client puts after `/yjs/` in the socket URL
 * (`ws://host/yjs/<name>`), so it uses only URL-safe characters.
 *
 * - `workspace:<workspaceId>`: the workspace directory (grids, members, boards).
 * - `board:<workspaceId>:<boardId>`: one task board.
 * - `roster:<workspaceId>:<gridId>`: one grid's checkpoints, staff, shifts and swaps.
 */
export type DocumentKind = 'workspace' | 'board' | 'roster';

export interface DocumentRef {
  kind: DocumentKind;
  workspaceId: string;
  /** Board id for `board` documents, grid id for `roster` documents. */
  id?: string;
}

const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;

export function isValidSegment(value: string): boolean {
  return SEGMENT.test(value);
}

export function workspaceDocName(workspaceId: string): string {
  assertSegment(workspaceId);
  return `workspace:${workspaceId}`;
}

export function boardDocName(workspaceId: string, boardId: string): string {
  assertSegment(workspaceId);
  assertSegment(boardId);
  return `board:${workspaceId}:${boardId}`;
}

export function rosterDocName(workspaceId: string, gridId: string): string {
  assertSegment(workspaceId);
  assertSegment(gridId);
  return `roster:${workspaceId}:${gridId}`;
}

/** Parses a document name; returns null for anything that is not a known, well-formed name. */
export function parseDocName(name: string): DocumentRef | null {
  const parts = name.split(':');
  if (parts[0] === 'workspace' && parts.length === 2 && isValidSegment(parts[1]!)) {
    return { kind: 'workspace', workspaceId: parts[1]! };
  }
  if (
    (parts[0] === 'board' || parts[0] === 'roster') &&
    parts.length === 3 &&
    isValidSegment(parts[1]!) &&
    isValidSegment(parts[2]!)
  ) {
    return { kind: parts[0], workspaceId: parts[1]!, id: parts[2]! };
  }
  return null;
}

function assertSegment(value: string): void {
  if (!isValidSegment(value))
    throw new Error(`invalid document name segment: ${JSON.stringify(value)}`);
}
