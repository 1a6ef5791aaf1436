import { DateTime } from 'luxon';

/**
 * Calendar arithmetic in the workspace's time zone (Luxon), so the server and every browser
 * compute the same shifts whatever zone the device is set to. Instants are epoch ms (UTC);
 * days are ISO dates (`2026-03-01`) in the workspace zone.
 */

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isHhMm(value: unknown): value is string {
  return typeof value === 'string' && HHMM.test(value);
}

/** Minutes after midnight of an `HH:mm` string. */
export function minutesOfDay(hhmm: string): number {
  const match = HHMM.exec(hhmm);
  if (!match) throw new Error(`not a time of day (HH:mm): ${JSON.stringify(hhmm)}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

export function isValidZone(zone: string): boolean {
  return DateTime.now().setZone(zone).isValid;
}

export function isIsoDate(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    ISO_DATE.test(value) &&
    DateTime.fromISO(value, { zone: 'UTC' }).isValid
  );
}

/** The instant a local wall-clock time occurs on a local day. */
export function localInstant(day: string, hhmm: string, zone: string): number {
  const minutes = minutesOfDay(hhmm);
  const start = DateTime.fromISO(day, { zone });
  if (!start.isValid) throw new Error(`not a day: ${JSON.stringify(day)}`);
  return start.set({ hour: Math.floor(minutes / 60), minute: minutes % 60 }).toMillis();
}

/** The local day (ISO date) an instant falls on. */
export function localDay(at: number, zone: string): string {
  return DateTime.fromMillis(at, { zone }).toISODate()!;
}

/** Midnight starting a local day, as an instant. */
export function dayStart(day: string, zone: string): number {
  return DateTime.fromISO(day, { zone }).startOf('day').toMillis();
}

export function addDays(day: string, days: number): string {
  return DateTime.fromISO(day, { zone: 'UTC' }).plus({ days }).toISODate()!;
}

/** The Monday starting the week that holds `day`. */
export function weekStart(day: string): string {
  return DateTime.fromISO(day, { zone: 'UTC' }).startOf('week').toISODate()!;
}

/** Days from `from` to `to`, both included (empty when `to` is before `from`). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to && days.length < 400; day = addDays(day, 1)) days.push(day);
  return days;
}

/** An instant as the value of an `<input type="datetime-local">` (`2026-03-04T05:06`) in the zone. */
export function toLocalInput(at: number, zone: string): string {
  return DateTime.fromMillis(at, { zone }).toFormat("yyyy-LL-dd'T'HH:mm");
}

/** The value of an `<input type="datetime-local">` as an instant in the zone; null if invalid. */
export function fromLocalInput(value: string, zone: string): number | null {
  const at = DateTime.fromISO(value, { zone });
  return at.isValid && at.toMillis() >= 0 ? at.toMillis() : null;
}

/** `HH:mm` of an instant in the zone. */
export function clockTime(at: number, zone: string): string {
  return DateTime.fromMillis(at, { zone }).toFormat('HH:mm');
}

/** Compact day stamp for ids: `20260301`. */
export function dayStamp(day: string): string {
  return day.replaceAll('-', '');
}
