/**
 * @file The `shoebox://media/...` protocol: originals and thumbnails for the renderer, served only for
 * files the library indexed and from the cache (see [Note: Media path guard] in media.ts, which holds
 * every check). Electron only; the headless host serves the same paths over HTTP through the same guard.
 */
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { resolveMedia, type MediaLookup } from './media';

/** Must run before the app is ready. */
export function registerMediaScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: 'shoebox', privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true } },
  ]);
}

export function handleMediaProtocol(lookup: MediaLookup): void {
  protocol.handle('shoebox', async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'media') return new Response('Not found', { status: 404 });
    const result = await resolveMedia(url.pathname, lookup);
    if (!result.ok) return new Response(result.reason, { status: result.status });
    const res = await net.fetch(pathToFileURL(result.file).toString());
    return new Response(res.body, { status: 200, headers: { 'content-type': result.mime, 'x-content-type-options': 'nosniff' } });
  });
}
