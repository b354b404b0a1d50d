/**
 * @file Unit test of what a model card offers after a download stopped: resume only when main says a
 * retry could succeed ([Note: Resumable failures]); and how an install in flight reads (install-status.ts:
 * each phase and the build's steps) and the first-run offer's speed label.
 */
import { describe, expect, it } from 'vitest';
import type { ModelDto } from '../../preload/contract';
import { downloadOffer } from '../../renderer/src/features/models/download-offer';
import { speedLabel } from '../../renderer/src/features/models/first-run-offer';
import { installStatus, isInstalling } from '../../renderer/src/features/models/install-status';
import { variantNotes } from '../../renderer/src/features/models/variant-notes';

const dl = (d: Partial<ModelDto['download']>): ModelDto['download'] => ({
  state: 'idle',
  received: 0,
  total: 0,
  buildStep: null,
  error: null,
  resumable: false,
  ...d,
});

describe('download offer', () => {
  it('offers a plain download for a model never downloaded', () => {
    expect(downloadOffer(dl({}))).toEqual({ label: 'Download', primary: true, hint: null });
  });

  it('says that downloading again resumes a paused download', () => {
    expect(downloadOffer(dl({ received: 10, total: 100, resumable: true }))).toEqual({
      label: 'Download',
      primary: true,
      hint: expect.stringMatching(/^Paused\. .*resumes it/) as unknown,
    });
  });

  it('offers to retry, and resume, a failure that another try could fix', () => {
    expect(downloadOffer(dl({ state: 'failed', error: 'HTTP 503', received: 10, total: 100, resumable: true }))).toEqual({
      label: 'Retry download',
      primary: true,
      hint: expect.stringMatching(/kept, so downloading again resumes it/) as unknown,
    });
    expect(downloadOffer(dl({ state: 'failed', error: 'cannot reach', resumable: true }))).toEqual({
      label: 'Retry download',
      primary: true,
      hint: null,
    });
  });

  it('offers neither retry nor resume after a failure that would repeat (404, bad manifest, sha256)', () => {
    const offer = downloadOffer(dl({ state: 'failed', error: 'not found (HTTP 404)', received: 10, total: 100, resumable: false }));
    expect(offer.label).toBe('Download');
    expect(offer.primary).toBe(false);
    expect(offer.hint).toMatch(/fails the same way/);
    expect(offer.hint).not.toMatch(/resume/);
  });
});

describe('install status', () => {
  it('downloading shows bytes, verifying does not', () => {
    expect(installStatus(dl({ state: 'downloading', received: 500_000, total: 2_000_000 }))).toEqual({
      label: 'Downloading…',
      pct: 25,
      detail: '500 KB of 2.0 MB (25%)',
    });
    expect(installStatus(dl({ state: 'verifying', received: 1, total: 2 }))).toMatchObject({ label: 'Verifying…', pct: 50, detail: null });
  });

  it("building names its step and shows the step's progress where it has one", () => {
    expect(installStatus(dl({ state: 'building', buildStep: 'weights', received: 3, total: 4 }))).toEqual({
      label: 'Building: writing weights…',
      pct: 75,
      detail: '75%',
    });
    expect(installStatus(dl({ state: 'building', buildStep: 'hashing', received: 1, total: 10 }))).toMatchObject({
      label: 'Building: verifying the bundle…',
      pct: 10,
    });
    expect(installStatus(dl({ state: 'building', buildStep: 'checking', received: 0, total: 1 }))).toMatchObject({ detail: null });
    expect(installStatus(dl({ state: 'building', buildStep: 'installing', received: 0, total: 1 }))!.label).toBe('Building: installing…');
    expect(isInstalling(dl({ state: 'building' }))).toBe(true);
  });

  it('has no status when nothing runs', () => {
    expect(installStatus(dl({}))).toBeNull();
    expect(installStatus(dl({ state: 'failed', error: 'x' }))).toBeNull();
    expect(isInstalling(dl({ state: 'failed' }))).toBe(false);
  });

  it('labels the speed as an estimate, or says it was not measured', () => {
    expect(speedLabel({ secondsPerPhoto: 2.1 })).toBe('about 2.1 s per photo on this machine (an estimate from measured figures)');
    expect(speedLabel({ secondsPerPhoto: null })).toMatch(/not measured/);
  });
});

describe('variant notes', () => {
  it("says each variant's measured agreement with fp32 and flags one below the bar", () => {
    const notes = variantNotes({
      variants: ['fp32', 'int8', 'q4', 'fp16'],
      accuracy: { bar: 0.95, cosine: { fp32: 1, int8: 0.9949, q4: 0.914 } },
    });
    expect(notes).toEqual([
      { variant: 'fp32', text: 'the reference', ok: true },
      { variant: 'int8', text: 'first-token agreement with fp32 0.995 (cosine)', ok: true },
      { variant: 'q4', text: 'first-token agreement with fp32 0.914 (cosine), below 0.95: not offered by default', ok: false },
      { variant: 'fp16', text: 'not measured', ok: true },
    ]);
    expect(variantNotes({ variants: ['fp32'], accuracy: null })).toEqual([]);
  });
});
