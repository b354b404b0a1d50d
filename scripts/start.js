// `npm start`: builds if needed, then opens Shoebox in Electron where its binary can be installed, and
// otherwise falls back to the headless host in a browser, saying why. On a fresh machine with an empty
// library both open the bundled sample library (assets/sample-library).
import { execSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
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

const electron = electronBinary();
if (electron.path) {
  // Native addons must match Electron's ABI inside the app (`npm test` switches back for Node).
  execSync('npx electron-builder install-app-deps', { cwd: root, stdio: 'inherit' });
  const child = spawn(electron.path, ['.'], { cwd: root, stdio: 'inherit', env: { ...process.env, SHOEBOX_DEFAULT_LIBRARY: sample } });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.error(`Electron is not available here (${electron.why}).\nStarting the headless host instead: open the URL below in a browser.`);
  try {
    require('better-sqlite3');
  } catch {
    execSync('node scripts/ensure-native.js', { cwd: root, stdio: 'inherit' });
  }
  const args = ['bin/shoebox.js', 'serve', '--default-library', sample, ...process.argv.slice(2)];
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}
