/**
 * The daily report: a leader opens today's report, sees the same figures the API computes,
 * downloads it as CSV and Excel, and prints it to PDF (turned into a PNG with pdftoppm, so a
 * person can look at the page as printed). People without reports see a clear note.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { apiAs, expect, signIn, test, uniqueTitle } from './fixtures.ts';

interface Totals {
  created: number;
  done: number;
  overdue: number;
  open: number;
}

test('a leader reads, exports and prints today’s report', async ({ browser }) => {
  const leaderApi = await apiAs('leader');
  const title = uniqueTitle('Report check, gate 2');
  const created = await leaderApi.context.post('/api/boards/g2/tasks', {
    data: { title, status: 'done' },
  });
  expect(created.status()).toBe(201);

  const leader = await signIn(browser, 'leader', { viewport: { width: 1280, height: 900 } });
  await leader.page.goto('/report');
  const heading = leader.page.getByRole('heading', { name: /^Daily report \d{4}-\d{2}-\d{2}$/ });
  await expect(heading).toBeVisible();
  const day = (await heading.innerText()).slice(-10);

  // The page shows exactly what the server computed for that day.
  const response = await leaderApi.context.get(`/api/report?day=${day}`);
  const { report } = (await response.json()) as { report: { totals: Totals } };
  for (const measure of ['created', 'done', 'overdue', 'open'] as const) {
    await expect(leader.page.locator(`.totals [data-measure="${measure}"] .value`)).toHaveText(
      String(report.totals[measure]),
    );
  }
  expect(report.totals.created).toBeGreaterThanOrEqual(1);
  await expect(leader.page.getByRole('cell', { name: title })).toHaveCount(2);
  await expect(leader.page.getByRole('img', { name: /Chart/ })).toBeVisible();

  // Only grid 2: the task is there, other grids are not.
  await leader.page.getByLabel('东湖街道 第2网格 (幸福里)').check();
  await leader.page.getByRole('button', { name: 'Show report' }).click();
  await expect(leader.page.getByRole('article')).toContainText('· 东湖街道 第2网格 (幸福里)');
  await expect(leader.page.locator('tr[data-row="g1"]')).toHaveCount(0);
  await expect(leader.page.locator('tr[data-row="g2"]')).toHaveCount(1);

  // CSV: UTF-8 with a BOM, the figures and the task.
  const [csvDownload] = await Promise.all([
    leader.page.waitForEvent('download'),
    leader.page.getByRole('button', { name: 'Download CSV' }).click(),
  ]);
  expect(csvDownload.suggestedFilename()).toBe(`outpost-report-${day}.csv`);
  const csv = fs.readFileSync((await csvDownload.path())!, 'utf8');
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  expect(csv).toContain(`Daily report ${day}`);
  expect(csv).toContain(title);

  // Excel: a real XLSX (a zip) file.
  const [xlsxDownload] = await Promise.all([
    leader.page.waitForEvent('download'),
    leader.page.getByRole('button', { name: 'Download Excel' }).click(),
  ]);
  expect(xlsxDownload.suggestedFilename()).toBe(`outpost-report-${day}.xlsx`);
  const xlsx = fs.readFileSync((await xlsxDownload.path())!);
  expect(xlsx.subarray(0, 2).toString()).toBe('PK');
  expect(xlsx.length).toBeGreaterThan(2000);

  // Print: the controls and the app bar leave the page; the report stays.
  await leader.page.emulateMedia({ media: 'print' });
  await expect(leader.page.getByRole('button', { name: 'Print' })).toBeHidden();
  await expect(heading).toBeVisible();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-report-'));
  const pdf = path.join(dir, 'report.pdf');
  await leader.page.pdf({ path: pdf, format: 'A4', printBackground: true });
  expect(fs.readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', pdf, path.join(dir, 'page')]);
  const png = fs.readdirSync(dir).find((f) => f.endsWith('.png'));
  expect(png, 'pdftoppm made a PNG of the first page').toBeDefined();
  expect(fs.statSync(path.join(dir, png!)).size).toBeGreaterThan(5000);
  if (process.env.OUTPOST_REPORT_PNG)
    fs.copyFileSync(path.join(dir, png!), process.env.OUTPOST_REPORT_PNG);
  fs.rmSync(dir, { recursive: true, force: true });

  await leaderApi.context.dispose();
  await leader.context.close();
});

test('a worker has no reports', async ({ browser }) => {
  const worker = await signIn(browser, 'worker');
  await expect(worker.page.getByRole('link', { name: 'Daily report' })).toHaveCount(0);
  await worker.page.goto('/report');
  await expect(worker.page.getByRole('note')).toHaveText('Your role does not include reports.');
  await worker.context.close();
});
