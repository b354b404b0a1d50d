/**
 * @file Runs `shoebox models …` in-process the way main/cli/index.ts's main() does: commander with
 * exitOverride, output captured, exit code 0 (ok), 1 (the command failed, its message printed as
 * `shoebox: …`) or 2 (bad usage). For the models CLI tests.
 *
 * Runs in vitest (Node).
 */
import { Command, CommanderError } from 'commander';
import { registerModelsCommands, type CliIo, type ModelsCliServices } from '../../../main/cli/models';

/** What one run printed and how it ended. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Parses `args` (without `shoebox`) with a program whose services come from `services`. */
export async function runModelsCli(services: () => Promise<ModelsCliServices>, args: readonly string[]): Promise<CliRun> {
  const r: CliRun = { code: 0, out: '', err: '' };
  const io: CliIo = { out: (t) => (r.out += t), err: (t) => (r.err += t), errIsTty: false };
  const program = new Command('shoebox').exitOverride().configureOutput({ writeOut: (t) => (r.out += t), writeErr: (t) => (r.err += t) });
  registerModelsCommands(program, services, io);
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) r.code = e.exitCode === 0 ? 0 : 2;
    else {
      r.err += `shoebox: ${(e as Error).message}\n`;
      r.code = 1;
    }
  }
  return r;
}
