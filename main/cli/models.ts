/**
 * @file `shoebox models …`: list, install (download and build, progress on stderr), import, delete and select model
 * bundles, show or set the download base URL, and store the Hugging Face access token. Registered on
 * the CLI program by main/cli/index.ts.
 *
 * Runs in the CLI (plain Node). Exit codes follow the CLI's rule: 0 ok, 1 the command failed (the
 * thrown error's message is printed by main()), 2 bad usage (a CommanderError with exit code 2).
 */
import { createInterface } from 'node:readline';
import { type Command, CommanderError } from 'commander';
import { ApiError } from '../../preload/api-error';
import type { EventName, Events, ModelDto } from '../../preload/contract';
import { BUNDLE_ID, BUNDLE_ID_RULE } from '../../native/bundle/manifest';
import { formatBytes } from '../models/bundle-files';
import type { ModelManager } from '../models/manager';

/** What the models commands need from the composition root (`Services` has all of it). */
export interface ModelsCliServices {
  models: ModelManager;
  events: { on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void };
  close(): Promise<void>;
}

/** Where the commands write; tests pass their own. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when `err` is a terminal (progress redraws one line). */
  errIsTty: boolean;
  /** The first line of standard input (`models token set` reads the token there, never from argv). */
  readLine?: () => Promise<string>;
}

/** The first line of stdin, or all of it up to EOF; a token never appears in argv, where `ps` shows it. */
function readStdinLine(): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: process.stdin, terminal: false });
    let line: string | null = null;
    rl.once('line', (l) => {
      line = l;
      rl.close();
    });
    rl.once('close', () => resolve(line ?? ''));
    rl.once('error', reject);
  });
}

const defaultIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  errIsTty: process.stderr.isTTY === true,
  readLine: readStdinLine,
};

/** The `models list` table: a header and one row per model, columns as wide as their widest cell. */
export function formatModelTable(models: readonly ModelDto[]): string {
  const rows = models.map((m) => ({ mark: m.active ? '*' : ' ', id: m.id, name: m.name, ...describeModel(m) }));
  const w = (k: 'id' | 'name' | 'size', title: string) => Math.max(title.length, ...rows.map((r) => r[k].length));
  const [wi, wn, ws] = [w('id', 'ID'), w('name', 'NAME'), w('size', 'SIZE')];
  const line = (mark: string, id: string, name: string, size: string, status: string) =>
    `${mark} ${id.padEnd(wi)}  ${name.padEnd(wn)}  ${size.padStart(ws)}  ${status}`.trimEnd();
  return [line(' ', 'ID', 'NAME', 'SIZE', 'STATUS'), ...rows.map((r) => line(r.mark, r.id, r.name, r.size, r.status))].join('\n') + '\n';
}

/** Size and status cells of one model. */
function describeModel(m: ModelDto): { size: string; status: string } {
  let status: string;
  if (inFlight(m.download)) {
    status = progressText(m.download);
  } else if (m.installed) {
    status = `installed (${m.variants.join(', ')})`;
  } else if (m.download.state === 'failed') {
    status = `failed: ${m.download.error ?? 'unknown error'}`;
  } else if (m.download.resumable) {
    status = `paused at ${percent(m.download)} (download again to resume)`;
  } else {
    status = 'not installed';
  }
  if (m.randomWeights) status += ' [random weights: demo only]';
  return { size: m.installed ? formatBytes(m.bytes) : `~${formatBytes(m.bytes)}`, status };
}

function percent(d: ModelDto['download']): string {
  return d.total > 0 ? `${((100 * d.received) / d.total).toFixed(1)}% of ${formatBytes(d.total)}` : formatBytes(d.received);
}

/** True while a download, check or build runs. */
function inFlight(d: ModelDto['download']): boolean {
  return d.state === 'downloading' || d.state === 'verifying' || d.state === 'building';
}

/** What each build step does, for the progress line (its bytes: the checkpoint read, the bundle hashed). */
const BUILD_STEP_WORDS: Record<NonNullable<ModelDto['download']['buildStep']>, string> = {
  checking: 'checking the checkpoint',
  weights: 'writing weights',
  hashing: 'verifying the bundle',
  installing: 'installing',
  accuracy: 'measuring each variant against fp32',
};

/** `downloading 45.0% of 1.9 GB`, `building: writing weights 12.5% of 1.9 GB`. */
export function progressText(d: ModelDto['download']): string {
  if (d.state !== 'building') return `${d.state} ${percent(d)}`;
  const step = d.buildStep ? BUILD_STEP_WORDS[d.buildStep] : 'starting';
  const bytes = d.buildStep === 'weights' || d.buildStep === 'hashing';
  return `building: ${step}${bytes ? ` ${percent(d)}` : ''}`;
}

/**
 * The terminal's way to do what a message names by the app's page and section ([Note: Hub token in the
 * app] in preload/contract/models.ts): the message stays as the app shows it, the command follows.
 */
