import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as Y from 'yjs';
import {
  TaskBoard,
  WorkspaceDirectory,
  boardDocName,
  workspaceDocName,
  type Priority,
  type Role,
  type TaskKind,
  type TaskStatus,
} from '@outpost/model';
import type { AccountStore } from '../accounts/AccountStore.ts';
import type { Logger } from '../logger.ts';
import type { DocumentStore } from '../store/types.ts';
import { seedDemoRosters } from '../roster/demoRoster.ts';
import { DEMO_AREAS } from './demoAreas.ts';

export const DEMO_WORKSPACE = 'demo';
const PASSWORD_FILE = 'demo-password.txt';
/** Seeds with this grid go to the command post's board (no grid). */
const COMMAND = 'command';

const ACCOUNTS: { username: string; displayName: string; role: Role; grids: string[] | null }[] = [
  { username: 'admin', displayName: '赵管理 (Admin Zhao)', role: 'admin', grids: null },
  { username: 'leader', displayName: '王指挥 (Leader Wang)', role: 'leader', grids: null },
  {
    username: 'supervisor',
    displayName: '李督查 (Supervisor Li)',
    role: 'supervisor',
    grids: ['g1', 'g2'],
  },
  { username: 'worker', displayName: '张网格 (Worker Zhang)', role: 'worker', grids: ['g1'] },
  { username: 'worker2', displayName: '刘网格 (Worker Liu)', role: 'worker', grids: ['g2'] },
  {
    username: 'volunteer',
    displayName: '陈志愿 (Volunteer Chen)',
    role: 'volunteer',
    grids: ['g1'],
  },
  { username: 'viewer', displayName: '周观察 (Viewer Zhou)', role: 'viewer', grids: null },
];

/** The demo accounts' usernames, in the order the start-up banner lists them. */
export const DEMO_USERNAMES = ACCOUNTS.map((a) => a.username);

const GRIDS = [
  { id: 'g1', name: '东湖街道 第1网格 (东湖花园)' },
  { id: 'g2', name: '东湖街道 第2网格 (幸福里)' },
  { id: 'g3', name: '东湖街道 第3网格 (铁路新村)' },
  { id: 'g4', name: '东湖街道 第4网格 (滨江小区)' },
];

/** One board per grid (its workers see only theirs) and one for the command post. */
const BOARDS = [
  { id: 'g1', name: '第1网格 任务 (东湖花园)', grid: 'g1' },
  { id: 'g2', name: '第2网格 任务 (幸福里)', grid: 'g2' },
  { id: 'g3', name: '第3网格 任务 (铁路新村)', grid: 'g3' },
  { id: 'g4', name: '第4网格 任务 (滨江小区)', grid: 'g4' },
  { id: 'command', name: '街道指挥部 (Command post)', grid: null },
];

type Seed = [
  title: string,
  kind: TaskKind,
  priority: Priority,
  status: TaskStatus,
  grid: string,
  dueHours: number | null,
  who: string[],
  tags: string[],
];

