/**
 * @file The `fetch` the hub client downloads with: it follows redirects itself, so that it decides
 * which request carries the access token and so that `Range` survives a redirect to the CDN.
 *
 * Runs in main, on Node's fetch. Plugged into the downloader's HTTP client (http-client.ts) as its
 * `fetch`, so retries, idle timeouts, resume and cancel work as for any other download.
 *
 * [Note: Hub credentials] A Hugging Face access token (for gated or private repositories) is sent as
 * `Authorization: Bearer …` only on requests to the hub's own origin (scheme, host and port of the
 * hub URL, [Note: Hub endpoint]). The hub answers `resolve` URLs of large files with a redirect to a
 * CDN on another host, with the permission in a signed URL: that request and any other one off the
 * hub's origin goes without the header, as does a redirect back to http from https (refused
 * outright). The token lives in this closure only: it is never part of a URL, a log line or an error
 * message, and it is read from the secret store (token-store.ts) once per download.
 */
import { DownloadError } from '../http-client';

/** Statuses that redirect; 303 turns into a GET, which every request here already is. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** More redirects than this in one request is a loop. */
const MAX_REDIRECTS = 10;

/** Options of {@link createHubFetch}. */
export interface HubFetchOptions {
  /** The hub URL ([Note: Hub endpoint]); only its origin gets the token. */
  endpoint: string;
  /** Access token, or null to send none. */
  token: string | null;
  fetch?: typeof globalThis.fetch;
}

/** A `fetch` that follows redirects itself and attaches the token only on the hub's origin. */
export function createHubFetch(opts: HubFetchOptions): typeof globalThis.fetch {
  const doFetch = opts.fetch ?? globalThis.fetch;
  const hubOrigin = new URL(opts.endpoint).origin;
  const token = opts.token;

  return async (input, init) => {
    let url = new URL(input instanceof Request ? input.url : String(input));
    const base = new Headers(init?.headers);
    base.delete('authorization'); // only this function decides who gets credentials
    for (let hop = 0; ; hop++) {
      const headers = new Headers(base); // Range and the rest go to every hop
      if (token !== null && url.origin === hubOrigin) headers.set('authorization', `Bearer ${token}`);
      const res = await doFetch(url.href, { ...init, headers, redirect: 'manual' });
      if (!REDIRECTS.has(res.status)) return res;
      await res.body?.cancel().catch(() => {});
      const location = res.headers.get('location');
      if (location === null || location === '') {
        throw new DownloadError('http', `${url.href} answered HTTP ${res.status} without saying where to go (no Location header)`, true);
      }
      if (hop >= MAX_REDIRECTS) throw new DownloadError('http', `${url.href}: more than ${MAX_REDIRECTS} redirects; the server loops`);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new DownloadError('http', `${url.href} redirected to ${JSON.stringify(location)}, which is not a URL`);
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new DownloadError('http', `${url.href} redirected to a ${next.protocol} URL; only http(s) is followed`);
      }
      if (url.protocol === 'https:' && next.protocol === 'http:') {
        throw new DownloadError('http', `${url.href} redirected from https to plain http (${next.origin}); refused`);
      }
      url = next;
    }
  };
}
