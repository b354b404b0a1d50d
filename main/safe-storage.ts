/**
 * @file The desktop app's secret store: the Hugging Face access token encrypted with Electron's
 * `safeStorage` (the macOS Keychain, Windows DPAPI, or the Linux keyring), kept as
 * `<data dir>/secrets/hub-token.enc` with the same 0600 file rules as the headless host's plain file
 * ([Note: Token file permissions] in main/models/hub/token-store.ts).
 *
 * Runs in Electron's main process only: part of the thin shell ([Note: Services know nothing of
 * Electron]); main/index.ts hands it to the services.
 */
import { safeStorage } from 'electron';
import { createFileSecretStore, type SecretStore } from './models/hub/token-store';

/** True when this Linux session found no keyring and safeStorage falls back to a fixed key. */
function weakLinuxBackend(): boolean {
  return process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text';
}

async function ensureAvailable(): Promise<void> {
  if (!(await safeStorage.isAsyncEncryptionAvailable())) {
    throw new Error('the OS keychain is not available to Shoebox (no keyring unlocked in this session)');
  }
}

/** A secret store under `dir` whose files are encrypted by the OS keychain. */
export function createSafeStorageSecretStore(dir: string): SecretStore {
  return createFileSecretStore(dir, {
    suffix: '.enc',
    // Without a keyring Chromium encrypts with a fixed key: then the file's permissions are what protects it.
    describe: weakLinuxBackend()
      ? 'a file only you can read; no keyring was found, so its encryption uses a fixed key'
      : 'a file only you can read, encrypted with the OS keychain',
    async encode(text) {
      await ensureAvailable();
      return safeStorage.encryptStringAsync(text);
    },
    async decode(bytes) {
      await ensureAvailable();
      return (await safeStorage.decryptStringAsync(bytes)).result;
    },
  });
}
