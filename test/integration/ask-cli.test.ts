/**
 * @file `shoebox ask` as a real process with the tiny random-weight InternVL in demo mode: the answer
 * streams to stdout (labelled as demo output), `--json` gives the answer, the photo's id and path and the
 * timings, `--continue` goes on with the same conversation, and the exit codes follow the other commands:
 * 1 without a model or for a file outside the library, 2 for a missing, empty or too long question.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runShoebox } from './helpers/cli-process';

const tiny = join(import.meta.dirname, '../fixtures/models/tiny-internvl');
const sample = join(import.meta.dirname, '../../assets/sample-library');
const root = mkdtempSync(join(tmpdir(), 'shoebox-ask-'));
const data = join(root, 'data');
const photo = join(root, 'photos', 'coffee.png');

interface AskJson {
  conversationId: number;
  answer: string;
  state: string;
  model: { id: string; demo: boolean };
  photos: { id: number; name: string; path: string }[];
  timings: { ttftMs: number; totalMs: number; tokens: number; tokensPerSecond: number | null };
}

beforeAll(async () => {
  cpSync(join(sample, 'coffee.png'), photo);
  cpSync(join(sample, 'coffee.png'), join(root, 'elsewhere', 'coffee.png'));
  const added = await runShoebox(['add-folder', join(root, 'photos')], data);
  expect(added.code, added.stderr).toBe(0);
}, 120_000);
afterAll(() => {
  delete process.env['SHOEBOX_DEMO_MODEL'];
  rmSync(root, { recursive: true, force: true });
});

describe('shoebox ask', () => {
  it('refuses bad usage with exit 2 and says why without a model (exit 1)', async () => {
    expect((await runShoebox(['ask', 'What is it?'], data)).code).toBe(2);
    const empty = await runShoebox(['ask', photo, '   '], data);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/question is empty/);
    const long = await runShoebox(['ask', photo, 'x'.repeat(10_000)], data);
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/at most 4000 characters/);
    const none = await runShoebox(['ask', photo, 'What is it?'], data);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/Models page|no model|No model/i);
  }, 120_000);

  it('streams an answer in demo mode, --json for scripts, --continue for a follow-up', async () => {
    process.env['SHOEBOX_DEMO_MODEL'] = '1';
    expect((await runShoebox(['models', 'import', tiny], data)).code).toBe(0);
    expect((await runShoebox(['models', 'select', 'tiny-internvl'], data)).code).toBe(0);

    const human = await runShoebox(['ask', photo, 'What is in this photo?'], data);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout.trim().length).toBeGreaterThan(0);
    expect(human.stderr).toMatch(/demo model tiny-internvl/);
    expect(human.stderr).toMatch(/tiny-internvl · 1 tile · first token [\d.]+ s · [\d.]+ s/);

    const r = await runShoebox(['ask', '--json', photo, 'What is in this photo?'], data);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as AskJson;
    expect(j).toMatchObject({ state: 'done', model: { id: 'tiny-internvl', demo: true } });
    // Greedy: the same question about the same photo gives the same answer.
    expect(j.answer).toBe(human.stdout.trim());
    expect(j.photos).toEqual([{ id: expect.any(Number) as unknown, name: 'coffee.png', path: photo }]);
    expect(j.timings.ttftMs).toBeGreaterThan(0);
    expect(j.timings.totalMs).toBeGreaterThanOrEqual(j.timings.ttftMs);
    expect(j.timings.tokensPerSecond).toBeGreaterThan(0);

    const byId = JSON.parse(
      (await runShoebox(['ask', '--json', '--continue', String(j.photos[0]!.id), 'And then?'], data)).stdout,
    ) as AskJson;
    expect(byId.conversationId).toBe(j.conversationId);
    expect(byId.state).toBe('done');

    const outside = await runShoebox(['ask', join(root, 'elsewhere', 'coffee.png'), 'Hm?'], data);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/is not in the library/);
  }, 180_000);
});