/** Realistic work of a sub-district in an emergency (see DOMAIN.md). Due is hours from now. */
const TASKS: Seed[] = [
  [
    '1号楼 1-6层 入户摸排（第二轮）',
    'screening',
    'high',
    'in_progress',
    'g1',
    6,
    ['worker'],
    ['摸排'],
  ],
  ['1号楼 7-18层 入户摸排（第二轮）', 'screening', 'high', 'todo', 'g1', 10, ['worker'], ['摸排']],
  [
    '2号楼 入户摸排：核对空置户',
    'screening',
    'normal',
    'todo',
    'g1',
    24,
    ['worker2'],
    ['摸排', '空置户'],
  ],
  ['3号楼 人户不在 12户 电话回访', 'follow_up', 'normal', 'todo', 'g1', 8, ['worker'], ['回访']],
  [
    '大数据名单 191个号码 逐一电话核实',
    'screening',
    'urgent',
    'in_progress',
    'g2',
    4,
    ['worker2', 'worker'],
    ['一摸四查'],
  ],
  [
    '单位自查表 汇总（幸福里 商铺 23家）',
    'screening',
    'normal',
    'todo',
    'g2',
    30,
    [],
    ['一摸四查'],
  ],
  [
    '群众举报：5栋有外地返回人员未登记',
    'follow_up',
    'urgent',
    'todo',
    'g2',
    -2,
    ['supervisor'],
    ['举报'],
  ],
  [
    '幸福里 北门 测温登记不规范 限期整改',
    'fix',
    'high',
    'blocked',
    'g2',
    -5,
    ['worker2'],
    ['督查整改'],
  ],
  [
    '幸福里 只留一个出入口：封闭东侧小门',
    'fix',
    'high',
    'done',
    'g2',
    -20,
    ['worker2'],
    ['督查整改'],
  ],
  [
    '居家观察 14天 第9天 体温上报（8户）',
    'follow_up',
    'high',
    'in_progress',
    'g3',
    3,
    ['worker'],
    ['居家观察'],
  ],
  [
    '居家观察 解除：6户 满14天 出具解除单',
    'follow_up',
    'normal',
    'todo',
    'g3',
    20,
    ['supervisor'],
    ['居家观察'],
  ],
  ['铁路新村 12栋 消杀（楼道、电梯）', 'other', 'normal', 'done', 'g3', -30, ['worker'], ['消杀']],
  ['铁路新村 13-16栋 消杀（楼道、电梯）', 'other', 'normal', 'todo', 'g3', 12, [], ['消杀']],
  [
    '特殊需求户：独居老人 7户 买药送药',
    'delivery',
    'urgent',
    'in_progress',
    'g3',
    2,
    ['worker2'],
    ['特殊需求'],
  ],
  ['孕妇 1户 产检车辆 协调', 'delivery', 'high', 'todo', 'g3', 16, ['supervisor'], ['特殊需求']],
  [
    '团购蔬菜 120箱 分发到户',
    'delivery',
    'normal',
    'in_progress',
    'g4',
    5,
    ['worker', 'worker2'],
    ['团购'],
  ],
  ['体温计 40支 发放（缺少体温计的家庭）', 'delivery', 'normal', 'todo', 'g4', 28, [], ['物资']],
  ['口罩 600只 分装 到楼栋长', 'delivery', 'normal', 'done', 'g4', -10, ['worker2'], ['物资']],
  [
    '消毒液 补货 申请（滨江小区 库存不足）',
    'delivery',
    'high',
    'blocked',
    'g4',
    -1,
    ['supervisor'],
    ['物资'],
  ],
  [
    '滨江小区 南门 夜班 无人值守 整改',
    'fix',
    'urgent',
    'todo',
    'g4',
    -3,
    ['supervisor'],
    ['督查整改', '卡点'],
  ],
  [
    '滨江小区 外来车辆 登记表 补全',
    'fix',
    'normal',
    'in_progress',
    'g4',
    9,
    ['worker'],
    ['督查整改', '卡点'],
  ],
  ['督查 18项 清单：东湖花园', 'fix', 'normal', 'done', 'g1', -26, ['supervisor'], ['督查']],
  ['督查 18项 清单：幸福里', 'fix', 'normal', 'in_progress', 'g2', 7, ['supervisor'], ['督查']],
  ['督查 18项 清单：铁路新村', 'fix', 'normal', 'todo', 'g3', 31, ['supervisor'], ['督查']],
  ['督查 18项 清单：滨江小区', 'fix', 'normal', 'todo', 'g4', 34, ['supervisor'], ['督查']],
  [
    '返岗人员 健康证明 收集（东湖花园）',
    'screening',
    'normal',
    'todo',
    'g1',
    40,
    ['worker'],
    ['复工'],
  ],
  ['东湖花园 快递集中投放点 设置', 'other', 'low', 'done', 'g1', -48, ['worker'], []],
  ['东湖花园 公告栏 更新值班表', 'other', 'low', 'todo', 'g1', 14, ['worker'], ['值班']],
  ['幸福里 楼栋长 微信群 核对成员', 'other', 'low', 'in_progress', 'g2', 18, ['worker2'], []],
  [
    '铁路新村 出租屋 租客 摸排',
    'screening',
    'high',
    'todo',
    'g3',
    22,
    ['worker'],
    ['摸排', '出租屋'],
  ],
  [
    '铁路新村 外省返回人员 名单 比对',
    'screening',
    'high',
    'blocked',
    'g3',
    -4,
    ['worker'],
    ['一摸四查'],
  ],
  [
    '滨江小区 门岗 QR码 自助登记 上线',
    'other',
    'normal',
    'in_progress',
    'g4',
    26,
    ['supervisor'],
    ['卡点'],
  ],
  ['每日一汇报：统计 摸排进度', 'other', 'normal', 'todo', COMMAND, 9, ['leader'], ['汇报']],
  [
    '每日一分析：各网格 逾期任务 原因',
    'other',
    'high',
    'in_progress',
    COMMAND,
    5,
    ['leader'],
    ['汇报'],
  ],
  [
    '督查组 今日路线：4个小区 18项清单',
    'fix',
    'normal',
    'todo',
    COMMAND,
    3,
    ['supervisor'],
    ['督查'],
  ],
  ['志愿者 排班 补充 夜班 3人', 'other', 'high', 'todo', COMMAND, 11, ['leader'], ['值班']],
  ['药店 购药登记 信息 核查', 'follow_up', 'normal', 'todo', 'g2', 36, [], ['一摸四查']],
  [
    '发热门诊 转诊 1人 随访',
    'follow_up',
    'urgent',
    'in_progress',
    'g3',
    1,
    ['supervisor'],
    ['随访'],
  ],
  ['心理疏导 热线 回访 3户', 'follow_up', 'low', 'todo', 'g1', 48, ['worker2'], ['回访']],
  ['垃圾清运 加密 到每日两次', 'other', 'normal', 'done', 'g4', -15, ['worker'], ['消杀']],
];

