import type {
  BoardSummary,
  Grid,
  GridArea,
  MapSettings,
  Member,
  RosterSettings,
} from '@outpost/model';
import {
  CLOSE,
  DEFAULT_MAP_SETTINGS,
  DEFAULT_ROSTER_SETTINGS,
  WorkspaceDirectory,
  can,
  inScope,
  readMapSettings,
  readRosterSettings,
  workspaceDocName,
} from '@outpost/model';
import { canOpenBoard } from '../abilities.ts';
import { request, type PersonRecord } from '../api.ts';
import { indexBy } from '../collections.ts';
import { DocConnection } from '../sync/doc-connection.svelte.ts';
import type { SessionState } from './session-state.svelte.ts';

/** Replaced, never changed: each directory update brings a fresh map. */
const NO_AREAS: ReadonlyMap<string, GridArea> = new Map();

/** Can this person open a board? `loading`: the directory has not said yet. */
export type BoardAccess = 'open' | 'forbidden' | 'missing' | 'loading';

/**
 * The workspace directory (grids, boards, members) of the signed-in user, live. Opened once by
 * the signed-in layout and shared through context. It also feeds the person's own member
 * record to the session, which is how a role change reaches the screen without a reload.
 */
export class WorkspaceState {
  readonly connection: DocConnection;
  readonly directory: WorkspaceDirectory;

  name = $state.raw('');
  grids = $state.raw<Grid[]>([]);
  /** Every board of the workspace, including those this person may not open. */
  boards = $state.raw<BoardSummary[]>([]);
  members = $state.raw<Member[]>([]);
  /** IANA time zone of the workspace. */
  timeZone = $state.raw('Asia/Shanghai');
  mapSettings = $state.raw<MapSettings>(DEFAULT_MAP_SETTINGS);
  rosterSettings = $state.raw<RosterSettings>(DEFAULT_ROSTER_SETTINGS);
  /** Grid id -> the grid's outline on the map. */
  areas = $state.raw<ReadonlyMap<string, GridArea>>(NO_AREAS);

  readonly memberById = $derived(indexBy(this.members, (m) => m.id));
  readonly gridById = $derived(indexBy(this.grids, (g) => g.id));
  /** The boards this person may open (the server refuses the others). */
  readonly openBoards = $derived(this.boards.filter((b) => canOpenBoard(this.session.user, b)));

  /** Accounts with their scopes (`GET /api/users`), loaded when first needed; null until then. */
  people = $state.raw<PersonRecord[] | null>(null);
  private peopleLoading: Promise<void> | null = null;

  private readonly stop: (() => void)[] = [];

  constructor(readonly session: SessionState) {
    this.connection = new DocConnection(workspaceDocName(session.user.workspaceId), {
      onAccessEnded: (_connection, end) => {
        if (end.code === CLOSE.unauthorized) session.endAccess(end.reason);
      },
      onUnreachable: () => void session.refresh(),
    });
    this.stop.push(session.track(this.connection));
    this.directory = new WorkspaceDirectory(this.connection.doc);
    this.refresh();
    this.stop.push(this.directory.observe(() => this.refresh()));
  }

  get user() {
    return this.session.user;
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

  board(id: string): BoardSummary | null {
    return this.boards.find((b) => b.id === id) ?? null;
  }

  boardName(id: string): string | null {
    return this.board(id)?.name ?? null;
  }

  /** Whether a board may be opened, from the directory (local copy or server). */
  boardAccess(id: string): BoardAccess {
    const board = this.board(id);
    if (board) return canOpenBoard(this.user, board) ? 'open' : 'forbidden';
    // Unknown: wait for the server, unless there is no server to wait for.
    if (this.connection.synced) return 'missing';
    if (this.connection.localReady && !this.connection.networkUp && this.boards.length > 0)
      return 'missing';
    return 'loading';
  }

  /**
   * Members a task on a board of this grid may be assigned to: people who can work on tasks
   * and whose scope covers the grid, not disabled. Without the account list (offline, or no
   * right to read it) every member whose role can work on tasks. (The server does not require
   * this; it keeps people from being given work on a board they cannot open.)
   */
  assignable(grid: string | null): Member[] {
    const canWork = (p: Pick<Member, 'role'>) => can(p, 'tasks', 'work') || can(p, 'tasks', 'edit');
    if (!this.people) return this.members.filter(canWork);
    const byId = indexBy(this.people, (p) => p.id);
    return this.members.filter((m) => {
      const person = byId.get(m.id);
      // Someone added since the list was loaded: judged by role alone.
      if (!person) return canWork(m);
      return !person.disabled && canWork(person) && inScope(person, grid);
    });
  }

  /** Loads the account list once, for people who may read it. */
  loadPeople(): Promise<void> {
    if (!can(this.user, 'people', 'read')) return Promise.resolve();
    this.peopleLoading ??= request<{ users: PersonRecord[] }>('/api/users').then((result) => {
      if (result.ok) this.people = result.data.users;
      else this.peopleLoading = null;
    });
    return this.peopleLoading;
  }

  /**
   * Writes one workspace setting into the directory (admins: the server refuses anyone else's
   * write). Offline it is kept on this device and sent when the connection is back.
   */
  saveSetting<K extends 'name' | 'timeZone' | 'map' | 'roster'>(
    key: K,
    value: K extends 'map' ? MapSettings : K extends 'roster' ? RosterSettings : string,
  ): void {
    this.connection.doc.transact(() => this.directory.meta.set(key, value));
  }

  destroy(): void {
    for (const fn of this.stop) fn();
    this.connection.destroy();
  }

  private refresh(): void {
    this.name = this.directory.name;
    this.grids = this.directory.listGrids();
    this.boards = this.directory.listBoards().map((b) => ({ ...b, grid: b.grid ?? null }));
    this.members = this.directory.listMembers();
    this.timeZone = this.directory.timeZone;
    this.mapSettings = sameJson(this.mapSettings, readMapSettings(this.directory.meta));
    this.rosterSettings = sameJson(this.rosterSettings, readRosterSettings(this.directory.meta));
    this.areas = this.directory.listAreas();
    const me = this.directory.members.get(this.session.user.id);
    if (me) this.session.applyMember(me);
  }
}

/** `next`, or `current` itself when equal, so that views keyed on it are not rebuilt. */
function sameJson<T>(current: T, next: T): T {
  return JSON.stringify(current) === JSON.stringify(next) ? current : next;
}
