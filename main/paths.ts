/**
 * @file Where Shoebox keeps its data. Every writable path derives from one data directory, which comes
 * from `SHOEBOX_DATA_DIR` (tests give each run its own) or the platform's usual place.
 */
import { homedir, platform } from 'node:os';
import { join, resolve } from 'node:path';

export interface AppPaths {
  dataDir: string;
  database: string;
  cacheDir: string;
  thumbsDir: string;
  modelsDir: string;
  logsDir: string;
}

/** The platform's default data directory (what Electron's `app.getPath('userData')` would give). */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = homedir();
  switch (platform()) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Shoebox');
    case 'win32':
      return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'Shoebox');
    default:
      return join(env['XDG_DATA_HOME'] ?? join(home, '.local', 'share'), 'shoebox');
  }
}

/** Resolves all paths from an explicit directory, `SHOEBOX_DATA_DIR`, or the default. */
export function resolvePaths(dataDir?: string, env: NodeJS.ProcessEnv = process.env): AppPaths {
  const dir = resolve(dataDir ?? env['SHOEBOX_DATA_DIR'] ?? defaultDataDir(env));
  return {
    dataDir: dir,
    database: join(dir, 'library.sqlite'),
    cacheDir: join(dir, 'cache'),
    thumbsDir: join(dir, 'cache', 'thumbs'),
    modelsDir: env['SHOEBOX_MODELS_DIR'] ? resolve(env['SHOEBOX_MODELS_DIR']) : join(dir, 'models'),
    logsDir: join(dir, 'logs'),
  };
}
