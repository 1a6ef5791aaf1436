/**
 * The web app, unchanged, against the three-node cluster (`pnpm cluster`: PostgreSQL, Redis,
 * three nodes, the round-robin balancer): two people on different nodes work on one board
 * live, and a third person reaching the cluster only through the balancer sees the result.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalCluster, type LocalCluster } from '../../realtime/src/cluster/local.ts';
import {
  GRID_BOARD,
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

let cluster: LocalCluster;
let dataDir: string;
const password = crypto.randomBytes(12).toString('base64url');

test.beforeAll(async () => {
  test.setTimeout(180_000);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-e2e-cluster-'));
  cluster = await startLocalCluster({
    dataDir,
    nodes: 3,
    port: 0,
    host: '127.0.0.1',
    demo: true,
    password,
    fast: true,
    env: { LOG_LEVEL: 'warn' },
  });
});

test.afterAll(async () => {
  await cluster?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('people on different nodes of the cluster work on one board live', async ({
  browser,
}, info) => {
  test.setTimeout(120_000);
  const [node1, node2] = cluster.nodeUrls as [string, string];
  const leader = await signIn(
    browser,
    'leader',
    { baseURL: node1, viewport: { width: 1920, height: 1080 } },
    password,
  );
  const worker = await signIn(
    browser,
    'worker',
    { baseURL: node2, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
    password,
  );
  try {
    await openBoard(leader.page, GRID_BOARD);
    await openBoard(worker.page, GRID_BOARD);
    // Presence crosses nodes: each sees both people on the board.
    await expect(
      leader.page.getByRole('region', { name: 'On this board' }).getByRole('listitem'),
    ).toHaveCount(2);

    const title = uniqueTitle('Cross-node check');
    await createCard(leader.page, title);
    await expect(cardButton(column(worker.page, 'To do'), title)).toBeAttached();

    // Assigned on node 1, told on node 2 (socket.io through Redis).
    await cardButton(leader.page, title).click();
    const dialog = leader.page.getByRole('dialog');
    await dialog.getByRole('checkbox', { name: /Worker Zhang/ }).check();
    await dialog.getByRole('button', { name: 'Close' }).first().click();
    const toast = worker.page
      .getByRole('region', { name: 'Notifications' })
      .getByRole('status')
      .filter({ hasText: title });
    await expect(toast).toBeVisible();

    // The worker moves it on node 2; the leader sees it move on node 1; both say saved.
    await card(column(worker.page, 'To do'), title)
      .getByRole('button', { name: 'Move to In progress' })
      .tap();
    await expect(cardButton(column(leader.page, 'In progress'), title)).toBeVisible();
    await expect(connection(leader.page)).toHaveText('Online · all saved');
    await expect(connection(worker.page)).toHaveText('Online · all saved');
    await leader.page.screenshot({ path: info.outputPath('cluster-wall-leader-node1.png') });
    await worker.page.screenshot({ path: info.outputPath('cluster-phone-worker-node2.png') });

    // Someone reaching the cluster only through the balancer sees the same board.
    const viewer = await signIn(browser, 'supervisor', { baseURL: cluster.url }, password);
    try {
      await openBoard(viewer.page, GRID_BOARD);
      await expect(cardButton(column(viewer.page, 'In progress'), title)).toBeVisible();
    } finally {
      await viewer.context.close();
    }
  } finally {
    await leader.context.close();
    await worker.context.close();
  }
});
