import { describe, expect, it } from 'vitest';
import { previewCheckpointImport, previewStaffImport } from './import.ts';

const members = new Map([['worker', 'demo-worker']]);

describe('previewStaffImport', () => {
  it('reads English or Chinese headings, links accounts and skips people already there', () => {
    const preview = previewStaffImport(
      [
        { 姓名: '李明', 电话: '138 0000 0001' },
        { 姓名: '王芳', 电话: '', 账号: 'worker' },
        { 姓名: '赵强', 电话: '139' },
      ],
      members,
      [{ name: '赵强', phone: '139' }],
    );
    expect(preview.problems).toEqual([]);
    expect(preview.rows.map((r) => [r.row, r.value.name, r.value.userId])).toEqual([
      [2, '李明', null],
      [3, '王芳', 'demo-worker'],
    ]);
    expect(preview.skipped).toEqual([4]);
  });

  it('names every bad row: missing name, bad phone, unknown person', () => {
    const preview = previewStaffImport(
      [
        { name: '', phone: '1' },
        { name: 'A', phone: 'call me' },
        { name: 'B', account: 'ghost' },
        { name: 'C' },
      ],
      members,
      [],
    );
    expect(preview.problems.map((p) => `${p.row}:${p.field}`)).toEqual([
      '2:name',
      '3:phone',
      '4:account',
    ]);
    expect(preview.problems[2]!.message).toContain('unknown person');
  });

  it('refuses a file without a name column or without rows', () => {
    expect(previewStaffImport([{ foo: 'x' }], members, []).problems[0]!.field).toBe('name');
    expect(previewStaffImport([], members, []).problems[0]!.message).toContain('no rows');
  });
});

describe('previewCheckpointImport', () => {
  it('builds checkpoints with a preset pattern and position', () => {
    const preview = previewCheckpointImport(
      [
        { 名称: '北门', 类型: '门岗', 纬度: '30.1', 经度: '114.2', 班次: '3x8', 人数: '2' },
        { name: 'Exit 4', kind: 'road', pattern: '2x12' },
        { name: 'Old gate' },
      ],
      [{ name: 'Old gate' }],
    );
    expect(preview.problems).toEqual([]);
    expect(preview.rows[0]!.value).toMatchObject({
      name: '北门',
      kind: 'gate',
      location: { lat: 30.1, lng: 114.2 },
    });
    expect(preview.rows[0]!.value.pattern).toHaveLength(3);
    expect(preview.rows[0]!.value.pattern![0]!.required).toBe(2);
    expect(preview.rows[1]!.value.pattern).toHaveLength(2);
    expect(preview.skipped).toEqual([4]);
  });

  it('names bad kinds, patterns, staffing and half positions', () => {
    const preview = previewCheckpointImport(
      [
        { name: 'A', kind: 'bridge' },
        { name: 'B', pattern: '4x6' },
        { name: 'C', required: '-1' },
        { name: 'D', lat: '30' },
        { name: 'E', lat: '300', lng: '0' },
      ],
      [],
    );
    expect(preview.problems.map((p) => `${p.row}:${p.field}`)).toEqual([
      '2:kind',
      '3:pattern',
      '4:required',
      '5:location',
      '6:location',
    ]);
  });
});
