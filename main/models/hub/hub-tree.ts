/**
 * @file The Hugging Face hub's file list of one pinned revision: the URLs (`/api/models/{repo}/tree/
 * {revision}` and `/{repo}/resolve/{revision}/{path}`), the zod schema every answer must pass, the
 * `Link`-header pagination, and the path rule that keeps every listed file inside the folder it is
 * downloaded to.
 *
 * Runs in main (async HTTP through the downloader's client; no file I/O).
 *
 * [Note: Hub listings] What the hub says about a revision is input from outside and is checked before
 * anything is fetched: each entry is a file or a folder with a plain relative path (no `..`, no
 * absolute path, no backslash or drive letter, no empty segment; one such path refuses the whole
 * listing, which is malformed or hostile); a file has a 40-hex git blob id and a size, and an LFS
 * file also an `lfs` object whose `oid` is the content's sha256 and whose `size` is its byte count.
 * An LFS file is verified by size and sha256, any other file by size and git blob sha1
 * (download-file.ts), so every byte written is checked against the pinned revision. Pages come from
 * `Link: <…>; rel="next"` on the hub's own origin only, at most {@link MAX_PAGES} of them, each body
 * capped at {@link MAX_PAGE_BYTES}.
 */
import { z } from 'zod';
import type { ExpectedFile } from '../download-file';
import { DownloadError, type HttpClient } from '../http-client';

/** Most pages followed for one listing (the hub sends up to 1000 entries a page). */
export const MAX_PAGES = 100;
/** Largest page body read (a page of 1000 entries is about 300 KB). */
export const MAX_PAGE_BYTES = 16 * 1024 * 1024;
/** A repository id as the hub spells it: `owner/name`, letters, digits, '.', '_' and '-'. */
export const HUB_REPO = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?\/[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?$/;
/** A pinned revision: a full commit id. Branch and tag names move, so they are never pinned. */
export const HUB_REVISION = /^[0-9a-f]{40}$/;

const MAX_PATH = 1024;
const MAX_SEGMENT = 200;

/**
 * Why `rel` cannot be written under the download folder, or null when it is a plain relative path
 * ([Note: Hub listings]).
 */
export function hubPathProblem(rel: string): string | null {
  if (rel.length === 0 || rel.length > MAX_PATH) return `is empty or longer than ${MAX_PATH} characters`;
  const segments = rel.split('/');
  if (segments.includes('..')) return 'would escape the download folder (..)';
  if (rel.startsWith('/')) return 'is an absolute path';
  if (rel.includes('\\')) return 'contains a backslash';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[:\x00-\x1f\x7f]/.test(rel)) return 'contains a drive or stream separator (:) or a control character';
  if (segments.some((s) => s === '' || s === '.')) return 'has an empty or "." segment';
  if (segments.some((s) => s.length > MAX_SEGMENT)) return `has a name longer than ${MAX_SEGMENT} characters`;
  return null;
}

const hubPath = z.string().superRefine((rel, ctx) => {
  const problem = hubPathProblem(rel);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: `path ${JSON.stringify(rel.slice(0, 200))} ${problem}` });
});
const size = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** One entry of a tree page (unknown extra fields, such as `xetHash`, are ignored). */
const treeEntrySchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('file'),
    path: hubPath,
    oid: z.string().regex(/^[0-9a-f]{40}$/, 'oid must be a 40-hex git blob id'),
    size,
    lfs: z
      .object({
        oid: z.string().regex(/^[0-9a-f]{64}$/, 'lfs.oid must be a 64-hex sha256'),
        size,
        pointerSize: size.optional(),
      })
      .optional(),
  }),
  z.object({ type: z.literal('directory'), path: hubPath }),
]);
const treePageSchema = z.array(treeEntrySchema).max(10_000);

