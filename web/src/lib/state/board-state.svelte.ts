import type { SessionUser, Task, TaskInput, TaskPatch, TaskStatus } from '@outpost/model';
import {
  CLOSE,
  REFUSAL_KEPT,
  TASK_STATUSES,
  TaskBoard,
  boardDocName,
  byOrder,
} from '@outpost/model';
import {
  boardAbilities,
  gridChoices,
  taskAbilities,
  type BoardAbilities,
  type TaskAbilities,
} from '../abilities.ts';
import { groupBy, indexBy } from '../collections.ts';
import { DocConnection, type AccessEnd } from '../sync/doc-connection.svelte.ts';
import type { HandInOutcome } from '../sync/hand-in.ts';
import { colorFor } from '../presence.ts';
import type { SessionState } from './session-state.svelte.ts';
import type { WorkspaceState } from './workspace-state.svelte.ts';

/** Someone with this board open, from y-protocols awareness. */
export interface Peer {
  clientId: number;
  userId: string;
  name: string;
  color: string;
  /** Task the person has open in the card dialog. */
  editing: string | null;
  self: boolean;
}

/** What each client publishes in awareness. */
interface AwarenessState {
  user?: { id?: unknown; name?: unknown; color?: unknown };
  editing?: unknown;
}

export interface BoardFilters {
  mine: boolean;
  /** Grid id, or '' for every grid. */
  grid: string;
  overdue: boolean;
  query: string;
  /** Show the archived cards (and only them) instead of the live ones. */
  archived: boolean;
}

export interface BoardColumn {
  status: TaskStatus;
  tasks: Task[];
  /** Cards in the column before filters (not archived). */
  total: number;
}

export type MoveDirection = 'left' | 'right' | 'up' | 'down';

/** The server ended this person's access to the board (4403), or the app found it out. */
export interface BoardEnded extends AccessEnd {
  /** The server refused a change (rather than the board leaving the person's scope). */
  refusedChange: boolean;
  /** The server stored the refused change for review (then this device forgets its copy). */
  keptByServer: boolean;
  /** What became of the unsaved changes. */
  handIn: 'pending' | 'nothing' | HandInOutcome;
}

/** Thrown by a mutator the person may not use; the UI never offers one, this is the backstop. */
export class NotAllowed extends Error {}

/** How often "overdue" is re-evaluated. */
const CLOCK_MS = 30_000;

/**
 * One open task board: the Yjs document with its connection, immutable snapshots of its tasks
 * (refreshed from the document's observer, never mutated in place), who else is here, the
 * filters and the open dialog. Every change goes through the `TaskBoard` mutators of
 * `@outpost/model`, and only when the person's role allows it (`abilities`), so the app never
 * sends a write the server will refuse. Created by the board view and handed down through
 * context.
 */
export class BoardState {
  readonly connection: DocConnection;
  readonly board: TaskBoard;

  /** Every task, archived ones included. */
  tasks = $state.raw<Task[]>([]);
  peers = $state.raw<Peer[]>([]);
  docName = $state.raw('');
  /** Name stored in the board document itself. */
  metaName = $state.raw('');
  filters: BoardFilters = $state({
    mine: false,
    grid: '',
    overdue: false,
    query: '',
    archived: false,
  });
  now = $state(Date.now());

  /** Card shown in the detail dialog. */
  openTaskId = $state<string | null>(null);
  /** Column the "new task" dialog adds to; null when the dialog is closed. */
  creatingIn = $state<TaskStatus | null>(null);
  /** Card to focus after it moved (its element is re-created in the new column). */
  focusTaskId = $state<string | null>(null);
  /** Text for the screen-reader live region. */
  announcement = $state('');
  /** Set when access to this board ended; the board then stays on screen, read-only. */
  ended = $state.raw<BoardEnded | null>(null);

  /** The grid this board belongs to; null for a workspace-wide board. */
  readonly grid: string | null;
  /** What this person may do here (live: a role change applies at once). */
  readonly abilities: BoardAbilities;
  /** Grids a task here may be put in (null: no grid). */
  readonly gridChoices: (string | null)[];

  readonly taskById = $derived(indexBy(this.tasks, (t) => t.id));

  readonly columns: BoardColumn[] = $derived.by(() => {
    const live = this.tasks.filter((t) => t.archived === this.filters.archived);
    return TASK_STATUSES.map((status) => {
      const all = live.filter((t) => t.status === status);
      return {
        status,
        total: all.length,
        tasks: all.filter((t) => this.matches(t)).sort(byOrder),
      };
    });
  });

  readonly hiddenCount = $derived(
    this.columns.reduce((sum, column) => sum + column.total - column.tasks.length, 0),
  );

  readonly filtersActive = $derived(
    this.filters.mine ||
      this.filters.overdue ||
      this.filters.archived ||
      this.filters.grid !== '' ||
      this.filters.query.trim() !== '',
  );

  /** Other people editing each task. */
  readonly editorsByTask = $derived(
    groupBy(this.peers, (peer) => (peer.self ? null : peer.editing)),
  );

