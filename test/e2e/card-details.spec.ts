import {
  GRID_BOARD,
  card,
  cardButton,
  createCard,
  expect,
  openBoard,
  signIn,
  test,
  uniqueTitle,
} from './fixtures.ts';

test('checklist, comments, filters and archiving work and reach the other person', async ({
  browser,
}) => {
  const supervisor = await signIn(browser, 'supervisor');
  const leader = await signIn(browser, 'leader');
  try {
    await openBoard(supervisor.page, GRID_BOARD);
    await openBoard(leader.page, GRID_BOARD);
    const title = uniqueTitle('Checkpoint 7 inspection');
    await createCard(supervisor.page, title);

    await cardButton(supervisor.page, title).click();
    const dialog = supervisor.page.getByRole('dialog');
    await dialog.getByLabel('New checklist item').fill('Temperature log complete');
    await dialog.getByRole('button', { name: 'Add item' }).click();
    await dialog.getByLabel('New checklist item').fill('Only one entrance open');
    await dialog.getByRole('button', { name: 'Add item' }).click();
    await dialog.getByRole('checkbox', { name: 'Temperature log complete' }).check();
    await dialog.getByLabel('New comment').fill('East gate was unstaffed at 03:00.');
    await dialog.getByRole('button', { name: 'Post comment' }).click();
    await dialog.getByLabel('Priority').selectOption('urgent');
    await dialog.getByLabel('Tags').fill('督查, night');
    await dialog.getByLabel('Tags').press('Tab');
    await dialog.getByRole('checkbox', { name: /Supervisor Li/ }).check();
    await dialog.getByRole('button', { name: 'Close' }).first().click();

    const seen = card(leader.page, title);
    await expect(seen).toContainText('Checklist 1 of 2');
    await expect(seen).toContainText('1 comment');
    await expect(seen).toContainText('Urgent');
    await expect(seen).toContainText('#督查');
    await expect(seen).toContainText('Supervisor Li');

    // The leader sees the comment in the card dialog, and in its history who did what, as
    // the server recorded it.
    await cardButton(leader.page, title).click();
    const leaderDialog = leader.page.getByRole('dialog');
    await expect(leaderDialog).toContainText('East gate was unstaffed at 03:00.');
    await leaderDialog.getByText('History', { exact: true }).click();
    const trail = leaderDialog
      .getByRole('list', { name: 'Changes recorded by the server' })
      .getByRole('listitem');
    const entry = (...texts: string[]) =>
      texts.reduce((found, text) => found.filter({ hasText: text }), trail);
    await expect(entry('Supervisor Li', 'created', 'in the app')).toHaveCount(1);
    await expect(entry('Supervisor Li', 'changed (priority)')).toHaveCount(1);
    await leader.page.keyboard.press('Escape');
    await expect(leader.page.getByRole('dialog')).toBeHidden();

    // Filters: "Mine" for the supervisor keeps the card (assigned); search narrows to it.
    await supervisor.page.getByRole('button', { name: 'Mine' }).click();
    await expect(cardButton(supervisor.page, title)).toBeVisible();
    await supervisor.page.getByRole('button', { name: 'Mine' }).click();
    await supervisor.page.getByLabel('Search').fill(title);
    await expect(supervisor.page.getByRole('button', { name: /^Drag / })).toHaveCount(1);
    await supervisor.page.getByRole('button', { name: 'Clear filters' }).click();
    await expect(supervisor.page.getByLabel('Search')).toHaveValue('');

    // Archived by the supervisor: it leaves both boards.
    await cardButton(supervisor.page, title).click();
    await supervisor.page.getByRole('dialog').getByRole('button', { name: 'Archive task' }).click();
    await expect(supervisor.page.getByRole('dialog')).toBeHidden();
    await expect(cardButton(supervisor.page, title)).toHaveCount(0);
    await expect(cardButton(leader.page, title)).toHaveCount(0);

    // Shown again under "Archived", and restored from there.
    await leader.page.getByRole('button', { name: 'Archived' }).click();
    await cardButton(leader.page, title).click();
    await leader.page.getByRole('dialog').getByRole('button', { name: 'Restore task' }).click();
    await leader.page.getByRole('dialog').getByRole('button', { name: 'Close' }).first().click();
    await expect(cardButton(leader.page, title)).toHaveCount(0);
    await leader.page.getByRole('button', { name: 'Archived' }).click();
    await expect(cardButton(leader.page, title)).toBeVisible();
    await expect(cardButton(supervisor.page, title)).toBeVisible();
  } finally {
    await supervisor.context.close();
    await leader.context.close();
  }
});

test('a due time means the same moment on devices set to different time zones', async ({
  browser,
}) => {
  // The demo workspace runs on Asia/Shanghai; the leader's wall screen is set to London.
  const supervisor = await signIn(browser, 'supervisor', { timezoneId: 'Asia/Shanghai' });
  const leader = await signIn(browser, 'leader', { timezoneId: 'Europe/London' });
  try {
    await openBoard(supervisor.page, GRID_BOARD);
    await openBoard(leader.page, GRID_BOARD);
    const title = uniqueTitle('Gate rota check');
    await createCard(supervisor.page, title);
    await cardButton(leader.page, title).click();
    const dialog = leader.page.getByRole('dialog');
    // The field says which zone it reads, since it is not the device's own.
    const due = dialog.getByLabel('Due (Asia/Shanghai)');
    await due.fill('2030-05-06T08:30');
    await due.press('Tab');
    await leader.page.keyboard.press('Escape');
    await expect(card(leader.page, title)).toContainText('08:30');
    // The supervisor's phone, in the workspace's zone, shows the same wall time.
    await expect(card(supervisor.page, title)).toContainText('08:30');
    await cardButton(supervisor.page, title).click();
    await expect(
      supervisor.page.getByRole('dialog').getByLabel('Due', { exact: true }),
    ).toHaveValue('2030-05-06T08:30');
  } finally {
    await supervisor.context.close();
    await leader.context.close();
  }
});
