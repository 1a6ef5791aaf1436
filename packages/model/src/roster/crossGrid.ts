import type { Checkpoint, Shift, StaffMember } from './types.ts';

/** One grid's roster as the cross-grid check needs it. */
export interface GridRoster {
  grid: string;
  staff: readonly StaffMember[];
  shifts: readonly Shift[];
  checkpoints: readonly Pick<Checkpoint, 'id' | 'name'>[];
}

/**
 * A person on a shift of one grid's roster who is also on an overlapping shift of another
 * grid's roster: each grid keeps its own staff list, so the same person is recognised by their
 * account, or else by their phone number.
 */
export interface CrossGridBooking {
  grid: string;
  shift: string;
  staff: string;
  other: { grid: string; shift: string; checkpoint: string; start: number; end: number };
}

/** What a grid's roster is told of its people's bookings elsewhere (with the other grid's name). */
export interface ElsewhereBooking {
  shift: string;
  staff: string;
  other: CrossGridBooking['other'] & { gridName: string };
}

/** Fewer digits than this is not a phone number that names one person. */
const MIN_PHONE_DIGITS = 7;

/** How one person is known across grids: their account, or their phone's digits. */
export function personKey(staff: Pick<StaffMember, 'userId' | 'phone'>): string | null {
  if (staff.userId) return `user:${staff.userId}`;
  const digits = staff.phone.replace(/\D/g, '');
  return digits.length >= MIN_PHONE_DIGITS ? `phone:${digits.slice(-11)}` : null;
}

interface Booking {
  grid: string;
  staff: string;
  shift: Shift;
  checkpoint: string;
}

/**
 * Every pair of overlapping shifts of one person in two different grids, reported once for each
 * side (so each grid's roster sees its own shift with the other grid's). Only shifts ending
 * after `from` count. A sweep per person: O(n log n) in the number of assignments.
 */
export function crossGridBookings(rosters: readonly GridRoster[], from = 0): CrossGridBooking[] {
  const byPerson = new Map<string, Booking[]>();
  for (const roster of rosters) {
    const keys = new Map<string, string>();
    for (const staff of roster.staff) {
      const key = personKey(staff);
      if (key) keys.set(staff.id, key);
    }
    const names = new Map(roster.checkpoints.map((c) => [c.id, c.name]));
    for (const shift of roster.shifts) {
      if (shift.end <= from) continue;
      for (const staff of shift.assignees) {
        const key = keys.get(staff);
        if (!key) continue;
        const booking = {
          grid: roster.grid,
          staff,
          shift,
          checkpoint: names.get(shift.checkpoint) ?? shift.checkpoint,
        };
        const list = byPerson.get(key);
        if (list) list.push(booking);
        else byPerson.set(key, [booking]);
      }
    }
  }
  const result: CrossGridBooking[] = [];
  const side = (a: Booking, b: Booking): CrossGridBooking => ({
    grid: a.grid,
    shift: a.shift.id,
    staff: a.staff,
    other: {
      grid: b.grid,
      shift: b.shift.id,
      checkpoint: b.checkpoint,
      start: b.shift.start,
      end: b.shift.end,
    },
  });
  for (const list of byPerson.values()) {
    if (new Set(list.map((b) => b.grid)).size < 2) continue;
    list.sort((a, b) => a.shift.start - b.shift.start || a.shift.end - b.shift.end);
    let open: Booking[] = [];
    for (const booking of list) {
      open = open.filter((o) => o.shift.end > booking.shift.start);
      for (const earlier of open) {
        if (earlier.grid === booking.grid) continue;
        result.push(side(earlier, booking), side(booking, earlier));
      }
      open.push(booking);
    }
  }
  return result;
}
