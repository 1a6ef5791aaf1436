import type { BoardSummary, Grid, Member, SessionUser } from '@outpost/model';
import { WorkspaceDirectory, workspaceDocName } from '@outpost/model';
import { indexBy } from '../collections.ts';
import { DocConnection } from '../sync/doc-connection.svelte.ts';

/**
 * The workspace directory (grids, boards, members) of the signed-in user, live. Opened once by
 * the signed-in layout and shared through context.
 */
export class WorkspaceState {
  readonly connection: DocConnection;
  readonly directory: WorkspaceDirectory;

  name = $state.raw('');
  grids = $state.raw<Grid[]>([]);
  boards = $state.raw<BoardSummary[]>([]);
  members = $state.raw<Member[]>([]);

  readonly memberById = $derived(indexBy(this.members, (m) => m.id));
  readonly gridById = $derived(indexBy(this.grids, (g) => g.id));

  private readonly stop: () => void;

  constructor(readonly user: SessionUser) {
    this.connection = new DocConnection(workspaceDocName(user.workspaceId));
    this.directory = new WorkspaceDirectory(this.connection.doc);
    this.refresh();
    this.stop = this.directory.observe(() => this.refresh());
  }

  /** Display name of a user id; the id itself when the member is unknown. */
  memberName(id: string): string {
    if (id === this.user.id) return this.user.displayName;
    return this.memberById.get(id)?.displayName ?? id;
  }

  gridName(id: string | null): string | null {
    if (id === null) return null;
    return this.gridById.get(id)?.name ?? id;
  }

  boardName(id: string): string | null {
    return this.boards.find((b) => b.id === id)?.name ?? null;
  }

  destroy(): void {
    this.stop();
    this.connection.destroy();
  }

  private refresh(): void {
    this.name = this.directory.name;
    this.grids = this.directory.listGrids();
    this.boards = this.directory.listBoards();
    this.members = this.directory.listMembers();
  }
}
