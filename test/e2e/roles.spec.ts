import {
  GRID_BOARD,
  apiAs,
  card,
  cardButton,
  column,
  connection,
  demoPassword,
  expect,
  openBoard,
  signIn,
  test,
  uniqueTitle,
} from './fixtures.ts';

// Tests that change accounts (disable, new role) do it to people they create, so the demo
// accounts stay as the other tests expect them.

test('a grid worker sees only their grid’s board and cannot open another grid’s', async ({
  browser,
}) => {
  const worker = await signIn(browser, 'worker');
  const { page } = worker;
  try {
    const boards = page.getByRole('region', { name: 'Boards' }).getByRole('link');
    await expect(boards).toHaveCount(1);
    await expect(boards).toContainText('第1网格');
    // A worker reviews nothing and manages nobody: no link to held changes.
    await expect(page.getByRole('link', { name: 'Held changes' })).toHaveCount(0);

    await page.goto('/board/g2');
    await expect(
      page.getByRole('heading', { name: 'This board is not open to you' }),
    ).toBeVisible();
    await expect(page.getByText('outside your scope')).toBeVisible();
    await expect(connection(page)).toHaveCount(0);
    await page.getByRole('link', { name: 'Back to boards' }).click();
    await expect(page).toHaveURL(/\/$/);
  } finally {
    await worker.context.close();
  }
});

test('a viewer sees the board read-only', async ({ browser }) => {
  const viewer = await signIn(browser, 'viewer');
  const { page } = viewer;
  try {
    // Every grid, and the command post.
    await expect(page.getByRole('region', { name: 'Boards' }).getByRole('link')).toHaveCount(5);
    await openBoard(page, GRID_BOARD);
    await expect(page.getByRole('note').filter({ hasText: 'Read-only' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'New task' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: /^Add task to / })).toHaveCount(0);
    await expect(page.getByRole('button', { name: /^Move to / })).toHaveCount(0);
    await expect(page.getByRole('button', { name: /^Drag / })).toHaveCount(0);

    const first = column(page, 'To do').getByRole('listitem').first().getByRole('button').first();
    await first.click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByText('You can read this task but not change it.')).toBeVisible();
    await expect(dialog.getByLabel('Title')).toBeDisabled();
    await expect(dialog.getByLabel('Status')).toBeDisabled();
    await expect(dialog.getByLabel('New comment')).toHaveCount(0);
    await expect(dialog.getByRole('button', { name: 'Archive task' })).toHaveCount(0);
    // Alt+→ on a card does nothing either.
    await page.keyboard.press('Escape');
    await first.focus();
    await page.keyboard.press('Alt+ArrowRight');
    await expect(connection(page)).toHaveText('Online · all saved');
  } finally {
    await viewer.context.close();
  }
});

test('an invited person joins, and is cut off at once when an administrator disables them', async ({
  browser,
}) => {
  const admin = await signIn(browser, 'admin');
  let newcomer: Awaited<ReturnType<typeof signIn>> | null = null;
  try {
    // The administrator adds a grid worker on the People page and gets an invitation link.
    await admin.page.getByRole('link', { name: 'People' }).click();
    const form = admin.page.getByRole('region', { name: 'Add a person' });
    const username = `gate-${Date.now().toString(36)}`;
    const name = `Gate keeper ${username.slice(-4)}`;
    await form.getByLabel('Username').fill(username);
    await form.getByLabel('Display name').fill(name);
    await form.getByLabel('Role').selectOption('worker');
    await form.getByRole('checkbox', { name: /第1网格/ }).check();
    await form.getByRole('button', { name: 'Create and get an invitation link' }).click();
    const link = form.getByRole('textbox', { name: `Invitation link for ${name}` });
    await expect(link).toHaveValue(/\/join\//);
    const invitation = await link.inputValue();
    const everyone = admin.page.getByRole('region', { name: 'Everyone' });
    const row = everyone.getByRole('listitem').filter({ hasText: `@${username}` });
    await expect(row).toContainText('Invited');
    await expect(row).toContainText('Grid worker');

    // The newcomer opens the link, chooses a password, and signs in with it.
    const context = await browser.newContext();
    const page = await context.newPage();
    newcomer = { context, page };
    await page.goto(invitation);
    await expect(page.getByRole('heading', { name: 'Welcome to Outpost' })).toBeVisible();
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    await page.getByLabel('New password', { exact: true }).fill(password);
    await page.getByLabel('Repeat the new password').fill(password);
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect(page).toHaveURL(/\/login\?/);
    await expect(page.getByText('Your password is set.')).toBeVisible();
    await expect(page.getByLabel('Username')).toHaveValue(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { name: 'Boards' })).toBeVisible();
    await openBoard(page, GRID_BOARD);

    // Disabled by the administrator: the open page is cut off within seconds.
    await admin.page.reload();
    admin.page.once('dialog', (d) => void d.accept());
    await everyone.getByRole('button', { name: `Disable ${name}` }).click();
    await expect(everyone.getByRole('listitem').filter({ hasText: `@${username}` })).toContainText(
      'Disabled',
    );

    const ended = page.getByRole('alertdialog', { name: 'Your access has ended' });
    await expect(ended).toBeVisible({ timeout: 5_000 });
    await expect(ended).toContainText(
      'Your access has ended (your account was disabled). Sign in again.',
    );
    await ended.getByRole('button', { name: 'Sign in again' }).click();
    await expect(page).toHaveURL(/\/login$/);
    // And the account no longer signs in.
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
  } finally {
    await admin.context.close();
    await newcomer?.context.close();
  }
});

