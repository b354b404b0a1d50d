/**
 * @file Runs the `shoebox` CLI as a real process, from sources through tsx, with its own data folder.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const cliFile = join(import.meta.dirname, '../../../main/cli/index.ts');

/** Runs `shoebox --data-dir DATA ...args`; resolves with its exit code and output. */
export function runShoebox(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', cliFile, '--data-dir', dataDir, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
