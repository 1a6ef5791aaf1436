import { csvCell, type DailyReport } from '@outpost/model';

type Translate = (key: string, options?: { values?: Record<string, string | number> }) => string;

/** `GET /api/report` for a day (empty: today) and a set of grids (none: every grid in scope). */
export function reportPath(day: string, grids: readonly string[]): string {
  const params = new URLSearchParams(day ? { day } : {});
  if (grids.length) params.set('grids', grids.join(','));
  return `/api/report?${params.toString()}`;
}

/** A sheet of the exported report: a title, a header row and rows of plain values. */
export interface Sheet {
  name: string;
  header: string[];
  rows: (string | number)[][];
}

/**
 * The report as sheets, in the reader's language: the figures by grid and kind (with a total
 * line), then the events. CSV and XLSX are both written from these, so they cannot disagree.
 */
export function reportSheets(
  report: DailyReport,
  t: Translate,
  gridName: (grid: string | null) => string,
  formatTime: (ms: number) => string,
): Sheet[] {
  const figures: Sheet = {
    name: t('report.detail'),
    header: [
      t('report.grid'),
      t('report.kind'),
      t('report.created'),
      t('report.done'),
      t('report.overdue'),
      t('report.open'),
    ],
    rows: [
      ...report.rows.map((r) => [
        gridName(r.grid),
        t(`kind.${r.kind}`),
        r.created,
        r.done,
        r.overdue,
        r.open,
      ]),
      [
        t('report.totals'),
        '',
        report.totals.created,
        report.totals.done,
        report.totals.overdue,
        report.totals.open,
      ],
    ],
  };
  const events: Sheet = {
    name: t('report.events'),
    header: [t('report.time'), t('report.what'), t('report.task'), t('report.grid')],
    rows: report.events.map((e) => [
      formatTime(e.at),
      t(`report.event.${e.kind}`),
      e.title,
      gridName(e.grid),
    ]),
  };
  const coverage: Sheet = {
    name: t('report.coverage'),
    header: [t('report.grid'), t('report.requiredHours'), t('report.staffedHours')],
    rows: report.coverage.map((c) => [gridName(c.grid), c.requiredHours, c.staffedHours]),
  };
  return report.coverage.length ? [figures, coverage, events] : [figures, events];
}

/** The sheets as one CSV text (a blank line between sheets), with a BOM so Excel reads UTF-8. */
export function toCsv(title: string, sheets: readonly Sheet[]): string {
  const lines: string[] = [csvCell(title)];
  for (const sheet of sheets) {
    lines.push('', csvCell(sheet.name), sheet.header.map(csvCell).join(','));
    for (const row of sheet.rows) lines.push(row.map(csvCell).join(','));
  }
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}

/** Offers `data` as a file download. */
export function download(filename: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** An XLSX workbook of the sheets (exceljs, loaded only when someone asks for it). */
export async function toXlsx(title: string, sheets: readonly Sheet[]): Promise<ArrayBuffer> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Outpost';
  workbook.title = title;
  for (const sheet of sheets) {
    // Sheet names: at most 31 characters, none of []:*?/\
    const ws = workbook.addWorksheet(sheet.name.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31));
    ws.addRow(sheet.header).font = { bold: true };
    for (const row of sheet.rows) ws.addRow(row);
    ws.columns.forEach((column, index) => {
      const widest = Math.max(
        sheet.header[index]?.length ?? 0,
        ...sheet.rows.map((r) => String(r[index] ?? '').length),
      );
      column.width = Math.min(60, Math.max(8, widest + 2));
    });
  }
  return workbook.xlsx.writeBuffer() as Promise<ArrayBuffer>;
}
