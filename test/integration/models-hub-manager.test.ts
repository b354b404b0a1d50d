/**
 * Hub downloads through the model manager and the CLI, against the local hub of
 * test/integration/helpers/hub-fixture.ts: an InternVL checkpoint at its catalog revision whose
 * made-up config the bundle build refuses (the checkpoint is kept), a text embedder published as ONNX that becomes a bundle the manager lists
 * (and one whose bytes differ from what the catalog recorded, refused), where the access token is kept,
 * sent and never shown, HF_ENDPOINT over the setting, and `shoebox models token`.
 */
import { Command, CommanderError } from 'commander';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../preload/api-error';
import { registerModelsCommands, type CliIo } from '../../main/cli/models';
import { openDatabase, type Db } from '../../main/db/open';
import { createEventBus } from '../../main/events';
import { createLog, silentLog } from '../../main/log';
import { catalogEntry, pinnedHubSource, textEmbedderEntry } from '../../main/models/catalog';
import { downloadFromHub } from '../../main/models/hub/hub-download';
import { hubManifestBuilder } from '../../main/models/hub/hub-manifest';
import { createFileSecretStore } from '../../main/models/hub/token-store';
import { createModelManager } from '../../main/models/manager';
import { internvlRepo, sha256Of, startFakeHub, type FakeHub, type HubRepo } from './helpers/hub-fixture';

let tmp: string;
let hub: FakeHub;

beforeEach(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'shoebox-hub-mgr-'));
  hub = await startFakeHub([]);
});
afterEach(async () => {
  await hub.close();
  rmSync(tmp, { recursive: true, force: true });
});

const modelsDir = () => path.join(tmp, 'models');