/** `https://hub/owner/name` with each segment escaped. */
function repoPath(repo: string): string {
  return repo
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

/** The tree API URL of `repo` at `revision`, recursive. */
export function treeUrl(endpoint: string, repo: string, revision: string): string {
  return `${endpoint}/api/models/${repoPath(repo)}/tree/${encodeURIComponent(revision)}?recursive=true`;
}

/** The download URL of one file of `repo` at `revision`; each path segment is escaped. */
export function resolveUrl(endpoint: string, repo: string, revision: string, rel: string): string {
  const file = rel
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
  return `${endpoint}/${repoPath(repo)}/resolve/${encodeURIComponent(revision)}/${file}`;
}

/** The `rel="next"` URL of a `Link` header, or null. */
export function nextLink(header: string | null): string | null {
  if (header === null) return null;
  for (const part of header.split(',')) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m && /(^|;)\s*rel\s*=\s*"?next"?\s*(;|$)/i.test(m[2] ?? '')) return m[1] ?? null;
  }
  return null;
}

/** Short form of a revision for messages. */
export const shortRev = (revision: string) => revision.slice(0, 7);

/**
 * Lists every file of `repo` at `revision` ([Note: Hub listings]): LFS files with their sha256,
 * the others with their git blob id. Rejects with {@link DownloadError} (`bad-listing` for an answer
 * that fails the schema, the HTTP client's codes for the rest).
 */
export async function listRevision(http: HttpClient, endpoint: string, repo: string, revision: string): Promise<ExpectedFile[]> {
  if (!HUB_REPO.test(repo))
    throw new DownloadError('bad-listing', `${JSON.stringify(repo)} is not a Hugging Face repository id (owner/name)`);
  if (!HUB_REVISION.test(revision))
    throw new DownloadError('bad-listing', `${JSON.stringify(revision)} is not a pinned revision (a 40-hex commit id)`);
  const origin = new URL(endpoint).origin;
  const what = `the file list of ${repo} at revision ${shortRev(revision)}`;
  const files: ExpectedFile[] = [];
  const seen = new Set<string>();
  let url: string | null = treeUrl(endpoint, repo, revision);
  for (let page = 1; url !== null; page++) {
    if (page > MAX_PAGES) throw new DownloadError('bad-listing', `${what} runs past ${MAX_PAGES} pages; refusing it`);
    if (seen.has(url)) throw new DownloadError('bad-listing', `${what}: the hub's pages loop back to ${url}`);
    seen.add(url);
    let link: string | null = null;
    const text = await http.getText(
      url,
      what,
      MAX_PAGE_BYTES,
      () => new DownloadError('bad-listing', `a page of ${what} is larger than ${MAX_PAGE_BYTES / 1024 / 1024} MiB; refusing it`),
      { accept: 'application/json' },
      (res) => {
        link = res.headers.get('link');
      },
    );
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new DownloadError(
        'bad-listing',
        `page ${page} of ${what} is not JSON (${(err as Error).message}); is ${endpoint} a Hugging Face hub?`,
      );
    }
    const parsed = treePageSchema.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ');
      throw new DownloadError('bad-listing', `page ${page} of ${what} is not a valid hub answer: ${issues}`);
    }
    for (const e of parsed.data) {
      if (e.type !== 'file') continue;
      // For an LFS file the hub's top-level `size` is the content's too; `lfs.size` is the one the
      // sha256 belongs to, so it is the size checked.
      files.push(e.lfs ? { path: e.path, bytes: e.lfs.size, sha256: e.lfs.oid } : { path: e.path, bytes: e.size, gitSha1: e.oid });
    }
    const next: string | null = nextLink(link);
    if (next === null) break;
    let nextUrl: URL;
    try {
      nextUrl = new URL(next, url);
    } catch {
      throw new DownloadError('bad-listing', `${what}: the next page ${JSON.stringify(next)} is not a URL`);
    }
    if (nextUrl.origin !== origin)
      throw new DownloadError('bad-listing', `${what}: the next page is on another server (${nextUrl.origin}); refused`);
    url = nextUrl.href;
  }
  const byPath = new Set<string>();
  for (const f of files) {
    if (byPath.has(f.path)) throw new DownloadError('bad-listing', `${what} lists ${f.path} twice`);
    byPath.add(f.path);
  }
  return files;
}
