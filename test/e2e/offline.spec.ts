import {
  GRID_BOARD,
  apiAs,
  card,
  cardButton,
  column,
  connection,
  expect,
  openBoard,
  signIn,
  test,
  uniqueTitle,
} from './fixtures.ts';

test('an edit made offline survives a reload and reaches others once back online', async ({
  browser,
}) => {
  // A card the leader gave the worker: the worker may move it.
  const api = await apiAs('leader');
  const title = uniqueTitle('Call 12 households');
  await api.createTask('g1', { title, assignees: [await api.userId('worker')] });
  await api.dispose();

  const worker = await signIn(browser, 'worker');
  const leader = await signIn(browser, 'leader');
  try {
    await openBoard(worker.page, GRID_BOARD);
    await openBoard(leader.page, GRID_BOARD);
    await expect(cardButton(column(worker.page, 'To do'), title)).toBeVisible();

    // The service worker must control the page before the network goes.
    await expect
      .poll(() => worker.page.evaluate(() => navigator.serviceWorker.controller !== null), {
        timeout: 20_000,
      })
      .toBe(true);

    await worker.context.setOffline(true);
    await expect(connection(worker.page)).toHaveText('Offline');

    await card(worker.page, title).getByRole('button', { name: 'Move to In progress' }).click();
    await expect(cardButton(column(worker.page, 'In progress'), title)).toBeVisible();
    await expect(connection(worker.page)).toHaveText('Offline · 1 change not yet saved');
    // Nothing reached the leader.
    await expect(cardButton(column(leader.page, 'To do'), title)).toBeVisible();

    // Reload with no network: the service worker serves the app, IndexedDB the board.
    const response = await worker.page.reload();
    expect(response?.fromServiceWorker()).toBe(true);
    await expect(cardButton(column(worker.page, 'In progress'), title)).toBeVisible();
    await expect(connection(worker.page)).toHaveText('Offline · 1 change not yet saved');

    // Back online: the change is sent, the server confirms it, the leader sees it.
    await worker.context.setOffline(false);
    await expect(connection(worker.page)).toHaveText('Online · all saved', { timeout: 20_000 });
    await expect(cardButton(column(leader.page, 'In progress'), title)).toBeVisible();
    await expect(cardButton(column(leader.page, 'To do'), title)).toHaveCount(0);
  } finally {
    await worker.context.close();
    await leader.context.close();
  }
});