/** The text embedder as its authors publish it: ONNX graphs, tokenizer.json and sentence-transformers configs. */
function embedderRepo(repoId: string, revision: string): HubRepo {
  const json = (v: unknown) => ({ bytes: Buffer.from(JSON.stringify(v)), lfs: false });
  return {
    repo: repoId,
    revision,
    files: new Map([
      [
        'config.json',
        json({ model_type: 'modernbert', hidden_size: 384, cls_token_id: 179934, sep_token_id: 179938, pad_token_id: 179935 }),
      ],
      [
        'tokenizer.json',
        { bytes: Buffer.from(JSON.stringify({ version: '1.0', model: { type: 'BPE', vocab: {}, merges: [] } })), lfs: true },
      ],
      ['tokenizer_config.json', json({ model_max_length: 32768 })],
      ['special_tokens_map.json', json({})],
      [
        'modules.json',
        json([
          { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
          { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
          { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
        ]),
      ],
      ['1_Pooling/config.json', json({ word_embedding_dimension: 384, pooling_mode_cls_token: true, pooling_mode_mean_tokens: false })],
      ['sentence_bert_config.json', json({ max_seq_length: 8192 })],
      ['onnx/model.onnx', { bytes: randomBytes(96 * 1024), lfs: true }],
      ['onnx/model_quint8_avx2.onnx', { bytes: randomBytes(32 * 1024), lfs: true }],
      ['model.safetensors', { bytes: randomBytes(64 * 1024), lfs: true }],
      ['README.md', { bytes: Buffer.from('# card'), lfs: false }],
    ]),
  };
}

describe('hub downloads through the model manager', () => {
  let db: Db;
  beforeEach(() => {
    db = openDatabase(':memory:');
  });
  afterEach(() => db.close());

  const ONE_B = catalogEntry('internvl3-1b')!.hub![0]!;

  function manager(lines: string[] = [], env: NodeJS.ProcessEnv = {}) {
    return createModelManager({
      db,
      paths: { modelsDir: modelsDir() },
      log: createLog('test', 'debug', (l) => lines.push(l)),
      emit: () => {},
      env,
      hub: { endpoint: hub.endpoint, secrets: createFileSecretStore(path.join(tmp, 'secrets')) },
      download: { retries: 1, retryDelayMs: 5, progressIntervalMs: 0 },
    });
  }

  it('downloads the catalog checkpoint at its pinned revision and says why the bundle cannot be built from it', async () => {
    const real = internvlRepo(ONE_B.repo, ONE_B.revision!);
    await hub.close();
    hub = await startFakeHub([real]);
    const m = manager();
    m.download('internvl3-1b');
    const err = await m.waitForDownload('internvl3-1b').then(
      () => null,
      (e: unknown) => e as ApiError,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err!.message).toMatch(
      /InternVL3-1B checkpoint \(OpenGVLab\/InternVL3-1B at revision 4415a3b\) is downloaded and verified: 9 files/,
    );
    // The fake repository's config.json is no InternVL config: the build refuses it, keeping the checkpoint.
    expect(err!.message).toMatch(/Building the Shoebox bundle from it failed: cannot build InternVL3-1B: config\.json lacks vision_config/);
    expect(m.get('internvl3-1b')).toMatchObject({ installed: false, download: { state: 'failed', resumable: false } });
    const dir = path.join(modelsDir(), '.checkpoints', 'internvl3-1b');
    expect(readFileSync(path.join(dir, 'model.safetensors')).equals(real.files.get('model.safetensors')!.bytes)).toBe(true);
    expect(hub.requests.some((r) => r.url.includes(`/tree/${ONE_B.revision!}`))).toBe(true);

    // Again: the listing is asked for, nothing is fetched twice. Delete removes the checkpoint.
    const before = hub.cdn.requests.length;
    m.download('internvl3-1b');
    await m.waitForDownload('internvl3-1b').catch(() => {});
    expect(hub.cdn.requests.length).toBe(before);
    expect(await m.delete('internvl3-1b')).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });

  it('stores the token as a 0600 file, sends it to a gated repository, and logs it nowhere', async () => {
    const TOKEN = 'hf_managerTOKEN0987654321';
    const real = { ...internvlRepo(ONE_B.repo, ONE_B.revision!), gated: TOKEN };
    await hub.close();
    hub = await startFakeHub([real]);
    const lines: string[] = [];
    const m = manager(lines);
    expect(await m.hubToken()).toMatchObject({ stored: false });
    m.download('internvl3-1b');
    const refused = await m.waitForDownload('internvl3-1b').catch((e: unknown) => e as ApiError);
    expect(refused).toMatchObject({ code: 'unauthorized' });
    expect((refused as ApiError).message).toMatch(/needs a Hugging Face access token/);
    // The app shows this message: it names the Models page's section, not a CLI command.
    expect((refused as ApiError).message).toMatch(/enter a token under Models → Hugging Face access token/);
    expect((refused as ApiError).message).not.toMatch(/shoebox /);

    await m.setHubToken(`  ${TOKEN}\n`);
    const file = path.join(tmp, 'secrets', 'hub-token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await m.hubToken()).toMatchObject({ stored: true, problem: null });
    m.download('internvl3-1b');
    await m.waitForDownload('internvl3-1b').catch(() => {});
    expect(m.get('internvl3-1b').download.error).toMatch(/downloaded and verified/);
    expect(hub.requests.at(-1)!.auth).toBe(`Bearer ${TOKEN}`);
    expect(hub.cdn.requests.every((r) => r.auth === null)).toBe(true);
    expect(lines.join('\n')).not.toContain(TOKEN);
    expect(JSON.stringify(m.list())).not.toContain(TOKEN);
  });

  it.runIf(process.platform !== 'win32')(
    'refuses to download with a token file others can read, before asking the hub anything',
    async () => {
      const TOKEN = 'hf_looseTOKEN1234567';
      await hub.close();
      hub = await startFakeHub([internvlRepo(ONE_B.repo, ONE_B.revision!)]);
      const file = path.join(tmp, 'secrets', 'hub-token');
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, TOKEN);
      chmodSync(file, 0o644);
      const lines: string[] = [];
      const m = manager(lines);
      m.download('internvl3-1b');
      const err = await m.waitForDownload('internvl3-1b').catch((e: unknown) => e as ApiError);
      expect(err).toMatchObject({ code: 'unauthorized' });
      expect((err as ApiError).message).toMatch(/access token cannot be used: .*mode 0644.*chmod 600/);
      expect(hub.requests).toEqual([]);
      expect(lines.join('\n')).not.toContain(TOKEN);
      expect((err as ApiError).message).not.toContain(TOKEN);
    },
  );

  const EMBEDDER = textEmbedderEntry('granite-embedding-97m-multilingual-r2')!;
  const EMBEDDER_SOURCE = EMBEDDER.hub![0]!;

  it('installs a text embedder published as ONNX as a bundle the manager lists, with a manifest made from its files', async () => {
    const real = embedderRepo(EMBEDDER_SOURCE.repo, EMBEDDER_SOURCE.revision!);
    await hub.close();
    hub = await startFakeHub([real], { pageSize: 5 });
    // The catalog records the real files' hashes; this fake's bytes are others, so the recorded list is
    // swapped for the fake's own (the next test shows the real list refusing them).
    const recorded = [...real.files]
      .filter(([, f]) => f.lfs)
      .map(([p, f]) => ({ path: p, bytes: f.bytes.length, sha256: sha256Of(f.bytes) }));
    const entry = { ...EMBEDDER, textEmbedder: { ...EMBEDDER.textEmbedder!, files: recorded } };
    const result = await downloadFromHub({
      id: EMBEDDER.id,
      source: pinnedHubSource(entry).source!,
      endpoint: hub.endpoint,
      token: null,
      modelsDir: modelsDir(),
      log: silentLog,
      manifest: hubManifestBuilder(entry)!,
      recorded,
    });
    expect(result.kind).toBe('installed');
    const dir = path.join(modelsDir(), EMBEDDER.id);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      id: EMBEDDER.id,
      family: 'text-embedder',
      source: `${EMBEDDER_SOURCE.repo}@${EMBEDDER_SOURCE.revision!}`,
      random_weights: false,
      architecture: 'modernbert',
      embedding: { dim: 384, pooling: 'cls', normalize: true, max_length: 512, prefixes: { query: '', passage: '' } },
      tokens: { cls: 179934, sep: 179938, pad: 179935 },
      graph: { output: 'last_hidden_state' },
      variants: { int8: { model: 'onnx/model_quint8_avx2.onnx' }, fp32: { model: 'onnx/model.onnx' } },
    });
    // Every listed file with the sha256 of its bytes, files kept in git included; the safetensors and card not fetched.
    for (const f of manifest.files as { path: string; sha256: string }[])
      expect(f.sha256, f.path).toBe(sha256Of(real.files.get(f.path)!.bytes));
    expect((manifest.files as { path: string }[]).map((f) => f.path)).not.toContain('model.safetensors');
    expect(existsSync(path.join(modelsDir(), '.downloads', EMBEDDER.id))).toBe(false);

    const m = manager();
    expect(m.get(EMBEDDER.id)).toMatchObject({ installed: true, family: 'text-embedder', variants: ['int8', 'fp32'], path: dir });
    expect(m.list().find((x) => x.id === EMBEDDER.id)).toMatchObject({ installed: true });
    expect(() => m.select(EMBEDDER.id)).toThrow(/text embedder/);
    expect(m.activeBundle()).toBeNull();
  });

  it('refuses an embedder whose hub answers other bytes than the catalog recorded, before downloading them', async () => {
    const real = embedderRepo(EMBEDDER_SOURCE.repo, EMBEDDER_SOURCE.revision!);
    await hub.close();
    hub = await startFakeHub([real]);
    const m = manager();
    m.download(EMBEDDER.id, { variants: ['int8'] });
    const err = await m.waitForDownload(EMBEDDER.id).catch((e: unknown) => e as ApiError);
    expect((err as ApiError).message).toMatch(/Shoebox recorded .* for that revision; refusing it/);
    expect(hub.cdn.requests).toEqual([]);
    expect(m.get(EMBEDDER.id)).toMatchObject({ installed: false, download: { state: 'failed', resumable: false } });
  });

  it('takes HF_ENDPOINT over the setting, and refuses a token that is not one', async () => {
    const m = createModelManager({
      db,
      paths: { modelsDir: modelsDir() },
      log: silentLog,
      emit: () => {},
      env: { HF_ENDPOINT: 'https://hf-mirror.example/' },
      hub: { setting: () => 'https://huggingface.co', secrets: createFileSecretStore(path.join(tmp, 'secrets')) },
    });
    expect(m.hubEndpoint()).toEqual({ url: 'https://hf-mirror.example', from: 'HF_ENDPOINT' });
    await expect(m.setHubToken('two words')).rejects.toMatchObject({ code: 'bad-argument' });
    await expect(m.setHubToken('two words')).rejects.not.toThrow(/two words/);
  });
});

describe('shoebox models token', () => {
  /** Runs `shoebox models …` in-process with `stdin` as the first line of input; the exit code and output. */
  async function run(stdin: string, ...args: string[]) {
    let out = '';
    const io: CliIo = { out: (t) => (out += t), err: (t) => (out += t), errIsTty: false, readLine: async () => stdin };
    const program = new Command('shoebox').exitOverride().configureOutput({ writeOut: (t) => (out += t), writeErr: (t) => (out += t) });
    const db = openDatabase(':memory:');
    registerModelsCommands(
      program,
      async () => {
        const models = createModelManager({
          db,
          paths: { modelsDir: modelsDir() },
          log: silentLog,
          emit: () => {},
          env: {},
          hub: { secrets: createFileSecretStore(path.join(tmp, 'secrets')) },
        });
        return { models, events: createEventBus(), close: () => models.close() };
      },
      io,
    );
    let code = 0;
    try {
      await program.parseAsync(args, { from: 'user' });
    } catch (e) {
      code = e instanceof CommanderError ? (e.exitCode === 0 ? 0 : 2) : 1;
      if (!(e instanceof CommanderError)) out += (e as Error).message;
    }
    db.close();
    return { code, out };
  }

  it('stores a token read from stdin, reports where without showing it, clears it, and refuses a loose file', async () => {
    const TOKEN = 'hf_cliTOKEN5555555555';
    expect(await run('', 'models', 'token')).toEqual({ code: 0, out: 'no Hugging Face access token is stored\n' });
    const set = await run(`${TOKEN}\n`, 'models', 'token', 'set');
    expect(set.code).toBe(0);
    expect(set.out).toMatch(/a Hugging Face access token is stored in .*secrets \(a file only you can read/);
    expect(set.out).not.toContain(TOKEN);
    const file = path.join(tmp, 'secrets', 'hub-token');
    expect(readFileSync(file, 'utf8').trim()).toBe(TOKEN);
    chmodSync(file, 0o644);
    const loose = await run('', 'models', 'token');
    expect(loose.code).toBe(1);
    expect(loose.out).toMatch(/mode 0644.*chmod 600/);
    // The store's words name the app's section; the CLI adds its own command.
    expect(loose.out).toMatch(/store it again under Models → Hugging Face access token\. Here: shoebox models token set/);
    expect((await run('', 'models', 'token', 'clear')).out).toBe('no Hugging Face access token is stored\n');
    expect(existsSync(file)).toBe(false);
    expect((await run('', 'models', 'token', 'show')).code).toBe(2);
    const empty = await run('', 'models', 'token', 'set');
    expect(empty.code).toBe(1);
    expect(empty.out).toMatch(/the access token is empty/);
  });
});
