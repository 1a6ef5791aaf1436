import { RosterInputError } from '@outpost/model';

/**
 * Words for a refused roster change: the first problem's code translated where there is a
 * message for it, else the model's own message.
 */
export function rosterErrorText(
  error: unknown,
  translate: (key: string, options?: { values: Record<string, string> }) => string,
): string {
  if (error instanceof RosterInputError) {
    const first = error.errors[0];
    if (first) {
      const key = `roster.errors.${first.code}`;
      const text = translate(key);
      return text === key ? first.message : text;
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return translate('roster.errors.generic', { values: { message } });
}

/**
 * Runs a roster change and answers what to show: '' when it was made, else why it was refused.
 * Every roster panel clears and sets its error line this way.
 */
export function tryRosterChange(
  change: () => void,
  translate: (key: string, options?: { values: Record<string, string> }) => string,
): string {
  try {
    change();
    return '';
  } catch (e) {
    return rosterErrorText(e, translate);
  }
}

/** Field → translated message, for forms that show each problem by its field. */
export function fieldErrors(
  error: unknown,
  translate: (key: string) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof RosterInputError)) return out;
  for (const e of error.errors) {
    const key = `roster.errors.${e.code}`;
    const text = translate(key);
    out[e.field] ??= text === key ? e.message : text;
  }
  return out;
}
