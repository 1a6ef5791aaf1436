import {
  GRID_BOARD,
  card,
  cardButton,
  column,
  createCard,
  expect,
  openBoard,
  signIn,
  test,
  uniqueTitle,
} from './fixtures.ts';

test('two people on one board see each other’s cards, edits and moves live', async ({
  browser,
}) => {
  const leader = await signIn(browser, 'leader');
  const worker = await signIn(browser, 'worker');
  try {
    await openBoard(leader.page, GRID_BOARD);
    await openBoard(worker.page, GRID_BOARD);

    // Presence: each sees the other on the board.
    await expect(
      leader.page.getByRole('region', { name: 'On this board' }).getByRole('listitem'),
    ).toHaveCount(2);

    // Created by the leader: appears for the worker without a reload. It is not the worker's
    // yet, so the worker has nothing to move it with.
    const title = uniqueTitle('Gate 3 night shift');
    await createCard(leader.page, title);
    await expect(cardButton(column(leader.page, 'To do'), title)).toBeVisible();
    await expect(cardButton(column(worker.page, 'To do'), title)).toBeVisible();
    await expect(card(worker.page, title).getByRole('button', { name: /^Move to / })).toHaveCount(
      0,
    );

    // The leader assigns the worker, who is told at once and opens the card from the toast.
    await cardButton(leader.page, title).click();
    const leaderDialog = leader.page.getByRole('dialog');
    await leaderDialog.getByRole('checkbox', { name: /Worker Zhang/ }).check();
    await leaderDialog.getByRole('button', { name: 'Close' }).first().click();
    await expect(leaderDialog).toBeHidden();
    const toast = worker.page
      .getByRole('region', { name: 'Notifications' })
      .getByRole('status')
      .filter({ hasText: title });
    await expect(toast).toContainText(`Leader Wang) assigned you: ${title}`);
    await toast.getByRole('link', { name: 'Open' }).click();

    // The worker may work on the card (status, checklist, comments) but not edit it.
    const dialog = worker.page.getByRole('dialog', { name: title });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByText(/Worker Zhang/)).toBeVisible();
    await expect(dialog.getByRole('checkbox', { name: /Worker Zhang/ })).toHaveCount(0);
    await expect(dialog.getByLabel('Title')).toBeDisabled();
    await expect(dialog.getByLabel('Status')).toBeEnabled();
    await expect(dialog.getByRole('button', { name: 'Archive task' })).toHaveCount(0);
    // Meanwhile the leader sees that the worker has the card open.
    await expect(card(leader.page, title).getByText(/Worker Zhang\) is editing/)).toBeVisible();
    await dialog.getByLabel('New comment').fill('On my way to gate 3.');
    await dialog.getByRole('button', { name: 'Post comment' }).click();
    await dialog.getByRole('button', { name: 'Close' }).first().click();
    await expect(dialog).toBeHidden();
    await expect(card(leader.page, title)).toContainText('1 comment');
    await expect(card(leader.page, title).getByText(/is editing/)).toHaveCount(0);

    // Edited by the leader: the worker sees the new title.
    const renamed = `${title} (renamed)`;
    await cardButton(leader.page, title).click();
    await leaderDialog.getByLabel('Title').fill(renamed);
    await leaderDialog.getByLabel('Title').press('Enter');
    await leaderDialog.getByRole('button', { name: 'Close' }).first().click();
    await expect(cardButton(column(worker.page, 'To do'), renamed)).toBeVisible();

    // Moved by keyboard (Alt+→ on the focused card): To do → In progress for both.
    await cardButton(leader.page, renamed).focus();
    await leader.page.keyboard.press('Alt+ArrowRight');
    await expect(cardButton(column(leader.page, 'In progress'), renamed)).toBeVisible();
    await expect(cardButton(column(worker.page, 'In progress'), renamed)).toBeVisible();
    // Focus stays on the moved card, so the next key press moves it again.
    await expect(cardButton(leader.page, renamed)).toBeFocused();
    await leader.page.keyboard.press('Alt+ArrowRight');
    await expect(cardButton(column(worker.page, 'Blocked'), renamed)).toBeVisible();

    // Moved by the worker (it is theirs now) with the card's button: Blocked → In progress.
    await card(worker.page, renamed).getByRole('button', { name: 'Move to In progress' }).click();
    await expect(cardButton(column(leader.page, 'In progress'), renamed)).toBeVisible();

    // Dragged by the worker to Done.
    const handle = card(worker.page, renamed).getByRole('button', { name: `Drag ${renamed}` });
    await handle.dragTo(column(worker.page, 'Done'));
    await expect(cardButton(column(worker.page, 'Done'), renamed)).toBeVisible();
    await expect(cardButton(column(leader.page, 'Done'), renamed)).toBeVisible();

    // Reordered by keyboard inside a column: create a second card in Done, move it above.
    const second = uniqueTitle('Deliver masks');
    await createCard(leader.page, second);
    await card(leader.page, second).getByRole('button', { name: 'Move to In progress' }).click();
    await cardButton(column(leader.page, 'In progress'), second).focus();
    await leader.page.keyboard.press('Alt+ArrowRight');
    await leader.page.keyboard.press('Alt+ArrowRight');
    // Position of a card among the cards of Done, as the worker sees it.
    const indexInDone = async (cardTitle: string) =>
      (await column(worker.page, 'Done').getByRole('listitem').allInnerTexts()).findIndex((text) =>
        text.startsWith(cardTitle),
      );
    await expect.poll(() => indexInDone(second)).toBeGreaterThan(0);
    const before = await indexInDone(second);
    await expect(cardButton(leader.page, second)).toBeFocused();
    await leader.page.keyboard.press('Alt+ArrowUp');
    await expect.poll(() => indexInDone(second)).toBe(before - 1);

    // Nothing the worker did was refused.
    await expect(worker.page.getByRole('status', { name: 'Connection' })).toHaveText(
      'Online · all saved',
    );
  } finally {
    await leader.context.close();
    await worker.context.close();
  }
});
