/**
 * @file `npm run bench:remote`: is the client ever the bottleneck of remote understanding? 200 photos
 * through a local OpenAI-compatible test server (test/integration/helpers/openai-test-server.ts, in a
 * child process of its own so that it does not share this event loop) that answers each request after
 * a fixed delay and works on at most 16 at once, as a GPU server's batch would. Photos/s with 1, 4 and
 * 16 requests in flight (`remote.inFlight`); the target is 16 in flight ≥ 12× one in flight.
 *
 * What runs per photo is the step's transport (main/remote/remote-understand.ts): the photo resized
 * to a 448 px JPEG data URL by sharp, the caption and tag questions (and the transcription when a text
 * label is chosen) through the shared request limiter, the answers mapped onto the stored record. Two
 * batches of `inFlight` photos are worked on at once, as the step does. The database write is not
 * timed (it is the local step's, measured by bench:understand).
 *
 * Flags: --photos N (200), --delay-ms N (250: about one batched 30-token InternVL3-2B answer on a GPU), --server-max N (16). Prints the load average before
 * and after (2 CPUs shared with other work skew every figure), the client's CPU time per photo (what
 * bounds it when the machine is busy), and one JSON line last.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DEFAULT_LABELS, DEFAULT_TEXT_LABELS } from '../../main/understanding/default-taxonomy';
import { createLimiter } from '../../main/remote/limiter';
import { createRemoteClient } from '../../main/remote/remote-client';
import { toModelOutput } from '../../main/remote/remote-record';
import { understandRemote } from '../../main/remote/remote-understand';
import { startOpenAITestServer } from '../integration/helpers/openai-test-server';
import { arg, printTable, round } from './bench-helpers';

const MODEL = 'OpenGVLab/InternVL3-2B';
const load1 = () => round(loadavg()[0] ?? 0, 2);

/** `--serve`: the test server, in this child process; prints its URL, then its chat count on stdin close. */
async function serve(): Promise<void> {
  const server = await startOpenAITestServer({
    models: [MODEL],
    delayMs: Number(arg('delay-ms', '250')),
    maxConcurrent: Number(arg('server-max', '16')),
    keepBodies: false,
  });
  process.stdout.write(`URL ${server.url}\n`);
  process.stdin.resume();
  process.stdin.on('data', () => process.stdout.write(`PEAK ${server.peak()} CHATS ${server.chatCount()}\n`));
  process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
}

async function makePhotos(dir: string, n: number): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const file = join(dir, `p${i}.jpg`);
    await sharp({
      create: {
        width: 1024,
        height: 768,
        channels: 3,
        background: { r: (i * 37) % 256, g: (i * 91) % 256, b: (i * 53) % 256 },
        noise: { type: 'gaussian', mean: 128, sigma: 20 },
      },
    })
      .jpeg({ quality: 85 })
      .toFile(file);
    out.push(file);
  }
  return out;
}

async function run(url: string, photos: string[], inFlight: number): Promise<{ seconds: number; failed: number; cpuMs: number }> {
  const client = createRemoteClient({ url, model: MODEL, apiKey: null, timeoutMs: 60_000 });
  const limiter = createLimiter(() => inFlight);
  const state = { schema: null };
  const labels = { labels: [...DEFAULT_LABELS], textLabels: [...DEFAULT_TEXT_LABELS], ids: DEFAULT_LABELS.map((_, i) => i + 1) };
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  // Two batches of `inFlight` photos at once, as the step's concurrency 2 × maxBatch inFlight.
  const worker = async () => {
    while (next < photos.length) {
      const path = photos[next++]!;
      const p0 = performance.now();
      try {
        const a = await understandRemote(path, {
          client,
          state,
          limiter,
          labels: labels.labels,
          textLabels: labels.textLabels,
          maxTiles: 1,
        });
        toModelOutput(a, labels, performance.now() - p0);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: 2 * inFlight }, worker));
  const cpu = process.cpuUsage(cpu0);
  return { seconds: (performance.now() - t0) / 1000, failed, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function main(): Promise<void> {
  if (process.argv.includes('--serve')) return serve();
  const n = Number(arg('photos', '200'));
  const delayMs = Number(arg('delay-ms', '250'));
  const serverMax = Number(arg('server-max', '16'));
  const work = mkdtempSync(join(tmpdir(), 'shoebox-bench-remote-'));
  const loadStart = load1();
  process.stderr.write(`load average (1 min) at start: ${loadStart}\n`);
  const photos = await makePhotos(join(work, 'photos'), n);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', process.argv[1]!, '--serve', '--delay-ms', String(delayMs), '--server-max', String(serverMax)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines: string[] = [];
  const waitLine = (prefix: string) =>
    new Promise<string>((resolve) => {
      const look = () => {
        const i = lines.findIndex((l) => l.startsWith(prefix));
        if (i >= 0) resolve(lines.splice(i, 1)[0]!);
        else setTimeout(look, 10);
      };
      look();
    });
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  const url = (await waitLine('URL ')).slice(4);
  const rows: string[][] = [['in flight', 'seconds', 'photos/s', 'failed', 'server peak', 'requests', 'client CPU ms/photo']];
  let cpuPerPhoto = 0;
  const perS: Record<number, number> = {};
  let requests = 0;
  let peak16 = 0;
  for (const c of [1, 4, 16]) {
    const r = await run(url, photos, c);
    child.stdin.write('?\n');
    const [, peak, , chats] = (await waitLine('PEAK ')).split(' ');
    const made = Number(chats) - requests;
    requests = Number(chats);
    if (c === 16) peak16 = Number(peak);
    perS[c] = n / r.seconds;
    cpuPerPhoto = Math.max(cpuPerPhoto, r.cpuMs / n);
    rows.push([
      String(c),
      round(r.seconds, 2).toFixed(2),
      round(perS[c], 2).toFixed(2),
      String(r.failed),
      String(peak),
      String(made),
      round(r.cpuMs / n, 1).toFixed(1),
    ]);
  }
  child.stdin.end();
  rmSync(work, { recursive: true, force: true });
  printTable(rows);
  const loadEnd = load1();
  process.stderr.write(`load average (1 min) at end: ${loadEnd}\n`);
  console.log(
    JSON.stringify({
      photos: n,
      delay_ms: delayMs,
      server_max_concurrent: serverMax,
      photos_per_s_c1: round(perS[1]!, 3),
      photos_per_s_c4: round(perS[4]!, 3),
      photos_per_s_c16: round(perS[16]!, 3),
      concurrency_speedup: round(perS[16]! / perS[1]!, 2),
      requests_per_photo: round(requests / (3 * n), 2),
      server_peak_c16: peak16,
      // What this process spent per photo (resize, JSON, HTTP): 1000 / this is the photos/s one core could feed.
      client_cpu_ms_per_photo: round(cpuPerPhoto, 1),
      load_avg_start: loadStart,
      load_avg_end: loadEnd,
    }),
  );
}

await main();
