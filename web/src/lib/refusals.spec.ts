import { describe, expect, it } from 'vitest';
import { en } from './i18n/en.ts';
import { zhCN } from './i18n/zh-CN.ts';
import { refusalText } from './refusals.ts';

/** The app's messages in one language, with `{name}` filled in (these messages need no more). */
function translator(messages: object) {
  return (key: string, options?: { values?: Record<string, string | number> }) => {
    let node: unknown = messages;
    for (const part of key.split('.')) node = (node as Record<string, unknown>)[part];
    if (typeof node !== 'string') throw new Error(`no message ${key}`);
    return node.replace(/\{(\w+)\}/g, (_m, name: string) => String(options?.values?.[name]));
  };
}

const zh = translator(zhCN);
const english = translator(en);

describe('server refusals in the reader’s language', () => {
  it('says what a role may not do, in Chinese', () => {
    expect(refusalText('your role (worker) may not archive tasks', zh)).toBe(
      '您的角色（网格员）不能归档任务。',
    );
    expect(refusalText('your role (volunteer) may not read people', zh)).toBe(
      '您的角色（志愿者）不能查看人员列表。',
    );
    expect(refusalText('your role (worker) may not change "title" of this task', zh)).toBe(
      '您的角色（网格员）不能修改此任务的“标题”。',
    );
    expect(refusalText('you may change "status" only on tasks assigned to you', zh)).toBe(
      '只有分配给您的任务，您才能修改“状态”。',
    );
    expect(refusalText('grid g7 is outside your grids', zh)).toBe('网格 g7 不在您负责的网格内。');
    expect(refusalText('this shift is no longer offered', zh)).toBe('此班次已不再可换。');
    expect(refusalText('handed in after access ended', zh)).toBe(zhCN.held.reasons.handedIn);
  });

  it('keeps the English phrasing in English and anything unknown as the server said it', () => {
    expect(refusalText('your role (viewer) may not create tasks', english)).toBe(
      'Your role (Viewer) may not create tasks.',
    );
    expect(refusalText('your role (viewer) may not fly', zh)).toBe(
      `您的角色（${zhCN.roles.viewer}）不能fly。`,
    );
    expect(refusalText('a check-in cannot be in the future', zh)).toBe(
      'a check-in cannot be in the future',
    );
  });
});
