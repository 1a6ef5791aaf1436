/** Checkpoint rosters and duty schedules: types, typed document access and pure rules. */
export * from './types.ts';
export * from './time.ts';
export * from './rules.ts';
export {
  Roster,
  RosterInputError,
  normalizeCheckpoint,
  normalizeStaff,
  readCheckpoint,
  readShift,
  readSwap,
} from './Roster.ts';
export { isOpeningHours, isPattern, isRosterSettings } from './schema.ts';
export { readRosterSettings } from './settings.ts';
export { IMPORT_LIMITS, previewCheckpointImport, previewStaffImport } from './import.ts';
export { crossGridBookings, personKey } from './crossGrid.ts';
export type { CrossGridBooking, ElsewhereBooking, GridRoster } from './crossGrid.ts';
export type { ImportPreview, ImportProblem } from './import.ts';
