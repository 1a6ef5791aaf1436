import type { BoardSummary, MapPin, Principal } from '@outpost/model';
import { can } from '@outpost/model';
import { canOpenBoard } from '../abilities.ts';
import { contains, type Bounds } from './geo.ts';

type Translate = (key: string, options?: { values?: Record<string, string | number> }) => string;

export function isOverduePin(pin: MapPin, now: number): boolean {
  return pin.status !== 'done' && pin.due !== null && pin.due < now;
}

/** "Title, In progress, overdue": a pin's accessible name and list line. */
export function pinLabel(pin: MapPin, now: number, t: Translate): string {
  const parts = [pin.title, t(`status.${pin.status}`)];
  if (isOverduePin(pin, now)) parts.push(t('map.overdue'));
  return parts.join(', ');
}

/** Where a pin's card opens: its board, with the task dialog open. */
export function cardHref(pin: MapPin): string {
  return `/board/${encodeURIComponent(pin.boardId)}?task=${encodeURIComponent(pin.id)}`;
}

/** May the person drag this pin (set the task's position)? Editing tasks on a board they open. */
export function canMovePin(user: Principal, board: BoardSummary | null): boolean {
  return board !== null && can(user, 'tasks', 'edit') && canOpenBoard(user, board);
}

/** `null` in a grid filter stands for "no grid". */
export type GridFilter = ReadonlySet<string | null> | null;

export function inFilter(grid: string | null, filter: GridFilter): boolean {
  return filter === null || filter.has(grid);
}

/** The side list: pins in view, overdue first, then by status and title; at most `limit`. */
export function pinsInView(
  pins: readonly MapPin[],
  bounds: Bounds | null,
  now: number,
  limit: number,
): { shown: MapPin[]; total: number } {
  const inView = bounds ? pins.filter((p) => contains(bounds, p)) : [...pins];
  const rank = (p: MapPin) =>
    isOverduePin(p, now) ? 0 : p.status === 'blocked' ? 1 : p.status === 'done' ? 4 : 2;
  inView.sort((a, b) => rank(a) - rank(b) || a.title.localeCompare(b.title));
  return { shown: inView.slice(0, limit), total: inView.length };
}
