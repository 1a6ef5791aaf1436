import {
  GRID_BOARD,
  apiAs,
  card,
  cardButton,
  column,
  connection,
  createCard,
  expect,
  openBoard,
  signIn,
  test,
  uniqueTitle,
} from './fixtures.ts';

test('on a 390×844 phone a grid worker can create a card and move their own', async ({
  browser,
}) => {
  const api = await apiAs('leader');
  const assigned = uniqueTitle('Deliver medicine to 5-2-301');
  await api.createTask('g1', { title: assigned, assignees: [await api.userId('worker')] });
  await api.dispose();

  const worker = await signIn(browser, 'worker', {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
  });
  const { page } = worker;
  try {
    await openBoard(page, GRID_BOARD);
    await expect(connection(page)).toBeVisible();

    // One column per screen: To do is on screen, Done is scrolled off to the right.
    await expect(column(page, 'To do')).toBeInViewport();
    await expect(column(page, 'Done')).not.toBeInViewport();
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(390);

    // The "new task" dialog fills the screen; a worker cannot assign, so there is no picker.
    await page.getByRole('button', { name: 'New task' }).tap();
    const dialog = page.getByRole('dialog', { name: 'New task' });
    const box = await dialog.boundingBox();
    expect(box?.width).toBe(390);
    expect(box?.height).toBe(844);
    await expect(dialog.getByRole('group', { name: 'Assignees' })).toHaveCount(0);
    await page.getByRole('button', { name: 'Cancel' }).tap();
    await expect(dialog).toBeHidden();

    // A card the worker creates is not assigned to them: nothing to move it with.
    const title = uniqueTitle('Check 5-2 stairwell');
    await createCard(page, title);
    await expect(cardButton(column(page, 'To do'), title)).toBeVisible();
    await expect(card(page, title).getByRole('button', { name: /^Move to / })).toHaveCount(0);

    // The card assigned to them moves. Touch targets are at least 44 px.
    const moveRight = card(column(page, 'To do'), assigned).getByRole('button', {
      name: 'Move to In progress',
    });
    const moveBox = await moveRight.boundingBox();
    expect(moveBox?.height).toBeGreaterThanOrEqual(44);
    await moveRight.tap();
    await expect(cardButton(column(page, 'In progress'), assigned)).toBeAttached();
    await expect(connection(page)).toHaveText('Online · all saved');
  } finally {
    await worker.context.close();
  }
});
