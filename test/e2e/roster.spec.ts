import { column, expect, signIn, test } from './fixtures.ts';

/**
 * Rosters in real Chromium against the real server: a supervisor builds a checkpoint's roster
 * while a worker in another browser context sees the assignment arrive live, and a shift that
 * starts with nobody checked in raises the uncovered-post alarm for the supervisor (the
 * server's alarm clock runs every second in this suite; the logic is the production one).
 */

/** `HH:mm` now in the workspace zone (Asia/Shanghai). */
function shanghaiNow(): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Shanghai',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date());
}

/** Creates a checkpoint in the open roster through the form, with one shift a day. */
async function createCheckpoint(
  page: import('@playwright/test').Page,
  name: string,
  start: string,
  people: string,
): Promise<void> {
  await page.getByRole('tab', { name: 'Checkpoints' }).click();
  await page.getByRole('button', { name: 'New checkpoint' }).click();
  const dialog = page.getByRole('dialog', { name: 'New checkpoint' });
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByRole('button', { name: 'Remove shift 3' }).click();
  await dialog.getByRole('button', { name: 'Remove shift 2' }).click();
  await dialog.getByLabel('Shift name').fill('Test shift');
  await dialog.getByLabel('Starts').fill(start);
  await dialog.getByRole('spinbutton', { name: 'Hours' }).fill('2');
  await dialog.getByRole('spinbutton', { name: 'People' }).fill(people);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('listitem').filter({ hasText: name })).toBeVisible();
}

test('a supervisor fills a roster while a worker sees the assignment appear live', async ({
  browser,
}) => {
  const supervisor = await signIn(browser, 'supervisor');
  const worker = await signIn(browser, 'worker', { viewport: { width: 390, height: 844 } });
  try {
    const name = `E2E gate ${Date.now().toString(36)}`;
    const sup = supervisor.page;
    await sup.goto('/roster/g1');
    await createCheckpoint(sup, name, '09:00', '1');
    // A bad pattern is refused with a clear message, nothing saved.
    await sup.getByRole('button', { name: 'New checkpoint' }).click();
    const bad = sup.getByRole('dialog', { name: 'New checkpoint' });
    await bad.getByLabel('Name', { exact: true }).fill(`${name} bad`);
    await bad.getByRole('spinbutton', { name: 'People' }).first().fill('-1');
    await bad.getByRole('button', { name: 'Save' }).click();
    await expect(bad.getByText('A whole number from 0 to 50.').first()).toBeVisible();
    await bad.getByRole('button', { name: 'Cancel' }).click();

    await sup.getByRole('tab', { name: 'Week' }).click();
    await sup.getByRole('button', { name: 'Next week ▶' }).click();
    await sup.getByRole('button', { name: 'Create this week’s shifts' }).click();
    await expect(sup.getByText('7 shifts created')).toBeVisible();
    const row = sup.getByRole('row').filter({ hasText: name });
    await row
      .getByRole('button', { name: /Test shift/ })
      .first()
      .click();
    const dialog = sup.getByRole('dialog');
    await dialog.getByLabel('Add a person').selectOption({ label: '张网格' });
    await dialog.getByRole('button', { name: 'Add' }).click();
    await expect(dialog.getByText('张网格')).toBeVisible();

    const w = worker.page;
    await w.goto('/roster/g1');
    await w.getByRole('tab', { name: 'My shifts' }).click();
    await expect(w.getByRole('listitem').filter({ hasText: name })).toBeVisible();
  } finally {
    await supervisor.context.close();
    await worker.context.close();
  }
});

test('a shift that starts with nobody checked in raises the alarm for the supervisor', async ({
  browser,
}) => {
  const supervisor = await signIn(browser, 'supervisor', {
    viewport: { width: 1920, height: 1080 },
  });
  const worker = await signIn(browser, 'worker');
  try {
    const name = `E2E alarm ${Date.now().toString(36)}`;
    const sup = supervisor.page;
    await sup.goto('/roster/g1');
    await createCheckpoint(sup, name, shanghaiNow(), '1');
    await sup.getByRole('tab', { name: 'Week' }).click();
    await sup.getByRole('button', { name: 'Create this week’s shifts' }).click();
    await sup.getByRole('tab', { name: /Now/ }).click();

    const alarm = sup
      .getByRole('region', { name: 'Uncovered posts' })
      .or(sup.getByRole('complementary', { name: 'Uncovered posts' }))
      .getByRole('alert')
      .filter({ hasText: name });
    await expect(alarm.first()).toBeVisible({ timeout: 20_000 });
    // Workers are not told; they see their own shifts.
    await expect(worker.page.getByText(`Uncovered post: ${name}`)).toHaveCount(0);

    // The banner follows the supervisor to the board, which leaves room for it: the page
    // itself does not scroll, the columns do.
    await sup.goto('/board/g1');
    await expect(sup.getByRole('complementary', { name: 'Uncovered posts' })).toBeVisible();
    await expect(column(sup, 'To do')).toBeVisible();
    expect(
      await sup.evaluate(() => document.documentElement.scrollHeight - window.innerHeight),
    ).toBeLessThanOrEqual(0);
    await sup.goto('/roster/g1');

    await alarm.getByRole('button', { name: 'Acknowledge' }).first().click();
    await expect(sup.getByRole('alert').filter({ hasText: name })).toHaveCount(0, {
      timeout: 20_000,
    });
  } finally {
    await supervisor.context.close();
    await worker.context.close();
  }
});

