import { fromLocalInput, localDay, toLocalInput } from '@outpost/model';

/**
 * Date helpers for the UI. Times are shown and entered in the workspace's time zone (like the
 * roster and the daily report), so a wall screen or a laptop set to another zone shows the
 * same due time as the phones in the district.
 */

/** Epoch ms to the value of an `<input type="datetime-local">` in `zone`. */
export function toDateTimeLocal(ms: number | null, zone: string): string {
  return ms === null ? '' : toLocalInput(ms, zone);
}

/** The value of an `<input type="datetime-local">` in `zone` to epoch ms (null when empty or invalid). */
export function fromDateTimeLocal(value: string, zone: string): number | null {
  return value ? fromLocalInput(value, zone) : null;
}

export function formatDateTime(
  ms: number,
  locale: string | null | undefined,
  zone: string,
): string {
  const year = (at: number) => localDay(at, zone).slice(0, 4);
  return new Intl.DateTimeFormat(locale ?? undefined, {
    timeZone: zone,
    year: year(ms) === year(Date.now()) ? undefined : 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(ms);
}

/** ` (Asia/Shanghai)` when the device's own zone is another one, so an entered time is not misread. */
export function zoneNote(zone: string): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone === zone ? '' : ` (${zone})`;
}

/** Splits "a, b，c" (ASCII or Chinese commas) into clean tags. */
export function parseTags(value: string): string[] {
  const seen = new Set<string>();
  for (const raw of value.split(/[,，、;；]/)) {
    const tag = raw.trim();
    if (tag) seen.add(tag);
  }
  return [...seen];
}
