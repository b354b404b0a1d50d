/**
 * @file The Hugging Face access token requests through the real router of the headless host's services
 * ([Note: Hub token in the app] in preload/contract/models.ts): `models:token` answers only whether one
 * is stored, `models:setToken` keeps it trimmed in a 0600 file in a 0700 folder (host mode) and refuses
 * what cannot be a token with an error that never quotes it, `models:clearToken` removes it, and the
 * token appears in no answer, error or log line.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLog } from '../../main/log';
import { createServices, type Services } from '../../main/services';
import type { CallOutcome } from '../../main/api/router';

const TOKEN = 'hf_apiTOKENabcdef0123456789';
const work = mkdtempSync(join(tmpdir(), 'shoebox-token-api-'));
const dataDir = join(work, 'data');
const file = join(dataDir, 'secrets', 'hub-token');
const lines: string[] = [];
const outcomes: CallOutcome[] = [];
let services: Services;

const call = async (method: string, args: unknown): Promise<CallOutcome> => {
  const r = await services.router.call(method, args);
  outcomes.push(r);
  return r;
};
const stored = async () => {
  const r = await call('models:token', {});
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.result;
};

beforeAll(async () => {
  services = await createServices({
    dataDir,
    shell: 'headless',
    log: createLog('test', 'debug', (l) => lines.push(l)),
    startLibrary: false,
  });
});

afterAll(async () => {
  await services?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('models:token, models:setToken, models:clearToken (host mode)', () => {
  it('stores the trimmed token in a 0600 file and answers only { stored }', async () => {
    expect(await stored()).toEqual({ stored: false });
    expect(await call('models:setToken', { token: `  ${TOKEN}\n` })).toEqual({ ok: true, result: { stored: true } });
    expect(await stored()).toEqual({ stored: true });
    expect(readFileSync(file, 'utf8').trim()).toBe(TOKEN);
    if (process.platform !== 'win32') {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(join(dataDir, 'secrets')).mode & 0o777).toBe(0o700);
    }
    // The manager sends the stored token to the hub.
    expect(await services.models.hubToken()).toMatchObject({ stored: true, problem: null });
  });

  it.each([
    ['empty', '', /the access token is empty/],
    ['only whitespace', ' \t\n ', /the access token is empty/],
    ['with a space inside', 'hf_two words', /no spaces or line breaks/],
    ['with a line break inside', 'hf_two\nlines', /no spaces or line breaks/],
    ['longer than 512 characters', 'h'.repeat(513), /longer than 512 characters/],
  ])('refuses a token %s with a clear error that does not quote it, keeping the stored one', async (_what, token, message) => {
    const r = await call('models:setToken', { token });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('bad-argument');
    expect(r.error.message).toMatch(message);
    if (token.trim() !== '') expect(r.error.message).not.toContain(token.trim().slice(0, 8));
    expect(readFileSync(file, 'utf8').trim()).toBe(TOKEN);
  });

  it('takes 512 characters, and refuses what is not a string', async () => {
    const long = 'h'.repeat(512);
    expect(await call('models:setToken', { token: long })).toEqual({ ok: true, result: { stored: true } });
    expect(readFileSync(file, 'utf8').trim()).toBe(long);
    expect(await call('models:setToken', { token: 12345 })).toMatchObject({ ok: false, error: { code: 'bad-argument' } });
    expect(await call('models:setToken', {})).toMatchObject({ ok: false, error: { code: 'bad-argument' } });
    expect(await call('models:setToken', { token: TOKEN })).toEqual({ ok: true, result: { stored: true } });
  });

  it.runIf(process.platform !== 'win32')('counts a token file others can read as stored, so Clear can remove it', async () => {
    chmodSync(file, 0o644);
    expect(await stored()).toEqual({ stored: true });
    expect(await call('models:clearToken', {})).toEqual({ ok: true, result: { stored: false } });
    expect(existsSync(file)).toBe(false);
    expect(await stored()).toEqual({ stored: false });
    // Clearing again is no error.
    expect(await call('models:clearToken', {})).toEqual({ ok: true, result: { stored: false } });
  });

  it('never answered, logged or echoed the token', () => {
    expect(outcomes.length).toBeGreaterThan(10);
    expect(JSON.stringify(outcomes)).not.toContain(TOKEN);
    expect(JSON.stringify(outcomes)).not.toContain('h'.repeat(100));
    expect(lines.some((l) => l.includes('stored a Hugging Face access token'))).toBe(true);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });
});
