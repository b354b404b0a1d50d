/**
 * @file [Note: Remote results outlive a local model change] with real processes, as the app is wired
 * (main/services.ts): a remote backend understands a photo, the local worker (the committed tiny
 * random-weight bundle, demo mode) another; the user then switches the local model to another variant.
 * The local photo is understood again by the new variant; the server's stays as it was, and current.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PhotoUnderstanding } from '../../preload/contract';
import type { Services } from '../../main/services';
import type { TestServer } from './helpers/openai-test-server';
import { SAMPLE_LIBRARY } from './helpers/library-harness';
import { startRemoteAndTiny, until } from './helpers/remote-tiny';
import { photoIdOfFile, routerCaller } from './helpers/router-call';

const MODEL = 'OpenGVLab/InternVL3-2B';
let services: Services;
let server: TestServer;
let work: string;

const call = routerCaller(() => services);
const understanding = (id: number) => call<PhotoUnderstanding>('photos:understanding', { id });
const doneJobs = () =>
  services.db.prepare("SELECT count(*) FROM jobs WHERE step = 'understand' AND state = 'done'").pluck().get() as number;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'shoebox-remote-kept-'));
  cpSync(join(SAMPLE_LIBRARY, 'food/fruits.jpg'), join(work, 'photos', 'server.jpg'));
  ({ services, server } = await startRemoteAndTiny(join(work, 'data'), MODEL, (s) =>
    s.settings.set({ understanding: { variant: 'fp32' } }),
  ));
}, 120_000);

afterAll(async () => {
  await services?.close();
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a local model change leaves what a remote backend made', () => {
  it('re-does the photo the local model understood, not the one the server did', async () => {
    const host = new URL(server.url).host;
    await services.library.addFolder(join(work, 'photos'));
    await until('the server understood the first photo', () => doneJobs() === 1);
    const fromServer = photoIdOfFile(services, 'server.jpg');

    // The server goes away; a second photo is understood by the local worker (remote.fallbackLocal).
    await server.close();
    cpSync(join(SAMPLE_LIBRARY, 'food/orange.jpg'), join(work, 'photos', 'local.jpg'));
    await services.library.rescan();
    await until('the worker understood the second photo', () => doneJobs() === 2, 200_000);
    const fromLaptop = photoIdOfFile(services, 'local.jpg');
    const before = await understanding(fromServer);
    expect(before.result).toMatchObject({ current: true, madeBy: { modelId: `remote:${MODEL}@${host}`, variant: 'remote' } });
    expect((await understanding(fromLaptop)).result).toMatchObject({
      current: true,
      madeBy: { modelId: 'tiny-internvl', variant: 'fp32' },
    });

    // Another local variant: a new maker. Only the laptop's photo is understood again.
    await call('settings:set', { patch: { understanding: { variant: 'int8' } } });
    // Applied at once (the settings event re-applies the step's version), then the queue runs dry.
    const state = (id: number) =>
      services.db.prepare<[number], string>("SELECT state FROM jobs WHERE step = 'understand' AND photo_id = ?").pluck().get(id);
    expect(state(fromLaptop)).toMatch(/^(pending|running)$/);
    expect(state(fromServer)).toBe('done');
    await services.library.whenIdle();
    expect((await understanding(fromLaptop)).result).toMatchObject({
      current: true,
      madeBy: { modelId: 'tiny-internvl', variant: 'int8' },
    });
    const after = await understanding(fromServer);
    expect(after.job?.state).toBe('done');
    expect(after.result).toEqual({ ...before.result, current: true });
    expect(after.caption).toEqual(before.caption);
  }, 420_000);
});
