import {
  card,
  cardButton,
  column,
  createCard,
  expect,
  openBoard,
  openFirstBoard,
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
    const boardPath = await openFirstBoard(leader.page);
    await openBoard(worker.page, boardPath);

    // Presence: each sees the other on the board.
    await expect(
      leader.page.getByRole('region', { name: 'On this board' }).getByRole('listitem'),
    ).toHaveCount(2);

    // Created by the leader: appears for the worker without a reload.
    const title = uniqueTitle('Gate 3 night shift');
    await createCard(leader.page, title);
    await expect(cardButton(column(leader.page, 'To do'), title)).toBeVisible();
    await expect(cardButton(column(worker.page, 'To do'), title)).toBeVisible();

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

    // Edited by the worker: the leader sees that the worker is editing, then the new title.
    const dialog = worker.page.getByRole('dialog', { name: title });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('checkbox', { name: /Worker Zhang/ })).toBeChecked();
    await expect(card(leader.page, title).getByText(/Worker Zhang\) is editing/)).toBeVisible();
    const renamed = `${title} (renamed)`;
    await dialog.getByLabel('Title').fill(renamed);
    await dialog.getByLabel('Title').press('Enter');
    await dialog.getByRole('button', { name: 'Close' }).first().click();
    await expect(dialog).toBeHidden();
    await expect(cardButton(column(leader.page, 'To do'), renamed)).toBeVisible();
    await expect(card(leader.page, renamed).getByText(/is editing/)).toHaveCount(0);

    // Moved by keyboard (Alt+→ on the focused card): To do → In progress for both.
    await cardButton(leader.page, renamed).focus();
    await leader.page.keyboard.press('Alt+ArrowRight');
    await expect(cardButton(column(leader.page, 'In progress'), renamed)).toBeVisible();
    await expect(cardButton(column(worker.page, 'In progress'), renamed)).toBeVisible();
    // Focus stays on the moved card, so the next key press moves it again.
    await expect(cardButton(leader.page, renamed)).toBeFocused();
    await leader.page.keyboard.press('Alt+ArrowRight');
    await expect(cardButton(column(worker.page, 'Blocked'), renamed)).toBeVisible();

    // Moved with the card's button: Blocked → In progress.
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
  } finally {
    await leader.context.close();
    await worker.context.close();
  }
});
