import type { Role } from './permissions.ts';

/** Workflow of a task card, in board column order. */
export const TASK_STATUSES = ['todo', 'in_progress', 'blocked', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** What kind of field work a task is (see DOMAIN.md: screening rounds, deliveries, ...). */
export const TASK_KINDS = ['screening', 'delivery', 'follow_up', 'fix', 'other'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** A WGS-84 position, as phones report it. Display conversion (GCJ-02) happens in the map. */
export interface LatLng {
  lat: number;
  lng: number;
}

export interface ChecklistItem {
  id: string;
  text: string;
  done: boolean;
}

export interface TaskComment {
  id: string;
  /** User id of the author. */
  author: string;
  text: string;
  /** Epoch milliseconds. */
  at: number;
}

export interface HistoryEntry {
  /** Epoch milliseconds. */
  at: number;
  /** User id. */
  by: string;
  action: 'created' | 'edited' | 'moved' | 'assigned' | 'commented' | 'archived' | 'restored';
  /** Names of the fields the change touched. */
  fields?: string[];
}

/** A plain, immutable snapshot of one task card. */
export interface Task {
  id: string;
  title: string;
  description: string;
  status: TaskStatus;
  /** Position inside its status column; lower comes first. */
  order: number;
  kind: TaskKind;
  priority: Priority;
  /** Id of the grid (area) the task belongs to, or null. */
  grid: string | null;
  location: LatLng | null;
  /** Due time, epoch milliseconds, or null. */
  due: number | null;
  /** User ids, sorted. */
  assignees: string[];
  /** Sorted. */
  tags: string[];
  checklist: ChecklistItem[];
  comments: TaskComment[];
  history: HistoryEntry[];
  archived: boolean;
  createdBy: string;
  createdAt: number;
  updatedBy: string;
  updatedAt: number;
}

/** Fields a person may set when creating or editing a task. */
export interface TaskInput {
  title: string;
  description?: string;
  status?: TaskStatus;
  kind?: TaskKind;
  priority?: Priority;
  grid?: string | null;
  location?: LatLng | null;
  due?: number | null;
  assignees?: string[];
  tags?: string[];
}

export type TaskPatch = Partial<Omit<TaskInput, 'assignees' | 'tags'>>;

export interface Grid {
  id: string;
  name: string;
}

export interface Member {
  id: string;
  username: string;
  displayName: string;
  role: Role;
}

export interface BoardSummary {
  id: string;
  name: string;
  /** The grid the board belongs to; null for a workspace-wide board (leaders, all-grid roles). */
  grid: string | null;
}

/** The signed-in user as the server reports it at `GET /api/me`. */
export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  workspaceId: string;
  /** Grid ids the user works in; null means every grid. */
  grids: string[] | null;
}

/** Limits shared by the web app, the server's validation and the API. */
export const LIMITS = {
  idLength: 64,
  titleLength: 200,
  descriptionLength: 5000,
  commentLength: 2000,
  tagLength: 40,
  tags: 20,
  assignees: 20,
  checklistItems: 100,
  checklistTextLength: 300,
  comments: 1000,
  history: 500,
  nameLength: 100,
} as const;
