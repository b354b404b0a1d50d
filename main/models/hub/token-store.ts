/**
 * @file Where Shoebox keeps the Hugging Face access token: the {@link SecretStore} the model manager
 * is given, and its file implementation (one file per secret under `<data dir>/secrets/`, mode 0600,
 * in a 0700 folder). The Electron shell plugs in OS-keychain encryption through a {@link SecretCodec}
 * (main/safe-storage.ts); the headless host and the CLI keep the token as plain text protected by the
 * file's permissions.
 *
 * Runs in main (and the CLI / headless host). Async file I/O only.
 *
 * [Note: Token file permissions] A secret file is read only if it is a regular file (not a symlink),
 * owned by this user, and readable by no one else (`mode & 0o077 === 0`). A looser file is refused
 * with a message saying how to fix it, as ssh refuses a private key others can read: a token that
 * other users could have read is a token to replace, not to use quietly. Writes go to a new 0600 file
 * that is renamed over the old one, so a crash leaves the old token or the new one, never half of it.
 * Windows has no POSIX mode bits; there the file inherits the user profile's ACLs and the mode check
 * is skipped. No message, log line or error ever contains the secret itself.
 */
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** The secrets Shoebox keeps: the hub token and remote backends' API keys (main/remote/backends.ts `keyRefOf`). */
export type SecretName = 'hub-token' | `backend-key-${string}`;

/** Keeps secrets for the model manager (and whatever else needs one later). */
export interface SecretStore {
  /** Where secrets are kept, in words, for messages (never a secret). */
  readonly where: string;
  /** The secret, or null when none is stored. Throws {@link SecretStoreError} for an unsafe or unreadable one. */
  get(name: SecretName): Promise<string | null>;
  /** Stores the secret (null removes it). */
  set(name: SecretName, value: string | null): Promise<void>;
}

/** A secret that cannot be read or written safely; the message says what to do. */
export class SecretStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretStoreError';
  }
}

/** How a file store turns a secret into file bytes and back. */
export interface SecretCodec {
  /** Appended to the file name ('' for plain text). */
  suffix: string;
  /** How the bytes are protected, in words (for `where`). */
  describe: string;
  encode(text: string): Promise<Buffer>;
  decode(bytes: Buffer): Promise<string>;
}

/** Plain text: the file's permissions are the protection. */
export const PLAIN_CODEC: SecretCodec = {
  suffix: '',
  describe: 'a file only you can read (mode 0600)',
  encode: async (text) => Buffer.from(text + '\n', 'utf8'),
  decode: async (bytes) => bytes.toString('utf8'),
};

/** The largest secret file read (a token is under 100 bytes; an encrypted one a little more). */
const MAX_SECRET_BYTES = 64 * 1024;

/**
 * Checks an access token as typed or pasted: surrounding whitespace is dropped; what remains must be
 * 1 to 512 visible ASCII characters (no space, no line break, which would end up inside an HTTP
 * header; a hub token is under 100). Returns the token; throws {@link SecretStoreError}, whose message never quotes it.
 */
export function checkHubToken(raw: string): string {
  const token = raw.trim();
  if (token.length === 0) throw new SecretStoreError('the access token is empty');
  if (token.length > 512) throw new SecretStoreError('the access token is longer than 512 characters; is it a token?');
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new SecretStoreError('the access token may hold only visible ASCII characters (no spaces or line breaks); is it a token?');
  }
  return token;
}

/** Why the file at `file` (already `lstat`-ed) must not be read, or null ([Note: Token file permissions]). */
export function secretFileProblem(
  file: string,
  st: { isFile(): boolean; mode: number; uid: number },
  platform = process.platform,
): string | null {
  if (!st.isFile()) return `${file} is not a regular file (a symlink or something else); replace it with the token file itself`;
  if (platform === 'win32') return null;
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    return `${file} belongs to another user (uid ${st.uid}); Shoebox reads a token only from your own file`;
  const loose = st.mode & 0o077;
  if (loose !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    return `${file} can be read or changed by other users (mode ${mode}); Shoebox reads a token only from a file only you can read. Run \`chmod 600 ${file}\` (and consider replacing the token), or store it again under Models → Hugging Face access token`;
  }
  return null;
}

/** A store that keeps each secret in `<dir>/<name><codec suffix>` ([Note: Token file permissions]). */
export function createFileSecretStore(dir: string, codec: SecretCodec = PLAIN_CODEC): SecretStore {
  const fileOf = (name: SecretName) => path.join(dir, name + codec.suffix);
  return {
    where: `${dir} (${codec.describe})`,

    async get(name) {
      const file = fileOf(name);
      let st;
      try {
        st = await lstat(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new SecretStoreError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      const problem = secretFileProblem(file, st);
      if (problem !== null) throw new SecretStoreError(problem);
      if (st.size > MAX_SECRET_BYTES)
        throw new SecretStoreError(`${file} is larger than ${MAX_SECRET_BYTES / 1024} KiB; it is not a token file`);
      // No link is followed and no FIFO blocks the open (the lstat above could race a swap).
      const fh = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)).catch((err: unknown) => {
        throw new SecretStoreError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      });
      let bytes: Buffer;
      try {
        const again = await fh.stat();
        const late = secretFileProblem(file, again);
        if (late !== null) throw new SecretStoreError(late);
        bytes = Buffer.alloc(Math.min(again.size, MAX_SECRET_BYTES));
        const { bytesRead } = await fh.read(bytes, 0, bytes.length, 0);
        bytes = bytes.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
      let text: string;
      try {
        text = await codec.decode(bytes);
      } catch (err) {
        throw new SecretStoreError(`cannot decrypt ${file} (${(err as Error).message}); store the token again`);
      }
      try {
        return checkHubToken(text);
      } catch (err) {
        throw new SecretStoreError(`${file} does not hold a usable token: ${(err as Error).message}`);
      }
    },

    async set(name, value) {
      const file = fileOf(name);
      if (value === null) {
        await rm(file, { force: true });
        return;
      }
      const bytes = await codec.encode(checkHubToken(value));
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.tmp`;
      await rm(tmp, { force: true });
      try {
        const fh = await open(tmp, 'wx', 0o600);
        try {
          await fh.writeFile(bytes);
          await fh.sync();
        } finally {
          await fh.close();
        }
        await chmod(tmp, 0o600); // a umask can only narrow the mode, but be explicit
        await rename(tmp, file);
      } catch (err) {
        await rm(tmp, { force: true });
        throw new SecretStoreError(`cannot store the token in ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    },
  };
}
