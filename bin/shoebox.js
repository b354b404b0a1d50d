#!/usr/bin/env node
// The `shoebox` command. The CLI itself is TypeScript bundled to out/main/cli.js by `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('shoebox: not built yet. Run `npm run build` in the Shoebox folder first.\n');
  process.exit(1);
}
const { main } = await import(cli);
process.exitCode = await main(process.argv);
