import { fieldLabel } from './field-labels.ts';

type Translate = (key: string, options?: { values?: Record<string, string | number> }) => string;

/**
 * The server words its refusals in fixed English phrases (they also go to logs, the audit
 * trail and API clients). This turns the ones people meet into the reader's language; anything
 * else is shown as the server said it.
 */

/** What a role may not do (`your role (worker) may not <action>`), by its phrase. */
const ACTIONS: Record<string, string> = {
  'archive tasks': 'archiveTasks',
  'assign tasks': 'assignTasks',
  'assign tasks to others': 'assignTasksToOthers',
  'create tasks': 'createTasks',
  'remove comments': 'removeComments',
  'approve swaps': 'approveSwaps',
  'assign people to shifts': 'assignShifts',
  'create checkpoints': 'createCheckpoints',
  'edit checkpoints': 'editCheckpoints',
  'create shifts': 'createShifts',
  'edit shifts': 'editShifts',
  'remove shifts': 'removeShifts',
  'edit the staff list': 'editStaff',
  'publish duty tables': 'publishDutyTables',
  'acknowledge alarms': 'acknowledgeAlarms',
  'offer shifts': 'offerShifts',
  'take shifts': 'takeShifts',
  'change workspace settings': 'changeSettings',
  'read reports': 'readReports',
  'review held changes': 'reviewHeld',
  'export the trail': 'exportTrail',
  "query other people's changes": 'queryOthers',
  'read people': 'readPeople',
  'create people': 'createPeople',
  'edit people': 'editPeople',
};

/** Refusals in fixed words, by their text. */
const FIXED: Record<string, string> = {
  'handed in after access ended': 'held.reasons.handedIn',
  'account disabled': 'accessEnded.reasons.disabled',
  'signed out': 'accessEnded.reasons.signedOut',
  'signed out everywhere': 'accessEnded.reasons.signedOutEverywhere',
  'token revoked': 'accessEnded.reasons.signedOut',
  'this board is outside your grids': 'refusals.boardOutside',
  'this document is outside your scope': 'refusals.documentOutside',
  'only people whose grids include this board can be assigned': 'refusals.assigneeGrid',
  'a task on this board must stay in its grid': 'refusals.stayInGrid',
  'tasks are archived, never deleted': 'refusals.archivedNotDeleted',
  'only administrators may rename a board': 'refusals.renameBoard',
  'this shift is no longer offered': 'refusals.noLongerOffered',
  'nobody has taken this shift yet': 'refusals.notTakenYet',
  'already decided': 'refusals.alreadyDecided',
  'you may check in and out only yourself, on your own shifts': 'refusals.ownCheckIn',
  'a shift people have checked in to cannot be removed': 'refusals.checkedInShift',
  'only people on this roster can be assigned': 'refusals.rosterAssignees',
  'you may offer only your own shifts': 'refusals.offerOwn',
  'you may take a shift only for yourself': 'refusals.takeForYourself',
  'only whoever offered it may cancel an offer': 'refusals.cancelOwnOffer',
  'the current password is wrong': 'refusals.wrongPassword',
  'your access changed: this board is no longer open to you': 'refusals.boardClosed',
};

const ROLE = /^your role \((\w+)\) may not (.+)$/;
const CHANGE_FIELD = /^change "(\w+)"(?: of this task)?$/;
const ONLY_ASSIGNED = /^you may change "(\w+)" only on tasks assigned to you$/;
const GRID_OUTSIDE = /^grid (\S+) is outside your grids$/;

export function refusalText(reason: string, t: Translate): string {
  const text = reason.trim();
  const fixed = FIXED[text];
  if (fixed) return t(fixed);
  const role = ROLE.exec(text);
  if (role) {
    const [, name, what] = role as unknown as [string, string, string];
    const roleName = t(`roles.${name}`);
    const field = CHANGE_FIELD.exec(what);
    if (field)
      return t('refusals.roleField', {
        values: { role: roleName, field: fieldLabel(field[1]!, t) },
      });
    const action = ACTIONS[what];
    return t('refusals.role', {
      values: { role: roleName, action: action ? t(`refusals.actions.${action}`) : what },
    });
  }
  const assigned = ONLY_ASSIGNED.exec(text);
  if (assigned)
    return t('refusals.onlyAssigned', { values: { field: fieldLabel(assigned[1]!, t) } });
  const grid = GRID_OUTSIDE.exec(text);
  if (grid) return t('refusals.gridOutside', { values: { grid: grid[1]! } });
  return reason;
}
