import { normalizeCheckpoint, normalizeStaff, RosterInputError } from './Roster.ts';
import {
  CHECKPOINT_KINDS,
  type CheckpointInput,
  type CheckpointKind,
  type ShiftTemplate,
  type StaffInput,
} from './types.ts';

/**
 * Staff lists and checkpoints from a spreadsheet: rows of text keyed by column heading (from a
 * CSV or XLSX parser), checked row by row into inputs for `Roster`. Headings may be English or
 * Chinese. Nothing is written here: the caller shows the preview with every row's problems and
 * applies all rows in one transaction only when none has any, so a file is never half imported.
 */

export const IMPORT_LIMITS = {
  /** Largest file accepted, checked before reading it. */
  bytes: 5 * 1024 * 1024,
  rows: 5_000,
} as const;

export interface ImportProblem {
  /** 1-based row number as a spreadsheet shows it (the heading is row 1). */
  row: number;
  field: string;
  message: string;
}

export interface ImportPreview<T> {
  rows: { row: number; value: T }[];
  problems: ImportProblem[];
  /** Rows left out because the roster already has them (same name and phone / same name). */
  skipped: number[];
}

type Row = Record<string, unknown>;

const HEADINGS: Record<string, string[]> = {
  name: ['name', '姓名', '名称', '卡点', '卡点名称'],
  phone: ['phone', 'mobile', '电话', '手机', '手机号', '联系电话'],
  account: ['account', 'username', 'user', '账号', '用户名'],
  kind: ['kind', 'type', '类型'],
  lat: ['lat', 'latitude', '纬度'],
  lng: ['lng', 'lon', 'longitude', '经度'],
  contact: ['contact', '岗亭电话', '联系方式'],
  notes: ['notes', 'note', '备注'],
  pattern: ['pattern', 'shifts', '班次', '班次模式'],
  required: ['required', 'people', '人数', '每班人数'],
};

/** The value of a field in a row, whatever heading the file used for it. */
function cell(row: Row, field: string): string {
  for (const [key, value] of Object.entries(row)) {
    const heading = key.trim().toLowerCase();
    if (HEADINGS[field]!.includes(heading))
      return value === null || value === undefined ? '' : String(value).trim();
  }
  return '';
}

/** Does the file have a column for this field at all? */
function hasColumn(rows: readonly Row[], field: string): boolean {
  const first = rows[0];
  return (
    !!first && Object.keys(first).some((k) => HEADINGS[field]!.includes(k.trim().toLowerCase()))
  );
}

function tooMany(rows: readonly Row[]): ImportProblem[] {
  if (rows.length === 0) return [{ row: 1, field: 'file', message: 'the file has no rows' }];
  if (rows.length > IMPORT_LIMITS.rows)
    return [{ row: 1, field: 'file', message: `at most ${IMPORT_LIMITS.rows} rows at once` }];
  return [];
}

/**
 * Staff rows: name (required), phone, account (an existing member's username, to link the
 * person to their login). `members` maps usernames to user ids; `existing` are the roster's
 * staff (a row with the same name and phone is skipped, not duplicated).
 */
export function previewStaffImport(
  rows: readonly Row[],
  members: ReadonlyMap<string, string>,
  existing: readonly { name: string; phone: string }[],
): ImportPreview<StaffInput> {
  const preview: ImportPreview<StaffInput> = { rows: [], problems: tooMany(rows), skipped: [] };
  if (preview.problems.length) return preview;
  if (!hasColumn(rows, 'name')) {
    preview.problems.push({ row: 1, field: 'name', message: 'no "name" (姓名) column' });
    return preview;
  }
  const seen = new Set(existing.map((s) => `${s.name}|${s.phone}`));
  rows.forEach((raw, index) => {
    const row = index + 2;
    const account = cell(raw, 'account');
    let userId: string | null = null;
    if (account) {
      userId = members.get(account.toLowerCase()) ?? null;
      if (!userId) {
        preview.problems.push({ row, field: 'account', message: `unknown person "${account}"` });
        return;
      }
    }
    try {
      const value = normalizeStaff({ name: cell(raw, 'name'), phone: cell(raw, 'phone'), userId });
      const key = `${value.name}|${value.phone}`;
      if (seen.has(key)) {
        preview.skipped.push(row);
        return;
      }
      seen.add(key);
      preview.rows.push({ row, value });
    } catch (error) {
      if (!(error instanceof RosterInputError)) throw error;
      for (const e of error.errors)
        preview.problems.push({ row, field: e.field, message: e.message });
    }
  });
  return preview;
}

