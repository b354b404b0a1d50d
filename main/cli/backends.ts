/**
 * @file `shoebox backends add URL [--model NAME] [--key-env VAR] | list | remove URL|N | check | on | off`:
 * the remote OpenAI-compatible servers (vLLM, LMDeploy) that understand photos in place of the local
 * worker. Registered on the CLI program by main/cli/index.ts.
 *
 * Runs in the CLI (plain Node). An API key is read from the environment variable `--key-env` names
 * (never from the command line, where shell history and `ps` would keep it) and goes to the secret
 * store; nothing prints it. Every command that adds or turns on a backend prints where photos go.
 */
import type { Command } from 'commander';
import { ApiError } from '../../preload/api-error';
import type { BackendHealth, RemoteBackendDto } from '../../preload/contract/backends';
import { createBackends } from '../remote/backends.service';
import type { Services } from '../services';

const WHERE: Record<RemoteBackendDto['where'], string> = { loopback: 'this computer', lan: 'local network', public: 'INTERNET' };

/** One backend's line and its notice. */
export function formatBackend(b: RemoteBackendDto, i: number): string {
  return `${i + 1}. ${b.url}  model ${b.model}  [${WHERE[b.where]}]${b.hasKey ? '  (API key stored)' : ''}\n   ${b.notice}`;
}

/** One health line. */
export function formatHealth(h: BackendHealth): string {
  return h.ok ? `ok    ${h.url}  ${h.model}  (${h.ms} ms)` : `FAIL  ${h.url}  ${h.model}: ${h.problem ?? 'not usable'}`;
}

/** Adds the `backends` command; `withServices` opens and always closes the services. */
export function registerBackendsCommand(
  program: Command,
  withServices: <T>(fn: (services: Services) => Promise<T> | T) => Promise<T>,
  print: (json: boolean, value: unknown, human: () => string) => void,
): void {
  const cmd = program.command('backends').description('remote servers (vLLM, LMDeploy) that understand photos: photos are sent to them');
  const run = async <T>(c: Command, fn: (b: ReturnType<typeof createBackends>) => Promise<T> | T): Promise<T> => {
    try {
      return await withServices((s) => fn(createBackends({ settings: s.settings, secrets: s.secrets })));
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'bad-argument' || err.code === 'not-found')) c.error(err.message, { exitCode: 2 });
      throw err;
    }
  };

  cmd
    .command('list', { isDefault: true })
    .description('the backends, in the order they are tried')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }, c: Command) => {
      const r = await run(c, (b) => b.list());
      print(!!opts.json, r, () =>
        [
          `Remote understanding is ${r.enabled ? 'ON' : 'off'}; the local worker ${r.fallbackLocal ? 'takes over' : 'does not take over'} when no backend answers.`,
          ...(r.backends.length ? r.backends.map(formatBackend) : ['No backend. Add one with `shoebox backends add URL`.']),
        ].join('\n'),
      );
    });

  cmd
    .command('add')
    .description('add an OpenAI-compatible server (checked with GET /v1/models)')
    .argument('<url>', 'the server, e.g. http://gpu-box.local:8000 (its /v1 is added)')
    .option('--model <name>', 'the model it serves (default: the one it lists)')
    .option('--key-env <var>', 'read its API key from this environment variable')
    .option('--json', 'machine-readable output')
    .action(async (url: string, opts: { model?: string; keyEnv?: string; json?: boolean }, c: Command) => {
      let apiKey: string | null = null;
      if (opts.keyEnv !== undefined) {
        apiKey = process.env[opts.keyEnv]?.trim() || null;
        if (apiKey === null) c.error(`the environment variable ${opts.keyEnv} is not set or empty`, { exitCode: 2 });
      }
      const r = await run(c, (b) => b.add({ url, model: opts.model, apiKey }));
      const enabled = await run(c, async (b) => (await b.list()).enabled);
      print(!!opts.json, r, () =>
        [
          `Added ${r.backend.url} (model ${r.backend.model}); its results are made by ${r.backend.madeBy}.`,
          r.backend.notice,
          formatHealth(r.health),
          enabled ? 'Remote understanding is on.' : 'Remote understanding is off: turn it on with `shoebox backends on`.',
        ].join('\n'),
      );
    });

  cmd
    .command('remove')
    .description('remove a backend (and its stored API key)')
    .argument('<which>', 'its position in `shoebox backends list`, or its URL')
    .option('--json', 'machine-readable output')
    .action(async (which: string, opts: { json?: boolean }, c: Command) => {
      const gone = await run(c, (b) => b.remove(which));
      print(!!opts.json, gone, () => `Removed ${gone.url} (${gone.model}).`);
    });

  cmd
    .command('check')
    .description('check every backend: it answers GET /v1/models and lists its model')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }, c: Command) => {
      const r = await run(c, (b) => b.check());
      print(!!opts.json, r, () => (r.length ? r.map(formatHealth).join('\n') : 'No backend to check.'));
      if (r.some((h) => !h.ok)) process.exitCode = 1;
    });

  for (const [name, on] of [
    ['on', true],
    ['off', false],
  ] as const) {
    cmd
      .command(name)
      .description(on ? 'send photos to the backends for understanding' : 'understand photos on this computer only')
      .action(async (_opts: unknown, c: Command) => {
        const r = await run(c, async (b) => {
          b.setEnabled(on);
          return b.list();
        });
        process.stdout.write(
          on
            ? [
                `Remote understanding is ON.`,
                ...r.backends.map((x) => x.notice),
                ...(r.backends.length ? [] : ['No backend yet: add one with `shoebox backends add URL`.']),
              ].join('\n') + '\n'
            : 'Remote understanding is off: photos stay on this computer.\n',
        );
      });
  }
}
