/**
 * @file The `bench:grid` library: 100,000 photos over 15 years with distinct small thumbnails, built once
 * into a seeded cache folder outside git (`~/.cache/shoebox-bench/grid-<n>-s<seed>`, or
 * `$SHOEBOX_BENCH_CACHE`) and reused. Runs under tsx in plain Node.
 *
 * What is written is what indexing would have made, without the hours of decoding 100k camera files on
 * two cores: a database that already knows every photo (the same shape as the `--big` phase of
 * test/bench/index.ts: metadata and thumbnail jobs done at the current step versions), a 256×192
 * thumbnail per photo in the real content-addressed cache (blurred seeded colour fields, each distinct,
 * ~14 KB, decoding like any thumbnail) with its placeholder (`thumbnail` below). The
 * originals are 1-byte stand-ins whose size and time the database already has, so the startup rescan
 * stats all 100k files and finds nothing changed, as on a real library at rest. A settle run of the host
 * (`settle` in grid.ts) then lets every other step backfill its jobs before the pristine copy is taken,
 * so a measured run starts as a library that was already open before.
 */
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { rgbaToThumbHash } from 'thumbhash';
import { openDatabase } from '../../main/db/open';
import { STEP_VERSIONS } from '../../main/library/steps';
import { cacheFile } from '../../main/library/thumbnails';
import { resolvePaths } from '../../main/paths';
import { rng } from './bench-helpers';

export interface GridFixture {
  dir: string;
  photosDir: string;
  dataDir: string;
  /** The database as built and settled, copied over the live one before each run. */
  pristine: string;
  /** Whether it still needs the settle run. */
  settled: boolean;
}

const FILE_TIME = new Date(Date.UTC(2026, 0, 1));
/** Fifteen years of capture dates, newest first in the grid. */
const FIRST_DAY = Date.UTC(2011, 0, 1);
const DAYS = 15 * 365;

/** Where the fixture lives. */
export function gridFixtureDir(n: number, seed: number): string {
  const base = process.env['SHOEBOX_BENCH_CACHE'] ?? join(homedir(), '.cache', 'shoebox-bench');
  return join(base, `grid-${n}-s${seed}`);
}

const FIELD_W = 48;
const FIELD_H = 36;

/**
 * A distinct thumbnail: a seeded 48×36 colour field blurred up to 256×192 (~14 KB at quality 80, so it
 * decodes like a photo's thumbnail), and its placeholder: the ThumbHash of that field at half size, which
 * is what `placeholderOf` gives for the thumbnail within the hash's precision, at a fraction of the cost
 * of decoding it again.
 */
async function thumbnail(draw: () => number): Promise<{ jpeg: Buffer; placeholder: Uint8Array }> {
  const field = Buffer.alloc(FIELD_W * FIELD_H * 3);
  for (let i = 0; i < field.length; i++) field[i] = Math.floor(draw() * 256);
  const jpeg = await sharp(field, { raw: { width: FIELD_W, height: FIELD_H, channels: 3 } })
    .resize(256, 192, { kernel: 'cubic' })
    .jpeg({ quality: 80 })
    .toBuffer();
  const w = FIELD_W / 2;
  const h = FIELD_H / 2;
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 4; c++) {
        const at = (dy: number, dx: number) => field[((2 * y + dy) * FIELD_W + 2 * x + dx) * 3 + c] ?? 0;
        rgba[(y * w + x) * 4 + c] = c === 3 ? 255 : (at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) >> 2;
      }
  return { jpeg, placeholder: rgbaToThumbHash(w, h, rgba) };
}