test('an edit made offline by someone who lost the right is held, reviewed and accepted', async ({
  browser,
}) => {
  const admin = await apiAs('admin');
  const person = await admin.createPerson('worker', ['g1'], 'field');
  const leaderApi = await apiAs('leader');
  const title = uniqueTitle('Seal the east gate');
  await leaderApi.createTask('g1', { title, assignees: [person.id] });
  await leaderApi.dispose();

  const worker = await signIn(browser, person.username, {}, person.password);
  const leader = await signIn(browser, 'leader');
  try {
    await openBoard(worker.page, GRID_BOARD);
    await worker.context.setOffline(true);
    await expect(connection(worker.page)).toHaveText('Offline');
    await card(worker.page, title).getByRole('button', { name: 'Move to In progress' }).click();
    await expect(connection(worker.page)).toHaveText('Offline · 1 change not yet saved');

    // Meanwhile their role becomes viewer: the edit they still have to send is no longer theirs
    // to make.
    await admin.changeUser(person.id, { role: 'viewer' });

    await worker.context.setOffline(false);
    const banner = worker.page.getByRole('alert').filter({ hasText: 'not accepted' });
    await expect(banner).toBeVisible({ timeout: 20_000 });
    await expect(banner).toContainText('Your change was not accepted');
    await expect(banner).toContainText('may not change');
    await expect(banner).toContainText('Your changes are kept for a supervisor to review.');
    // It stopped: no reconnect loop, nothing left to write with.
    await expect(connection(worker.page)).toHaveText('Stopped syncing');
    await expect(worker.page.getByRole('button', { name: 'New task' })).toHaveCount(0);

    // The leader finds it among the held changes and accepts it.
    await leader.page.getByRole('link', { name: 'Held changes' }).click();
    const waiting = leader.page.getByRole('region', { name: /Waiting for review/ });
    const item = waiting.getByRole('listitem').filter({ hasText: person.displayName });
    await expect(item).toHaveCount(1);
    await expect(item).toContainText(`“${title}”: position, status`);
    await expect(item).toContainText('第1网格');
    await expect(item).toContainText('may not change “status” of this task');
    // Nothing else is waiting: no screen of the app sent a write the server refused.
    await expect(waiting.getByRole('button', { name: 'Accept' })).toHaveCount(1);
    await item.getByRole('button', { name: 'Accept' }).click();
    await expect(waiting.getByRole('listitem').filter({ hasText: person.displayName })).toHaveCount(
      0,
    );
    await expect(
      leader.page
        .getByRole('region', { name: 'Decided in the last week' })
        .getByRole('listitem')
        .filter({ hasText: person.displayName })
        .first(),
    ).toContainText('Accepted by');

    // The edit is now on the board, for the leader and (after a reload) for its author, who is
    // a viewer now.
    await openBoard(leader.page, GRID_BOARD);
    await expect(cardButton(column(leader.page, 'In progress'), title)).toBeVisible();
    await banner.getByRole('button', { name: 'Reload board' }).click();
    await expect(connection(worker.page)).toHaveText('Online · all saved');
    await expect(cardButton(column(worker.page, 'In progress'), title)).toBeVisible();
    await expect(worker.page.getByRole('note').filter({ hasText: 'Read-only' })).toBeVisible();
  } finally {
    await worker.context.close();
    await leader.context.close();
    await admin.dispose();
  }
});

