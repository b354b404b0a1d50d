/**
 * @file `shoebox debug …` commands for checking the inference engine against the reference:
 * `debug preprocess IMAGE --out FILE.npy [--max-tiles N] [--model DIR]` writes the pixel values as
 * float32 [tiles, 3, 448, 448] and prints the grid as JSON; `debug tokens --model DIR TEXT` prints
 * the token ids as JSON.
 *
 * Runs in main (the CLI). The work happens in the inference worker, through the same client the
 * app uses, so the commands exercise the real path.
 */
import { type Command, CommanderError, Option } from 'commander';
import { createWorkerClient, type WorkerClient } from '../inference/worker-client';

async function withWorker<T>(fn: (c: WorkerClient) => Promise<T>): Promise<T> {
  const client = createWorkerClient();
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

function parseTiles(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new CommanderError(2, 'shoebox.badMaxTiles', `--max-tiles must be a positive integer, got ${value}`);
  }
  return n;
}

/** Adds the `debug` command group to a commander program. */
export function registerDebugCommands(program: Command): void {
  const debug = program.command('debug').description('inspect the inference engine (preprocessing, tokens)');

  debug
    .command('preprocess')
    .description("write an image's model input as a float32 .npy [tiles,3,448,448] and print the tile grid")
    .argument('<image>', 'image file (read only)')
    .requiredOption('--out <file>', 'output .npy file')
    .addOption(new Option('--max-tiles <n>', "maximum tiles (default: the model's, or 12)").argParser(parseTiles))
    .option('--model <dir>', 'model bundle whose image settings to use')
    .action(async (image: string, opts: { out: string; maxTiles?: number; model?: string }) => {
      const result = await withWorker(async (c) => {
        if (opts.model !== undefined) await c.request('load', { dir: opts.model });
        return c.request('preprocess', {
          image: { path: image, ...(opts.maxTiles !== undefined ? { maxTiles: opts.maxTiles } : {}) },
          outFile: opts.out,
        });
      });
      process.stdout.write(JSON.stringify(result) + '\n');
    });

  debug
    .command('tokens')
    .description("print the token ids of a text with a bundle's tokenizer")
    .requiredOption('--model <dir>', 'model bundle folder (its tokenizer.json is used)')
    .argument('<text>', 'text to tokenize')
    .action(async (text: string, opts: { model: string }) => {
      const result = await withWorker((c) => c.request('tokens', { text, dir: opts.model }));
      process.stdout.write(JSON.stringify(result.ids) + '\n');
    });
}
