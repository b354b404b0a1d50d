/**
 * @file `npm start` stops what it started: the launcher (scripts/start.js, headless branch) is run as a
 * real process tree, `npm start` → launcher → host; SIGTERM or SIGINT to the outermost process must close
 * the host's port and leave no process of the tree behind. Linux only (the tree is read from /proc).
 * Needs the built app (out/); the launcher builds it when it is stale.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const linux = process.platform === 'linux';

/** Every process whose ancestry includes `pid` (not `pid` itself), from /proc. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent; the name (field 2) may hold spaces, so split after ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(name), ppid);
    } catch {
      // It exited while we looked.
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    // A zombie still answers kill(0); it is gone for our purposes once its state is Z.
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

const portOpen = (port: number) =>
  new Promise<boolean>((done) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      done(true);
    });
    s.once('error', () => done(false));
  });

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

let running: number[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const pid of running) if (alive(pid)) process.kill(pid, 'SIGKILL');
  running = [];
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Starts `command` (the launcher, directly or through npm) headless; resolves once the host is ready. */
async function launch(command: string[]): Promise<{ child: ChildProcess; port: number; tree: number[] }> {
  const data = mkdtempSync(join(tmpdir(), 'shoebox-start-'));
  dirs.push(data);
  const child = spawn(command[0]!, command.slice(1), {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, as a terminal gives a command (Ctrl+C signals the whole group).
    detached: true,
    env: { ...process.env, SHOEBOX_HEADLESS: '1', SHOEBOX_DATA_DIR: data, SHOEBOX_LOG: 'warn' },
  });
  running = [child.pid!];
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const port = await new Promise<number>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`not ready in 150 s\n${out}\n${err}`)), 150_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('SHOEBOX_READY '));
      if (line) {
        clearTimeout(timer);
        ready((JSON.parse(line.slice('SHOEBOX_READY '.length)) as { port: number }).port);
      }
    });
    child.once('exit', (code) => fail(new Error(`exited (${code}) before ready\n${out}\n${err}`)));
  });
  const tree = descendants(child.pid!);
  running.push(...tree);
  return { child, port, tree };
}

describe.skipIf(!linux)('stopping npm start', () => {
  const launcher = [process.execPath, 'scripts/start.js', '--port', '0'];
  const npmStart = ['npm', 'start', '--silent', '--', '--port', '0'];
  // [name, command, signal, to the whole process group (a terminal's Ctrl+C), the launcher's exit code or null]
  const cases: [string, string[], NodeJS.Signals, boolean, number | null][] = [
    ['the launcher, SIGTERM', launcher, 'SIGTERM', false, 0],
    ['the launcher, SIGINT', launcher, 'SIGINT', false, 0],
    // The terminal signals the launcher's group; the host, in its own group, gets it once from the launcher and closes cleanly (exit 0, not 130).
    ['the launcher, Ctrl+C', launcher, 'SIGINT', true, 0],
    ['npm start, SIGTERM to npm', npmStart, 'SIGTERM', false, null],
    ['npm start, Ctrl+C', npmStart, 'SIGINT', true, null],
  ];
  it.each(cases)('%s: the host port closes and no process survives', { timeout: 200_000 }, async (_name, command, signal, group, code) => {
    const { child, port, tree } = await launch(command);
    expect(tree.length).toBeGreaterThan(0);
    expect(await portOpen(port)).toBe(true);

    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    if (group) process.kill(-child.pid!, signal);
    else child.kill(signal);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    expect(child.exitCode !== null || child.signalCode !== null, 'the outermost process exited').toBe(true);
    if (code !== null) expect(child.exitCode).toBe(code);
    expect(await waitFor(async () => !(await portOpen(port)), 5000), 'the port is closed').toBe(true);
    expect(await waitFor(() => tree.every((pid) => !alive(pid)), 5000), `left running: ${tree.filter(alive).join(', ')}`).toBe(true);
  });
});
