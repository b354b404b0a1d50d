/**
 * @file The `shoebox` command line: the same services as the app, from a terminal. Also the entry of
 * the headless host (`shoebox serve`). Plain Node; bundled to out/main/cli.js.
 *
 * Exit codes: 0 success, 1 the command failed (message on stderr), 2 bad usage.
 */
import { Command, CommanderError, Option } from 'commander';
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { version } from '../../package.json';
import type { FolderDto, JobsStatus } from '../../preload/contract';
import { runDoctor } from '../doctor';
import { errMessage } from '../errors';
import { offerDefaultLibrary } from '../first-run';
import { startHost } from '../host/server';
import { createLog, type LogLevel } from '../log';
import { createServices, type ServiceOptions, type Services } from '../services';
import { registerAskCommand } from './ask';
import { registerBackendsCommand } from './backends';
import { registerModelsCommands } from './models';
import { registerSearchCommand } from './search';
import { registerDebugCommands } from './debug';
import { registerSettingsCommand } from './settings';
import { registerUnderstandCommand } from './understand';
import { registerXmpCommand } from './xmp';
import { formatDoctor, formatStatus } from './format';

const here = dirname(fileURLToPath(import.meta.url));

/** The built renderer: next to the bundled CLI (out/main → out/renderer), or out/renderer from sources. */
export function findRendererDir(): string | null {
  const candidates = [process.env['SHOEBOX_RENDERER_DIR'], join(here, '../renderer'), join(here, '../../out/renderer')];
  for (const c of candidates) if (c && existsSync(join(c, 'index.html'))) return resolve(c);
  return null;
}

interface GlobalOpts {
  dataDir?: string;
}

function open(program: Command, extra: Partial<ServiceOptions> = {}): Promise<Services> {
  const { dataDir } = program.opts<GlobalOpts>();
  // Terminal output is the command's own; the services' log says only what went wrong (SHOEBOX_LOG overrides).
  const log = createLog('shoebox', (process.env['SHOEBOX_LOG'] as LogLevel | undefined) ?? 'warn');
  return createServices({ dataDir, shell: 'cli', startLibrary: false, log, ...extra });
}

/** Opens the services for one command, runs it, and always closes them (the database included). */
async function withServices<T>(program: Command, extra: Partial<ServiceOptions>, fn: (services: Services) => Promise<T> | T): Promise<T> {
  const services = await open(program, extra);
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}

const print = (json: boolean, value: unknown, human: () => string) => {
  process.stdout.write(json ? JSON.stringify(value, null, 2) + '\n' : human() + '\n');
};