/** Builds the fixture when it is missing (minutes the first time); returns where it is. */
export async function ensureGridFixture(n: number, seed: number, log: (s: string) => void): Promise<GridFixture> {
  const dir = gridFixtureDir(n, seed);
  const photosDir = join(dir, 'photos');
  const dataDir = join(dir, 'data');
  const pristine = join(dir, 'pristine.sqlite');
  const built = join(dir, '.built');
  if (existsSync(built)) return { dir, photosDir, dataDir, pristine, settled: existsSync(pristine) };

  const started = performance.now();
  mkdirSync(dataDir, { recursive: true });
  const paths = resolvePaths(dataDir);
  const next = rng(seed);
  const db = openDatabase(paths.database);
  db.prepare('INSERT INTO folders (id, path, added_at) VALUES (1, ?, 0)').run(photosDir);
  const insPhoto = db.prepare(
    `INSERT INTO photos (id, hash, kind, mime, width, height, file_time, taken_at, thumb, placeholder, created_at)
     VALUES (?, ?, 'image', 'image/jpeg', 4000, 3000, ?, ?, ?, ?, 0)`,
  );
  const insFile = db.prepare(
    "INSERT INTO files (folder_id, rel_path, photo_id, size, mtime_ms, status, seen_at) VALUES (1, ?, ?, 1, ?, 'ok', 0)",
  );
  const insJob = db.prepare(
    "INSERT INTO jobs (photo_id, step, rank, state, priority, attempts, pipeline_version, updated_at) VALUES (?, ?, ?, 'done', 0, 1, ?, 0)",
  );
  const BATCH = 2000;
  for (let from = 1; from <= n; from += BATCH) {
    const ids = Array.from({ length: Math.min(BATCH, n - from + 1) }, (_, k) => from + k);
    // Thumbnails on sharp's threads, a few at a time; rows in one transaction per batch.
    const made: { id: number; hash: string; taken: string; rel: string; key: string; placeholder: Uint8Array }[] = [];
    for (let k = 0; k < ids.length; k += 8) {
      const chunk = ids.slice(k, k + 8).map((id) => ({ id, draw: rng(seed * 1_000_003 + id) }));
      made.push(
        ...(await Promise.all(
          chunk.map(async ({ id, draw }) => {
            const hash = (id * 2654435761).toString(16).padStart(32, '0').slice(-32);
            const key = `${hash}-t1.jpg`;
            const { jpeg, placeholder } = await thumbnail(draw);
            const file = cacheFile(paths.thumbsDir, key)!;
            mkdirSync(join(file, '..'), { recursive: true });
            writeFileSync(file, jpeg);
            const day = Math.floor(next() * DAYS);
            const taken = new Date(FIRST_DAY + day * 86_400_000 + Math.floor(next() * 86_400) * 1000).toISOString().slice(0, 19);
            const rel = `d${String(Math.floor((id - 1) / 1000)).padStart(3, '0')}/p${id}.jpg`;
            return { id, hash, taken, rel, key, placeholder };
          }),
        )),
      );
    }
    for (const m of made) {
      const file = join(photosDir, m.rel);
      if ((m.id - 1) % 1000 === 0) mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, 'x');
      utimesSync(file, FILE_TIME, FILE_TIME);
    }
    db.transaction(() => {
      for (const m of made) {
        insPhoto.run(m.id, m.hash, FILE_TIME.toISOString(), m.taken, m.key, Buffer.from(m.placeholder));
        insFile.run(m.rel, m.id, FILE_TIME.getTime());
        insJob.run(m.id, 'metadata', 0, String(STEP_VERSIONS.metadata));
        insJob.run(m.id, 'thumbnail', 10, String(STEP_VERSIONS.thumbnail));
      }
    })();
    if ((from - 1) % 20_000 === 0)
      log(`  fixture: ${from - 1 + ids.length} / ${n} photos (${Math.round((performance.now() - started) / 1000)} s)`);
  }
  db.close();
  writeFileSync(built, String(Math.round((performance.now() - started) / 1000)));
  log(`  fixture built in ${Math.round((performance.now() - started) / 1000)} s: ${dir}`);
  return { dir, photosDir, dataDir, pristine, settled: false };
}
