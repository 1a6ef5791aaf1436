import {
  card,
  cardButton,
  column,
  connection,
  createCard,
  expect,
  openFirstBoard,
  signIn,
  test,
  uniqueTitle,
} from './fixtures.ts';

test('on a 390×844 phone a grid worker can create and move a card', async ({ browser }) => {
  const worker = await signIn(browser, 'worker', {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
  });
  const { page } = worker;
  try {
    await openFirstBoard(page);
    await expect(connection(page)).toBeVisible();

    // One column per screen: To do is on screen, Done is scrolled off to the right.
    await expect(column(page, 'To do')).toBeInViewport();
    await expect(column(page, 'Done')).not.toBeInViewport();
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(390);

    // The "new task" dialog fills the screen.
    await page.getByRole('button', { name: 'New task' }).tap();
    const dialog = page.getByRole('dialog', { name: 'New task' });
    const box = await dialog.boundingBox();
    expect(box?.width).toBe(390);
    expect(box?.height).toBe(844);
    await page.getByRole('button', { name: 'Cancel' }).tap();
    await expect(dialog).toBeHidden();

    const title = uniqueTitle('Deliver medicine to 5-2-301');
    await createCard(page, title);
    const created = cardButton(column(page, 'To do'), title);
    await expect(created).toBeVisible();

    // Touch targets are at least 44 px.
    const moveRight = card(column(page, 'To do'), title).getByRole('button', {
      name: 'Move to In progress',
    });
    const moveBox = await moveRight.boundingBox();
    expect(moveBox?.height).toBeGreaterThanOrEqual(44);
    await moveRight.tap();
    await expect(cardButton(column(page, 'In progress'), title)).toBeAttached();
    await expect(connection(page)).toHaveText('Online · all saved');
  } finally {
    await worker.context.close();
  }
});
