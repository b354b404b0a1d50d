/**
 * @file Test harness for the library: a temp data dir, a real SQLite file, a real library service with
 * captured events, and helpers to copy the sample photos. Used by test/integration/library-*.test.ts.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase, type Db } from '../../../main/db/open';
import { createLibrary, type Library, type LibraryOptions } from '../../../main/library/library';
import { silentLog } from '../../../main/log';
import { resolvePaths, type AppPaths } from '../../../main/paths';
import type { EventName, Events } from '../../../preload/contract';

export const SAMPLE_LIBRARY = resolve(__dirname, '../../../assets/sample-library');
export const FIXTURES = resolve(__dirname, '../../fixtures/library');

export interface Harness {
  root: string;
  photosDir: string;
  paths: AppPaths;
  db: Db;
  lib: Library;
  events: { event: EventName; payload: Events[EventName] }[];
  /** Closes the library and database, then opens both again on the same files. */
  reopen(options?: LibraryOptions): Promise<void>;
  dispose(): Promise<void>;
}

/** A fresh temp library. `copySample` copies assets/sample-library into the photos folder. */
export function makeHarness(options: LibraryOptions = {}, copySample = false): Harness {
  const root = mkdtempSync(join(tmpdir(), 'shoebox-lib-'));
  const photosDir = join(root, 'photos');
  if (copySample) {
    cpSync(SAMPLE_LIBRARY, photosDir, { recursive: true });
    // git does not keep file times, so a fresh clone's sample files are "now": pin the time that
    // scripts/make-sample-library.py gives them, for the file-time fallback to be deterministic.
    for (const rel of readdirSync(photosDir, { recursive: true, encoding: 'utf8' }))
      utimesSync(join(photosDir, rel), 1_600_000_000, 1_600_000_000);
  }
  const paths = resolvePaths(join(root, 'data'));
  const events: Harness['events'] = [];
  const open = (opts: LibraryOptions) => {
    const db = openDatabase(paths.database);
    const lib = createLibrary({ db, paths, log: silentLog, emit: (event, payload) => void events.push({ event, payload }), options: opts });
    return { db, lib };
  };
  const h: Harness = {
    root,
    photosDir,
    paths,
    events,
    ...open({ watch: false, ...options }),
    async reopen(opts = options) {
      await h.lib.close();
      h.db.close();
      Object.assign(h, open({ watch: false, ...opts }));
    },
    async dispose() {
      await h.lib.close();
      h.db.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return h;
}

/** A fresh temp library whose photos folder holds a copy of test/fixtures/library/formats. */
export function makeFormatsHarness(options: LibraryOptions = {}): Harness {
  const h = makeHarness(options);
  mkdirSync(h.photosDir, { recursive: true });
  cpSync(join(FIXTURES, 'formats'), h.photosDir, { recursive: true });
  return h;
}

/** Polls `fn` until it returns a truthy value or `ms` pass. */
export async function waitFor<T>(fn: () => T | Promise<T>, ms = 5000, step = 50): Promise<Exclude<T, false | 0 | '' | null | undefined>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as Exclude<T, false | 0 | '' | null | undefined>;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms`);
    await new Promise((r) => setTimeout(r, step));
  }
}
