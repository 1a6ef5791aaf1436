import type * as Y from 'yjs';
import { DEFAULT_ROSTER_SETTINGS, type RosterSettings } from './types.ts';
import { isRosterSettings } from './schema.ts';

/** The workspace's roster rules (workspace meta `roster`), defaults where unset. */
export function readRosterSettings(workspaceMeta: Y.Map<unknown>): RosterSettings {
  const value = workspaceMeta.get('roster');
  return isRosterSettings(value) ? { ...value } : { ...DEFAULT_ROSTER_SETTINGS };
}
