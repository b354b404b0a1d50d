/**
 * @file A process that races for a lock file on command, for models-lock-race.test.ts: reads
 * `go <epoch ms>` (spin until then, then `acquireLock`; answers `got` or `locked`) and `release` (answers
 * `released`) on stdin, one per line; says `ready` once loaded.
 *
 * Runs under tsx as a child of the test: `node --import tsx lock-racer.ts LOCKFILE [MODULE]`. MODULE
 * (default main/models/lock-file.ts) is the module whose `acquireLock` races, so an older copy can be
 * checked against the same test.
 */
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

type Acquire = (file: string, what: string) => Promise<() => Promise<void>>;

const [lockFile, modulePath] = process.argv.slice(2);
const mod = (await import(pathToFileURL(path.resolve(modulePath ?? 'main/models/lock-file.ts')).href)) as { acquireLock: Acquire };
let release: (() => Promise<void>) | null = null;

const say = (line: string) => process.stdout.write(`${line}\n`);
say('ready');
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, at] = line.split(' ');
  if (cmd === 'go') {
    // Every racer leaves the spin at the same instant: the race is as tight as the scheduler allows.
    while (Date.now() < Number(at));
    try {
      release = await mod.acquireLock(lockFile!, 'the test lock');
      say('got');
    } catch (err) {
      say((err as Error).name === 'LockedError' ? 'locked' : `error ${(err as Error).message}`);
    }
  } else if (cmd === 'release') {
    await release?.();
    release = null;
    say('released');
  }
}
