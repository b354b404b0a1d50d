/**
 * @file A Hugging Face hub on 127.0.0.1 for the hub client's tests: the tree API of each repository's
 * revision (`/api/models/{repo}/tree/{revision}?recursive=true`, paginated with `Link`), `resolve`
 * URLs that serve files kept in git themselves (honouring Range) and redirect LFS files with a 302 to
 * a second server, the CDN (a `startBundleServer` on another port, which honours Range and can
 * misbehave on purpose), gated repositories that want `Authorization: Bearer <token>`, and a log of
 * every request with its Range and Authorization headers.
 *
 * Runs in vitest (Node). Never reaches anything but loopback.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startBundleServer, trackRequest, type Behaviour, type BundleServer, type LoggedRequest } from './models-fixture';

/** One file of a fake repository; `lfs` files are served by the CDN. */
export interface HubFile {
  bytes: Buffer;
  lfs: boolean;
}

/** A repository at one revision. `gated`: the token it wants (others get 401). */
export interface HubRepo {
  repo: string;
  revision: string;
  files: Map<string, HubFile>;
  gated?: string;
}

/** What the hub does with one request, beyond the CDN's behaviours: replace a tree page's body or `Link`. */
export type HubBehaviour = Behaviour | { kind: 'page'; body: string; link?: string };

export interface FakeHub {
  endpoint: string;
  cdn: BundleServer;
  /** Requests to the hub itself (the CDN logs its own in `cdn.requests`). */
  requests: LoggedRequest[];
  behave: (url: string, nth: number) => HubBehaviour;
  /** Entries per tree page. */
  pageSize: number;
  close(): Promise<void>;
}

export const sha1Blob = (b: Buffer) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
export const sha256Of = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** A fake 40-hex commit id. */
export const fakeRevision = () => randomBytes(20).toString('hex');

