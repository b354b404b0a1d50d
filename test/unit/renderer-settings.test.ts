/**
 * @file The Settings page's parts (renderer/src/features/settings/settings-page.tsx), rendered to
 * markup: a change applied at once (before the save answers), the threads choice offers 'auto' and 1..N cores with the current value selected, the battery
 * setting says it applies to the desktop app, and a folder's XMP outcome shows its counts, the skipped
 * files' reasons and how many more were skipped than listed.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Settings, XmpWriteResult } from '../../preload/contract';
import { UnderstandingSettings, withPatch, XmpOutcome } from '../../renderer/src/features/settings/settings-page';

const values: Settings = {
  understanding: { pauseOnBattery: true, backgroundThreads: 2, variant: 'auto' },
  xmp: { naming: 'basename', subjects: 'merge' },
  models: { hubEndpoint: 'https://huggingface.co', demoMode: false },
  remote: { enabled: false, backends: [], fallbackLocal: true, inFlight: 8, maxTiles: 1, timeoutSeconds: 120, chat: false },
};

describe('settings page', () => {
  it('shows a change at once: the patched fields replace the old ones, the rest stays', () => {
    const next = withPatch(values, { remote: { enabled: true, inFlight: 4 }, xmp: { subjects: 'replace' } });
    expect(next.remote).toEqual({ ...values.remote, enabled: true, inFlight: 4 });
    expect(next.xmp).toEqual({ naming: 'basename', subjects: 'replace' });
    expect(next.understanding).toBe(values.understanding);
    expect(values.remote.enabled).toBe(false); // the old values are not changed in place
  });

  it('offers auto and 1..N cores for the threads, with the current value selected', () => {
    const html = renderToStaticMarkup(createElement(UnderstandingSettings, { values, cores: 4, disabled: false, onChange: () => {} }));
    const optionsOf = (id: string) =>
      [...(html.match(new RegExp(`<select id="${id}".*?</select>`))?.[0] ?? '').matchAll(/<option value="([^"]+)"( selected="")?>/g)].map(
        (m) => [m[1], m[2] !== undefined],
      );
    expect(optionsOf('setting-threads')).toEqual([
      ['auto', false],
      ['1', false],
      ['2', true],
      ['3', false],
      ['4', false],
    ]);
    // [Note: Which variant runs]: automatic, or one variant.
    expect(optionsOf('setting-variant')).toEqual([
      ['auto', true],
      ['fp32', false],
      ['fp16', false],
      ['int8', false],
      ['q4', false],
    ]);
    expect(html).toContain('Automatic (all 4 cores)');
    expect(html).toContain('Applies to the desktop app');
    expect(html).toMatch(/<input type="checkbox"[^>]*checked=""/);
  });

  it("shows a folder's XMP outcome: counts, reasons, and how many skipped files are not listed", () => {
    const result: XmpWriteResult = {
      photos: 260,
      written: 7,
      unchanged: 3,
      skipped: 250,
      items: Array.from({ length: 200 }, (_, i) => ({
        photoId: i + 1,
        path: `/p/${i}.jpg`,
        sidecarPath: null,
        reason: 'not understood yet',
      })),
      naming: 'basename',
      subjects: 'merge',
    };
    const html = renderToStaticMarkup(createElement(XmpOutcome, { result }));
    expect(html).toContain('7 written · 3 already up to date · 250 skipped');
    expect(html).toContain('<code>/p/0.jpg</code>: not understood yet');
    expect(html).toContain('… and 50 more');
    const none = renderToStaticMarkup(createElement(XmpOutcome, { result: { ...result, skipped: 0, items: [] } }));
    expect(none).not.toContain('skipped</summary>');
    expect(none).not.toContain('Why files were skipped');
  });
});
