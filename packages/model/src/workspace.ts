import * as Y from 'yjs';
import type { BoardSummary, Grid, Member } from './types.ts';

/**
 * Typed access to the workspace directory document (`workspace:<workspaceId>`): its grids,
 * its boards and its members. The server writes members from the account store; grids and
 * boards are edited by people.
 */
export class WorkspaceDirectory {
  readonly meta: Y.Map<unknown>;
  readonly grids: Y.Map<Grid>;
  readonly boards: Y.Map<BoardSummary>;
  readonly members: Y.Map<Member>;

  constructor(readonly doc: Y.Doc) {
    this.meta = doc.getMap('meta');
    this.grids = doc.getMap('grids');
    this.boards = doc.getMap('boards');
    this.members = doc.getMap('members');
  }

  get name(): string {
    const name = this.meta.get('name');
    return typeof name === 'string' ? name : '';
  }

  /** IANA time zone of the workspace; Asia/Shanghai when unset. */
  get timeZone(): string {
    const zone = this.meta.get('timeZone');
    return typeof zone === 'string' ? zone : 'Asia/Shanghai';
  }

  listGrids(): Grid[] {
    return [...this.grids.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  listBoards(): BoardSummary[] {
    return [...this.boards.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  listMembers(): Member[] {
    return [...this.members.values()].sort((a, b) => a.displayName.localeCompare(b.displayName));
  }

  setGrid(grid: Grid): void {
    this.grids.set(grid.id, { id: grid.id, name: grid.name });
  }

  setBoard(board: BoardSummary): void {
    this.boards.set(board.id, { id: board.id, name: board.name, grid: board.grid });
  }

  setMember(member: Member): void {
    this.members.set(member.id, { ...member });
  }

  observe(listener: () => void): () => void {
    this.doc.on('update', listener);
    return () => this.doc.off('update', listener);
  }
}