/** The tree API's entries of `r`: every file and every folder, sorted by path. */
function treeEntries(r: HubRepo): object[] {
  const dirs = new Set<string>();
  const entries: { path: string; entry: object }[] = [];
  for (const [p, f] of r.files) {
    const segments = p.split('/');
    for (let i = 1; i < segments.length; i++) dirs.add(segments.slice(0, i).join('/'));
    const pointer = Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256Of(f.bytes)}\nsize ${f.bytes.length}\n`);
    entries.push({
      path: p,
      entry: f.lfs
        ? {
            type: 'file',
            oid: sha1Blob(pointer),
            size: f.bytes.length,
            lfs: { oid: sha256Of(f.bytes), size: f.bytes.length, pointerSize: pointer.length },
            path: p,
          }
        : { type: 'file', oid: sha1Blob(f.bytes), size: f.bytes.length, path: p },
    });
  }
  for (const d of dirs) entries.push({ path: d, entry: { type: 'directory', oid: sha1Blob(Buffer.from(d)), size: 0, path: d } });
  return entries.sort((a, b) => a.path.localeCompare(b.path)).map((e) => e.entry);
}

/** Starts the hub and its CDN on 127.0.0.1 (port 0 each) with these repositories. */
export async function startFakeHub(repos: HubRepo[], options: { pageSize?: number } = {}): Promise<FakeHub> {
  const lfs = new Map<string, Buffer>();
  for (const r of repos) for (const f of r.files.values()) if (f.lfs) lfs.set(sha256Of(f.bytes), f.bytes);
  const cdn = await startBundleServer([{ id: 'lfs', manifestText: '{}', files: lfs }]);
  const counts = new Map<string, number>();
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const { url, nth, range, log } = trackRequest(req, counts, hub.requests);
    const auth = req.headers.authorization ?? null;
    const send = (status: number, body: string | Buffer, headers: Record<string, string | number> = {}) => {
      log(status);
      res.writeHead(status, headers).end(body);
    };
    const behaviour = hub.behave(url, nth);
    if (behaviour.kind === 'status') return send(behaviour.status, 'nope', behaviour.headers ?? {});

    const [pathname = '', query = ''] = url.split('?');
    const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)$/.exec(pathname);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(pathname);
    const repoId = decodeURIComponent(tree?.[1] ?? resolve?.[1] ?? '');
    const r = repos.find((x) => x.repo === repoId && x.revision === decodeURIComponent(tree?.[2] ?? resolve?.[2] ?? ''));
    if (!r) return send(404, JSON.stringify({ error: 'Repository Not Found' }), { 'content-type': 'application/json' });
    if (r.gated !== undefined && auth !== `Bearer ${r.gated}`) {
      return send(401, JSON.stringify({ error: 'Access to this model is restricted' }), { 'content-type': 'application/json' });
    }

    if (tree) {
      const cursor = Number(new URLSearchParams(query).get('cursor') ?? 0);
      const all = treeEntries(r);
      const page = all.slice(cursor, cursor + hub.pageSize);
      const next = cursor + hub.pageSize < all.length ? `${hub.endpoint}${pathname}?recursive=true&cursor=${cursor + hub.pageSize}` : null;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (behaviour.kind === 'page') {
        if (behaviour.link) headers['link'] = behaviour.link;
        return send(200, behaviour.body, headers);
      }
      if (next) headers['link'] = `<${next}>; rel="next"`;
      return send(200, JSON.stringify(page), headers);
    }

    const file = r.files.get(decodeURIComponent(resolve![3]!));
    if (!file) return send(404, 'Entry not found');
    if (file.lfs) return send(302, '', { location: `${hub.cdn.baseUrl}/lfs/${sha256Of(file.bytes)}` });
    let body = behaviour.kind === 'body' ? behaviour.bytes : file.bytes;
    const m = range ? /^bytes=(\d+)-$/.exec(range) : null;
    const start = m ? Number(m[1]) : 0;
    if (start >= body.length && m) return send(416, '', { 'content-range': `bytes */${body.length}` });
    body = body.subarray(start);
    const status = m ? 206 : 200;
    log(status);
    res.writeHead(status, {
      'content-length': body.length,
      ...(m ? { 'content-range': `bytes ${start}-${start + body.length - 1}/${start + body.length}` } : {}),
    });
    if (behaviour.kind === 'cut') {
      res.write(body.subarray(0, behaviour.after), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const hub: FakeHub = {
    endpoint: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    cdn,
    requests: [],
    behave: () => ({ kind: 'normal' }),
    pageSize: options.pageSize ?? 1000,
    close: async () => {
      await new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      });
      await cdn.close();
    },
  };
  return hub;
}

/** A checkpoint in OpenGVLab's original InternVL layout, with files Shoebox must leave alone. */
export function internvlRepo(repo: string, revision: string, weightBytes = 200 * 1024): HubRepo {
  const text = (s: string) => ({ bytes: Buffer.from(s), lfs: false });
  return {
    repo,
    revision,
    files: new Map<string, HubFile>([
      ['.gitattributes', text('*.safetensors filter=lfs diff=lfs merge=lfs -text\n')],
      ['README.md', text('# a model card\n')],
      ['config.json', text(JSON.stringify({ architectures: ['InternVLChatModel'], llm_config: { hidden_size: 64 } }))],
      ['generation_config.json', text('{}')],
      ['tokenizer_config.json', text(JSON.stringify({ model_max_length: 8192 }))],
      ['vocab.json', text(JSON.stringify({ a: 0, b: 1 }))],
      ['merges.txt', text('#version: 0.2\na b\n')],
      ['added_tokens.json', text(JSON.stringify({ '<IMG_CONTEXT>': 151667 }))],
      ['special_tokens_map.json', text('{}')],
      ['modeling_internvl_chat.py', text('import torch  # remote code: never fetched\n')],
      ['examples/image1.jpg', { bytes: randomBytes(4096), lfs: true }],
      ['model.safetensors', { bytes: randomBytes(weightBytes), lfs: true }],
      [
        'tokenizer.json',
        { bytes: Buffer.from(JSON.stringify({ version: '1.0', model: { type: 'BPE', vocab: {}, merges: [] } })), lfs: true },
      ],
    ]),
  };
}

/**
 * A checkpoint folder (test/fixtures/checkpoints/*) as repository `repo` at `revision`: safetensors
 * through the CDN (LFS), the rest from the hub; the fixture's goldens (expected.json) are not a hub file.
 */
export function repoFromDir(repo: string, revision: string, dir: string): HubRepo {
  const files = new Map<string, HubFile>();
  for (const name of readdirSync(dir)) {
    if (name === 'expected.json') continue;
    files.set(name, { bytes: readFileSync(path.join(dir, name)), lfs: name.endsWith('.safetensors') });
  }
  return { repo, revision, files };
}