  private readonly cleanup: (() => void)[] = [];

  constructor(
    readonly boardId: string,
    readonly session: SessionState,
    readonly workspace: WorkspaceState,
  ) {
    const user = session.user;
    this.grid = $derived(workspace.board(boardId)?.grid ?? null);
    this.abilities = $derived(boardAbilities(session.user, this.stopped));
    this.gridChoices = $derived(gridChoices(session.user, this.grid, workspace.grids));
    this.docName = boardDocName(user.workspaceId, boardId);
    this.connection = new DocConnection(this.docName, {
      onAccessEnded: (_connection, end) => {
        if (end.code === CLOSE.unauthorized) session.endAccess(end.reason);
        else void this.endAccess(end);
      },
      onUnreachable: () => void this.checkAccess(),
    });
    this.cleanup.push(session.track(this.connection));
    this.board = new TaskBoard(this.connection.doc);
    this.refreshTasks();
    this.cleanup.push(this.board.observe(() => this.refreshTasks()));
    const onMeta = () => (this.metaName = this.board.name);
    this.board.meta.observe(onMeta);
    this.cleanup.push(() => this.board.meta.unobserve(onMeta));

    const awareness = this.connection.awareness;
    awareness.setLocalState({
      user: { id: user.id, name: user.displayName, color: colorFor(user.id) },
      editing: null,
    });
    const onAwareness = () => this.refreshPeers();
    awareness.on('change', onAwareness);
    this.cleanup.push(() => awareness.off('change', onAwareness));
    this.refreshPeers();

    const clock = setInterval(() => (this.now = Date.now()), CLOCK_MS);
    this.cleanup.push(() => clearInterval(clock));
  }

  /** The signed-in person, live (a role change applies at once). */
  get user(): SessionUser {
    return this.session.user;
  }

  /** Nothing syncs any more: access to this board, or the whole session, ended. */
  get stopped(): boolean {
    return this.ended !== null || this.session.ended !== null;
  }

  /** What this person may do to a task. */
  can(task: Task): TaskAbilities {
    return taskAbilities(this.user, task, this.stopped);
  }

  /** Board name from the workspace directory, else the board document, else a default. */
  get name(): string {
    return this.workspace.boardName(this.boardId) ?? this.metaName;
  }

  isOverdue(task: Task): boolean {
    return task.due !== null && task.due < this.now && task.status !== 'done' && !task.archived;
  }

  /** A task on a grid's board is in that grid; assigning needs `assign`. */
  create(input: TaskInput): string {
    if (!this.abilities.create) throw new NotAllowed('create');
    if (input.assignees?.length && !this.abilities.assign) throw new NotAllowed('assign');
    const grid = input.grid === undefined ? this.grid : input.grid;
    if (!this.gridChoices.includes(grid)) throw new NotAllowed('grid');
    return this.board.create({ ...input, grid }, this.user.id);
  }

  update(id: string, patch: TaskPatch): void {
    const fields = Object.keys(patch);
    const needs = fields.every((f) => f === 'status') ? 'work' : 'edit';
    this.require(id, needs);
    if (patch.grid !== undefined && !this.gridChoices.includes(patch.grid))
      throw new NotAllowed('grid');
    this.board.update(id, patch, this.user.id);
  }

  setAssignees(id: string, userIds: string[]): void {
    this.require(id, 'assign');
    this.board.setAssignees(id, userIds, this.user.id);
  }

  setTags(id: string, tags: string[]): void {
    this.require(id, 'edit');
    this.board.setTags(id, tags, this.user.id);
  }

  addComment(id: string, text: string): void {
    this.require(id, 'work');
    this.board.addComment(id, text, this.user.id);
  }

  addChecklistItem(id: string, text: string): void {
    this.require(id, 'work');
    this.board.addChecklistItem(id, text, this.user.id);
  }

  setChecklistDone(id: string, itemId: string, done: boolean): void {
    this.require(id, 'work');
    this.board.setChecklistDone(id, itemId, done, this.user.id);
  }

  setArchived(id: string, archived: boolean): void {
    this.require(id, 'archive');
    this.board.setArchived(id, archived, this.user.id);
  }

  /** Moves a card to a column, before `beforeId` (null: at the end). */
  move(id: string, status: TaskStatus, beforeId: string | null): void {
    if (beforeId === id) return;
    this.require(id, 'work');
    this.board.move(id, status, beforeId, this.user.id);
  }

