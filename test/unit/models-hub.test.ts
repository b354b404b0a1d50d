/**
 * Pure and file-level pieces of the Hugging Face hub client: which listed paths are safe, which files a
 * layout fetches and requires, the `Link` and `Retry-After` headers, the hub URL's precedence, the
 * redirect-following fetch (where the token goes, that Range survives), the token file's permission
 * rule, and the catalog's pinned sources.
 */
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, chownSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/db/open';
import { silentLog } from '../../main/log';
import { CATALOG, pinnedHubSource } from '../../main/models/catalog';
import type { ExpectedFile } from '../../main/models/download-file';
import { DownloadError, parseRetryAfter } from '../../main/models/http-client';
import { createHubFetch } from '../../main/models/hub/hub-fetch';
import { DEFAULT_HUB_ENDPOINT, resolveHubEndpoint } from '../../main/models/hub/hub-endpoint';
import { HubSelectionError, selectHubFiles } from '../../main/models/hub/hub-files';
import { HUB_REVISION, hubPathProblem, nextLink, resolveUrl, treeUrl } from '../../main/models/hub/hub-tree';
import { checkHubToken, createFileSecretStore, SecretStoreError } from '../../main/models/hub/token-store';
import { createSettings } from '../../main/settings/settings.service';

const git = (p: string, bytes = 10): ExpectedFile => ({ path: p, bytes, gitSha1: 'a'.repeat(40) });
const lfs = (p: string, bytes = 1000): ExpectedFile => ({ path: p, bytes, sha256: 'b'.repeat(64) });

describe('hub paths', () => {
  it('accepts plain relative paths and refuses anything that could leave the download folder', () => {
    for (const ok of ['config.json', '1_Pooling/config.json', 'onnx/model.onnx', 'a b/ç.json', '.gitattributes']) {
      expect(hubPathProblem(ok), ok).toBeNull();
    }
    const bad: [string, RegExp][] = [
      ['../x', /escape/],
      ['a/../../x', /escape/],
      ['..', /escape/],
      ['/etc/passwd', /absolute/],
      ['a\\b', /backslash/],
      ['..\\..\\windows', /backslash/],
      ['C:/x', /drive/],
      ['a//b', /empty/],
      ['./a', /"\."/],
      ['a/', /empty/],
      ['', /empty/],
      ['a\0b', /control/],
      ['x'.repeat(201), /longer/],
    ];
    for (const [p, why] of bad) expect(hubPathProblem(p), p).toMatch(why);
  });

  it('builds tree and resolve URLs with every segment escaped', () => {
    const rev = 'c'.repeat(40);
    expect(treeUrl('https://hub.example', 'Org/My.Model', rev)).toBe(
      `https://hub.example/api/models/Org/My.Model/tree/${rev}?recursive=true`,
    );
    expect(resolveUrl('https://hub.example/mirror', 'Org/M', rev, 'dir/a b#?.json')).toBe(
      `https://hub.example/mirror/Org/M/resolve/${rev}/dir/a%20b%23%3F.json`,
    );
  });

  it('reads the next page from a Link header', () => {
    expect(nextLink('<https://h/api?cursor=2>; rel="next"')).toBe('https://h/api?cursor=2');
    expect(nextLink('<https://h/p1>; rel="prev", <https://h/p3>; rel=next')).toBe('https://h/p3');
    expect(nextLink('<https://h/p1>; rel="prev"')).toBeNull();
    expect(nextLink(null)).toBeNull();
  });
});

