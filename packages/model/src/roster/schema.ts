// The roster's own modules first: schema.ts imports this one, and calls rosterSchema() while
// it is being evaluated, so everything used inside must be ready by then.
import {
  CHECKPOINT_KINDS,
  CHECKPOINT_STATUSES,
  ROSTER_LIMITS,
  SWAP_STATUSES,
  type RosterSettings,
} from './types.ts';
import { validateHours, validatePattern } from './rules.ts';
import {
  idSet,
  isFiniteNumber,
  isId,
  isLatLng,
  isRecord,
  isString,
  isTimestamp,
  nullable,
  oneOf,
  value,
  type SchemaNode,
} from '../schema.ts';

const isTemplateId = (v: unknown) => typeof v === 'string' && /^[a-z0-9]{1,8}$/.test(v);
const isCount = (v: unknown) =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= ROSTER_LIMITS.required;

export function isOpeningHours(v: unknown): boolean {
  return (
    isRecord(v, { from: isString(5, 5), to: isString(5, 5) }) &&
    validateHours(v as { from: string; to: string }).length === 0
  );
}

export function isPattern(v: unknown): boolean {
  return (
    Array.isArray(v) &&
    v.every((t) =>
      isRecord(t, {
        id: isTemplateId,
        name: isString(ROSTER_LIMITS.nameLength, 1),
        start: isString(5, 5),
        minutes: isFiniteNumber,
        required: isCount,
      }),
    ) &&
    validatePattern(v).length === 0
  );
}

export function isRosterSettings(v: unknown): v is RosterSettings {
  const hours = (max: number) => (x: unknown) => isFiniteNumber(x) && x >= 0 && x <= max;
  return isRecord(v, {
    maxHoursIn24h: hours(24),
    minRestHours: hours(24),
    swapAutoApprove: (x) => typeof x === 'boolean',
    dutyTablePhones: (x) => typeof x === 'boolean',
  });
}

/**
 * Roots of a roster document (`roster:<workspace>:<grid>`). A function, called by
 * `documentSchemas`, so the helpers it shares with schema.ts are initialised first.
 */
export function rosterSchema(): Record<string, SchemaNode> {
  const map = (keys: Record<string, SchemaNode>): SchemaNode => ({ type: 'map', keys });
  const entries = (node: SchemaNode): SchemaNode => ({ type: 'map', anyKey: { key: isId, node } });
  const checkpoint = map({
    id: value(isId),
    name: value(isString(ROSTER_LIMITS.nameLength, 1)),
    kind: value(oneOf(CHECKPOINT_KINDS)),
    grid: value(isId),
    location: value(nullable(isLatLng)),
    hours: value(nullable(isOpeningHours)),
    pattern: value(isPattern),
    contact: value(isString(ROSTER_LIMITS.contactLength)),
    status: value(oneOf(CHECKPOINT_STATUSES)),
    notes: value(isString(ROSTER_LIMITS.notesLength)),
    createdBy: value(isId),
    createdAt: value(isTimestamp),
    updatedBy: value(isId),
    updatedAt: value(isTimestamp),
  });
  const staff = value((v) =>
    isRecord(v, {
      id: isId,
      name: isString(ROSTER_LIMITS.nameLength, 1),
      phone: isString(ROSTER_LIMITS.phoneLength),
      userId: nullable(isId),
      active: (x) => typeof x === 'boolean',
    }),
  );
  const shift = map({
    id: value(isId),
    checkpoint: value(isId),
    template: value(nullable(isTemplateId)),
    name: value(isString(ROSTER_LIMITS.nameLength, 1)),
    start: value(isTimestamp),
    end: value(isTimestamp),
    required: value(isCount),
    assignees: idSet,
    checkins: entries(
      value((v) =>
        isRecord(v, { staff: isId, in: isTimestamp, out: nullable(isTimestamp), by: isId }),
      ),
    ),
    ack: value(nullable((v) => isRecord(v, { by: isId, at: isTimestamp }))),
  });
  const swap = map({
    id: value(isId),
    shift: value(isId),
    from: value(isId),
    to: value(nullable(isId)),
    status: value(oneOf(SWAP_STATUSES)),
    offeredBy: value(isId),
    takenBy: value(nullable(isId)),
    decidedBy: value(nullable(isId)),
    createdAt: value(isTimestamp),
    updatedAt: value(isTimestamp),
  });
  const alarm = value((v) =>
    isRecord(v, {
      shift: isId,
      checkpoint: isId,
      raisedAt: isTimestamp,
      clearedAt: nullable(isTimestamp),
      clearedBy: nullable(oneOf(['checkin', 'ack', 'ended', 'closed'])),
    }),
  );
  const dutyLink = value((v) =>
    isRecord(v, {
      id: isId,
      checkpoint: nullable(isId),
      token: (x) => typeof x === 'string' && /^[A-Za-z0-9_-]{22,64}$/.test(x),
      createdBy: isId,
      createdAt: isTimestamp,
      revokedAt: nullable(isTimestamp),
    }),
  );
  return {
    dutyLinks: entries(dutyLink),
    meta: map({ grid: value(isId), createdAt: value(isTimestamp) }),
    checkpoints: entries(checkpoint),
    staff: entries(staff),
    shifts: entries(shift),
    swaps: entries(swap),
    alarms: entries(alarm),
  };
}
