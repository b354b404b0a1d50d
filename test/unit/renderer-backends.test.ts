/**
 * @file The Settings page's "Remote understanding" section (issue 13) rendered from plain data: each
 * server with where it is and the notice of what leaves the computer, whether its key is stored (never
 * the key), a failed check's reason, and whether photos leave the computer at all.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { BackendHealth, BackendsDto, Settings } from '../../preload/contract';
import { BackendsView } from '../../renderer/src/features/settings/backends-section';

const values = (enabled: boolean): Settings => ({
  understanding: { pauseOnBattery: true, backgroundThreads: 2, variant: 'auto' },
  xmp: { naming: 'basename', subjects: 'merge' },
  models: { hubEndpoint: 'https://huggingface.co', demoMode: false },
  remote: { enabled, backends: [], fallbackLocal: true, inFlight: 8, maxTiles: 1, timeoutSeconds: 120, chat: false },
});
const list: BackendsDto = {
  enabled: true,
  fallbackLocal: true,
  backends: [
    {
      url: 'http://192.168.1.20:8000',
      model: 'OpenGVLab/InternVL3-2B',
      keyRef: 'backend-key-0123456789ab',
      where: 'lan',
      notice: 'Photos are sent over your local network to 192.168.1.20:8000, unencrypted (http): anyone who runs that server sees them.',
      madeBy: 'remote:OpenGVLab/InternVL3-2B@192.168.1.20:8000',
      hasKey: true,
    },
    {
      url: 'https://gpu.example.com',
      model: 'OpenGVLab/InternVL3-8B',
      keyRef: null,
      where: 'public',
      notice: 'Photos are sent over the internet to gpu.example.com: whoever runs that server sees them.',
      madeBy: 'remote:OpenGVLab/InternVL3-8B@gpu.example.com',
      hasKey: false,
    },
  ],
};
const render = (enabled: boolean, health: BackendHealth[] | null) =>
  renderToStaticMarkup(
    createElement(BackendsView, {
      values: values(enabled),
      disabled: false,
      onChange: () => {},
      list,
      health,
      busy: false,
      error: null,
      onAdd: async () => {},
      onRemove: async () => {},
      onCheck: async () => {},
    }),
  );

describe('remote understanding settings', () => {
  it('shows every server with where it is and what leaves the computer, and a failed check', () => {
    const html = render(true, [
      {
        url: 'https://gpu.example.com',
        model: 'OpenGVLab/InternVL3-8B',
        ok: false,
        models: [],
        problem: 'gpu.example.com cannot be reached (ECONNREFUSED)',
        ms: 3,
      },
    ]);
    expect(html).toContain('On: photos leave this computer.');
    expect(html).toMatch(/local network<\/span><span class="muted"> · API key stored/);
    expect(html).toContain('over your local network to 192.168.1.20:8000, unencrypted (http)');
    expect(html).toMatch(/remote-where-public">internet</);
    expect(html).toContain('gpu.example.com cannot be reached (ECONNREFUSED)');
    expect(html).not.toContain('backend-key-0123456789ab');
    expect(html.match(/data-testid="remote-backend"/g)).toHaveLength(2);
  });

  it('says photos stay on the computer while it is off', () => {
    const html = render(false, null);
    expect(html).toContain('Off: photos stay on this computer.');
    expect(html).toMatch(/type="password"[^>]*aria-label="API key"|aria-label="API key"[^>]*type="password"/);
  });
});