describe('hub file selection', () => {
  const chat = [
    git('config.json'),
    git('tokenizer_config.json'),
    git('vocab.json'),
    git('merges.txt'),
    git('README.md'),
    git('modeling_internvl_chat.py'),
    lfs('model.safetensors'),
    lfs('examples/image1.jpg'),
    git('runs/Nov22/events.out.tfevents.1'),
  ];

  it('fetches weights, configs and tokenizer files, never code, media or logs', () => {
    const { files } = selectHubFiles(chat, { layout: 'internvl-chat' });
    expect(files.map((f) => f.path).sort()).toEqual([
      'config.json',
      'merges.txt',
      'model.safetensors',
      'tokenizer_config.json',
      'vocab.json',
    ]);
  });

  it('names what a revision lacks', () => {
    const without = (p: string) => chat.filter((f) => f.path !== p);
    expect(() => selectHubFiles(without('config.json'), { layout: 'internvl-hf' })).toThrow(/lacks config\.json/);
    expect(() => selectHubFiles(without('model.safetensors'), { layout: 'internvl-chat' })).toThrow(/lacks the weights/);
    expect(() => selectHubFiles(without('merges.txt'), { layout: 'internvl-chat' })).toThrow(/lacks a tokenizer/);
    expect(() => selectHubFiles(without('merges.txt'), { layout: 'internvl-chat' })).toThrow(HubSelectionError);
  });

  it('wants every shard of a sharded checkpoint, and its index', () => {
    const sharded = [
      ...chat.filter((f) => f.path !== 'model.safetensors'),
      lfs('model-00001-of-00003.safetensors'),
      lfs('model-00003-of-00003.safetensors'),
    ];
    expect(() => selectHubFiles(sharded, { layout: 'internvl-chat' })).toThrow(
      /lacks .*model\.safetensors\.index\.json.*model-00002-of-00003\.safetensors/,
    );
    const whole = [...sharded, git('model.safetensors.index.json'), lfs('model-00002-of-00003.safetensors')];
    expect(selectHubFiles(whole, { layout: 'internvl-chat' }).files.filter((f) => f.path.endsWith('.safetensors'))).toHaveLength(3);
  });

  it('picks an embedder variant with its external data, skips absent ones by default and refuses asked-for ones', () => {
    const embedder = [
      git('config.json'),
      lfs('tokenizer.json'),
      git('modules.json'),
      git('1_Pooling/config.json'),
      lfs('model.safetensors'),
      lfs('onnx/model.onnx'),
      lfs('onnx/model.onnx_data'),
      lfs('onnx/model_quint8_avx2.onnx'),
    ];
    const variantFiles = { fp32: 'onnx/model.onnx', int8: 'onnx/model_quint8_avx2.onnx', fp16: 'onnx/model_fp16.onnx' };
    const all = selectHubFiles(embedder, { layout: 'onnx-embedder', variantFiles });
    expect(all.variants).toEqual(['fp32', 'int8']);
    expect(all.files.map((f) => f.path)).not.toContain('model.safetensors');
    const int8 = selectHubFiles(embedder, { layout: 'onnx-embedder', variantFiles, variants: ['int8'] });
    expect(int8.files.map((f) => f.path).filter((p) => p.startsWith('onnx/'))).toEqual(['onnx/model_quint8_avx2.onnx']);
    expect(selectHubFiles(embedder, { layout: 'onnx-embedder', variantFiles, variants: ['fp32'] }).files.map((f) => f.path)).toContain(
      'onnx/model.onnx_data',
    );
    expect(() => selectHubFiles(embedder, { layout: 'onnx-embedder', variantFiles, variants: ['fp16'] })).toThrow(
      /lacks onnx\/model_fp16\.onnx/,
    );
    expect(() => selectHubFiles(embedder, { layout: 'onnx-embedder', variantFiles, variants: ['q4'] })).toThrow(/no variant "q4"/);
    expect(() => selectHubFiles(embedder.slice(0, 5), { layout: 'onnx-embedder', variantFiles })).toThrow(/none of the graphs/);
  });
});

describe('the models.hubEndpoint setting', () => {
  it('defaults to the official hub, takes a mirror as typed in a terminal, and refuses what is not a plain http(s) URL', () => {
    const db = openDatabase(':memory:');
    const settings = createSettings({ db, log: silentLog, emit: () => {}, cores: 4 });
    expect(settings.values().models.hubEndpoint).toBe('https://huggingface.co');
    settings.setText('models.hubEndpoint', 'https://hf-mirror.example/');
    expect(resolveHubEndpoint({ setting: settings.values().models.hubEndpoint })).toEqual({
      url: 'https://hf-mirror.example',
      from: 'setting',
    });
    for (const bad of ['ftp://x.example', 'not a url', 'https://x.example/?token=1', 'https://user:pw@x.example', 'https://x.example/#a']) {
      expect(() => settings.set({ models: { hubEndpoint: bad } }), bad).toThrow(/models\.hubEndpoint: must be an http\(s\) URL/);
    }
    expect(settings.values().models.hubEndpoint).toBe('https://hf-mirror.example/');
    db.close();
  });
});

