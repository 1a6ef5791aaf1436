import * as Y from 'yjs';
import type { GridArea } from './area.ts';
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
  /**
   * Grid id -> the grid's outline. A root of its own rather than a field of the grid record:
   * renaming a grid then never rewrites (or races with) a polygon of thousands of positions,
   * and readers of the grid list never carry the geometry.
   */
  readonly areas: Y.Map<GridArea>;

  constructor(readonly doc: Y.Doc) {
    this.meta = doc.getMap('meta');
    this.grids = doc.getMap('grids');
    this.boards = doc.getMap('boards');
    this.members = doc.getMap('members');
    this.areas = doc.getMap('areas');
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

  /** Areas by grid id (the stored values: do not mutate them). */
  listAreas(): Map<string, GridArea> {
    return new Map(this.areas.entries());
  }

  /** Sets (replaces) a grid's area; check it with `areaProblem` first, the server will. */
  setArea(grid: string, area: GridArea): void {
    this.areas.set(grid, area);
  }

  /** Sets several areas in one transaction (an import: all or nothing). */
  setAreas(areas: Iterable<[grid: string, area: GridArea]>): void {
    this.doc.transact(() => {
      for (const [grid, area] of areas) this.areas.set(grid, area);
    });
  }

  deleteArea(grid: string): void {
    this.areas.delete(grid);
  }

  observe(listener: () => void): () => void {
    this.doc.on('update', listener);
    return () => this.doc.off('update', listener);
  }
}