test('the public duty table opens without signing in, in Chinese, and prints on A4', async ({
  browser,
}) => {
  const supervisor = await signIn(browser, 'supervisor');
  const publicContext = await browser.newContext({ locale: 'zh-CN' });
  try {
    const sup = supervisor.page;
    await sup.goto('/roster/g1');
    await sup.getByRole('tab', { name: 'Checkpoints' }).click();
    await sup.getByLabel('For').selectOption({ label: '东湖花园 北门' });
    await sup.getByRole('button', { name: 'Create public link' }).click();
    const open = sup.getByRole('link', { name: 'Open and print' }).first();
    const href = await open.getAttribute('href');
    expect(href).toMatch(/^\/duty\/demo\.g1\.[A-Za-z0-9_-]{24}$/);

    const page = await publicContext.newPage();
    await page.goto(new URL(href!, sup.url()).toString());
    await expect(page.getByRole('heading', { level: 1 })).toContainText('值班表');
    const post = page.getByRole('region', { name: '东湖花园 北门' });
    await expect(post).toBeVisible();
    await expect(post.getByRole('rowheader', { name: '当前值班' })).toBeVisible();
    await expect(page.getByRole('img', { name: '扫码查看实时值班表' })).toBeVisible();
    await expect(page.getByRole('region', { name: '东湖路 与 友谊大道 路口' })).toHaveCount(0);

    await page.emulateMedia({ media: 'print' });
    await expect(page.getByRole('button', { name: '打印' })).toBeHidden();
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    await test.info().attach('duty-table.pdf', { body: pdf, contentType: 'application/pdf' });

    // Withdrawn: the same page now says so, and shows nobody.
    await sup.getByRole('button', { name: 'Withdraw' }).first().click();
    await page.reload();
    await expect(page.getByRole('alert')).toContainText('无效');
    await expect(post).toHaveCount(0);
  } finally {
    await publicContext.close();
    await supervisor.context.close();
  }
});

test('a supervisor imports a staff list: preview, row errors, all or nothing, size limit', async ({
  browser,
}) => {
  const supervisor = await signIn(browser, 'supervisor');
  try {
    const page = supervisor.page;
    await page.goto('/roster/g2');
    await page.getByRole('tab', { name: 'Staff' }).click();
    const panel = page.getByRole('region', { name: 'Import a staff list' });
    const file = panel.getByLabel('File');
    const tag = Date.now().toString(36);

    await file.setInputFiles({
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`姓名,电话,账号\n甲${tag},138,\n,139,\n乙${tag},140,ghost\n`),
    });
    await expect(panel.getByText('Nothing was imported')).toBeVisible();
    await expect(panel.getByText('Row 3, name')).toBeVisible();
    await expect(panel.getByText('Row 4, account: unknown person "ghost"')).toBeVisible();
    await expect(panel.getByRole('button', { name: /^Import/ })).toHaveCount(0);
    await expect(page.getByRole('cell', { name: `甲${tag}` })).toHaveCount(0);

    await file.setInputFiles({
      name: 'big.csv',
      mimeType: 'text/csv',
      buffer: Buffer.alloc(6 * 1024 * 1024, 'a'),
    });
    await expect(panel.getByRole('alert')).toContainText('the limit is 5 MB');

    await file.setInputFiles({
      name: 'staff.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`name,phone,account\n甲${tag},138 1,\n乙${tag},139 2,worker2\n`),
    });
    await expect(panel.getByText('2 rows ready, 0 problems')).toBeVisible();
    await panel.getByRole('button', { name: 'Import 2 rows' }).click();
    await expect(panel.getByText('2 rows imported')).toBeVisible();
    await expect(page.getByRole('cell', { name: `甲${tag}` })).toBeVisible();
    await expect(page.getByRole('row').filter({ hasText: `乙${tag}` })).toContainText('刘网格');
  } finally {
    await supervisor.context.close();
  }
});
