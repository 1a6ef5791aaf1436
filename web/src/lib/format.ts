/** Date helpers for the UI, in the browser's time zone. */

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Epoch ms to the value of an `<input type="datetime-local">`. */
export function toDateTimeLocal(ms: number | null): string {
  if (ms === null) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The value of an `<input type="datetime-local">` to epoch ms (null when empty or invalid). */
export function fromDateTimeLocal(value: string): number | null {
  if (!value) return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) && ms >= 0 ? Math.round(ms) : null;
}

export function formatDateTime(ms: number, locale: string | null | undefined): string {
  const d = new Date(ms);
  const sameYear = d.getFullYear() === new Date().getFullYear();
  return new Intl.DateTimeFormat(locale ?? undefined, {
    year: sameYear ? undefined : 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(d);
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
