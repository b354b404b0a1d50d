/**
 * @file `shoebox settings [get [KEY]] [--json]` and `shoebox settings set KEY VALUE [--json]`: the
 * settings the app's Settings page shows, from a terminal. Registered on the CLI program by
 * main/cli/index.ts.
 *
 * Runs in the CLI (plain Node). An unknown key or a value the setting does not accept is a usage error
 * (exit 2) that names what the setting accepts. A running app sees the new value at its next read
 * ([Note: Settings storage] in main/settings/settings.service.ts).
 */
import type { Command } from 'commander';
import { ApiError } from '../../preload/api-error';
import type { Settings } from '../../preload/contract';
import type { Services } from '../services';
import { SETTING_HELP, SETTING_KEYS } from '../settings/settings.service';

/** A setting's value by key, as the terminal shows it. */
function valueOf(values: Settings, key: string): unknown {
  const [section, field] = key.split('.') as [string, string];
  return (values as unknown as Record<string, Record<string, unknown>>)[section]?.[field];
}

/** A value as the terminal shows it: lists and objects (the remote backends) as JSON. */
const shownValue = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** One line per setting: key, value, what it does. */
export function formatSettings(values: Settings): string {
  const width = Math.max(...SETTING_KEYS.map((k) => k.length));
  const shown = SETTING_KEYS.map((k) => shownValue(valueOf(values, k)));
  const valueWidth = Math.max(...shown.map((v) => v.length));
  return SETTING_KEYS.map((k, i) => `${k.padEnd(width)}  ${shown[i]!.padEnd(valueWidth)}  ${SETTING_HELP[k].about}`).join('\n');
}

/** Adds the `settings` command; `withServices` opens and always closes the services. */
export function registerSettingsCommand(
  program: Command,
  withServices: <T>(fn: (services: Services) => Promise<T> | T) => Promise<T>,
  print: (json: boolean, value: unknown, human: () => string) => void,
): void {
  const settings = program.command('settings').description('show or change settings (the Settings page of the app)');

  settings
    .command('get', { isDefault: true })
    .description('show every setting, or the value of one')
    .argument('[key]', `one setting: ${SETTING_KEYS.join(', ')}`)
    .option('--json', 'machine-readable output')
    .action(async (key: string | undefined, opts: { json?: boolean }, cmd: Command) => {
      const dto = await withServices((s) => s.settings.get());
      if (key === undefined) {
        print(!!opts.json, dto, () => formatSettings(dto.values));
        return;
      }
      if (!(SETTING_KEYS as string[]).includes(key))
        cmd.error(`Unknown setting ${key} (known: ${SETTING_KEYS.join(', ')})`, { exitCode: 2 });
      const value = valueOf(dto.values, key);
      print(!!opts.json, { key, value }, () => shownValue(value));
    });

  settings
    .command('set')
    .description('change one setting')
    .argument('<key>', `the setting: ${SETTING_KEYS.join(', ')}`)
    .argument('<value>', "its new value: true/false, 'auto' or a number, or one of the setting's words")
    .option('--json', 'machine-readable output')
    .action(async (key: string, value: string, opts: { json?: boolean }, cmd: Command) => {
      try {
        const dto = await withServices((s) => s.settings.setText(key, value));
        const now = valueOf(dto.values, key);
        print(!!opts.json, dto, () => `${key} = ${String(now)}`);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'bad-argument') cmd.error(err.message, { exitCode: 2 });
        throw err;
      }
    });
}
