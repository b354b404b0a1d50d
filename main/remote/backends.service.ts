/**
 * @file The list of remote backends as the user manages it (`shoebox backends`, the Settings page):
 * add one (its model found on the server when not named, its API key into the secret store), list,
 * remove (its key goes too), check their health, turn remote understanding on and off.
 *
 * Runs in main (and the CLI). The list is the `remote.backends` setting; keys live only in the secret
 * store (a 0600 file, or encrypted by the OS keychain in the desktop app) and never in a message.
 */
import { ApiError } from '../../preload/api-error';
import type { BackendHealth, BackendsDto, RemoteBackendDto } from '../../preload/contract/backends';
import type { SecretName, SecretStore } from '../models/hub/token-store';
import type { SettingsService } from '../settings/settings.service';
import { baseUrlOf, hostKind, keyRefOf, remoteMakerId, sendNotice, type RemoteBackend } from './backends';
import { createRemoteClient } from './remote-client';

export interface BackendsDeps {
  settings: SettingsService;
  secrets: SecretStore;
  /** For tests: the fetch the OpenAI client uses. */
  fetch?: typeof fetch;
}

export type BackendsService = ReturnType<typeof createBackends>;

const same = (a: Pick<RemoteBackend, 'url' | 'model'>, b: Pick<RemoteBackend, 'url' | 'model'>) =>
  baseUrlOf(a.url) === baseUrlOf(b.url) && a.model === b.model;

/** Builds the service. */
export function createBackends(deps: BackendsDeps) {
  const list = () => deps.settings.values().remote.backends;
  const timeoutMs = () => deps.settings.values().remote.timeoutSeconds * 1000;

  async function keyOf(b: RemoteBackend): Promise<string | null> {
    return b.keyRef ? deps.secrets.get(b.keyRef as SecretName) : null;
  }

  const client = (url: string, model: string, apiKey: string | null) =>
    createRemoteClient({
      url,
      model,
      apiKey,
      timeoutMs: Math.min(timeoutMs(), 30_000),
      maxRetries: 0,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });

  async function dto(b: RemoteBackend): Promise<RemoteBackendDto> {
    let hasKey = false;
    try {
      hasKey = (await keyOf(b)) !== null;
    } catch {
      hasKey = false;
    }
    return { ...b, where: hostKind(b.url), notice: sendNotice(b.url), madeBy: remoteMakerId(b), hasKey };
  }

  function parseUrl(raw: string): string {
    try {
      const u = new URL(raw.trim());
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
      if (u.username || u.password || u.search || u.hash) throw new Error('credentials, query or fragment');
    } catch (err) {
      throw new ApiError(
        'bad-argument',
        `${raw} is not a usable backend URL (an http(s) URL without credentials, query or fragment: ${(err as Error).message})`,
      );
    }
    return raw.trim().replace(/\/+$/, '');
  }

  return {
    /** The backends in the order they are tried, with where each is and what leaves the machine. */
    async list(): Promise<BackendsDto> {
      const r = deps.settings.values().remote;
      return { enabled: r.enabled, fallbackLocal: r.fallbackLocal, backends: await Promise.all(r.backends.map(dto)) };
    },

    /**
     * Adds a backend at the end of the list (or updates the one with the same URL and model). Without a
     * model, the server's `GET /v1/models` must list exactly one. The key goes to the secret store.
     */
    async add(a: {
      url: string;
      model?: string | undefined;
      apiKey?: string | null | undefined;
    }): Promise<{ backend: RemoteBackendDto; health: BackendHealth }> {
      const url = parseUrl(a.url);
      let model = a.model?.trim();
      const apiKey = a.apiKey ?? null;
      if (!model) {
        const h = await client(url, '', apiKey).health();
        if (h.models.length !== 1)
          throw new ApiError(
            'bad-argument',
            h.models.length === 0
              ? `cannot list the models of ${url}: ${h.problem ?? 'it lists none'}; name one with --model`
              : `${url} serves ${h.models.length} models (${h.models.join(', ')}); name one with --model`,
          );
        model = h.models[0]!;
      }
      const keyRef = apiKey ? keyRefOf(url, model) : null;
      if (keyRef && apiKey) await deps.secrets.set(keyRef, apiKey);
      const next: RemoteBackend = { url, model, keyRef };
      const others = list().filter((b) => !same(b, next));
      const at = list().findIndex((b) => same(b, next));
      const backends = at >= 0 ? list().map((b, i) => (i === at ? next : b)) : [...others, next];
      deps.settings.set({ remote: { backends } });
      const health = await client(url, model, apiKey).health();
      return { backend: await dto(next), health };
    },

    /** Removes a backend by its position (1-based) or URL, and its key. */
    async remove(which: string): Promise<RemoteBackend> {
      const all = list();
      const n = /^\d+$/.test(which) ? Number(which) - 1 : -1;
      const matches = n >= 0 ? (all[n] ? [all[n]] : []) : all.filter((b) => baseUrlOf(b.url) === baseUrlOf(parseUrl(which)));
      if (matches.length === 0) throw new ApiError('not-found', `no backend ${which} (see \`shoebox backends list\`)`);
      if (matches.length > 1) throw new ApiError('bad-argument', `${which} names ${matches.length} backends; remove by position`);
      const gone = matches[0]!;
      deps.settings.set({ remote: { backends: all.filter((b) => b !== gone) } });
      if (gone.keyRef && !list().some((b) => b.keyRef === gone.keyRef)) await deps.secrets.set(gone.keyRef as SecretName, null);
      return gone;
    },

    /** Health of every backend (`GET /v1/models`, the model listed). */
    async check(): Promise<BackendHealth[]> {
      return Promise.all(
        list().map(async (b) => {
          let key: string | null;
          try {
            key = await keyOf(b);
          } catch (err) {
            return {
              url: b.url,
              model: b.model,
              ok: false,
              models: [],
              problem: `the API key cannot be read: ${(err as Error).message}`,
              ms: 0,
            };
          }
          return client(b.url, b.model, key).health();
        }),
      );
    },

    /** Turns remote understanding on or off. */
    setEnabled(enabled: boolean) {
      deps.settings.set({ remote: { enabled } });
    },
  };
}