const PRESETS: Record<string, (required: number) => ShiftTemplate[]> = {
  '3x8': (r) => [
    { id: 'm', name: '早班', start: '06:00', minutes: 480, required: r },
    { id: 'a', name: '中班', start: '14:00', minutes: 480, required: r },
    { id: 'n', name: '夜班', start: '22:00', minutes: 480, required: r },
  ],
  '2x12': (r) => [
    { id: 'd', name: '白班', start: '08:00', minutes: 720, required: r },
    { id: 'n', name: '夜班', start: '20:00', minutes: 720, required: r },
  ],
};

const KIND_WORDS: Record<string, CheckpointKind> = {
  门岗: 'gate',
  小区门岗: 'gate',
  道路: 'road',
  道路卡口: 'road',
  卡口: 'road',
  车站: 'rail',
  铁路: 'rail',
  其他: 'other',
};

/**
 * Checkpoint rows: name (required), kind (gate, road, rail, other or 门岗, 道路, 车站, 其他),
 * lat and lng (both or neither), contact, notes, pattern (`3x8`, `2x12` or empty for none yet)
 * and required (people per shift, default 1). A row named like an existing checkpoint is
 * skipped.
 */
export function previewCheckpointImport(
  rows: readonly Row[],
  existing: readonly { name: string }[],
): ImportPreview<CheckpointInput> {
  const preview: ImportPreview<CheckpointInput> = {
    rows: [],
    problems: tooMany(rows),
    skipped: [],
  };
  if (preview.problems.length) return preview;
  if (!hasColumn(rows, 'name')) {
    preview.problems.push({ row: 1, field: 'name', message: 'no "name" (名称) column' });
    return preview;
  }
  const seen = new Set(existing.map((c) => c.name));
  rows.forEach((raw, index) => {
    const row = index + 2;
    const problem = (field: string, message: string) =>
      preview.problems.push({ row, field, message });
    const kindText = cell(raw, 'kind');
    const kind = kindText
      ? (CHECKPOINT_KINDS as readonly string[]).includes(kindText.toLowerCase())
        ? (kindText.toLowerCase() as CheckpointKind)
        : KIND_WORDS[kindText]
      : 'gate';
    if (!kind) return void problem('kind', `unknown kind "${kindText}"`);
    const requiredText = cell(raw, 'required');
    const required = requiredText === '' ? 1 : Number(requiredText);
    if (!Number.isInteger(required) || required < 0 || required > 50)
      return void problem('required', 'people per shift must be a whole number from 0 to 50');
    const patternText = cell(raw, 'pattern').toLowerCase().replace('×', 'x');
    const preset = patternText === '' ? null : PRESETS[patternText];
    if (preset === undefined)
      return void problem('pattern', `unknown pattern "${patternText}" (use 3x8 or 2x12)`);
    const lat = cell(raw, 'lat');
    const lng = cell(raw, 'lng');
    if ((lat === '') !== (lng === ''))
      return void problem('location', 'give both latitude and longitude, or neither');
    try {
      const input: CheckpointInput = {
        name: cell(raw, 'name'),
        kind,
        contact: cell(raw, 'contact'),
        notes: cell(raw, 'notes'),
        location: lat === '' ? null : { lat: Number(lat), lng: Number(lng) },
        pattern: preset ? preset(required) : [],
      };
      normalizeCheckpoint(input);
      if (seen.has(input.name.trim())) {
        preview.skipped.push(row);
        return;
      }
      seen.add(input.name.trim());
      preview.rows.push({ row, value: input });
    } catch (error) {
      if (!(error instanceof RosterInputError)) throw error;
      for (const e of error.errors) problem(e.field, e.message);
    }
  });
  return preview;
}
