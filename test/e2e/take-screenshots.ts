/**
 * Not a test: screenshots of the login page, the home page, a board, the card dialog, the
 * people and held-changes pages, a read-only board, the profile, a board closed by a change of
 * grids and the "access ended" message, at phone (390×844) and wall-screen (1920×1080) sizes, in English and Chinese, for a
 * person to look at. Needs `pnpm build` first. Run from the repo root:
 *   node --import tsx test/e2e/take-screenshots.ts [outDir]
 */
import type { Browser } from '@playwright/test';
import { TaskBoard } from '@outpost/model';
import * as Y from 'yjs';
import {
  LOCALES,
  SIZES,
  contextAt,
  launchChromium,
  screenshotsTo,
  signedIn as signedInAs,
  type Size,
} from './screenshot-kit.ts';
import { startServer, type RunningServer } from './server.ts';

const shot = screenshotsTo('/tmp/outpost-shots');

const server = await startServer();
const browser = await launchChromium();

/** A REST session (for setting the scene, not for what is shown). */
async function rest(s: RunningServer, username: string, password = s.password) {
  const login = await fetch(`${s.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'outpost' },
    body: JSON.stringify({ username, password }),
  });
  if (!login.ok) throw new Error(`sign in as ${username}: ${login.status}`);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  return async <T>(route: string, method = 'GET', body?: unknown): Promise<T> => {
    const response = await fetch(`${s.url}${route}`, {
      method,
      headers: { cookie, 'Content-Type': 'application/json', 'X-Requested-With': 'outpost' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status}`);
    return (response.status === 204 ? null : await response.json()) as T;
  };
}

/** Something in the holding queue: tasks two people made offline and handed in later. */
async function seedHeldChanges(s: RunningServer) {
  const admin = await rest(s, 'admin');
  const { users } = await admin<{ users: { id: string; username: string }[] }>('/api/users');
  for (const [username, title] of [
    ['worker', '3号楼 2单元 独居老人 上门回访'],
    ['volunteer', '东门 夜班 测温 补登记 14人'],
  ] as const) {
    const id = users.find((u) => u.username === username)!.id;
    const doc = new Y.Doc();
    new TaskBoard(doc).create({ title, grid: 'g1', kind: 'follow_up' }, id);
    const handIn = await rest(s, username);
    await handIn('/api/held/hand-in', 'POST', {
      document: 'board:demo:g1',
      update: Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64'),
    });
  }
}

