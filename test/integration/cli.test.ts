/**
 * The `shoebox` CLI as a real process (from sources, through tsx): add-folder indexes real files into a
 * real database, status and doctor report them as JSON, usage errors exit 2, failures exit 1 with a
 * message, and a database from a newer Shoebox is refused without being touched.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

const cliFile = join(import.meta.dirname, '../../main/cli/index.ts');

function shoebox(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', cliFile, '--data-dir', dataDir, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const tmp = (p: string) => mkdtempSync(join(tmpdir(), `shoebox-cli-${p}-`));
const sample = join(import.meta.dirname, '../../assets/sample-library');

describe('shoebox CLI', () => {
  it('adds a folder, indexes it, and reports status and health as JSON', async () => {
    const data = tmp('data');
    const photos = tmp('photos');
    cpSync(sample, photos, { recursive: true });
    const images = readdirSync(photos, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(jpe?g|png)$/i.test(f));

    const added = await shoebox(['add-folder', photos, '--json'], data);
    expect(added.code, added.stderr).toBe(0);
    const result = JSON.parse(added.stdout) as { folder: { path: string; photoCount: number }; status: { photos: number } };
    expect(result.folder.path).toBe(photos);
    expect(result.folder.photoCount).toBe(images.length);

    const status = await shoebox(['status', '--json'], data);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout) as {
      folders: unknown[];
      status: { photos: number; steps: { step: string; pending: number; done: number; blockedReason?: string | null }[] };
    };
    expect(s.folders).toHaveLength(1);
    expect(s.status.photos).toBe(images.length);
    // Indexing is done; understanding waits for a model and search's embedding for a text embedder,
    // and each says so.
    for (const step of s.status.steps.filter((x) => x.step !== 'understand' && x.step !== 'embed')) expect(step.pending).toBe(0);
    expect(s.status.steps.find((x) => x.step === 'understand')).toMatchObject({
      pending: images.length,
      blockedReason: expect.stringMatching(/No model is selected/),
    });
    expect(s.status.steps.find((x) => x.step === 'embed')).toMatchObject({
      blockedReason: expect.stringMatching(/no text embedder is installed/),
    });

    const doctor = await shoebox(['doctor', '--json'], data);
    expect(doctor.code, doctor.stdout).toBe(0);
    const d = JSON.parse(doctor.stdout) as {
      database: { ok: boolean; schemaVersion: number };
      executionProviders: { name: string; available: boolean }[];
      checks: { name: string; ok: boolean; detail: string }[];
    };
    expect(d.database.ok).toBe(true);
    expect(d.database.schemaVersion).toBeGreaterThanOrEqual(1);
    expect(d.executionProviders).toContainEqual(expect.objectContaining({ name: 'cpu', available: true }));
    // Providers and CPU features come from the inference worker (main never loads onnxruntime).
    expect(d.checks).toContainEqual(expect.objectContaining({ name: 'inference worker', ok: true }));
    const cpu = d.checks.find((c) => c.name === 'CPU features');
    expect(cpu?.detail).toMatch(new RegExp(`^${process.arch}: .*\\(int8 kernels: (vnni|avx2|other)\\)$`));
    const doctorText = await shoebox(['doctor'], data);
    expect(doctorText.code, doctorText.stderr).toBe(0);
    expect(doctorText.stdout).toMatch(/ok {3}cpu {8}bundled with onnxruntime-node/);
    expect(doctorText.stdout).toContain(`CPU features: ${process.arch}:`);

    const human = await shoebox(['status'], data);
    expect(human.stdout).toContain(`${images.length} photos`);
  });

  it("status reports the warnings of each folder's last scan, as JSON and as text", async () => {
    const data = tmp('warn');
    const photos = tmp('warn-photos');
    cpSync(join(sample, 'sport'), join(photos, 'sport'), { recursive: true });
    symlinkSync('..', join(photos, 'sport', 'loop'));
    expect((await shoebox(['add-folder', photos], data)).code).toBe(0);
    const status = await shoebox(['status', '--json'], data);
    expect(status.code, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout) as { folders: { scanWarnings: string[] }[] };
    expect(s.folders[0]!.scanWarnings).toEqual([expect.stringMatching(/^skipped sport\/loop: .*symlink loop/)]);
    const human = await shoebox(['status'], data);
    expect(human.stdout).toMatch(/\n {4}warning: skipped sport\/loop: .*symlink loop/);
  });

  it("status says which failed file is a hidden photo's (the grid does not show it)", async () => {
    const data = tmp('hidden');
    const photos = tmp('hidden-photos');
    writeFileSync(join(photos, 'garbage.jpg'), 'this is not a JPEG');
    expect((await shoebox(['add-folder', photos], data)).code).toBe(0);
    const db = new Database(join(data, 'library.sqlite'));
    const hash = db.prepare<[], string>('SELECT hash FROM photos').pluck().get()!;
    db.prepare('INSERT INTO photo_marks (photo_hash, hidden, updated_at) VALUES (?, 1, 0)').run(hash);
    db.close();
    const human = await shoebox(['status'], data);
    expect(human.stdout).toMatch(/\/garbage\.jpg \(hidden photo\): cannot decode/);
  });

  it('exits 2 on bad usage and 1 on a failed command, with a message', async () => {
    const data = tmp('usage');
    expect((await shoebox(['no-such-command'], data)).code).toBe(2);
    expect((await shoebox(['serve', '--port', 'eighty'], data)).code).toBe(2);
    expect((await shoebox(['add-folder'], data)).code).toBe(2);
    const missing = await shoebox(['add-folder', join(data, 'does-not-exist')], data);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/does-not-exist/);
  });

  it('refuses a database written by a newer Shoebox and leaves it alone', async () => {
    const data = tmp('newer');
    const db = new Database(join(data, 'library.sqlite'));
    db.pragma('user_version = 999');
    db.close();
    const r = await shoebox(['status'], data);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/newer version of Shoebox/);
    const again = new Database(join(data, 'library.sqlite'), { readonly: true });
    expect(again.pragma('user_version', { simple: true })).toBe(999);
    again.close();
  });
});
