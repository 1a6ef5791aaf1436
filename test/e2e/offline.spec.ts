import {
  cardButton,
  column,
  connection,
  createCard,
  expect,
  openBoard,
  openFirstBoard,
  signIn,
  test,
  uniqueTitle,
} from './fixtures.ts';

test('an edit made offline survives a reload and reaches others once back online', async ({
  browser,
}) => {
  const worker = await signIn(browser, 'worker');
  const leader = await signIn(browser, 'leader');
  try {
    const boardPath = await openFirstBoard(worker.page);
    await openBoard(leader.page, boardPath);
    const title = uniqueTitle('Call 12 households');
    await createCard(worker.page, title);
    await expect(connection(worker.page)).toHaveText('Online · all saved');
    await expect(cardButton(leader.page, title)).toBeVisible();

    // The service worker must control the page before the network goes.
    await expect
      .poll(() => worker.page.evaluate(() => navigator.serviceWorker.controller !== null), {
        timeout: 20_000,
      })
      .toBe(true);

    await worker.context.setOffline(true);
    await expect(connection(worker.page)).toHaveText('Offline');

    const edited = `${title} – done offline`;
    await cardButton(worker.page, title).click();
    const dialog = worker.page.getByRole('dialog');
    await dialog.getByLabel('Title').fill(edited);
    await dialog.getByLabel('Title').press('Enter');
    await dialog.getByRole('button', { name: 'Close' }).first().click();
    await expect(cardButton(worker.page, edited)).toBeVisible();
    await expect(connection(worker.page)).toHaveText('Offline · 1 change not yet saved');
    // Nothing reached the leader.
    await expect(cardButton(leader.page, title)).toBeVisible();

    // Reload with no network: the service worker serves the app, IndexedDB the board.
    const response = await worker.page.reload();
    expect(response?.fromServiceWorker()).toBe(true);
    await expect(cardButton(column(worker.page, 'To do'), edited)).toBeVisible();
    await expect(connection(worker.page)).toHaveText('Offline · 1 change not yet saved');

    // Back online: the change is sent, the server confirms it, the leader sees it.
    await worker.context.setOffline(false);
    await expect(connection(worker.page)).toHaveText('Online · all saved', { timeout: 20_000 });
    await expect(cardButton(column(leader.page, 'To do'), edited)).toBeVisible();
    await expect(cardButton(leader.page, title)).toHaveCount(0);
  } finally {
    await worker.context.close();
    await leader.context.close();
  }
});