describe('hub endpoint and retry-after', () => {
  it('takes the option, then HF_ENDPOINT, then the setting, then the official hub', () => {
    expect(resolveHubEndpoint({})).toEqual({ url: DEFAULT_HUB_ENDPOINT, from: 'default' });
    expect(resolveHubEndpoint({ setting: 'https://huggingface.co' })).toEqual({ url: DEFAULT_HUB_ENDPOINT, from: 'default' });
    expect(resolveHubEndpoint({ setting: 'https://mirror.example/hf/' })).toEqual({ url: 'https://mirror.example/hf', from: 'setting' });
    expect(resolveHubEndpoint({ env: 'https://env.example', setting: 'https://mirror.example' })).toMatchObject({ from: 'HF_ENDPOINT' });
    expect(resolveHubEndpoint({ option: 'http://127.0.0.1:9', env: 'https://env.example' })).toMatchObject({ from: 'option' });
    expect(resolveHubEndpoint({ env: '  ', setting: 'https://mirror.example' })).toMatchObject({ from: 'setting' });
    expect(() => resolveHubEndpoint({ env: 'ftp://x' })).toThrow(/hub URL must be http.*HF_ENDPOINT/);
    expect(() => resolveHubEndpoint({ setting: 'https://x/?a=1' })).toThrow(/query.*models\.hubEndpoint/);
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000 + 5_000).toUTCString(), 10_000)).toBe(5000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('hub fetch', () => {
  /** A fake network: answers by URL, records each request's URL and headers. */
  function network(routes: Record<string, { status: number; location?: string }>) {
    const seen: { url: string; auth: string | null; range: string | null; redirect: string | undefined }[] = [];
    const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : input.toString();
      const h = new Headers(init?.headers);
      seen.push({ url, auth: h.get('authorization'), range: h.get('range'), redirect: init?.redirect });
      const r = routes[url] ?? { status: 200 };
      return new Response(r.status === 200 ? 'ok' : null, { status: r.status, headers: r.location ? { location: r.location } : {} });
    }) as typeof globalThis.fetch;
    return { fetch, seen };
  }

  it('sends the token on the hub origin only and keeps Range on every hop', async () => {
    const net = network({
      'https://hub.example/o/m/resolve/r/a.bin': { status: 302, location: '/api/resolve-cache/a.bin' },
      'https://hub.example/api/resolve-cache/a.bin': { status: 307, location: 'https://cdn.example/a.bin?sig=1' },
      'https://cdn.example/a.bin?sig=1': { status: 302, location: 'https://hub.example:444/a.bin' },
    });
    const f = createHubFetch({ endpoint: 'https://hub.example', token: 'hf_tok', fetch: net.fetch });
    const res = await f('https://hub.example/o/m/resolve/r/a.bin', { headers: { range: 'bytes=5-', authorization: 'Bearer smuggled' } });
    expect(res.status).toBe(200);
    expect(net.seen.map((s) => [s.url, s.auth, s.range])).toEqual([
      ['https://hub.example/o/m/resolve/r/a.bin', 'Bearer hf_tok', 'bytes=5-'],
      ['https://hub.example/api/resolve-cache/a.bin', 'Bearer hf_tok', 'bytes=5-'],
      ['https://cdn.example/a.bin?sig=1', null, 'bytes=5-'],
      ['https://hub.example:444/a.bin', null, 'bytes=5-'], // another port is another origin
    ]);
    expect(net.seen.every((s) => s.redirect === 'manual')).toBe(true);
  });

  it('sends no token when none is stored, and refuses downgrades, loops and redirects without a target', async () => {
    const none = network({});
    await createHubFetch({ endpoint: 'https://hub.example', token: null, fetch: none.fetch })('https://hub.example/x', {
      headers: { authorization: 'Bearer x' },
    });
    expect(none.seen[0]!.auth).toBeNull();

    const cases: [Record<string, { status: number; location?: string }>, RegExp][] = [
      [{ 'https://hub.example/x': { status: 302, location: 'http://cdn.example/x' } }, /from https to plain http/],
      [{ 'https://hub.example/x': { status: 302, location: 'https://hub.example/x' } }, /more than 10 redirects/],
      [{ 'https://hub.example/x': { status: 302 } }, /no Location header/],
      [{ 'https://hub.example/x': { status: 301, location: 'file:///etc/passwd' } }, /file: URL/],
    ];
    for (const [routes, message] of cases) {
      const net = network(routes);
      const err = await createHubFetch({ endpoint: 'https://hub.example', token: 't', fetch: net.fetch })('https://hub.example/x').catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DownloadError);
      expect((err as Error).message).toMatch(message);
    }
  });
});

