import { describe, expect, it } from 'vitest';
import { buildDailyReport, type TaskFacts } from '@outpost/model';
import { reportSheets, toCsv } from './table.ts';

const t = (key: string) => key;
const facts: TaskFacts[] = [
  {
    id: 't1',
    boardId: 'b',
    boardGrid: 'g1',
    grid: 'g1',
    title: '=HYPERLINK("x")',
    status: 'done',
    kind: 'screening',
    priority: 'normal',
    location: null,
    due: null,
    archived: false,
    createdAt: Date.UTC(2026, 2, 10, 2),
    doneAt: Date.UTC(2026, 2, 10, 5),
  },
];

describe('report export', () => {
  it('writes the same figures as the report, with a total line', () => {
    const report = buildDailyReport(facts, {
      day: '2026-03-10',
      timeZone: 'Asia/Shanghai',
      now: Date.UTC(2026, 3, 1),
      grids: null,
    });
    const [figures, events] = reportSheets(
      report,
      t,
      (g) => g ?? '-',
      (ms) => String(ms),
    );
    expect(figures!.rows).toEqual([
      ['g1', 'kind.screening', 1, 1, 0, 0],
      ['report.totals', '', 1, 1, 0, 0],
    ]);
    expect(events!.rows.map((r) => r[1])).toEqual([
      'report.event.task_created',
      'report.event.task_done',
    ]);
    const csv = toCsv('Daily report', [figures!, events!]);
    expect(csv.startsWith('\ufeffDaily report\r\n')).toBe(true);
    // A formula-looking title is neutralised and quoted.
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
  });
});