/** Builds the program; exported for tests. */
export function buildProgram(): Command {
  const program = new Command('shoebox')
    .description('Shoebox: a local-first photo organizer that understands what is in your pictures')
    .version(version)
    .option('--data-dir <dir>', 'data directory (default: $SHOEBOX_DATA_DIR or the platform default)')
    .showHelpAfterError()
    // Set before the subcommands are added, so they inherit it: usage errors exit 2, not 1.
    .exitOverride();

  program
    .command('serve')
    .description('serve the app on 127.0.0.1 for a browser (headless host)')
    .addOption(new Option('--port <n>', 'port (0 = any free port)').default(0).argParser(parsePort))
    .option('--library <path>', 'add this folder to the library (if not already there) before serving')
    .option('--default-library <path>', 'on first run of an empty library, add this folder (once)')
    .action(async (opts: { port: number; library?: string; defaultLibrary?: string }) => {
      const rendererDir = findRendererDir();
      if (!rendererDir) throw new Error('The renderer is not built: run `npm run build` first (or set SHOEBOX_RENDERER_DIR).');
      const services = await open(program, { shell: 'headless', startLibrary: true, log: createLog() });
      // The handlers come before the ready line: a launcher or test that signals as soon as it reads
      // that line must find them installed, not Node's default (killed by SIGTERM, exit 143 — seen under
      // load in test/integration/start-stop.test.ts).
      let host: Awaited<ReturnType<typeof startHost>> | null = null;
      let stopping: Promise<void> | null = null;
      const stop = () =>
        (stopping ??= (async () => {
          await host?.close();
          await services.close();
          process.exit(0);
        })());
      // `on`, not `once`: under `npm start` one Ctrl+C arrives twice (from the terminal and from the
      // launcher), and a second signal must not kill the host mid-close ([Note: Stopping npm start]).
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void stop());
      if (opts.library) {
        // Folders are stored by their real path; compare the same way (symlinked paths included).
        const want = await realpath(opts.library).catch(() => resolve(opts.library!));
        if (!services.library.listFolders().some((f) => f.path === want)) await services.library.addFolder(resolve(opts.library));
      }
      if (opts.defaultLibrary) await offerDefaultLibrary(services.db, services.library, resolve(opts.defaultLibrary));
      host = await startHost({
        router: services.router,
        events: services.events,
        media: services.library,
        rendererDir,
        port: opts.port,
        log: services.log.child('host'),
      });
      if (stopping) return stopping; // a signal came while the host was starting: it exits with the rest
      process.stdout.write(`Shoebox is running. Open this URL in a browser (it carries this launch's access token):\n  ${host.url}\n`);
      process.stdout.write(
        `SHOEBOX_READY ${JSON.stringify({ url: host.url, port: host.port, token: host.token, dataDir: services.paths.dataDir })}\n`,
      );
      await new Promise(() => {}); // serve until a signal
    });

  program
    .command('add-folder <path>')
    .description('add a photo folder to the library and index it')
    .option('--no-wait', 'return once the folder is added, without waiting for indexing')
    .option('--json', 'machine-readable output')
    .action(async (path: string, opts: { wait: boolean; json?: boolean }) => {
      await withServices(program, { startLibrary: true }, async (services) => {
        // A relative path on the command line means the shell's folder; the library itself refuses relative paths.
        const folder = await services.library.addFolder(resolve(path));
        if (opts.wait) await services.library.whenIdle();
        const status = services.library.jobsStatus();
        const refreshed = services.library.listFolders().find((f) => f.id === folder.id) ?? folder;
        print(
          !!opts.json,
          { folder: refreshed, status },
          () => `Added ${refreshed.path} (${refreshed.photoCount} photos)\n${formatStatus(status)}`,
        );
      });
    });

  program
    .command('status')
    .description('folders, photo counts and indexing progress')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      await withServices(program, {}, (services) => {
        const folders: FolderDto[] = services.library.listFolders();
        const status: JobsStatus = services.library.jobsStatus();
        const failures = services.library.failures(0, 20);
        print(!!opts.json, { folders, status, failures }, () => {
          const lines = folders.flatMap((f) => [
            `  ${f.path}  ${f.photoCount} photos${f.status !== 'ok' ? `  [${f.status}${f.warning ? `: ${f.warning}` : ''}]` : ''}`,
            ...f.scanWarnings.map((w) => `    warning: ${w}`),
          ]);
          const failed = failures.items.map(
            (f) => `  ${f.step} ${f.path ?? `photo ${f.photoId}`}${f.hidden ? ' (hidden photo)' : ''}: ${f.error}`,
          );
          return [
            `Data: ${services.paths.dataDir}`,
            `Folders (${folders.length}):`,
            ...(lines.length ? lines : ['  none: add one with `shoebox add-folder PATH`']),
            formatStatus(status),
            ...(failed.length ? [`Failed (${failures.total}):`, ...failed] : []),
          ].join('\n');
        });
      });
    });

  program
    .command('doctor')
    .description('versions, data directory, database health, inference backends and CPU features')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const report = await withServices(program, {}, (s) => runDoctor(s));
      print(!!opts.json, report, () => formatDoctor(report));
      if (!report.database.ok || report.checks.some((c) => !c.ok)) process.exitCode = 1;
    });

  program
    .command('caption <image>')
    .description('describe an image file with the active InternVL model (streams the text)')
    .option('--prompt <text>', 'ask a question about the image instead of captioning it')
    .option('--json', 'machine-readable output')
    .action(async (image: string, opts: { prompt?: string; json?: boolean }) => {
      await withServices(program, {}, async (services) => {
        const ac = new AbortController();
        process.once('SIGINT', () => ac.abort());
        const r = await services.inference.describe(resolve(image), {
          prompt: opts.prompt,
          signal: ac.signal,
          onText: opts.json ? undefined : (t) => process.stdout.write(t),
        });
        if (opts.json) print(true, r, () => '');
        else {
          process.stdout.write('\n');
          // [Note: Demo output is labelled] in main/inference/inference.service.ts
          if (r.demo) process.stderr.write(`(demo model ${r.modelId}: random weights, the text is meaningless)\n`);
          process.stderr.write(`${r.modelName}, ${r.numTiles} tile(s), ${(r.ms / 1000).toFixed(1)} s\n`);
        }
      });
    });

  registerUnderstandCommand(program, (fn) => withServices(program, {}, fn), print);
  registerSettingsCommand(program, (fn) => withServices(program, {}, fn), print);
  registerXmpCommand(program, (fn) => withServices(program, {}, fn), print);
  registerSearchCommand(program, (fn) => withServices(program, {}, fn), print);
  registerAskCommand(program, (fn) => withServices(program, {}, fn), print);
  registerBackendsCommand(program, (fn) => withServices(program, {}, fn), print);
  registerModelsCommands(program, () => open(program));
  registerDebugCommands(program);
  return program;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CommanderError(2, 'shoebox.badPort', `--port must be an integer 0..65535, got ${value}`);
  return n;
}

/** Runs the CLI with `argv` (as process.argv); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version "fail" with exit code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`shoebox: ${errMessage(err)}\n`);
    return 1;
  }
}

const isEntry = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isEntry) {
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
