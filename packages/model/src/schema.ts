import type { DocumentKind } from './names.ts';
import { ROLES } from './permissions.ts';
import { LIMITS, PRIORITIES, TASK_KINDS, TASK_STATUSES } from './types.ts';
import { isMapSettings } from './map-settings.ts';
import { isRosterSettings, rosterSchema } from './roster/schema.ts';
import { isGridArea } from './area.ts';
import { isValidZone } from './roster/time.ts';

/**
 * The declared shape of every Outpost document, as a tree of nodes. The server checks each
 * incoming update against it (an update that writes outside the tree, or a value the tree
 * forbids, is refused), and the README of this package documents the same tree for
 * third-party Yjs clients.
 */
export type SchemaNode =
  | { type: 'value'; check: (value: unknown) => boolean }
  | {
      type: 'map';
      keys?: Record<string, SchemaNode>;
      anyKey?: { key: (k: string) => boolean; node: SchemaNode };
    }
  | { type: 'array'; item: SchemaNode };

export const value = (check: (v: unknown) => boolean): SchemaNode => ({ type: 'value', check });
export const isString =
  (max: number, min = 0) =>
  (v: unknown) =>
    typeof v === 'string' && v.length >= min && v.length <= max;
export const isFiniteNumber = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v);
export const nullable = (check: (v: unknown) => boolean) => (v: unknown) => v === null || check(v);
export const oneOf = (values: readonly string[]) => (v: unknown) =>
  typeof v === 'string' && values.includes(v);

export const isId = (v: unknown): v is string =>
  typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v);
export const isTimestamp = (v: unknown): v is number =>
  isFiniteNumber(v) && v >= 0 && v < 8.64e15 && Number.isInteger(v);

export function isLatLng(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const { lat, lng, ...rest } = v as Record<string, unknown>;
  return (
    Object.keys(rest).length === 0 &&
    isFiniteNumber(lat) &&
    isFiniteNumber(lng) &&
    lat >= -90 &&
    lat <= 90 &&
    lng >= -180 &&
    lng <= 180
  );
}

export function isRecord(v: unknown, keys: Record<string, (x: unknown) => boolean>): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const record = v as Record<string, unknown>;
  const known = Object.keys(keys);
  for (const k of Object.keys(record)) if (!known.includes(k)) return false;
  return known.every((k) => keys[k]!(record[k]));
}

export const isComment = (v: unknown) =>
  isRecord(v, {
    id: isId,
    author: isId,
    text: isString(LIMITS.commentLength, 1),
    at: isTimestamp,
  });

export const isHistoryEntry = (v: unknown) =>
  isRecord(v, {
    at: isTimestamp,
    by: isId,
    action: oneOf(['created', 'edited', 'moved', 'assigned', 'commented', 'archived', 'restored']),
    fields: (f) =>
      f === undefined || (Array.isArray(f) && f.length <= 20 && f.every((x) => isString(40, 1)(x))),
  });

export const idSet: SchemaNode = {
  type: 'map',
  anyKey: { key: isId, node: value((v) => v === true) },
};
const tagSet: SchemaNode = {
  type: 'map',
  anyKey: {
    key: (k) => k.length >= 1 && k.length <= LIMITS.tagLength,
    node: value((v) => v === true),
  },
};

export const taskSchema: SchemaNode = {
  type: 'map',
  keys: {
    id: value(isId),
    title: value(isString(LIMITS.titleLength, 1)),
    description: value(isString(LIMITS.descriptionLength)),
    status: value(oneOf(TASK_STATUSES)),
    order: value(isFiniteNumber),
    kind: value(oneOf(TASK_KINDS)),
    priority: value(oneOf(PRIORITIES)),
    grid: value(nullable(isId)),
    location: value(nullable(isLatLng)),
    due: value(nullable(isTimestamp)),
    archived: value((v) => typeof v === 'boolean'),
    assignees: idSet,
    tags: tagSet,
    checklist: {
      type: 'array',
      item: {
        type: 'map',
        keys: {
          id: value(isId),
          text: value(isString(LIMITS.checklistTextLength, 1)),
          done: value((v) => typeof v === 'boolean'),
        },
      },
    },
    comments: { type: 'array', item: value(isComment) },
    history: { type: 'array', item: value(isHistoryEntry) },
    createdBy: value(isId),
    createdAt: value(isTimestamp),
    updatedBy: value(isId),
    updatedAt: value(isTimestamp),
  },
};

const namedRecord = value((v) => isRecord(v, { id: isId, name: isString(LIMITS.nameLength, 1) }));
const boardRecord = value((v) =>
  isRecord(v, { id: isId, name: isString(LIMITS.nameLength, 1), grid: nullable(isId) }),
);

/** Root shared types of each document kind: every root is a Y.Map. */
export const documentSchemas: Record<DocumentKind, Record<string, SchemaNode>> = {
  board: {
    meta: {
      type: 'map',
      keys: { name: value(isString(LIMITS.nameLength, 1)), createdAt: value(isTimestamp) },
    },
    tasks: { type: 'map', anyKey: { key: isId, node: taskSchema } },
  },
  roster: rosterSchema(),
  workspace: {
    meta: {
      type: 'map',
      keys: {
        name: value(isString(LIMITS.nameLength, 1)),
        timeZone: value((v) => isString(64, 1)(v) && isValidZone(v as string)),
        roster: value(isRosterSettings),
        map: value(isMapSettings),
      },
    },
    grids: { type: 'map', anyKey: { key: isId, node: namedRecord } },
    boards: { type: 'map', anyKey: { key: isId, node: boardRecord } },
    /** Grid id -> GeoJSON Polygon / MultiPolygon (see area.ts). */
    areas: { type: 'map', anyKey: { key: isId, node: value(isGridArea) } },
    members: {
      type: 'map',
      anyKey: {
        key: isId,
        node: value((v) =>
          isRecord(v, {
            id: isId,
            username: isString(64, 1),
            displayName: isString(LIMITS.nameLength, 1),
            role: oneOf(ROLES),
          }),
        ),
      },
    },
  },
};
