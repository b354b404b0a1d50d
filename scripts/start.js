// `npm start`: builds if needed, then opens Shoebox in Electron where its binary can be installed, and
// otherwise falls back to the headless host in a browser, saying why. On a fresh machine with an empty
// library both open the bundled sample library (assets/sample-library).
//
// [Note: Stopping npm start] Ctrl+C, SIGINT or SIGTERM stops what this script started (Electron or
// the host). `npm start` runs it as `npm → sh -c → node scripts/start.js`, and a SIGTERM to npm kills
// the shell without passing the signal on, which used to leave this script and the host running as
// orphans; so the script also watches for its parent going away. test/integration/start-stop.test.ts.
// The child runs in its own process group (POSIX), so a terminal's Ctrl+C reaches it once, through this
// script: when it got the terminal's signal and this script's too, the second could land while it was
// already exiting and kill it (exit 130 instead of a clean 0, seen under load).
import { execSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
// Windows has no process groups (and `detached` there opens a new console).
const ownGroup = process.platform !== 'win32';
const sample = fileURLToPath(new URL('../assets/sample-library', import.meta.url));
const built = ['out/main/index.js', 'out/main/cli.js', 'out/renderer/index.html'].every((f) => existsSync(root + f));
const stale = !built || statSync(root + 'package.json').mtimeMs > statSync(root + 'out/main/cli.js').mtimeMs;
if (stale || process.env.SHOEBOX_REBUILD) execSync('npx electron-vite build', { cwd: root, stdio: 'inherit' });

/** Electron's binary path, downloading it on first use (Electron ≥ 42 installs lazily); null if impossible. */
function electronBinary() {
  if (process.env.SHOEBOX_HEADLESS) return { path: null, why: 'SHOEBOX_HEADLESS is set' };
  const r = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    cwd: root,
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  if (r.status === 0 && r.stdout && existsSync(r.stdout)) return { path: r.stdout, why: '' };
  const lines = (r.stderr || r.error?.message || 'unknown error').split('\n').map((l) => l.trim());
  const network = lines.find((l) => /fetch failed|ENOTFOUND|ECONNREFUSED|EAI_AGAIN|ETIMEDOUT/.test(l));
  const why = network
    ? `its binary could not be downloaded: ${network}`
    : (lines.find((l) => /^Error:/.test(l)) ?? lines.filter(Boolean).at(-1));
  return { path: null, why };
}

/**
 * Runs `child` until it exits, then exits with its status. A signal to this script, or the end of the
 * process that started it, is passed on to the child; one that ignores it is killed after 10 s.
 */
function supervise(child) {
  const parent = process.ppid;
  let stopping = false;
  const stop = (sig) => {
    if (stopping) return;
    stopping = true;
    child.kill(sig);
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => stop(sig));
  // Reparented (to init or a subreaper): whoever started us is gone; see [Note: Stopping npm start].
  setInterval(() => process.ppid !== parent && stop('SIGTERM'), 500).unref();
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 0)));
}

const electron = electronBinary();
if (electron.path) {
  // Native addons must match Electron's ABI inside the app (`npm test` switches back for Node).
  execSync('npx electron-builder install-app-deps', { cwd: root, stdio: 'inherit' });
  supervise(
    spawn(electron.path, ['.'], {
      cwd: root,
      stdio: 'inherit',
      detached: ownGroup,
      env: { ...process.env, SHOEBOX_DEFAULT_LIBRARY: sample },
    }),
  );
} else {
  console.error(`Electron is not available here (${electron.why}).\nStarting the headless host instead: open the URL below in a browser.`);
  try {
    require('better-sqlite3');
  } catch {
    execSync('node scripts/ensure-native.js', { cwd: root, stdio: 'inherit' });
  }
  const args = ['bin/shoebox.js', 'serve', '--default-library', sample, ...process.argv.slice(2)];
  supervise(spawn(process.execPath, args, { cwd: root, stdio: 'inherit', detached: ownGroup }));
}
