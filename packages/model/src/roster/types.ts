import type { LatLng } from '../types.ts';

/** What a checkpoint guards (DOMAIN.md: compound gates, highway exits, rail stations). */
export const CHECKPOINT_KINDS = ['gate', 'road', 'rail', 'other'] as const;
export type CheckpointKind = (typeof CHECKPOINT_KINDS)[number];

/** `closed` and `suspended` posts need nobody: they raise no gap and no alarm. */
export const CHECKPOINT_STATUSES = ['open', 'closed', 'suspended'] as const;
export type CheckpointStatus = (typeof CHECKPOINT_STATUSES)[number];

/** Live staffing of a checkpoint at an instant (map pins, counters, the roster). */
export const STAFFING_STATES = ['staffed', 'gap', 'closed'] as const;
export type StaffingState = (typeof STAFFING_STATES)[number];

export const SWAP_STATUSES = ['offered', 'taken', 'approved', 'rejected', 'cancelled'] as const;
export type SwapStatus = (typeof SWAP_STATUSES)[number];

/**
 * A daily opening window in the workspace's time zone, `HH:mm` each; `to` earlier than `from`
 * means the window crosses midnight. A checkpoint without one is open 24 hours.
 */
export interface OpeningHours {
  from: string;
  to: string;
}

/**
 * One shift of a checkpoint's daily pattern: starts every day at `start` (`HH:mm`, workspace
 * zone) and lasts `minutes` (a shift may cross midnight). `required`: people needed on it.
 */
export interface ShiftTemplate {
  /** Short id, `[a-z0-9]{1,8}`, part of the generated shifts' ids. */
  id: string;
  name: string;
  start: string;
  minutes: number;
  required: number;
}

export interface Checkpoint {
  id: string;
  name: string;
  kind: CheckpointKind;
  /** The grid whose roster document holds it. */
  grid: string;
  /** WGS-84, or null when not yet placed. */
  location: LatLng | null;
  /** Null: open 24 hours. */
  hours: OpeningHours | null;
  /** The daily shift pattern, ordered by start. */
  pattern: ShiftTemplate[];
  /** Phone or radio of the post, free text. */
  contact: string;
  status: CheckpointStatus;
  notes: string;
  createdBy: string;
  createdAt: number;
  updatedBy: string;
  updatedAt: number;
}

/**
 * A person on the roster. Many staff have no account (an imported list of names and phones);
 * `userId` links the ones who do, so they see their shifts and check in from their phone.
 */
export interface StaffMember {
  id: string;
  name: string;
  /** Free text, ≤ 32 chars; shown on the public duty table only if the workspace allows it. */
  phone: string;
  userId: string | null;
  /** Inactive staff stay on past shifts but are offered for no new one. */
  active: boolean;
}

/** A person's presence on a shift: checked in at `in`, out at `out` (null: still there). */
export interface CheckIn {
  staff: string;
  in: number;
  out: number | null;
  /** User id who recorded it (the person themself, or a supervisor). */
  by: string;
}

/** A supervisor's acknowledgement of an uncovered-post alarm. */
export interface Acknowledgement {
  by: string;
  at: number;
}

/** One concrete shift: instants in epoch milliseconds (UTC). */
export interface Shift {
  id: string;
  checkpoint: string;
  /** Template it was generated from, or null for a one-off shift. */
  template: string | null;
  name: string;
  start: number;
  end: number;
  required: number;
  /** Staff ids, sorted. */
  assignees: string[];
  /** Sorted by staff id. */
  checkins: CheckIn[];
  ack: Acknowledgement | null;
}

export interface Swap {
  id: string;
  shift: string;
  /** Staff id giving the shift away. */
  from: string;
  /** Staff id taking it, once taken. */
  to: string | null;
  status: SwapStatus;
  /** User ids. */
  offeredBy: string;
  takenBy: string | null;
  decidedBy: string | null;
  createdAt: number;
  updatedAt: number;
}

/** An uncovered-post alarm as the server recorded it (root `alarms`, keyed by shift id). */
export interface Alarm {
  shift: string;
  checkpoint: string;
  /** When the server first saw the shift started with nobody checked in. */
  raisedAt: number;
  /** When it ended (someone checked in, acknowledged, shift over), or null while active. */
  clearedAt: number | null;
  clearedBy: 'checkin' | 'ack' | 'ended' | 'closed' | null;
}

/**
 * A read-only public link to a duty table (root `dutyLinks`): who is on duty now and next at
 * one checkpoint (or every checkpoint of the grid, for a compound), for a notice board's QR
 * code. The token is unguessable (128 bits or more); revoking it ends the link at once.
 */
export interface DutyLink {
  id: string;
  /** Null: every open checkpoint of the grid. */
  checkpoint: string | null;
  token: string;
  createdBy: string;
  createdAt: number;
  revokedAt: number | null;
}

/** Workspace rules for rosters (workspace meta `roster`). */
export interface RosterSettings {
  /** Most hours one person may be on shift within any 24 hours. */
  maxHoursIn24h: number;
  /** Least rest, in hours, between the end of one shift and the start of the next. */
  minRestHours: number;
  /** A taken swap applies without a supervisor's approval. */
  swapAutoApprove: boolean;
  /** Show staff phone numbers on the public duty table. */
  dutyTablePhones: boolean;
}

export const DEFAULT_ROSTER_SETTINGS: RosterSettings = {
  maxHoursIn24h: 12,
  minRestHours: 8,
  swapAutoApprove: false,
  dutyTablePhones: false,
};

export interface CheckpointInput {
  name: string;
  kind?: CheckpointKind;
  location?: LatLng | null;
  hours?: OpeningHours | null;
  pattern?: ShiftTemplate[];
  contact?: string;
  status?: CheckpointStatus;
  notes?: string;
}

export type CheckpointPatch = Partial<CheckpointInput>;

export interface StaffInput {
  name: string;
  phone?: string;
  userId?: string | null;
  active?: boolean;
}

export const ROSTER_LIMITS = {
  nameLength: 100,
  contactLength: 100,
  notesLength: 2000,
  phoneLength: 32,
  templates: 12,
  required: 50,
  assignees: 50,
  /** How early before its start a shift accepts a check-in. */
  checkInEarlyMs: 30 * 60_000,
  /** Longest range of days generated at once. */
  generateDays: 62,
} as const;
