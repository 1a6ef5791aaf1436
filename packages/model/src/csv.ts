/**
 * One CSV cell: quoted when needed, and a leading =, +, -, @ (or tab/CR) neutralised with an
 * apostrophe so a spreadsheet never runs a title or a name as a formula.
 */
export function csvCell(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