test('a board taken out of someone’s grids closes on their screen at once', async ({ browser }) => {
  const admin = await apiAs('admin');
  const person = await admin.createPerson('worker', ['g1'], 'moved');
  const worker = await signIn(browser, person.username, {}, person.password);
  const { page } = worker;
  try {
    await openBoard(page, GRID_BOARD);
    await admin.changeUser(person.id, { grids: ['g2'] });

    const banner = page.getByRole('alert').filter({ hasText: 'no longer open to you' });
    await expect(banner).toBeVisible({ timeout: 5_000 });
    await expect(connection(page)).toHaveText('Stopped syncing');
    // Reloading asks the directory again: the board is not theirs any more, grid 2's is.
    await banner.getByRole('button', { name: 'Reload board' }).click();
    await expect(
      page.getByRole('heading', { name: 'This board is not open to you' }),
    ).toBeVisible();
    await page.getByRole('link', { name: 'Back to boards' }).click();
    const boards = page.getByRole('region', { name: 'Boards' }).getByRole('link');
    await expect(boards).toHaveCount(1);
    await expect(boards).toContainText('第2网格');
  } finally {
    await worker.context.close();
    await admin.dispose();
  }
});

test('someone disabled while offline hands in their unsaved work when back online', async ({
  browser,
}) => {
  const admin = await apiAs('admin');
  const person = await admin.createPerson('worker', ['g1'], 'night');
  const leaderApi = await apiAs('leader');
  const title = uniqueTitle('Night round, building 9');
  await leaderApi.createTask('g1', { title, assignees: [person.id] });
  await leaderApi.dispose();

  const worker = await signIn(browser, person.username, {}, person.password);
  const leader = await signIn(browser, 'leader');
  try {
    await openBoard(worker.page, GRID_BOARD);
    await worker.context.setOffline(true);
    await card(worker.page, title).getByRole('button', { name: 'Move to In progress' }).click();
    await expect(connection(worker.page)).toHaveText('Offline · 1 change not yet saved');

    await admin.changeUser(person.id, { disabled: true });
    await worker.context.setOffline(false);

    // The server now refuses the connection itself; the app finds out why and hands the
    // unsaved change in with the session it had.
    const ended = worker.page.getByRole('alertdialog', { name: 'Your access has ended' });
    await expect(ended).toBeVisible({ timeout: 20_000 });
    await expect(ended).toContainText('Your unsaved changes were handed in.');

    await leader.page.getByRole('link', { name: 'Held changes' }).click();
    const item = leader.page
      .getByRole('region', { name: /Waiting for review/ })
      .getByRole('listitem')
      .filter({ hasText: person.displayName });
    await expect(item).toContainText(`“${title}”: position, status`);
    await expect(item).toContainText('handed in after the person’s access ended');
  } finally {
    await worker.context.close();
    await leader.context.close();
    await admin.dispose();
  }
});

test('a person changes their name and password on their profile', async ({ browser }) => {
  const admin = await apiAs('admin');
  const person = await admin.createPerson('volunteer', ['g1'], 'helper');
  await admin.dispose();
  const volunteer = await signIn(browser, person.username, {}, person.password);
  const { page } = volunteer;
  try {
    // A volunteer works on tasks given to them but creates none, and sees no people list.
    await expect(page.getByRole('link', { name: 'People' })).toHaveCount(0);
    await openBoard(page, GRID_BOARD);
    await expect(page.getByRole('button', { name: 'New task' })).toHaveCount(0);
    await page.getByRole('link', { name: 'Back to boards' }).click();

    await page.getByRole('link', { name: 'My profile' }).click();
    await expect(page.getByRole('heading', { name: 'My profile', level: 1 })).toBeVisible();
    const renamed = `${person.displayName} (night)`;
    await page.getByLabel('Display name').fill(renamed);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText('Name saved.')).toBeVisible();

    await page.getByLabel('Current password').fill(demoPassword() + '-wrong');
    await page.getByLabel('New password', { exact: true }).fill('a-new-password');
    await page.getByLabel('Repeat the new password').fill('a-new-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByRole('alert')).toHaveText('The current password is wrong.');
    await page.getByLabel('Current password').fill(person.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByText('Password changed.')).toBeVisible();

    await page.getByRole('link', { name: 'Home' }).click();
    await expect(page.getByText(`Signed in as ${renamed}`)).toBeVisible();
  } finally {
    await volunteer.context.close();
  }
});

test('a leader downloads the audit trail as CSV; a worker is not offered it', async ({
  browser,
}) => {
  const leader = await signIn(browser, 'leader');
  const worker = await signIn(browser, 'worker');
  try {
    const exportButton = leader.page.getByRole('button', { name: 'Export the audit trail (CSV)' });
    const [download] = await Promise.all([
      leader.page.waitForEvent('download'),
      exportButton.click(),
    ]);
    expect(download.suggestedFilename()).toBe('outpost-audit.csv');
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(path, 'utf8');
    expect(csv.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe(
      'id,at,device_at,user,document,via,entity,action,fields',
    );
    await expect(
      worker.page.getByRole('button', { name: 'Export the audit trail (CSV)' }),
    ).toHaveCount(0);
  } finally {
    await leader.context.close();
    await worker.context.close();
  }
});
