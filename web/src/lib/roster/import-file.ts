import { IMPORT_LIMITS } from '@outpost/model';

/** Why a file could not be read, for the person choosing it. */
export class ImportFileError extends Error {
  constructor(
    readonly code: 'too_large' | 'unsupported' | 'unreadable',
    readonly detail: Record<string, string> = {},
  ) {
    super(code);
  }
}

type Row = Record<string, unknown>;

/** Refuses a file over `limit` bytes from its size alone, before any of it is read. */
export function checkFileSize(file: File, limit: number): void {
  if (file.size > limit) {
    throw new ImportFileError('too_large', {
      size: (file.size / 1024 / 1024).toFixed(1),
      limit: String(limit / 1024 / 1024),
    });
  }
}

/** A JSON file (GeoJSON), parsed: size checked first, a UTF-8 BOM tolerated. */
export async function readJson(file: File, limit: number): Promise<unknown> {
  checkFileSize(file, limit);
  try {
    return JSON.parse((await file.text()).replace(/^\uFEFF/, '')) as unknown;
  } catch {
    throw new ImportFileError('unreadable');
  }
}

/**
 * Rows of a CSV or XLSX file, keyed by the headings of its first row. A file over the size
 * limit is refused from its size alone, before any of it is read; the parsers (Papa Parse,
 * ExcelJS) load only when a file is chosen.
 */
export async function readRows(file: File): Promise<Row[]> {
  checkFileSize(file, IMPORT_LIMITS.bytes);
  const name = file.name.toLowerCase();
  try {
    if (name.endsWith('.csv') || file.type === 'text/csv') {
      const { default: Papa } = await import('papaparse');
      const text = await file.text();
      const parsed = Papa.parse<Row>(text.replace(/^\uFEFF/, ''), {
        header: true,
        skipEmptyLines: 'greedy',
      });
      if (parsed.errors.length && parsed.data.length === 0) throw new Error('csv');
      return parsed.data;
    }
    if (name.endsWith('.xlsx')) {
      const { default: ExcelJS } = await import('exceljs');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(await file.arrayBuffer());
      const sheet = workbook.worksheets[0];
      if (!sheet) return [];
      const headings: string[] = [];
      sheet.getRow(1).eachCell((c, column) => (headings[column] = String(c.text ?? '').trim()));
      const rows: Row[] = [];
      sheet.eachRow((row, number) => {
        if (number === 1) return;
        const record: Row = {};
        let any = false;
        row.eachCell((c, column) => {
          const heading = headings[column];
          if (!heading) return;
          record[heading] = c.text;
          if (String(c.text).trim()) any = true;
        });
        if (any) rows.push(record);
      });
      return rows;
    }
  } catch {
    throw new ImportFileError('unreadable');
  }
  throw new ImportFileError('unsupported');
}
