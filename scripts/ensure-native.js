// Makes sure better-sqlite3 is built for this Node (not for Electron's ABI, which `npm start` may have
// rebuilt it for when Electron is installed). Tests, the CLI and the headless host run on plain Node.
import { execSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
try {
  const Database = require('better-sqlite3');
  new Database(':memory:').close();
} catch (err) {
  if (!/NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(String(err))) throw err;
  console.error('better-sqlite3 was built for another runtime (Electron?); rebuilding it for Node', process.versions.node);
  execSync('npm rebuild better-sqlite3', { stdio: 'inherit' });
}
