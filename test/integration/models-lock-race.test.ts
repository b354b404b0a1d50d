/**
 * Lock files under a real race ([Note: Breaking a stale lock] in main/models/lock-file.ts): several
 * processes that find the same stale lock at the same instant, round after round; exactly one may
 * take it each time. Before the fix, two racers that both judged the lock stale both removed it, and
 * the later remove deleted the live lock the first had just taken: two owners.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock, clearStaleLock, lockHolder, LockedError } from '../../main/models/lock-file';

const RACERS = 4;
const ROUNDS = Number(process.env['SHOEBOX_LOCK_RACE_ROUNDS'] ?? 30);
const MODULE = process.env['SHOEBOX_LOCK_RACE_MODULE']; // an older acquireLock, to check this test fails on it

interface Racer {
  child: ChildProcessWithoutNullStreams;
  next: () => Promise<string>;
}

function startRacer(lock: string): Racer {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'helpers', 'lock-racer.ts'), lock, ...(MODULE ? [MODULE] : [])],
    { stdio: 'pipe' },
  );
  const lines: string[] = [];
  const waiting: ((l: string) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => {
    const w = waiting.shift();
    if (w) w(l);
    else lines.push(l);
  });
  const next = () => new Promise<string>((resolve) => (lines.length > 0 ? resolve(lines.shift()!) : waiting.push(resolve)));
  return { child, next };
}

describe('lock files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'shoebox-lock-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid;

  it('gives a stale lock to exactly one of several processes racing for it', { timeout: 180_000 }, async () => {
    const lock = path.join(dir, 'race', 'model.lock');
    const racers = Array.from({ length: RACERS }, () => startRacer(lock));
    try {
      mkdirSync(path.dirname(lock), { recursive: true });
      expect(await Promise.all(racers.map((r) => r.next()))).toEqual(racers.map(() => 'ready'));
      const twoOwners: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        writeFileSync(lock, String(deadPid()));
        const at = Date.now() + 80;
        for (const r of racers) r.child.stdin.write(`go ${at}\n`);
        const answers = await Promise.all(racers.map((r) => r.next()));
        expect(answers.filter((a) => a !== 'got' && a !== 'locked')).toEqual([]);
        const owners = racers.filter((_, i) => answers[i] === 'got');
        if (owners.length !== 1) twoOwners.push(round);
        for (const r of owners) r.child.stdin.write('release\n');
        await Promise.all(owners.map((r) => r.next()));
      }
      expect(twoOwners, `rounds without exactly one owner (of ${ROUNDS})`).toEqual([]);
      // Nothing left behind: no temporary files, no breakers.
      expect(readdirSync(path.dirname(lock))).toEqual([]);
    } finally {
      for (const r of racers) r.child.kill();
    }
  });

  it('refuses a live lock, takes a stale or empty one, and clears only stale ones', async () => {
    const lock = path.join(dir, 'one', 'x.lock');
    const release = await acquireLock(lock, 'x');
    expect(lockHolder(lock)).toBe(process.pid);
    await expect(acquireLock(lock, 'x')).rejects.toBeInstanceOf(LockedError);
    await clearStaleLock(lock); // live: kept
    expect(lockHolder(lock)).toBe(process.pid);
    await release();
    expect(lockHolder(lock)).toBeNull();

    writeFileSync(lock, ''); // a lock written by an older Shoebox that died between create and write
    const again = await acquireLock(lock, 'x');
    await again();
    writeFileSync(lock, String(deadPid()));
    await clearStaleLock(lock);
    expect(readdirSync(path.dirname(lock))).toEqual([]);

    // A breaker left by a process killed while breaking is itself stale and is broken in turn.
    writeFileSync(lock, String(deadPid()));
    const { ino } = statSync(lock, { bigint: true });
    writeFileSync(`${lock}.break-${ino}`, String(deadPid()));
    const third = await acquireLock(lock, 'x');
    expect(lockHolder(lock)).toBe(process.pid);
    await third();
    expect(readdirSync(path.dirname(lock))).toEqual([]);
  });
});
