/**
 * @file `shoebox xmp write PATH [--naming basename|fullname] [--replace-subjects] [--json]`: writes the
 * captions and tags of the photos at PATH (a library folder or a folder below one, recursively, or one
 * photo file) into XMP sidecars beside them. Registered on the CLI program by main/cli/index.ts.
 *
 * Runs in the CLI (plain Node), with the library not started: it writes for the photos as indexed now.
 * The flags override the settings for this run. Exit 1 when PATH is not in the library; files that get
 * no sidecar are reported with their reasons and do not fail the command.
 * See [Note: What xmp:write writes] in main/xmp/xmp.service.ts.
 */
import { type Command, Option } from 'commander';
import type { XmpWriteResult } from '../../preload/contract';
import type { Services } from '../services';

/** The summary line and one line per listed skipped file. */
export function formatXmpResult(r: XmpWriteResult): string {
  const lines = [
    `${r.photos} photo(s): ${r.written} sidecar(s) written, ${r.unchanged} unchanged, ${r.skipped} skipped` +
      ` (naming ${r.naming}, subjects ${r.subjects})`,
  ];
  if (r.skipped > 0) lines.push('Skipped:');
  for (const s of r.items) lines.push(`  ${s.path ?? `photo ${s.photoId}`}: ${s.reason}`);
  if (r.skipped > r.items.length) lines.push(`  … and ${r.skipped - r.items.length} more`);
  return lines.join('\n');
}

/** Adds the `xmp` command; `withServices` opens and always closes the services. */
export function registerXmpCommand(
  program: Command,
  withServices: <T>(fn: (services: Services) => Promise<T> | T) => Promise<T>,
  print: (json: boolean, value: unknown, human: () => string) => void,
): void {
  const xmp = program.command('xmp').description('XMP sidecars (captions and tags for other photo programs)');
  xmp
    .command('write')
    .description('write captions and tags into XMP sidecars beside the photos of a library folder (recursively) or one photo')
    .argument('<path>', 'a folder of the library (or below one), or one photo file')
    .addOption(new Option('--naming <naming>', 'sidecar names (default: the xmp.naming setting)').choices(['basename', 'fullname']))
    .option('--replace-subjects', "make our tags the sidecars' only keywords (default: the xmp.subjects setting)")
    .option('--json', 'machine-readable output')
    .action(async (path: string, opts: { naming?: 'basename' | 'fullname'; replaceSubjects?: boolean; json?: boolean }) => {
      const result = await withServices(async (s) => {
        const scope = await s.xmp.scopeOfPath(path);
        return s.xmp.write(scope, { naming: opts.naming, subjects: opts.replaceSubjects ? 'replace' : undefined });
      });
      print(!!opts.json, result, () => formatXmpResult(result));
    });
}
