import { clockTime, dayStart, localDay } from '@outpost/model';

/**
 * Dates and times of the roster, always in the workspace's zone (never the device's), so a
 * phone set to another zone shows the same duty times as the notice board.
 */

/** `Mon 3/2` / `3月2日 周一` for a local day. */
export function formatDay(day: string, zone: string, locale: string | null | undefined): string {
  return new Intl.DateTimeFormat(locale ?? 'en', {
    timeZone: zone,
    weekday: 'short',
    month: 'numeric',
    day: 'numeric',
  }).format(new Date(dayStart(day, zone) + 12 * 3_600_000));
}

/** `06:00–14:00`, with `+1` when the end falls on the next day. */
export function formatSpan(start: number, end: number, zone: string): string {
  const nextDay = localDay(end - 1, zone) !== localDay(start, zone);
  return `${clockTime(start, zone)}–${clockTime(end, zone)}${nextDay ? ' +1' : ''}`;
}

/** Time of day, or day and time when not today. */
export function formatWhen(at: number, zone: string, locale: string | null | undefined): string {
  return new Intl.DateTimeFormat(locale ?? 'en', {
    timeZone: zone,
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(at));
}
