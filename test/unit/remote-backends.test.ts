/**
 * @file Issue 13's pure pieces: where a backend is (loopback, LAN, internet) and the notice that says
 * so, its base URL and id, the tile grid a photo is sized for, reading a tag answer (the JSON asked for
 * or a plain list), the limiter of requests in flight, and the stored record of remote answers.
 */
import { describe, expect, it } from 'vitest';
import { baseUrlOf, backendId, hostKind, keyRefOf, remoteMakerId, remoteTarget, sendNotice } from '../../main/remote/backends';
import { createLimiter } from '../../main/remote/limiter';
import { toModelOutput } from '../../main/remote/remote-record';
import { parseTagAnswer, tagSchema, tileGrid } from '../../main/remote/remote-understand';

describe('remote backends', () => {
  it('tells this computer, the local network and the internet apart without a DNS lookup', () => {
    for (const u of ['http://localhost:8000', 'http://127.0.0.1:8000', 'http://[::1]:8000', 'http://api.localhost'])
      expect(hostKind(u), u).toBe('loopback');
    for (const u of [
      'http://192.168.1.20:8000',
      'http://10.0.0.5',
      'http://172.20.1.1',
      'http://gpu-box.local:8000',
      'http://gpubox:23333',
      'http://[fd00::2]',
      'http://100.101.1.2',
    ])
      expect(hostKind(u), u).toBe('lan');
    for (const u of ['https://gpu.example.com', 'http://8.8.8.8', 'http://172.32.0.1', 'http://[2001:db8::1]'])
      expect(hostKind(u), u).toBe('public');
    expect(sendNotice('http://127.0.0.1:8000')).toMatch(/server on this computer \(127\.0\.0\.1:8000\)/);
    expect(sendNotice('http://192.168.1.20:8000')).toMatch(/over your local network to 192\.168\.1\.20:8000, unencrypted/);
    expect(sendNotice('https://gpu.example.com')).toMatch(/over the internet to gpu\.example\.com: whoever runs/);
    expect(sendNotice('http://gpu.example.com')).toMatch(/UNENCRYPTED/);
  });

  it('gives the client the /v1 base, names the maker remote:<model>@<host>, and keys by URL and model', () => {
    expect(baseUrlOf('http://gpu:8000')).toBe('http://gpu:8000/v1');
    expect(baseUrlOf('http://gpu:8000/')).toBe('http://gpu:8000/v1');
    expect(baseUrlOf('http://gpu:8000/v1/')).toBe('http://gpu:8000/v1');
    expect(baseUrlOf('https://proxy/lmdeploy')).toBe('https://proxy/lmdeploy/v1');
    expect(remoteMakerId({ url: 'http://gpu:8000', model: 'OpenGVLab/InternVL3-2B' })).toBe('remote:OpenGVLab/InternVL3-2B@gpu:8000');
    expect(backendId('http://gpu:8000', 'm')).toBe(backendId('http://gpu:8000/v1', 'm'));
    expect(backendId('http://gpu:8000', 'm')).not.toBe(backendId('http://gpu:8000', 'n'));
    expect(keyRefOf('http://gpu:8000', 'm')).toMatch(/^backend-key-[0-9a-f]{12}$/);
    expect(remoteTarget({ enabled: false, backends: [{ model: 'm' }] })).toBeNull();
    expect(remoteTarget({ enabled: true, backends: [] })).toBeNull();
    expect(remoteTarget({ enabled: true, backends: [{ model: 'm' }, { model: 'n' }] })).toEqual({ id: 'remote:m', variant: 'remote' });
  });

  it("sizes a photo on InternVL's tile grid", () => {
    expect(tileGrid(4000, 3000, 1)).toEqual({ cols: 1, rows: 1 });
    expect(tileGrid(1200, 600, 6)).toEqual({ cols: 2, rows: 1 });
    expect(tileGrid(600, 1800, 6)).toEqual({ cols: 1, rows: 3 });
    expect(tileGrid(4000, 3000, 12)).toEqual({ cols: 4, rows: 3 });
    expect(tileGrid(448, 448, 12)).toEqual({ cols: 1, rows: 1 }); // a small square stays one tile
    expect(tileGrid(2000, 2000, 12)).toEqual({ cols: 3, rows: 3 }); // an exact tie goes to more tiles while the photo covers them
  });

  it('reads the tags asked for as JSON, or a plain list; only labels of the list, each once, at most ten', () => {
    const labels = ['dog', 'beach', 'sunset', 'group photo', 'document'];
    expect(parseTagAnswer('{"tags": ["dog", "beach"]}', labels)).toEqual({ tags: ['dog', 'beach'], json: true });
    expect(parseTagAnswer('```json\n{"tags":["Sunset","dog","dog","cat"]}\n```', labels)).toEqual({ tags: ['sunset', 'dog'], json: true });
    expect(parseTagAnswer('["group photo"]', labels)).toEqual({ tags: ['group photo'], json: true });
    expect(parseTagAnswer('Tags: dog, beach.', labels)).toEqual({ tags: ['dog', 'beach'], json: false });
    expect(parseTagAnswer('- Dog\n- group photo\n3. document', labels)).toEqual({ tags: ['dog', 'group photo', 'document'], json: false });
    expect(parseTagAnswer('{"tags": ["dog", "bea', labels)).toEqual({ tags: ['dog'], json: false }); // cut at the token limit
    expect(parseTagAnswer('I cannot see anything.', labels)).toEqual({ tags: [], json: false });
    const many = Array.from({ length: 20 }, (_, i) => `l${i}`);
    expect(parseTagAnswer(JSON.stringify({ tags: many }), many).tags).toHaveLength(10);
    expect(tagSchema(labels)).toMatchObject({ properties: { tags: { items: { enum: labels }, maxItems: 10 } }, required: ['tags'] });
  });

  it('keeps at most size() tasks running; a waiting task can be cancelled', async () => {
    let size = 2;
    const limiter = createLimiter(() => size);
    let running = 0;
    let peak = 0;
    const task = () =>
      limiter.run(async () => {
        peak = Math.max(peak, ++running);
        await new Promise((r) => setTimeout(r, 10));
        running--;
      });
    await Promise.all(Array.from({ length: 10 }, task));
    expect(peak).toBe(2);
    size = 5;
    peak = 0;
    await Promise.all(Array.from({ length: 10 }, task));
    expect(peak).toBe(5);

    size = 1;
    let release!: () => void;
    const first = limiter.run(() => new Promise<void>((r) => (release = r)));
    const ac = new AbortController();
    const second = limiter.run(async () => 'ran', ac.signal);
    ac.abort(new Error('stop'));
    await expect(second).rejects.toThrow('stop');
    release();
    await first;
    expect(limiter.active()).toBe(0);
  });

  it('stores remote answers as the local step does: states by how the caption ended, tags by label id without a score', () => {
    const labels = { labels: ['dog', 'document'], textLabels: ['document'], ids: [7, 9] };
    const base = {
      numTiles: 3,
      tags: ['document', 'unknown'],
      structured: true,
      text: { text: 'HELLO', finish: 'stop' as const, reason: 'document' },
    };
    expect(toModelOutput({ ...base, caption: { text: 'A dog.', finish: 'stop' } }, labels, 12.6)).toEqual({
      state: 'ok',
      calibrated: false,
      numTiles: 3,
      ms: 13,
      caption: { text: 'A dog.', finish: 'stop' },
      text: { text: 'HELLO', finish: 'stop', reason: 'document' },
      tags: [{ labelId: 9, score: null, rawScore: null }],
    });
    expect(toModelOutput({ ...base, caption: { text: '', finish: 'empty' } }, labels, 1).state).toBe('empty');
    expect(toModelOutput({ ...base, caption: { text: 'A dog that', finish: 'length' } }, labels, 1).state).toBe('runaway');
  });
});