const SUPPLIES: Seed[] = [
  [
    '米面油 套餐 60份 配送 到户（幸福里）',
    'delivery',
    'high',
    'in_progress',
    'g2',
    6,
    ['worker2'],
    ['团购'],
  ],
  ['居家观察户 生活垃圾 上门收取', 'delivery', 'normal', 'todo', 'g3', 4, ['worker'], ['居家观察']],
  ['慢病药品 代购 15户', 'delivery', 'urgent', 'todo', 'g1', 3, ['worker'], ['特殊需求']],
  [
    '防护服 20套 领取（街道仓库）',
    'delivery',
    'normal',
    'done',
    'g4',
    -8,
    ['supervisor'],
    ['物资'],
  ],
  ['84消毒液 30桶 分发 各楼栋', 'delivery', 'normal', 'todo', 'g4', 20, [], ['物资']],
  [
    '奶粉 尿不湿 2户 婴幼儿家庭',
    'delivery',
    'high',
    'in_progress',
    'g2',
    5,
    ['worker2'],
    ['特殊需求'],
  ],
];

/** Points near the centre of each grid (WGS-84), for tasks that have a place on the map. */
const GRID_CENTRES: Record<string, [number, number]> = {
  g1: [30.5535, 114.3665],
  g2: [30.5571, 114.3712],
  g3: [30.5502, 114.3743],
  g4: [30.5478, 114.3638],
};

/**
 * Seeds the demo workspace into an empty store and returns the demo password. On later starts
 * it returns the password kept in DATA_DIR (mode 0600) so the banner can show it again.
 */
