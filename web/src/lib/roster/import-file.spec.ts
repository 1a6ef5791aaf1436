import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { IMPORT_LIMITS, previewStaffImport } from '@outpost/model';
import { ImportFileError, readJson, readRows } from './import-file.ts';

/** An XLSX file as a spreadsheet program would save it: headings in row 1. */
async function xlsx(rows: (string | number | null)[][]): Promise<File> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('人员');
  for (const row of rows) sheet.addRow(row);
  const bytes = await workbook.xlsx.writeBuffer();
  return new File([bytes], '人员名单.xlsx', {
    type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  });
}

async function refusal(file: File): Promise<ImportFileError> {
  const error = await readRows(file).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImportFileError);
  return error as ImportFileError;
}

describe('reading an import file', () => {
  it('reads an XLSX staff list by its headings, skipping blank rows, into a clean preview', async () => {
    const file = await xlsx([
      ['姓名', '手机号', '账号'],
      ['王芳', '13800000001', 'worker'],
      [null, null, null],
      ['李明', 13800000002, null],
    ]);
    const rows = await readRows(file);
    expect(rows).toEqual([
      { 姓名: '王芳', 手机号: '13800000001', 账号: 'worker' },
      { 姓名: '李明', 手机号: '13800000002' },
    ]);
    const preview = previewStaffImport(rows, new Map([['worker', 'demo-worker']]), []);
    expect(preview.problems).toEqual([]);
    expect(preview.rows.map((r) => r.value.name)).toEqual(['王芳', '李明']);
  });

  it('reads a CSV saved with a byte-order mark', async () => {
    const file = new File(['\uFEFF姓名,电话\n张强,13800000003\n'], 'staff.csv', {
      type: 'text/csv',
    });
    expect(await readRows(file)).toEqual([{ 姓名: '张强', 电话: '13800000003' }]);
  });

  it('refuses a file over the limit from its size, a broken XLSX and other formats', async () => {
    const big = new File([new Uint8Array(IMPORT_LIMITS.bytes + 1)], 'big.xlsx');
    expect((await refusal(big)).code).toBe('too_large');
    const broken = new File([new TextEncoder().encode('not a zip')], 'staff.xlsx');
    expect((await refusal(broken)).code).toBe('unreadable');
    const doc = new File(['hello'], 'staff.docx');
    expect((await refusal(doc)).code).toBe('unsupported');
  });
});

describe('reading a JSON file (GeoJSON areas)', () => {
  const reject = (file: File, limit = 1024) =>
    readJson(file, limit).then(
      () => null,
      (e: unknown) => e as ImportFileError,
    );

  it('parses JSON, with or without a byte order mark', async () => {
    const text = '{"type":"Polygon","coordinates":[]}';
    expect(await readJson(new File([text], 'a.geojson'), 1024)).toEqual({
      type: 'Polygon',
      coordinates: [],
    });
    expect(await readJson(new File(['\uFEFF' + text], 'a.json'), 1024)).toMatchObject({
      type: 'Polygon',
    });
  });

  it('refuses a file over the limit before reading it, and text that is not JSON', async () => {
    const big = await reject(new File([new Uint8Array(2048)], 'big.geojson'));
    expect(big).toBeInstanceOf(ImportFileError);
    expect(big?.code).toBe('too_large');
    expect((await reject(new File(['{"type":'], 'broken.geojson')))?.code).toBe('unreadable');
  });
});