/** A person who will be disabled while their board is open. */
async function throwawayWorker(s: RunningServer) {
  const admin = await rest(s, 'admin');
  const username = `tmp-${Date.now().toString(36)}`;
  const { user, invite } = await admin<{ user: { id: string }; invite: { path: string } }>(
    '/api/users',
    'POST',
    { username, displayName: '孙临时 (Temp Sun)', role: 'worker', grids: ['g1'] },
  );
  const password = 'temporary-password';
  await fetch(`${s.url}/api/invites/${invite.path.split('/').pop()}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ password }),
  });
  return {
    username,
    password,
    disable: () => admin(`/api/users/${user.id}`, 'PATCH', { disabled: true }),
    moveTo: (grid: string) => admin(`/api/users/${user.id}`, 'PATCH', { grids: [grid] }),
  };
}

function signedIn(b: Browser, size: Size, locale: string, username: string, password?: string) {
  return signedInAs(b, server, size, locale, username, password);
}

try {
  await seedHeldChanges(server);
  for (const size of SIZES) {
    for (const locale of LOCALES) {
      const tag = `${size.name}-${locale}`;
      const zh = locale === 'zh-CN';
      const t = (en: string, cn: string) => (zh ? cn : en);

      // The leader: login, home, board, card, new task, held changes.
      {
        const context = await contextAt(browser, server, size, locale);
        const page = await context.newPage();
        await page.goto('/login');
        await page.getByRole('button', { name: t('Sign in', '登录') }).waitFor();
        await shot(page, `${tag}-01-login`);
        await context.close();
      }
      {
        const { context, page } = await signedIn(browser, size, locale, 'leader');
        const boards = page.getByRole('region', { name: t('Boards', '看板') });
        await boards.getByRole('link').first().waitFor();
        await shot(page, `${tag}-02-home`);

        await page.goto('/board/g1');
        await page.getByRole('status', { name: t('Connection', '连接状态') }).waitFor();
        await page
          .getByRole('region', { name: t('To do', '待办') })
          .getByRole('listitem')
          .first()
          .waitFor();
        await page.waitForTimeout(300);
        await shot(page, `${tag}-03-board`);

        await page
          .getByRole('region', { name: t('In progress', '进行中') })
          .getByRole('listitem')
          .first()
          .getByRole('button')
          .first()
          .click();
        await page.getByRole('dialog').waitFor();
        await shot(page, `${tag}-04-card`);
        // Its history, as the server recorded it (after the leader changed it a little).
        const dialog = page.getByRole('dialog');
        await dialog.getByLabel(t('Priority', '优先级')).selectOption('urgent');
        await dialog
          .getByLabel(t('New comment', '新评论'))
          .fill('楼长已通知 1-6 层住户，今晚 8 点前完成。');
        await dialog.getByRole('button', { name: t('Post comment', '发表评论') }).click();
        await page.getByRole('dialog').getByText(t('History', '记录'), { exact: true }).click();
        await page.waitForTimeout(500);
        await page
          .getByRole('dialog')
          .locator('.body')
          .evaluate((el) => (el.scrollTop = el.scrollHeight));
        await shot(page, `${tag}-04b-card-history`);
        await page.keyboard.press('Escape');

        await page.getByRole('button', { name: t('New task', '新建任务'), exact: true }).click();
        await page.getByRole('dialog').waitFor();
        await page.waitForTimeout(300);
        await shot(page, `${tag}-05-new`);
        await page.keyboard.press('Escape');

        await page.goto('/held');
        await page
          .getByRole('button', { name: t('Accept', '采纳') })
          .first()
          .waitFor();
        await page.waitForTimeout(300);
        await shot(page, `${tag}-06-held`);
        await context.close();
      }
      // The administrator: people, with a fresh invitation link.
      {
        const { context, page } = await signedIn(browser, size, locale, 'admin');
        await page.goto('/people');
        const form = page.getByRole('region', { name: t('Add a person', '添加人员') });
        await form
          .getByLabel(t('Username', '用户名'))
          .fill(`zhao${size.name}${locale.slice(0, 2)}`);
        await form.getByLabel(t('Display name', '显示名称')).fill('赵新人 (Newcomer Zhao)');
        await form.getByRole('checkbox').nth(1).check();
        await form.getByRole('button', { name: t('Create', '创建') }).click();
        await form.getByRole('textbox', { name: t('Invitation link', '邀请链接') }).waitFor();
        await page.waitForTimeout(300);
        await shot(page, `${tag}-07-people`);
        await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight / 2));
        await page.waitForTimeout(200);
        await shot(page, `${tag}-08-people-list`);
        await context.close();
      }
      // The viewer: a read-only board and a card.
      {
        const { context, page } = await signedIn(browser, size, locale, 'viewer');
        await page.goto('/board/g1');
        await page.getByText(t('Online · all saved', '在线 · 已全部保存')).waitFor();
        await page.waitForTimeout(300);
        await shot(page, `${tag}-09-readonly-board`);
        await page
          .getByRole('region', { name: t('To do', '待办') })
          .getByRole('listitem')
          .first()
          .getByRole('button')
          .first()
          .click();
        await page.getByRole('dialog').waitFor();
        await page.waitForTimeout(300);
        await shot(page, `${tag}-10-readonly-card`);
        await context.close();
      }
      // A worker: their card, their profile.
      {
        const { context, page } = await signedIn(browser, size, locale, 'worker');
        await shot(page, `${tag}-11-worker-home`);
        await page.goto('/board/g1');
        await page.getByText(t('Online · all saved', '在线 · 已全部保存')).waitFor();
        const mine = page
          .getByRole('region', { name: t('In progress', '进行中') })
          .getByRole('listitem')
          .first();
        await mine.getByRole('button').first().click();
        await page.getByRole('dialog').waitFor();
        await page.waitForTimeout(300);
        await shot(page, `${tag}-12-worker-card`);
        await page.keyboard.press('Escape');
        await page.goto('/me');
        await page
          .getByRole('heading', { name: t('My profile', '个人资料') })
          .first()
          .waitFor();
        await shot(page, `${tag}-13-profile`);
        await context.close();
      }
      // Someone whose grid changes while its board is open.
      {
        const person = await throwawayWorker(server);
        const { context, page } = await signedIn(
          browser,
          size,
          locale,
          person.username,
          person.password,
        );
        await page.goto('/board/g1');
        await page.getByText(t('Online · all saved', '在线 · 已全部保存')).waitFor();
        await person.moveTo('g2');
        await page.getByRole('alert').waitFor();
        await page.waitForTimeout(500);
        await shot(page, `${tag}-15-board-closed`);
        await context.close();
      }
      // Someone disabled while their board is open.
      {
        const person = await throwawayWorker(server);
        const { context, page } = await signedIn(
          browser,
          size,
          locale,
          person.username,
          person.password,
        );
        await page.goto('/board/g1');
        await page.getByText(t('Online · all saved', '在线 · 已全部保存')).waitFor();
        await person.disable();
        await page.getByRole('alertdialog').waitFor();
        await page.waitForTimeout(500);
        await shot(page, `${tag}-14-access-ended`);
        await context.close();
      }
    }
  }
} finally {
  await browser.close();
  await server.stop();
}