const CLI_HINTS: readonly (readonly [RegExp, string])[] = [
  [/Models → Hugging Face access token/, 'Here: shoebox models token set (reads the token from stdin).'],
  [/"Import a model bundle" on the Models page/, 'Here: shoebox models import PATH.'],
];

/** `err` with the CLI hints its message calls for appended (the same class and code), else `err` itself. */
export function withCliHint(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const hints = CLI_HINTS.filter(([re]) => re.test(err.message)).map(([, hint]) => hint);
  if (hints.length === 0) return err;
  const message = `${err.message}${/[.!?)]$/.test(err.message) ? '' : '.'} ${hints.join(' ')}`;
  return err instanceof ApiError ? new ApiError(err.code, message, err.issues) : new Error(message);
}

/** Registers `models` and its subcommands on `program`. */
export function registerModelsCommands(program: Command, getServices: () => Promise<ModelsCliServices>, io: CliIo = defaultIo): Command {
  /** Opens the services, runs `fn`, always closes them. */
  async function withServices<T>(fn: (s: ModelsCliServices) => Promise<T> | T): Promise<T> {
    const services = await getServices();
    try {
      return await fn(services);
    } catch (err) {
      throw withCliHint(err);
    } finally {
      await services.close();
    }
  }

  /** Usage errors exit with 2; --help keeps its 0. */
  const usage = (cmd: Command, message: string): never => cmd.error(message, { exitCode: 2, code: 'shoebox.usage' });
  const checkId = (cmd: Command, id: string) => {
    if (!BUNDLE_ID.test(id)) usage(cmd, `error: "${id}" is not a model id (${BUNDLE_ID_RULE}); see \`shoebox models list\``);
  };
  const variantsOf = (v: string | undefined) =>
    v
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
  const mapExit = (cmd: Command) =>
    cmd.exitOverride((err) => {
      throw err.exitCode === 0 || err.exitCode === 2 ? err : new CommanderError(2, err.code, err.message);
    });

  const list = (opts: { json?: boolean }) =>
    withServices(({ models }) => {
      const all = models.list();
      if (opts.json) {
        io.out(JSON.stringify(all, null, 2) + '\n');
        return;
      }
      io.out(formatModelTable(all));
      const reason = models.noModelReason();
      io.out(reason ? `\n${reason}\n` : '\n* = active model\n');
      if (models.demoMode()) io.out('Demo mode is on (models.demoMode or SHOEBOX_DEMO_MODEL=1): random-weight bundles may be selected.\n');
    });

  const models = mapExit(program.command('models').description('list, download, import, delete and select InternVL model bundles'));
  models.option('--json', 'machine-readable output').action(list);
  // `models list --json`: commander may hand --json to the parent, so merge both.
  mapExit(
    models.command('list').description('list known and installed models (* = active)').option('--json', 'machine-readable output'),
  ).action((opts: { json?: boolean }) => list({ ...models.opts<{ json?: boolean }>(), ...opts }));

  const download = mapExit(
    models
      .command('install')
      .alias('download')
      .description(
        "download and install a model: from the base URL when one is set, else from its authors' Hugging Face repository, building the bundle from the checkpoint (resumes an interrupted download)",
      )
      .argument('<id>', 'model id, e.g. internvl3-1b')
      .option('--variant <names>', 'only these variants, comma-separated (fp32, fp16, int8, q4; a built model always has fp32 too)')
      .option('--select', 'make it the active model once installed, if none is active')
      .option('--json', 'print the installed model as JSON'),
  );
  download.action(async (id: string, opts: { variant?: string; select?: boolean; json?: boolean }) => {
    checkId(download, id);
    await withServices(async ({ models, events }) => {
      const variants = variantsOf(opts.variant);
      const progress = createProgressPrinter(io, id);
      const off = events.on('models:progress', (dto) => {
        if (dto.id === id) progress(dto);
      });
      const onSigint = () => {
        io.err('\ncancelling; the part already downloaded is kept, run the same command to resume\n');
        models.cancelDownload(id);
      };
      process.once('SIGINT', onSigint);
      try {
        models.download(id, { ...(variants ? { variants } : {}), ...(opts.select ? { activate: true } : {}) });
        const dto = await models.waitForDownload(id);
        progress.finish();
        if (opts.json) io.out(JSON.stringify(dto, null, 2) + '\n');
        else
          io.out(
            `installed ${dto.id} (${formatBytes(dto.bytes)}) in ${dto.path ?? '?'}\n` +
              (dto.active ? 'it is the active model\n' : `select it with: shoebox models select ${dto.id}\n`),
          );
      } catch (err) {
        progress.finish();
        throw err;
      } finally {
        process.off('SIGINT', onSigint);
        off();
      }
    });
  });

  const imp = mapExit(
    models
      .command('import')
      .description('verify a bundle folder (manifest, sizes, sha256) and copy it into the models folder')
      .argument('<path>', 'folder that holds manifest.json')
      .option('--variant <names>', 'only these variants, comma-separated')
      .option('--json', 'print the installed model as JSON'),
  );
  imp.action(async (src: string, opts: { variant?: string; json?: boolean }) => {
    if (src.trim() === '') usage(imp, 'error: the path is empty');
    await withServices(async ({ models }) => {
      const variants = variantsOf(opts.variant);
      io.err(`verifying and copying ${src} …\n`);
      const dto = await models.import(src, variants ? { variants } : {});
      if (opts.json) io.out(JSON.stringify(dto, null, 2) + '\n');
      else io.out(`imported ${dto.id} (${formatBytes(dto.bytes)}) into ${dto.path ?? '?'}\n`);
    });
  });

  const del = mapExit(models.command('delete').description('delete an installed model (not the active one)').argument('<id>', 'model id'));
  del.action(async (id: string) => {
    checkId(del, id);
    await withServices(async ({ models }) => {
      const deleted = await models.delete(id);
      if (!deleted) throw new Error(`model ${id} is not installed; nothing to delete`);
      io.out(`deleted ${id}\n`);
    });
  });

  const select = mapExit(
    models
      .command('select')
      .description('make an installed model the active one')
      .argument('[id]', 'model id')
      .option('--none', 'select no model'),
  );
  select.action(async (id: string | undefined, opts: { none?: boolean }) => {
    if ((id === undefined) === (opts.none !== true)) usage(select, 'error: give a model id or --none (not both)');
    if (id !== undefined) checkId(select, id);
    await withServices(({ models }) => {
      try {
        models.select(id ?? null);
      } catch (err) {
        // The message names the Models page's switch; a terminal has its own ways to turn demo mode on.
        if (err instanceof ApiError && /random weights/.test(err.message))
          throw new ApiError(
            err.code,
            `${err.message} Here: shoebox settings set models.demoMode true (or SHOEBOX_DEMO_MODEL=1 for one run).`,
          );
        throw err;
      }
      io.out(id ? `active model: ${id}\n` : 'no model selected\n');
    });
  });

  const base = mapExit(
    models
      .command('base-url')
      .description('show or set the URL model bundles are downloaded from (stored in the library settings)')
      .argument('[url]', 'http(s) URL; bundles live at URL/<id>/manifest.json')
      .option('--clear', 'remove the stored URL'),
  );
  base.action(async (url: string | undefined, opts: { clear?: boolean }) => {
    if (url !== undefined && opts.clear) usage(base, 'error: give a URL or --clear (not both)');
    await withServices(({ models }) => {
      if (url !== undefined || opts.clear) models.setBaseUrl(url ?? null);
      const now = models.baseUrl();
      io.out(now ? `${now}\n` : 'no model base URL configured (set one, or SHOEBOX_MODEL_BASE_URL)\n');
    });
  });

  const token = mapExit(
    models
      .command('token')
      .description('show whether a Hugging Face access token (for gated models) is stored; `set` reads one from stdin, `clear` removes it')
      .argument('[action]', "'set' or 'clear'"),
  );
  token.action(async (action: string | undefined) => {
    if (action !== undefined && action !== 'set' && action !== 'clear') usage(token, "error: the action is 'set' or 'clear'");
    await withServices(async ({ models }) => {
      if (action === 'set') {
        if (process.stdin.isTTY)
          io.err('Paste the access token and press Enter (or pipe it: printenv HF_TOKEN | shoebox models token set):\n');
        await models.setHubToken(await (io.readLine ?? readStdinLine)());
      } else if (action === 'clear') {
        await models.setHubToken(null);
      }
      const t = await models.hubToken();
      if (t.problem !== null) throw new Error(t.problem);
      io.out(t.stored ? `a Hugging Face access token is stored in ${t.where ?? '?'}\n` : 'no Hugging Face access token is stored\n');
    });
  });

  return models;
}

/** Prints install progress on stderr: one redrawn line on a terminal, a line per 10% of each phase otherwise. */
function createProgressPrinter(io: CliIo, id: string): ((dto: ModelDto) => void) & { finish(): void } {
  let lastMark = '';
  let drawn = false;
  const print = (dto: ModelDto) => {
    const d = dto.download;
    if (!inFlight(d)) return;
    const line = `${id}: ${progressText(d)}`;
    if (io.errIsTty) {
      io.err(`\r${line.padEnd(70)}`);
      drawn = true;
      return;
    }
    const decile = d.total > 0 ? Math.floor((10 * d.received) / d.total) : 0;
    const mark = `${d.state} ${d.buildStep ?? ''} ${decile}`;
    if (mark !== lastMark) {
      lastMark = mark;
      io.err(line + '\n');
    }
  };
  return Object.assign(print, {
    finish() {
      if (drawn) io.err('\n');
      drawn = false;
    },
  });
}