export async function seedDemo(options: {
  accounts: AccountStore;
  store: DocumentStore;
  dataDir: string;
  password: string | null;
  logger: Logger;
}): Promise<string | null> {
  const { accounts, store, dataDir, logger } = options;
  const passwordFile = path.join(dataDir, PASSWORD_FILE);
  if ((await accounts.workspaces()).length > 0) {
    if (options.password) return options.password;
    return fs.existsSync(passwordFile) ? fs.readFileSync(passwordFile, 'utf8').trim() : null;
  }
  const password = options.password ?? crypto.randomBytes(9).toString('base64url');
  if (!options.password) fs.writeFileSync(passwordFile, password + '\n', { mode: 0o600 });

  await accounts.createWorkspace(DEMO_WORKSPACE, '东湖街道 (Demo District)');
  const userIds = new Map<string, string>();
  for (const account of ACCOUNTS) {
    // Fixed ids (`demo-<username>`), so scripts and benchmarks can name the demo people.
    const user = await accounts.createUser({
      ...account,
      id: `demo-${account.username}`,
      workspaceId: DEMO_WORKSPACE,
      password,
    });
    userIds.set(account.username, user.id);
  }

  const members = await accounts.users(DEMO_WORKSPACE);
  const directoryDoc = new Y.Doc();
  const directory = new WorkspaceDirectory(directoryDoc);
  directoryDoc.transact(() => {
    directory.meta.set('name', '东湖街道 (Demo District)');
    directory.meta.set('timeZone', 'Asia/Shanghai');
    for (const grid of GRIDS) directory.setGrid(grid);
    directory.setAreas(Object.entries(DEMO_AREAS));
    for (const board of BOARDS) directory.setBoard(board);
    for (const user of members) {
      directory.setMember({
        id: user.id,
        username: user.username,
        displayName: user.displayName,
        role: user.role,
      });
    }
  });
  const documents = [
    { name: workspaceDocName(DEMO_WORKSPACE), update: Y.encodeStateAsUpdate(directoryDoc) },
  ];

  const now = Date.now();
  const scopes = new Map(ACCOUNTS.map((a) => [a.username, a.grids]));
  /** Only people whose scope covers the grid are assigned, as the server would require. */
  const assignable = (who: string[], grid: string | null) =>
    who.filter((w) => {
      const scope = scopes.get(w);
      return scope === null || (grid !== null && scope !== undefined && scope.includes(grid));
    });
  const seedBoard = (boardId: string, name: string, seeds: Seed[]) => {
    const doc = new Y.Doc();
    const board = new TaskBoard(doc);
    board.meta.set('name', name);
    board.meta.set('createdAt', now);
    seeds.forEach(([title, kind, priority, status, seedGrid, dueHours, who, tags], index) => {
      const grid = seedGrid === COMMAND ? null : seedGrid;
      const creator = userIds.get(index % 3 === 0 ? 'supervisor' : 'leader')!;
      const centre = GRID_CENTRES[seedGrid] ?? GRID_CENTRES.g1!;
      const created = now - (60 - index) * 3600_000;
      board.create(
        {
          title,
          kind,
          priority,
          status,
          grid,
          due: dueHours === null ? null : roundToQuarter(now + dueHours * 3600_000),
          assignees: assignable(who, grid).map((w) => userIds.get(w)!),
          tags,
          location:
            index % 2 === 0
              ? { lat: centre[0] + jitter(index, 1), lng: centre[1] + jitter(index, 2) }
              : null,
          description: '',
        },
        creator,
        created,
      );
    });
    documents.push({
      name: boardDocName(DEMO_WORKSPACE, boardId),
      update: Y.encodeStateAsUpdate(doc),
    });
  };
  const all = [...TASKS, ...SUPPLIES];
  for (const board of BOARDS) {
    const grid = board.grid ?? COMMAND;
    seedBoard(
      board.id,
      board.name,
      all.filter((seed) => seed[4] === grid),
    );
  }
  documents.push(...seedDemoRosters(DEMO_WORKSPACE, userIds, userIds.get('supervisor')!, now));
  await store.appendMany(documents);
  logger.info('demo workspace seeded', {
    workspace: DEMO_WORKSPACE,
    tasks: TASKS.length + SUPPLIES.length,
  });
  return password;
}

function roundToQuarter(ms: number): number {
  return Math.round(ms / 900_000) * 900_000;
}

/** Deterministic small offset (about ±300 m) so seeded pins do not stack. */
function jitter(index: number, salt: number): number {
  const x = Math.sin(index * 12.9898 + salt * 78.233) * 43758.5453;
  return (x - Math.floor(x) - 0.5) * 0.006;
}
