/**
 * @file Unit test of what a model card offers after a download stopped: resume only when main says a
 * retry could succeed ([Note: Resumable failures]).
 */
import { describe, expect, it } from 'vitest';
import type { ModelDto } from '../../preload/contract';
import { downloadOffer } from '../../renderer/src/features/models/download-offer';

const dl = (d: Partial<ModelDto['download']>): ModelDto['download'] => ({
  state: 'idle',
  received: 0,
  total: 0,
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
