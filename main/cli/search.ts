/**
 * @file `shoebox search "QUERY" [--limit N] [--json]`: searches the library from a terminal and prints
 * each result's path and date, the filters understood from the query (as the app's chips), and that the
 * ranking is lexical (words in the index; no embedder yet). Registered by main/cli/index.ts.
 *
 * Runs in the CLI (plain Node), with the library not started. Any query text is accepted: no match is
 * an empty result and exit 0. See [Note: Lexical search slice] in main/search/lexical-search.ts.
 */
import { type Command, CommanderError, Option } from 'commander';
import type { PhotoSummary, SearchChip, SearchResult } from '../../preload/contract';
import type { Services } from '../services';

const MAX_LIMIT = 500;

/** A chip as text: 'Videos', 'place: Lisbon (not searchable yet)'. */
const chipText = (c: SearchChip) => `${c.kind}: ${c.label}${c.unsupported ? ' (not searchable yet)' : ''}`;

/** The human output: one line per result, then what was understood and how it was ranked. */
export function formatSearch(r: Omit<SearchResult, 'items'> & { items: (PhotoSummary & { path: string })[] }): string {
  const lines = r.items.map((p) => `${p.path}  ${p.takenAt.replace('T', ' ')}`);
  if (r.items.length === 0) lines.push('No photos match.');
  else if (r.total > r.items.length) lines.push(`… ${r.total - r.items.length} more (raise --limit).`);
  lines.push(`Filters: ${r.filters.length ? r.filters.map(chipText).join(', ') : 'none'}`);
  lines.push(`Words: ${r.semantic || '(none)'}`);
  lines.push(`Search: lexical (words in captions, tags, text, file and folder names; no embedder yet). ${r.total} match(es).`);
  return lines.join('\n');
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT)
    throw new CommanderError(2, 'shoebox.badLimit', `--limit must be an integer 1..${MAX_LIMIT}, got ${value}`);
  return n;
}

/** Adds the `search` command; `withServices` opens and always closes the services. */
export function registerSearchCommand(
  program: Command,
  withServices: <T>(fn: (services: Services) => Promise<T> | T) => Promise<T>,
  print: (json: boolean, value: unknown, human: () => string) => void,
): void {
  program
    .command('search <query>')
    .description('search the library (lexical: words in captions, tags, text, file and folder names) and print the matches')
    .addOption(new Option('--limit <n>', 'most results to print').default(20).argParser(parseLimit))
    .option('--json', 'machine-readable output')
    .action(async (query: string, opts: { limit: number; json?: boolean }) => {
      await withServices((services) => {
        const r = services.search.search(query, { limit: opts.limit, offset: 0 });
        const items = r.items.map((p) => ({ ...p, path: services.library.getPhoto(p.id)?.files[0]?.absPath ?? p.name }));
        const result = { ...r, items };
        print(!!opts.json, result, () => formatSearch(result));
      });
    });
}
