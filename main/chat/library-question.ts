/**
 * @file Library chat's reading of a question: what kind of answer it wants (a count, the first or last
 * time, when, or photos to look at), the search it becomes, and how a follow-up ("and the year before?")
 * carries the previous question's search on. Pure: no database, no clock but the `now` it is given.
 *
 * Runs in main (and tests). Used by main/chat/library-chat.ts; the search is main/search/query-parser.ts's.
 *
 * [Note: Library facts come from the database] A question that asks for a number or a date ("how many
 * photos of the dog this year?", "when did we last go to the mountains?") is recognised here by simple
 * rules, its intent words are taken off, and the rest is parsed as a search; main/db/library-chat.repo.ts
 * runs that search as SQL (count(*), min/max of the capture time) before the model runs. The model is
 * given the result as facts to word and the UI shows them beside the answer: the number is never the
 * model's guess. Rules, not a classifier: a question they miss is answered from the photos found, which
 * is what a search would show anyway.
 */
import { parseQuery, rangeLabel, type Filter, type ParseOptions, type ParsedQuery } from '../search/query-parser';

/** What a library question asks for. */
export type LibraryIntent = 'count' | 'last' | 'first' | 'when' | 'find';

/** The search a library turn runs, as saved with the turn (`chat_turns.query`). */
export interface LibraryQuery extends ParsedQuery {
  intent: LibraryIntent;
}

/** Intent rules, tried in order; each removes its words from the question. */
const INTENT_RULES: readonly { intent: LibraryIntent; re: RegExp }[] = [
  { intent: 'count', re: /\b(?:how\s+many(?:\s+times)?|how\s+often|(?:the\s+)?number\s+of|count(?:\s+(?:of|the))?)\b/iu },
  { intent: 'last', re: /\b(?:(?:the\s+)?last\s+time|most\s+recent(?:ly)?|latest|when\b(?=.*\blast\b))/iu },
  { intent: 'first', re: /\b(?:(?:the\s+)?first\s+time|earliest|when\b(?=.*\bfirst\b))/iu },
  { intent: 'when', re: /\bwhen\b/iu },
];

/** Question words that are not part of what to search for. */
const FILLER =
  /\b(?:did|do|does|have|has|had|was|were|is|are|we|i|you|my|our|me|us|go|went|gone|been|take|took|taken|show|find|see|there|any|ever|last|first|what|which|where|who|the|a|an|to|of|in\s+total|all|photos?|pictures?|pics?|images?|shots?)\b/giu;

/** The intent of a question and the question without its intent words. */
export function questionIntent(question: string): { intent: LibraryIntent; rest: string } {
  for (const { intent, re } of INTENT_RULES) {
    const m = re.exec(question);
    if (m) {
      let rest = question.slice(0, m.index) + ' ' + question.slice(m.index + m[0].length);
      // "when did we last …": the cue word of the rule is a question word, not a subject.
      if (intent === 'last' || intent === 'first') rest = rest.replace(new RegExp(`\\b${intent}\\b`, 'iu'), ' ');
      return { intent, rest };
    }
  }
  return { intent: 'find', rest: question };
}

/** The words of a search text left when question filler is taken off ("did we go to the mountains" → "mountains"). */
export function searchWords(semantic: string): string {
  return semantic
    .replace(FILLER, ' ')
    .replace(/[?!.,;:]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** How a follow-up changes the previous search: dates shifted by `years`, or words and filters added. */
const SHIFT_RULES: readonly { re: RegExp; years: number }[] = [
  { re: /\b(?:the\s+)?(?:year|one)\s+before\b|\bprevious\s+year\b|\ba\s+year\s+(?:earlier|before)\b/iu, years: -1 },
  { re: /\b(?:the\s+)?year\s+after\b|\bnext\s+year\b|\ba\s+year\s+later\b|\bfollowing\s+year\b/iu, years: 1 },
];
/** A question that continues the previous one rather than starting anew. */
const FOLLOW_UP = /^\s*(?:and|what\s+about|how\s+about|same\s+(?:for|with)|also|then)\b/iu;

/** Wall-clock ms moved by whole years (Feb 29 rolls to Mar 1, as Date.UTC does). */
const shiftYears = (ms: number, years: number) => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear() + years, d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
};

/** The previous search with its date ranges moved by `years` (their chips relabelled). */
function shiftDates(prev: LibraryQuery, years: number): Filter[] {
  return prev.filters.map((f) => {
    if (f.type !== 'date') return f;
    const start = shiftYears(f.start, years);
    const end = shiftYears(f.end, years);
    return { ...f, start, end, label: rangeLabel(start, end) };
  });
}

/**
 * The search a question runs. A follow-up of `previous` keeps its intent and search: "and the year
 * before?" moves its dates a year back; "and in Lisbon?" keeps its words and replaces the filters of the
 * kinds it names (a new date replaces the old date, a new place the old place). Anything else is a new
 * question.
 */
export function libraryQuery(question: string, now: Date, previous: LibraryQuery | null, opts: ParseOptions = {}): LibraryQuery {
  const { intent, rest } = questionIntent(question);
  if (previous) {
    for (const rule of SHIFT_RULES) {
      if (rule.re.test(question) && previous.filters.some((f) => f.type === 'date')) {
        return {
          intent: intent === 'find' ? previous.intent : intent,
          semantic: previous.semantic,
          filters: shiftDates(previous, rule.years),
        };
      }
    }
  }
  const parsed = parseQuery(rest.replace(FOLLOW_UP, ' '), now, opts);
  const semantic = searchWords(parsed.semantic);
  if (previous && FOLLOW_UP.test(question)) {
    const kinds = new Set(parsed.filters.map((f) => f.type));
    return {
      intent: intent === 'find' ? previous.intent : intent,
      semantic: semantic || previous.semantic,
      filters: [...previous.filters.filter((f) => !kinds.has(f.type)), ...parsed.filters],
    };
  }
  return { intent, semantic, filters: parsed.filters };
}

/** A search in words, for the prompt and the UI: "dog · 2025 · Lisbon, Portugal". */
export function describeQuery(q: Pick<LibraryQuery, 'semantic' | 'filters'>): string {
  return [q.semantic ? `“${q.semantic}”` : '', ...q.filters.map((f) => f.label)].filter(Boolean).join(' · ') || 'the whole library';
}
