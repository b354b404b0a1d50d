/**
 * @file What a remote understanding backend is, independent of any request: its config (URL, model,
 * key name), the base URL the OpenAI client gets, its id and key name, where it is on the network
 * (this machine, the local network, the internet) and the notice that says photos are sent there.
 *
 * Runs in main (and the CLI). Pure: no I/O. See [Note: Remote backends are a transport] in
 * ./remote-step.ts.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { RemoteBackend } from '../../preload/contract/backends';

export type { RemoteBackend };

/** Where a backend is, as the notice says it. */
export type HostKind = 'loopback' | 'lan' | 'public';

/** The OpenAI client's base URL: the server's URL with `/v1` appended unless it ends with it. */
export function baseUrlOf(url: string): string {
  const u = new URL(url.trim());
  const path = u.pathname.replace(/\/+$/, '');
  u.pathname = /\/v1$/.test(path) ? path : `${path}/v1`;
  return u.toString().replace(/\/+$/, '');
}

/** `host:port` of a backend, as provenance (`remote:<model>@<host>`) and messages name it. */
export function hostOf(url: string): string {
  return new URL(url.trim()).host;
}

/** A backend's stable id (URL and model): names its API key in the secret store. */
export function backendId(url: string, model: string): string {
  return createHash('sha256')
    .update(`${baseUrlOf(url)}\n${model}`)
    .digest('hex')
    .slice(0, 12);
}

/** The secret store's name for a backend's API key. */
export const keyRefOf = (url: string, model: string) => `backend-key-${backendId(url, model)}` as const;

/** Who made a result through this backend: `remote:<model>@<host>`. */
export const remoteMakerId = (b: Pick<RemoteBackend, 'url' | 'model'>) => `remote:${b.model}@${hostOf(b.url)}`;

function ipv4Kind(ip: string): HostKind {
  const [a = 0, b = 0] = ip.split('.').map(Number);
  if (a === 127) return 'loopback';
  if (
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    (a === 100 && b >= 64 && b <= 127)
  )
    return 'lan';
  return 'public';
}

/**
 * Where a backend is by its host name alone (no DNS lookup, which could take long or lie): loopback
 * addresses and `localhost`; private, link-local and CGNAT ranges and `.local` / `.lan` / `.home.arpa`
 * names and single-label names as the local network; anything else as the internet.
 */
export function hostKind(url: string): HostKind {
  const host = new URL(url.trim()).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  const v = isIP(host);
  if (v === 4) return ipv4Kind(host);
  if (v === 6) {
    if (host === '::1') return 'loopback';
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
    if (mapped) return ipv4Kind(mapped[1]!);
    if (/^f[cd]/.test(host) || /^fe[89ab]/.test(host)) return 'lan';
    return 'public';
  }
  if (!host.includes('.') || /\.(local|lan|home\.arpa|internal)$/.test(host)) return 'lan';
  return 'public';
}

/** The notice shown before and while a backend is used: what leaves this machine and to where. */
export function sendNotice(url: string): string {
  const host = hostOf(url);
  const secure = new URL(url.trim()).protocol === 'https:';
  switch (hostKind(url)) {
    case 'loopback':
      return `Photos are sent to a server on this computer (${host}).`;
    case 'lan':
      return `Photos are sent over your local network to ${host}${secure ? '' : ', unencrypted (http)'}: anyone who runs that server sees them.`;
    case 'public':
      return `Photos are sent over the internet to ${host}${secure ? '' : ', UNENCRYPTED (http)'}: whoever runs that server sees them.`;
  }
}

/**
 * What results are recorded under when no local model is installed: the first backend's model
 * ([Note: Remote backends are a transport] in ./remote-step.ts); null when remote is off.
 */
export function remoteTarget(s: {
  enabled: boolean;
  backends: readonly Pick<RemoteBackend, 'model'>[];
}): { id: string; variant: string } | null {
  const first = s.enabled ? s.backends[0] : undefined;
  return first ? { id: `remote:${first.model}`, variant: 'remote' } : null;
}