describe('token store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'shoebox-secrets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const TOKEN = 'hf_AbCdEf0123456789';

  it('stores a token as a 0600 file in a 0700 folder and reads it back', async () => {
    const store = createFileSecretStore(path.join(dir, 'secrets'));
    expect(await store.get('hub-token')).toBeNull();
    await store.set('hub-token', TOKEN);
    const file = path.join(dir, 'secrets', 'hub-token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'secrets')).mode & 0o077).toBe(0);
    expect(await store.get('hub-token')).toBe(TOKEN);
    await store.set('hub-token', null);
    expect(await store.get('hub-token')).toBeNull();
  });

  it.runIf(process.platform !== 'win32')(
    'refuses to read a token file others can read, saying how to fix it without quoting the token',
    async () => {
      const store = createFileSecretStore(dir);
      const file = path.join(dir, 'hub-token');
      writeFileSync(file, TOKEN + '\n', { mode: 0o600 });
      expect(await store.get('hub-token')).toBe(TOKEN); // a trailing newline, as `echo` writes, is fine
      for (const mode of [0o644, 0o640, 0o604, 0o660]) {
        chmodSync(file, mode);
        const err = await store.get('hub-token').catch((e: unknown) => e as Error);
        expect(err, mode.toString(8)).toBeInstanceOf(SecretStoreError);
        expect((err as Error).message).toContain(`mode 0${mode.toString(8)}`);
        expect((err as Error).message).toContain(`chmod 600 ${file}`);
        expect((err as Error).message).not.toContain(TOKEN);
      }
      chmodSync(file, 0o400);
      expect(await store.get('hub-token')).toBe(TOKEN);
    },
  );

  it.runIf(process.platform !== 'win32')('refuses a symlink in the token file’s place, and a file of another user', async () => {
    const store = createFileSecretStore(dir);
    const target = path.join(dir, 'elsewhere');
    writeFileSync(target, TOKEN, { mode: 0o600 });
    symlinkSync(target, path.join(dir, 'hub-token'));
    expect(lstatSync(path.join(dir, 'hub-token')).isSymbolicLink()).toBe(true);
    await expect(store.get('hub-token')).rejects.toThrow(/not a regular file/);
    if (process.getuid?.() === 0) {
      rmSync(path.join(dir, 'hub-token'));
      writeFileSync(path.join(dir, 'hub-token'), TOKEN, { mode: 0o600 });
      chownSync(path.join(dir, 'hub-token'), 65534, 65534);
      await expect(store.get('hub-token')).rejects.toThrow(/belongs to another user/);
    }
  });

  it('accepts only what can be a token, and never quotes it back', () => {
    expect(checkHubToken(`  ${TOKEN}\r\n`)).toBe(TOKEN);
    for (const bad of ['', '   ', 'two words', 'line\nbreak', 'x'.repeat(1025), 'tök']) {
      let message = '';
      try {
        checkHubToken(bad);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message, JSON.stringify(bad)).toMatch(/access token/);
      if (bad.trim().length > 3) expect(message).not.toContain(bad.trim());
    }
  });

  it('leaves no half-written file when a write fails', async () => {
    const blocked = path.join(dir, 'not-a-folder');
    writeFileSync(blocked, 'x');
    const store = createFileSecretStore(blocked);
    await expect(store.set('hub-token', TOKEN)).rejects.toThrow();
    mkdirSync(path.join(dir, 'ok'));
    const ok = createFileSecretStore(path.join(dir, 'ok'));
    await ok.set('hub-token', TOKEN);
    await ok.set('hub-token', TOKEN + 'X');
    expect(await ok.get('hub-token')).toBe(TOKEN + 'X');
  });
});

describe('catalog hub sources', () => {
  it('pins each model to its authors’ repository at a full commit, or says why it cannot', () => {
    for (const entry of CATALOG) {
      for (const s of entry.hub ?? []) {
        expect(s.repo, entry.id).toMatch(/^(OpenGVLab|ibm-granite)\//);
        if (s.revision === null) expect(s.unpinned, entry.id).toBeTruthy();
        else expect(s.revision, entry.id).toMatch(HUB_REVISION);
      }
    }
    const one = CATALOG.find((e) => e.id === 'internvl3-1b')!;
    expect(one.hub!.map((s) => [s.repo, s.layout])).toEqual([
      ['OpenGVLab/InternVL3-1B', 'internvl-chat'],
      ['OpenGVLab/InternVL3-1B-hf', 'internvl-hf'],
    ]);
    expect(pinnedHubSource(one).source?.revision).toBe('4415a3b810e636d11dfa86b0e9ba40bb00535aa8');
    expect(
      pinnedHubSource({ ...one, hub: [{ repo: 'OpenGVLab/X', revision: null, unpinned: 'no commit found', layout: 'internvl-chat' }] }),
    ).toEqual({
      source: null,
      why: 'OpenGVLab/X: no commit found',
    });
  });
});