  /**
   * Moves a card one step: to the neighbouring column (at its end), or one place up or down
   * among the cards that are shown. Returns false when it cannot move that way.
   */
  moveStep(id: string, direction: MoveDirection): boolean {
    const task = this.taskById.get(id);
    if (!task || !this.can(task).work) return false;
    const columnIndex = TASK_STATUSES.indexOf(task.status);
    if (direction === 'left' || direction === 'right') {
      const target = TASK_STATUSES[columnIndex + (direction === 'left' ? -1 : 1)];
      if (!target) return false;
      this.move(id, target, null);
    } else {
      const shown = this.columns[columnIndex]?.tasks ?? [];
      const index = shown.findIndex((t) => t.id === id);
      if (index === -1) return false;
      if (direction === 'up') {
        const previous = shown[index - 1];
        if (!previous) return false;
        this.move(id, task.status, previous.id);
      } else {
        const next = shown[index + 1];
        if (!next) return false;
        // Place after `next`: before whatever follows it in the whole column.
        const all = this.tasks
          .filter((t) => t.status === task.status && !t.archived && t.id !== id)
          .sort(byOrder);
        const after = all[all.findIndex((t) => t.id === next.id) + 1];
        this.move(id, task.status, after ? after.id : null);
      }
    }
    this.focusTaskId = id;
    return true;
  }

  /** Position (1-based) of a card in its column as shown. */
  positionOf(id: string): number {
    for (const column of this.columns) {
      const index = column.tasks.findIndex((t) => t.id === id);
      if (index !== -1) return index + 1;
    }
    return 0;
  }

  /** Tells the others which card this person has open. */
  setEditing(taskId: string | null): void {
    this.connection.awareness.setLocalStateField('editing', taskId);
  }

  openTask(id: string | null): void {
    this.openTaskId = id;
    this.setEditing(id);
  }

  clearFilters(): void {
    this.filters.mine = false;
    this.filters.grid = '';
    this.filters.overdue = false;
    this.filters.query = '';
    this.filters.archived = false;
  }

  /**
   * The server ended access to this board (4403: a change refused, or the board left the
   * person's scope). Syncing has stopped; the unsaved changes are handed in and the local copy
   * deleted; the session learns the new role and scope.
   */
  async endAccess(end: AccessEnd): Promise<void> {
    if (this.ended) return;
    this.openTask(null);
    this.creatingIn = null;
    const refusedChange = end.reason?.startsWith('not allowed') ?? false;
    const keptByServer = refusedChange && (end.reason?.endsWith(REFUSAL_KEPT) ?? false);
    this.ended = { ...end, refusedChange, keptByServer, handIn: 'pending' };
    const handIn = await this.connection.handIn({ alreadyHeld: keptByServer });
    this.ended = { ...this.ended, handIn };
    void this.session.refresh();
  }

  /** A hand-in that failed (no network) is tried again on request. */
  async retryHandIn(): Promise<void> {
    if (!this.ended || this.ended.handIn !== 'failed') return;
    this.ended = { ...this.ended, handIn: 'pending' };
    const handIn = await this.connection.handIn({ alreadyHeld: this.ended.keptByServer });
    this.ended = { ...this.ended, handIn };
  }

  /**
   * The socket keeps failing to open: ask the server who this is now. Signed out ends the
   * session (the session handles it); a board no longer in scope ends this board.
   */
  async checkAccess(): Promise<void> {
    if ((await this.session.refresh()) !== 'ok') return;
    if (this.workspace.boardAccess(this.boardId) === 'forbidden') {
      this.connection.end({ code: CLOSE.forbidden, reason: null });
    }
  }

  destroy(): void {
    for (const fn of this.cleanup) fn();
    this.connection.awareness.setLocalState(null);
    this.connection.destroy();
  }

  private require(id: string, ability: keyof TaskAbilities): void {
    const task = this.taskById.get(id);
    if (!task || !this.can(task)[ability]) throw new NotAllowed(ability);
  }

  private matches(task: Task): boolean {
    const f = this.filters;
    if (f.mine && !task.assignees.includes(this.user.id)) return false;
    if (f.grid && task.grid !== f.grid) return false;
    if (f.overdue && !this.isOverdue(task)) return false;
    const query = f.query.trim().toLocaleLowerCase();
    if (query) {
      const haystack = [task.title, task.description, ...task.tags].join('\n').toLocaleLowerCase();
      if (!haystack.includes(query)) return false;
    }
    return true;
  }

  private refreshTasks(): void {
    this.tasks = this.board.list();
  }

  private refreshPeers(): void {
    const self = this.connection.doc.clientID;
    const all: Peer[] = [];
    this.connection.awareness.getStates().forEach((raw, clientId) => {
      const state = raw as AwarenessState;
      const user = state.user;
      if (!user || typeof user.id !== 'string') return;
      all.push({
        clientId,
        userId: user.id,
        name: typeof user.name === 'string' ? user.name : user.id,
        color: typeof user.color === 'string' ? user.color : colorFor(user.id),
        editing: typeof state.editing === 'string' ? state.editing : null,
        self: clientId === self,
      });
    });
    // One entry per person (several tabs or phones): this tab first, else one that is editing.
    const rank = (p: Peer) => (p.self ? 2 : p.editing ? 1 : 0);
    const people = [...groupBy(all, (p) => p.userId).values()].map((group) =>
      group.reduce((best, p) => (rank(p) > rank(best) ? p : best)),
    );
    this.peers = people.sort(
      (a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name),
    );
  }
}
