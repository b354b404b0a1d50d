/**
 * @file `shoebox search` as a real process over a real index of sample-library photos: a file name word
 * and a folder name find their photos (score, path, date and why printed), a year the library lacks finds
 * nothing but is understood as a filter (with its span in the query), text that is FTS5 syntax is plain
 * words, and without a text embedder the output says the search matched words only: every run exits 0.
 * The same search answers `search:query` through the router, which refuses arguments out of bounds.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../main/log';
import { createServices } from '../../main/services';
import { runShoebox } from './helpers/cli-process';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), `shoebox-search-${p}-`));
const sample = join(import.meta.dirname, '../../assets/sample-library');

interface Result {
  items: { path: string; takenAt: string; name: string; score: number; why: { field: string }[] }[];
  total: number;
  hidden: number;
  filters: { id: string; label: string; kind: string; span: [number, number] }[];
  semantic: string;
  mode: string;
  notice?: string;
  coverage: { photos: number; understood: number; embedded: number };
}

describe('shoebox search', () => {
  const data = tmp('data');
  const photos = tmp('photos');
  const search = async (...args: string[]) => {
    const r = await runShoebox(['search', ...args], data);
    expect(r.code, r.stderr).toBe(0);
    return r;
  };
  const json = async (query: string) => JSON.parse((await search(query, '--json')).stdout) as Result;

  beforeAll(async () => {
    for (const dir of ['animals', 'food']) cpSync(join(sample, dir), join(photos, dir), { recursive: true });
    const added = await runShoebox(['add-folder', photos], data);
    expect(added.code, added.stderr).toBe(0);
  }, 120_000);

  it('finds a photo by a word of its file name, printing its path and date', async () => {
    const r = await json('butterfly');
    expect(r).toMatchObject({ total: 1, semantic: 'butterfly', filters: [], mode: 'lexical' });
    expect(r.items[0]?.path).toBe(join(photos, 'animals', 'butterfly.jpg'));
    expect(r.items[0]).toMatchObject({ score: 1, why: [{ field: 'file' }] });
    expect(r).toMatchObject({ hidden: 0, coverage: { photos: 5, understood: 0, embedded: 0 } });
    expect(r.notice).toMatch(/words only: no text embedder is installed/);
    const human = await search('butterfly');
    expect(human.stdout).toContain(`1.00  ${join(photos, 'animals', 'butterfly.jpg')}  ${r.items[0]?.takenAt.replace('T', ' ')}`);
    expect(human.stdout).toContain('      file: [butterfly].jpg');
    expect(human.stdout).toMatch(/Search: lexical .*\nNote: Search matches words only: no text embedder is installed/);
    expect(human.stdout).toContain('Library: 5 photo(s), 0 understood, 0 searchable by meaning.');
  });

  it('finds the photos of a folder by its name', async () => {
    const r = await json('food');
    expect(r.items.map((p) => p.name).sort()).toEqual(['fruits.jpg', 'orange.jpg']);
  });

  it('understands a year as a filter and finds nothing when no photo is from then', async () => {
    const r = await json('animals 1901');
    expect(r).toMatchObject({ items: [], total: 0, semantic: 'animals' });
    expect((await json('photos from 1999')).filters).toEqual([{ id: 'date:0', label: '1999', kind: 'date', span: [7, 16] }]);
    expect((await search('photos from 1999')).stdout).toMatch(/No photos match\.\nFilters: date: 1999/);
  });

  it('takes FTS5 syntax as plain words', async () => {
    expect(await json('"NEAR( AND *')).toMatchObject({ items: [], total: 0 });
    expect((await search('"NEAR( AND *')).stdout).toContain('No photos match.');
  });

  it('answers search:query through the router and refuses arguments out of bounds', async () => {
    const services = await createServices({ dataDir: data, shell: 'headless', startLibrary: false, log: silentLog });
    try {
      const ok = await services.router.call('search:query', { text: 'orange' });
      expect(ok).toMatchObject({ ok: true, result: { total: 1, items: [{ name: 'orange.jpg' }], mode: 'lexical' } });
      for (const args of [{ text: 'x'.repeat(10_001) }, { text: 'x', limit: 501 }, { text: 'x', offset: -1 }, { text: 1 }, {}])
        expect(await services.router.call('search:query', args)).toMatchObject({ ok: false, error: { code: 'bad-argument' } });
    } finally {
      await services.close();
    }
  });

  it('refuses a bad --limit as bad usage', async () => {
    expect((await runShoebox(['search', 'x', '--limit', '0'], data)).code).toBe(2);
  });
});
