/**
 * @file Backend API keys go through the injected secret store (the OS keychain's in the desktop app,
 * a 0600 file in host mode: ServiceOptions.secrets) and nowhere else: adding a backend with a key
 * stores it under the backend's key name, the settings hold only that name, listing says a key is
 * stored without answering it, removing the backend removes the key. Against an unreachable URL:
 * adding does not need the server when the model is named.
 */
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/db/open';
import { silentLog } from '../../main/log';
import type { SecretName, SecretStore } from '../../main/models/hub/token-store';
import { keyRefOf } from '../../main/remote/backends';
import { createBackends } from '../../main/remote/backends.service';
import { createSettings } from '../../main/settings/settings.service';

/** A store like Electron's: it keeps what it is given, encrypted (here: reversed) so a plain search cannot find it. */
function fakeKeychain(): SecretStore & { raw: Map<string, string> } {
  const raw = new Map<string, string>();
  return {
    where: 'a fake keychain',
    raw,
    get: (name: SecretName) => Promise.resolve(raw.has(name) ? [...raw.get(name)!].reverse().join('') : null),
    set: (name: SecretName, value: string | null) =>
      Promise.resolve(void (value === null ? raw.delete(name) : raw.set(name, [...value].reverse().join('')))),
  };
}

describe('backend API keys', () => {
  it("live only in the injected secret store, under the backend's key name, and go with the backend", async () => {
    const db = openDatabase(':memory:');
    const settings = createSettings({ db, log: silentLog, emit: () => {}, cores: 4 });
    const secrets = fakeKeychain();
    const backends = createBackends({ settings, secrets });
    const url = 'http://127.0.0.1:9'; // nothing listens: the health check fails, the backend is still added
    const r = await backends.add({ url, model: 'OpenGVLab/InternVL3-2B', apiKey: 'sk-keychain-31337' });
    expect(r.health.ok).toBe(false);
    const name = keyRefOf(url, 'OpenGVLab/InternVL3-2B');
    expect([...secrets.raw.keys()]).toEqual([name]);
    expect(await secrets.get(name)).toBe('sk-keychain-31337');
    expect(settings.values().remote.backends).toEqual([{ url, model: 'OpenGVLab/InternVL3-2B', keyRef: name }]);
    const rows = db.prepare('SELECT key, value FROM settings').all();
    expect(JSON.stringify(rows)).not.toContain('sk-keychain-31337');
    const listed = await backends.list();
    expect(listed.backends[0]).toMatchObject({ hasKey: true, keyRef: name });
    expect(JSON.stringify(listed)).not.toContain('sk-keychain-31337');
    await backends.remove(url);
    expect(secrets.raw.size).toBe(0);
    expect(settings.values().remote.backends).toEqual([]);
  });
});
