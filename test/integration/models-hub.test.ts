/**
 * The Hugging Face hub client against a local hub on 127.0.0.1 (test/integration/helpers/hub-fixture.ts):
 * a paginated tree listing, LFS files redirected with a 302 to a CDN on another port that honours
 * Range, files kept in git served by the hub, and the failures a real hub produces (401 for a gated
 * repository, 404, 429 with Retry-After, 500, a cut-off body, wrong bytes, a listing that lacks a file
 * or names an unsafe path), and where the access token goes and where it never appears. Through the
 * model manager and the CLI: models-hub-manager.test.ts.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLog, silentLog } from '../../main/log';
import { hasValidMarker } from '../../main/models/bundle-files';
import { DownloadError } from '../../main/models/http-client';
import { downloadFromHub, type HubDownloadOptions, type PinnedHubSource } from '../../main/models/hub/hub-download';
import { fakeRevision, internvlRepo, sha256Of, startFakeHub, type FakeHub, type HubRepo } from './helpers/hub-fixture';

let tmp: string;
let hub: FakeHub;
let repo: HubRepo;
const REPO = 'OpenGVLab/Tiny-Test';

beforeEach(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'shoebox-hub-'));
  repo = internvlRepo(REPO, fakeRevision());
  hub = await startFakeHub([repo], { pageSize: 4 });
});
afterEach(async () => {
  await hub.close();
  rmSync(tmp, { recursive: true, force: true });
});

const modelsDir = () => path.join(tmp, 'models');
const source = (): PinnedHubSource => ({ repo: REPO, revision: repo.revision, layout: 'internvl-chat' });
const WANTED = [
  'added_tokens.json',
  'config.json',
  'generation_config.json',
  'merges.txt',
  'model.safetensors',
  'special_tokens_map.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'vocab.json',
];

function download(extra: Partial<HubDownloadOptions> = {}) {
  return downloadFromHub({
    id: 'tiny-test',
    source: source(),
    endpoint: hub.endpoint,
    token: null,
    modelsDir: modelsDir(),
    log: silentLog,
    retries: 2,
    retryDelayMs: 5,
    ...extra,
  });
}

async function rejection(p: Promise<unknown>): Promise<DownloadError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DownloadError);
  return err as DownloadError;
}

const checkpointDir = () => path.join(modelsDir(), '.checkpoints', 'tiny-test');
/** Every file of the checkpoint folder, with the bytes of the repository's file of that path. */
function expectCheckpointIntact() {
  for (const p of WANTED) expect(sha256Of(readFileSync(path.join(checkpointDir(), p))), p).toBe(sha256Of(repo.files.get(p)!.bytes));
  const record = readFileSync(path.join(checkpointDir(), '.remote-manifest.json'), 'utf8');
  expect(hasValidMarker(checkpointDir(), record)).toBe(true);
  expect(JSON.parse(record)).toMatchObject({ source: 'hub', repo: REPO, revision: repo.revision });
}
/** Paths under `dir`, recursively, relative to it. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

describe('hub client', () => {
  it('lists a revision page by page and fetches the files its layout needs, LFS ones through the CDN, each verified', async () => {
    const progress: number[] = [];
    const result = await download({ onProgress: (p) => progress.push(p.received) });
    expect(result).toMatchObject({ kind: 'checkpoint', dir: checkpointDir(), files: WANTED.length });
    expectCheckpointIntact();
    expect(listFiles(checkpointDir())).toEqual([...WANTED, '.remote-manifest.json', '.shoebox-verified.json'].sort());
    // 15 entries (13 files, 1 folder... and the listing's order) at 4 a page: every page was asked for once.
    const pages = hub.requests.filter((r) => r.url.startsWith('/api/models/'));
    expect(pages.map((r) => new URLSearchParams(r.url.split('?')[1]).get('cursor'))).toEqual([null, '4', '8', '12']);
    // LFS files came from the CDN after a 302; files kept in git from the hub; nothing else was fetched.
    const lfsNames = hub.requests.filter((r) => r.status === 302).map((r) => r.url.split('/').at(-1));
    expect(lfsNames.sort()).toEqual(['model.safetensors', 'tokenizer.json']);
    expect(hub.cdn.requests.map((r) => r.status)).toEqual([200, 200]);
    expect(hub.requests.some((r) => /modeling_|README|examples|gitattributes/.test(r.url))).toBe(false);
    expect(Math.max(...progress)).toBe(WANTED.reduce((a, p) => a + repo.files.get(p)!.bytes.length, 0));
  });

  it('resumes a cut-off LFS file with Range, through the redirect', async () => {
    const weights = sha256Of(repo.files.get('model.safetensors')!.bytes);
    hub.cdn.behave = (url, nth) => (url.endsWith(weights) && nth === 1 ? { kind: 'cut', after: 50_000 } : { kind: 'normal' });
    await download();
    const cdn = hub.cdn.requests.filter((r) => r.url.endsWith(weights));
    expect(cdn.map((r) => r.range)).toEqual([null, expect.stringMatching(/^bytes=\d+-$/)]);
    expect(cdn[1]).toMatchObject({ status: 206 });
    expect(Number(/\d+/.exec(cdn[1]!.range!)![0])).toBeGreaterThan(0);
    // The resume asked the hub again (the redirect is not cached) and the hub passed Range on.
    expect(hub.requests.filter((r) => r.url.endsWith('/model.safetensors')).map((r) => r.range)).toEqual([null, cdn[1]!.range]);
    expectCheckpointIntact();
  });

  it('keeps the part of a truncated body, says so, and resumes it on the next download', async () => {
    const big = 'model.safetensors';
    const weights = sha256Of(repo.files.get(big)!.bytes);
    hub.cdn.behave = (url) => (url.endsWith(weights) ? { kind: 'cut', after: 70_000 } : { kind: 'normal' });
    const err = await rejection(download({ retries: 0 }));
    expect(err.code).toBe('interrupted');
    expect(err.message).toMatch(/model\.safetensors.*download again to resume/s);
    expect(statSync(path.join(checkpointDir(), big + '.part')).size).toBe(70_000);
    hub.cdn.behave = () => ({ kind: 'normal' });
    await download();
    expect(hub.cdn.requests.filter((r) => r.url.endsWith(weights)).at(-1)).toMatchObject({ range: 'bytes=70000-', status: 206 });
    expectCheckpointIntact();
  });

  it('refuses an LFS file whose sha256 differs and a git file whose blob id differs, deleting each', async () => {
    const weights = repo.files.get('model.safetensors')!.bytes;
    hub.cdn.behave = (url) =>
      url.endsWith(sha256Of(weights)) ? { kind: 'body', bytes: Buffer.alloc(weights.length, 7) } : { kind: 'normal' };
    const lfs = await rejection(download());
    expect(lfs.code).toBe('hash-mismatch');
    expect(lfs.message).toMatch(/model\.safetensors.*sha256/);
    expect(lfs.resumable).toBe(false);
    expect(existsSync(path.join(checkpointDir(), 'model.safetensors'))).toBe(false);
    expect(existsSync(path.join(checkpointDir(), 'model.safetensors.part'))).toBe(false);

    // config.json was verified and kept by that try: start afresh so that it is fetched again.
    rmSync(modelsDir(), { recursive: true, force: true });
    hub.cdn.behave = () => ({ kind: 'normal' });
    const config = repo.files.get('config.json')!.bytes;
    hub.behave = (url) => (url.endsWith('/config.json') ? { kind: 'body', bytes: Buffer.alloc(config.length, 0x20) } : { kind: 'normal' });
    const git = await rejection(download());
    expect(git.message).toMatch(/config\.json.*git blob sha1/);
    expect(existsSync(path.join(checkpointDir(), 'config.json'))).toBe(false);
  });

  it('retries a 500 and waits as long as a 429 asks', async () => {
    hub.behave = (url, nth) => (url.startsWith('/api/models/') && nth === 1 ? { kind: 'status', status: 500 } : { kind: 'normal' });
    hub.cdn.behave = (url, nth) =>
      nth === 1 && url.endsWith(sha256Of(repo.files.get('tokenizer.json')!.bytes))
        ? { kind: 'status', status: 429, headers: { 'retry-after': '1' } }
        : { kind: 'normal' };
    const t0 = Date.now();
    await download({ retryDelayMs: 1 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expectCheckpointIntact();
  });

  it('gives up at once when Retry-After asks for longer than it waits, saying when to come back', async () => {
    hub.behave = () => ({ kind: 'status', status: 429, headers: { 'retry-after': '3600' } });
    const t0 = Date.now();
    const err = await rejection(download({ retryDelayMs: 1 }));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(err.message).toMatch(/asks to wait 3600 s.*try again later/);
    expect(err.resumable).toBe(true);
  });

  it('says a gated repository needs a token, and a 404 that the repository or revision is gone', async () => {
    rmSync(tmp, { recursive: true, force: true });
    repo.gated = 'hf_secret';
    const gated = await rejection(download());
    expect(gated.code).toBe('unauthorized');
    expect(gated.message).toMatch(/needs a Hugging Face access token/);
    expect(gated.resumable).toBe(false);
    expect(existsSync(modelsDir()) ? listFiles(modelsDir()) : []).toEqual([]);

    const wrongToken = await rejection(download({ token: 'hf_wrong' }));
    expect(wrongToken.message).toMatch(/refused the stored Hugging Face access token/);
    expect(wrongToken.message).not.toContain('hf_wrong');

    delete repo.gated;
    hub.behave = (url) => (url.endsWith('/generation_config.json') ? { kind: 'status', status: 404 } : { kind: 'normal' });
    const missing = await rejection(download());
    expect(missing.message).toMatch(/the hub lists generation_config\.json of model tiny-test but answers HTTP 404/);

    const gone = await rejection(download({ source: { ...source(), revision: fakeRevision() } }));
    expect(gone.code).toBe('not-found');
    expect(gone.message).toMatch(/OpenGVLab\/Tiny-Test at revision \w{7} was not found.*renamed, removed or made private/);
  });

  it('refuses a listing that lacks a required file or a shard, before fetching anything', async () => {
    repo.files.delete('vocab.json');
    repo.files.delete('tokenizer.json');
    const noTokenizer = await rejection(download());
    expect(noTokenizer.code).toBe('bad-listing');
    expect(noTokenizer.message).toMatch(/lacks a tokenizer \(tokenizer\.json, or vocab\.json and merges\.txt\)/);

    repo.files.set('vocab.json', { bytes: Buffer.from('{}'), lfs: false });
    const weights = repo.files.get('model.safetensors')!;
    repo.files.delete('model.safetensors');
    repo.files.set('model.safetensors.index.json', { bytes: Buffer.from('{}'), lfs: false });
    repo.files.set('model-00001-of-00002.safetensors', weights);
    const noShard = await rejection(download());
    expect(noShard.message).toMatch(/lacks model-00002-of-00002\.safetensors/);
    expect(hub.requests.every((r) => r.url.startsWith('/api/models/'))).toBe(true);
    expect(hub.cdn.requests).toEqual([]);
  });

  it('refuses a listing with a path that would leave the folder, or one that fails the schema, writing nothing', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['..', [{ type: 'file', oid: 'a'.repeat(40), size: 3, path: '../escape.json' }], /escape the download folder/],
      ['absolute', [{ type: 'file', oid: 'a'.repeat(40), size: 3, path: '/etc/passwd' }], /absolute path/],
      ['backslash', [{ type: 'file', oid: 'a'.repeat(40), size: 3, path: 'a\\..\\b.json' }], /backslash/],
      ['bad oid', [{ type: 'file', oid: 'xyz', size: 3, path: 'config.json' }], /40-hex git blob id/],
      ['bad lfs', [{ type: 'file', oid: 'a'.repeat(40), size: 3, path: 'm.safetensors', lfs: { oid: 'nope', size: 3 } }], /64-hex sha256/],
      ['negative size', [{ type: 'file', oid: 'a'.repeat(40), size: -1, path: 'config.json' }], /size/],
      ['unknown entry', [{ error: 'oops' }], /type/],
      ['not a list', { error: 'oops' }, /expected array/],
    ];
    for (const [what, page, message] of cases) {
      hub.behave = (url) => (url.startsWith('/api/models/') ? { kind: 'page', body: JSON.stringify(page) } : { kind: 'normal' });
      const err = await rejection(download());
      expect(err.code, what).toBe('bad-listing');
      expect(err.message, what).toMatch(message);
    }
    hub.behave = (url) => (url.startsWith('/api/models/') ? { kind: 'page', body: 'not json' } : { kind: 'normal' });
    expect((await rejection(download())).message).toMatch(/is not JSON.*a Hugging Face hub\?/);
    expect(existsSync(modelsDir()) ? listFiles(modelsDir()) : []).toEqual([]);
    expect(existsSync(path.join(tmp, 'escape.json'))).toBe(false);
  });

  it('follows pages only on the hub itself', async () => {
    hub.behave = (url) =>
      url.startsWith('/api/models/') ? { kind: 'page', body: '[]', link: `<${hub.cdn.baseUrl}/page2>; rel="next"` } : { kind: 'normal' };
    const err = await rejection(download());
    expect(err.message).toMatch(/next page is on another server/);
    expect(hub.cdn.requests).toEqual([]);
  });

  it('sends the token to the hub only: never to the CDN, never into a message or the log', async () => {
    const TOKEN = 'hf_TESTtoken1234567890';
    repo.gated = TOKEN;
    const lines: string[] = [];
    const log = createLog('test', 'debug', (l) => lines.push(l));
    // A cut-off and a 503 make the client retry and log; the token must not show up there either.
    const weights = sha256Of(repo.files.get('model.safetensors')!.bytes);
    hub.cdn.behave = (url, nth) => (url.endsWith(weights) && nth === 1 ? { kind: 'cut', after: 10_000 } : { kind: 'normal' });
    hub.behave = (url, nth) => (url.endsWith('/config.json') && nth === 1 ? { kind: 'status', status: 503 } : { kind: 'normal' });
    await download({ token: TOKEN, log });
    expectCheckpointIntact();
    expect(hub.requests.filter((r) => r.status !== 503).every((r) => r.auth === `Bearer ${TOKEN}`)).toBe(true);
    expect(hub.cdn.requests.length).toBeGreaterThan(0);
    expect(hub.cdn.requests.every((r) => r.auth === null)).toBe(true);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.join('\n')).not.toContain(TOKEN);
    // Failures carry no token either.
    repo.gated = 'hf_other';
    const err = await rejection(download({ token: TOKEN, log }));
    expect(`${err.message} ${err.stack ?? ''}`).not.toContain(TOKEN);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });
});
