/**
 * @file `shoebox backends` as a real process against a local OpenAI-compatible test server: add (the
 * model found on the server, the key read from an environment variable into the secret store, the
 * notice of where photos go), list, check (a wrong model fails with exit 1), on/off, remove (its key
 * goes too). The key is never printed. `shoebox understand` then names the server that did the work.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runShoebox } from './helpers/cli-process';
import { startOpenAITestServer, type TestServer } from './helpers/openai-test-server';

const KEY = 'sk-cli-secret-777';
let server: TestServer;
let data: string;
const shoebox = (...args: string[]) => runShoebox(args, data);

beforeAll(async () => {
  data = join(mkdtempSync(join(tmpdir(), 'shoebox-backends-cli-')), 'data');
  server = await startOpenAITestServer({ models: ['OpenGVLab/InternVL3-2B'], apiKey: KEY });
  process.env['SHOEBOX_TEST_BACKEND_KEY'] = KEY;
});
afterAll(async () => {
  delete process.env['SHOEBOX_TEST_BACKEND_KEY'];
  await server.close();
});

describe('shoebox backends', () => {
  it('adds, lists, checks, turns on and off, and removes a backend; the key is never shown', async () => {
    const none = await shoebox('backends');
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toMatch(/Remote understanding is off/);
    expect(none.stdout).toMatch(/No backend/);

    const unset = await shoebox('backends', 'add', server.url, '--key-env', 'SHOEBOX_NO_SUCH_VAR');
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/SHOEBOX_NO_SUCH_VAR is not set/);

    const add = await shoebox('backends', 'add', server.url, '--key-env', 'SHOEBOX_TEST_BACKEND_KEY');
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('(model OpenGVLab/InternVL3-2B)');
    expect(add.stdout).toMatch(/Photos are sent to a server on this computer/);
    expect(add.stdout).toMatch(/^ok {4}http:\/\/127\.0\.0\.1:\d+ {2}OpenGVLab\/InternVL3-2B/m);
    expect(add.stdout).toMatch(/Remote understanding is off: turn it on with `shoebox backends on`/);

    const wrong = await shoebox('backends', 'add', server.url, '--model', 'InternVL3-78B');
    expect(wrong.code, wrong.stderr).toBe(0); // added, but its check says why it cannot be used
    expect(wrong.stdout).toMatch(/FAIL .*refused the API key/);
    const check = await shoebox('backends', 'check');
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^ok /m);
    expect(check.stdout).toMatch(/^FAIL /m);

    const on = await shoebox('backends', 'on');
    expect(on.stdout).toMatch(/Remote understanding is ON/);
    const list = await shoebox('backends', 'list', '--json');
    const parsed = JSON.parse(list.stdout) as { enabled: boolean; backends: { model: string; hasKey: boolean; where: string }[] };
    expect(parsed.enabled).toBe(true);
    expect(parsed.backends.map((b) => [b.model, b.hasKey, b.where])).toEqual([
      ['OpenGVLab/InternVL3-2B', true, 'loopback'],
      ['InternVL3-78B', false, 'loopback'],
    ]);
    const keyFiles = () => readdirSync(join(data, 'secrets')).filter((f) => f.startsWith('backend-key-'));
    expect(keyFiles()).toHaveLength(1);

    const removed = await shoebox('backends', 'remove', '1');
    expect(removed.code, removed.stderr).toBe(0);
    expect(keyFiles()).toHaveLength(0);
    expect((await shoebox('backends', 'remove', '7')).code).toBe(2);
    const off = await shoebox('backends', 'off');
    expect(off.stdout).toMatch(/photos stay on this computer/);

    for (const out of [none, add, wrong, check, on, list, removed, off]) expect(out.stdout + out.stderr).not.toContain(KEY);
    expect(existsSync(join(data, 'secrets'))).toBe(true);
  }, 120_000);

  it('shoebox understand names the server that understood the photos', async () => {
    const home = join(mkdtempSync(join(tmpdir(), 'shoebox-backends-understand-')), 'data');
    const photos = mkdtempSync(join(tmpdir(), 'shoebox-backends-photos-'));
    cpSync(join(import.meta.dirname, '../../assets/sample-library'), photos, { recursive: true });
    const run = (...args: string[]) => runShoebox(args, home);
    expect((await run('add-folder', photos)).code).toBe(0);
    expect((await run('backends', 'add', server.url, '--key-env', 'SHOEBOX_TEST_BACKEND_KEY')).code).toBe(0);
    expect((await run('backends', 'on')).code).toBe(0);
    const out = await run('understand', '--limit', '2');
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(
      /^Understood 2 of 2 photo\(s\) in [\d.]+ s \([\d.]+ s per photo\) with remote:OpenGVLab\/InternVL3-2B@127\.0\.0\.1:\d+; 11 still to do\.$/m,
    );
    const json = JSON.parse((await run('understand', '--limit', '1', '--json')).stdout) as { summary: { madeBy: unknown[] } };
    expect(json.summary.madeBy).toEqual([
      {
        modelId: expect.stringMatching(/^remote:OpenGVLab\/InternVL3-2B@127\.0\.0\.1:\d+$/) as unknown,
        variant: 'remote',
        demo: false,
        photos: 1,
      },
    ]);
  }, 120_000);
});
