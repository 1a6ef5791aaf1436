/**
 * Child processes of the bench: spawned through bash to raise the open-file limit, tracked in
 * one registry, and killed (with everything they started, e.g. Chromium) by pid on exit.
 */
import { execFileSync, spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import fs from 'node:fs';

const children = new Set<ChildProcess>();

/** Raise the soft limit as far as the hard limit allows (65,536 where permitted). */
const RAISE_FD_LIMIT =
  'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"';

export interface SpawnOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Adds an IPC channel (fd 3) for `process.send`. */
  ipc?: boolean;
  /** Node options placed before the script (e.g. `--inspect=127.0.0.1:0`). */
  nodeFlags?: string[];
}

/** `node --import tsx <script>` in its own process, with a raised file-descriptor limit. */
export function spawnNode(script: string, args: string[], options: SpawnOptions): ChildProcess {
  const stdio: StdioOptions = options.ipc
    ? ['pipe', 'pipe', 'pipe', 'ipc']
    : ['pipe', 'pipe', 'pipe'];
  const child = spawn(
    'bash',
    [
      '-c',
      RAISE_FD_LIMIT,
      process.execPath,
      ...(options.nodeFlags ?? []),
      '--import',
      'tsx',
      script,
      ...args,
    ],
    { cwd: options.cwd, env: options.env, stdio },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  // A child that reads stdin exits when the bench dies (its stdin closes).
  child.stdin?.on('error', () => undefined);
  return child;
}

/** Resolves with the exit code (or signal) once `child` has exited. */
export function exited(child: ChildProcess): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
}

/** SIGTERM, then SIGKILL of the whole tree if it has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 8_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const tree = descendants(child.pid);
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([
    exited(child).then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (!done) {
    killTree(child);
    await exited(child);
  }
  // Anything the child left behind (a browser it launched) goes too.
  for (const pid of tree) signal(pid, 'SIGKILL');
}

/** SIGKILL a child and every process below it, by pid. Synchronous (usable in 'exit'). */
export function killTree(child: ChildProcess): void {
  if (child.pid === undefined) return;
  const pids = [child.pid, ...descendants(child.pid)];
  for (const pid of pids) signal(pid, 'SIGKILL');
}

/** Kills every child the bench started (and their descendants). Synchronous. */
export function killAllChildren(): void {
  for (const child of [...children]) {
    if (child.exitCode === null && child.signalCode === null) killTree(child);
  }
}

export function liveChildren(): number {
  return [...children].filter((c) => c.exitCode === null && c.signalCode === null).length;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/** Pids of all processes below `root` (read from /proc), deepest last. */
export function descendants(root: number | undefined): number[] {
  if (root === undefined) return [];
  const byParent = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const list = byParent.get(stat.ppid) ?? [];
    list.push(Number(entry));
    byParent.set(stat.ppid, list);
  }
  const result: number[] = [];
  const queue = [root];
  for (let i = 0; i < queue.length && i < 10_000; i++) {
    for (const child of byParent.get(queue[i]!) ?? []) {
      result.push(child);
      queue.push(child);
    }
  }
  return result;
}

interface ProcStat {
  ppid: number;
  /** User + system CPU time in clock ticks. */
  ticks: number;
  /** The same for its children that have exited and been waited for. */
  childTicks: number;
}

function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
  const ppid = Number(rest[1]);
  const ticks = Number(rest[11]) + Number(rest[12]);
  const childTicks = Number(rest[13]) + Number(rest[14]);
  return Number.isFinite(ppid) ? { ppid, ticks, childTicks } : null;
}

/** Machine-wide CPU time so far (ms, all cores): busy and waiting for I/O, from /proc/stat. */
export function machineCpu(): { busyMs: number; iowaitMs: number } | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [, ...fields] = line.trim().split(/\s+/);
    const [user, nice, system, , iowait, irq, softirq, steal] = fields.map(Number);
    const tick = 1000 / clockTicksPerSecond();
    const busy = user! + nice! + system! + irq! + softirq! + (steal ?? 0);
    return { busyMs: busy * tick, iowaitMs: iowait! * tick };
  } catch {
    return null;
  }
}

/**
 * CPU time (ms) of several processes and everything below them (a worker's Chromium): each
 * process's own and its exited children's time, plus its live children's trees.
 */
export function processesCpuMs(pids: number[]): number {
  const all = new Map<number, ProcStat>();
  try {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readStat(Number(entry));
      if (stat) all.set(Number(entry), stat);
    }
  } catch {
    return 0;
  }
  const children = new Map<number, number[]>();
  for (const [pid, stat] of all) {
    const list = children.get(stat.ppid) ?? [];
    list.push(pid);
    children.set(stat.ppid, list);
  }
  let ticks = 0;
  const seen = new Set<number>();
  const queue = [...pids];
  for (let i = 0; i < queue.length && i < 10_000; i++) {
    const pid = queue[i]!;
    const stat = all.get(pid);
    if (!stat || seen.has(pid)) continue;
    seen.add(pid);
    ticks += stat.ticks + stat.childTicks;
    queue.push(...(children.get(pid) ?? []));
  }
  return (ticks * 1000) / clockTicksPerSecond();
}

/**
 * Starts measuring how much of the machine (all cores, 0..1) processes outside the bench used:
 * machine-wide busy time minus the CPU time of the bench's own process tree (servers, workers,
 * Chromium, the bench itself). The returned function ends the measurement; it also gives the
 * share of time the machine spent waiting for I/O.
 */
export function noiseMeter(cores: number): () => { other: number; iowait: number } | null {
  const machineBefore = machineCpu();
  const benchBefore = processesCpuMs([process.pid]);
  const wallBefore = performance.now();
  return () => {
    const machineAfter = machineCpu();
    const bench = processesCpuMs([process.pid]) - benchBefore;
    const capacity = (performance.now() - wallBefore) * cores;
    if (!machineBefore || !machineAfter || capacity <= 0) return null;
    return {
      other: Math.max(0, machineAfter.busyMs - machineBefore.busyMs - bench) / capacity,
      iowait: (machineAfter.iowaitMs - machineBefore.iowaitMs) / capacity,
    };
  };
}

let clockTicks: number | null = null;

/** Clock ticks per second (`getconf CLK_TCK`, 100 on Linux). */
export function clockTicksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU time (user + system, ms) and resident memory (bytes) of a process, from /proc. */
export function procUsage(pid: number): { cpuMs: number; rssBytes: number } | null {
  const stat = readStat(pid);
  if (!stat) return null;
  let rssBytes = 0;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    rssBytes = match ? Number(match[1]) * 1024 : 0;
  } catch {
    return null;
  }
  return { cpuMs: (stat.ticks * 1000) / clockTicksPerSecond(), rssBytes };
}
