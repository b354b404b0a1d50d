/**
 * @file `shoebox search "QUERY" [--limit N] [--strictness loose|normal|strict] [--sort relevance|date] [--json]`:
 * searches the library from a terminal and prints each result's score, path, date and why it matched
 * (the marked words in brackets), then the filters understood from the query (as the app's chips), how
 * it was ranked, and how much of the library can be found by meaning. Registered by main/cli/index.ts.
 *
 * Runs in the CLI (plain Node), with the library not started. Any query text is accepted: no match is
 * an empty result and exit 0. See [Note: Hybrid search] in main/search/hybrid-search.ts.
 *
 * `--json` prints the `search:query` result (SearchResult in preload/contract/search.ts) with `path`,
 * the absolute path of the photo's first file, added to each item. That shape is stable: fields may be
 * added, none is renamed or removed.
 */
import { type Command, CommanderError, Option } from 'commander';
import type { MatchReason, SearchChip, SearchItem, SearchResult, Strictness } from '../../preload/contract';
import { STRICTNESS } from '../../preload/contract/search';
import type { Services } from '../services';

const MAX_LIMIT = 500;
/** The CLI runs once: it waits for the worker to start and the dense index to load. */
const CLI_WAIT_MS = 120_000;

/** A chip as text: 'Videos', 'place: Lisbon (not searchable yet)'. */
const chipText = (c: SearchChip) => `${c.kind}: ${c.label}${c.unsupported ? ' (not searchable yet)' : ''}`;

/** A reason as one line: 'caption: A yellow [tram] on …', 'similar meaning', 'matches the filters'. */
export function reasonText(r: MatchReason): string {
  if (r.field === 'meaning') return 'similar meaning';
  if (r.field === 'filters') return 'matches the filters';
  let out = '';
  let at = 0;
  for (const [a, b] of r.snippet.highlights) {
    out += `${r.snippet.text.slice(at, a)}[${r.snippet.text.slice(a, b)}]`;
    at = b;
  }
  return `${r.field}: ${(out + r.snippet.text.slice(at)).replace(/\s+/gu, ' ')}`;
}

/** The human output: per result its score, path, date and reasons; then what was understood and how it was ranked. */
export function formatSearch(r: Omit<SearchResult, 'items'> & { items: (SearchItem & { path: string })[] }): string {
  const lines: string[] = [];
  for (const p of r.items) {
    lines.push(`${p.score.toFixed(2)}  ${p.path}  ${p.takenAt.replace('T', ' ')}`);
    for (const why of p.why) lines.push(`      ${reasonText(why)}`);
  }
  if (r.items.length === 0) lines.push('No photos match.');
  else if (r.total > r.items.length) lines.push(`… ${r.total - r.items.length} more (raise --limit).`);
  if (r.hidden > 0) lines.push(`${r.hidden} weaker match(es) hidden (--strictness loose shows them).`);
  lines.push(`Filters: ${r.filters.length ? r.filters.map(chipText).join(', ') : 'none'}`);
  lines.push(`Words: ${r.semantic || '(none)'}`);
  const how = r.mode === 'hybrid' ? 'hybrid (words and meaning)' : 'lexical (words in captions, tags, text, places, file and folder names)';
  lines.push(`Search: ${how}. ${r.total} match(es).`);
  if (r.notice) lines.push(`Note: ${r.notice}`);
  const c = r.coverage;
  lines.push(`Library: ${c.photos} photo(s), ${c.understood} understood, ${c.embedded} searchable by meaning.`);
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
    .description('search the library (words, filters such as dates and places, and meaning when a text embedder is installed)')
    .addOption(new Option('--limit <n>', 'most results to print').default(20).argParser(parseLimit))
    .addOption(new Option('--strictness <level>', 'how many weaker matches to show').choices(STRICTNESS).default('normal'))
    .addOption(
      new Option('--sort <order>', 'best first, or the same matches newest first').choices(['relevance', 'date']).default('relevance'),
    )
    .option('--json', 'machine-readable output (the search:query result, each item with its path)')
    .action(async (query: string, opts: { limit: number; strictness: Strictness; sort: 'relevance' | 'date'; json?: boolean }) => {
      await withServices(async (services) => {
        const r = await services.search.search(query, {
          limit: opts.limit,
          offset: 0,
          strictness: opts.strictness,
          sort: opts.sort,
          waitMs: CLI_WAIT_MS,
        });
        const items = r.items.map((p) => ({ ...p, path: services.library.getPhoto(p.id)?.files[0]?.absPath ?? p.name }));
        const result = { ...r, items };
        print(!!opts.json, result, () => formatSearch(result));
      });
    });
}
