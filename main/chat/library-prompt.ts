/**
 * @file Library chat's prompt and its citations: the facts the database computed, then the photos found,
 * numbered [1], [2]… with what the library knows of each (file name — never a path —, date, place,
 * caption, tags, text in the image), cut to a token budget; and the numbers an answer cites. Pure.
 *
 * Runs in main (and tests). Used by main/chat/library-chat.ts.
 *
 * [Note: Library prompt budget] The model's context must hold this prompt, the remembered turns and the
 * answer. The prompt gets LIBRARY_PROMPT_TOKENS (at most a third of the context budget when one is set):
 * the facts and the instructions always, then whole photo entries, best first, while they fit; each
 * field is cut to its own limit first so that one long OCR text cannot crowd out the other photos.
 * Tokens are estimated at one per digit (Qwen2's tokenizer splits numbers into digits) and 3.5 characters
 * each otherwise (it averages about 4 on English captions; the estimate errs long). The model's own
 * chat template adds about 190 tokens. The default keeps a library question's first token near 5 s on
 * two CPU cores with int8 (prefill is about 2 ms a token there: `npm run bench:chat`). Photos left out
 * are still counted in the "more matching photos" line.
 */
import { promptFileName } from './chat-text';
import type { LibraryIntent } from './library-question';

/** Tokens the library prompt may take by default ([Note: Library prompt budget]). */
export const LIBRARY_PROMPT_TOKENS = 1000;
/** Photos put in front of the model at most. */
export const LIBRARY_MAX_PHOTOS = 8;
const CHARS_PER_TOKEN = 3.5;
const MAX_CAPTION_CHARS = 300;
const MAX_TEXT_CHARS = 200;
const MAX_TAGS = 12;

/** What the database answered before the model ran ([Note: Library facts come from the database]). */
export interface LibraryFacts {
  intent: LibraryIntent;
  /** The search in words ("“dog” · 2025"). */
  query: string;
  /** Photos matching the search (its filters, and all of its words when it has words). */
  count: number;
  /** Capture times (wall clock, ISO without zone) of the oldest and newest of them; null when none. */
  first: string | null;
  last: string | null;
}

/** What the prompt says of one photo. */
export interface SourcePhoto {
  photoId: number;
  name: string;
  /** Capture time (ISO, wall clock). */
  takenAt: string;
  place: string;
  caption: string;
  tags: readonly string[];
  text: string;
}

/** Qwen2's tokenizer (InternVL3's) makes every digit a token of its own: dates and file names are mostly digits. */
const estimateTokens = (s: string) => {
  const digits = s.replace(/\D+/g, '').length;
  return digits + Math.ceil((s.length - digits) / CHARS_PER_TOKEN);
};
const cut = (s: string, max: number) => {
  // \s covers the control characters that matter (tab, new line); the rest become spaces too.
  // eslint-disable-next-line no-control-regex -- control characters never reach the model
  const flat = s.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  const t = flat.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};
/** '2025-07-03T10:20:00' → '2025-07-03 10:20'. */
const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/** The facts as sentences the model must word, and the UI shows. */
export function factLines(f: LibraryFacts): string[] {
  const lines = [`Photos in the library matching ${f.query}: ${f.count}.`];
  if (f.count > 0 && f.first && f.last && f.intent !== 'count') {
    if (f.intent === 'first' || f.intent === 'when') lines.push(`The earliest was taken ${when(f.first)}.`);
    if (f.intent === 'last' || f.intent === 'when') lines.push(`The most recent was taken ${when(f.last)}.`);
  }
  return lines;
}

/** One photo's entry: "[2] IMG_1.jpg — 2025-07-03 10:20 — Lisbon, Portugal — caption — tags: … — text: …". */
export function sourceLine(n: number, p: SourcePhoto): string {
  const parts = [`[${n}] ${promptFileName(p.name)}`, `taken ${when(p.takenAt)}`];
  if (p.place) parts.push(`place: ${cut(p.place, 120)}`);
  if (p.caption) parts.push(`description: ${cut(p.caption, MAX_CAPTION_CHARS)}`);
  if (p.tags.length > 0)
    parts.push(
      `tags: ${p.tags
        .slice(0, MAX_TAGS)
        .map((t) => cut(t, 40))
        .join(', ')}`,
    );
  if (p.text) parts.push(`text in the photo: “${cut(p.text, MAX_TEXT_CHARS)}”`);
  return parts.join(' — ');
}

export interface LibraryPrompt {
  /** The user message of this turn. */
  message: string;
  /** The photos in it, in their [n] order (n = index + 1). */
  used: SourcePhoto[];
  /** Estimated tokens of `message`. */
  tokens: number;
}

/** The turn's message within `budgetTokens` ([Note: Library prompt budget]). */
export function buildLibraryPrompt(
  question: string,
  facts: LibraryFacts | null,
  photos: readonly SourcePhoto[],
  budgetTokens: number,
): LibraryPrompt {
  const head = [
    'Answer the question about my photo library using only the facts and photos below.',
    'Cite the photos you use by their number in brackets, like [1] or [2].',
    ...(facts ? ['Facts from the database (exact; state them as given, do not recount):', ...factLines(facts).map((l) => `- ${l}`)] : []),
  ];
  const tail = [`Question: ${question.trim()}`];
  let used = estimateTokens([...head, 'Photos:', ...tail].join('\n'));
  const lines: string[] = [];
  const kept: SourcePhoto[] = [];
  for (const p of photos.slice(0, LIBRARY_MAX_PHOTOS)) {
    const line = sourceLine(kept.length + 1, p);
    const cost = estimateTokens(line) + 1;
    if (used + cost > budgetTokens) break;
    used += cost;
    lines.push(line);
    kept.push(p);
  }
  const left = photos.length - kept.length;
  const body =
    kept.length > 0 ? ['Photos:', ...lines, ...(left > 0 ? [`(${left} more matching photos not listed.)`] : [])] : ['No photos matched.'];
  const message = [...head, ...body, ...tail].join('\n');
  return { message, used: kept, tokens: estimateTokens(message) };
}

/**
 * The photo numbers an answer cites, in first-cited order, each once: "[2]", "[1, 3]", "[1][4]",
 * "[2–4]" (a range, at most 20 wide). Numbers outside 1…`count` are not citations (a year "[2021]",
 * a made-up photo) and are left out.
 */
export function parseCitations(answer: string, count: number): number[] {
  const out: number[] = [];
  const add = (n: number) => {
    if (Number.isInteger(n) && n >= 1 && n <= count && !out.includes(n)) out.push(n);
  };
  for (const m of answer.matchAll(/\[([\d\s,–-]{1,60})\]/gu)) {
    for (const part of (m[1] ?? '').split(',')) {
      const range = /^\s*(\d+)\s*[–-]\s*(\d+)\s*$/u.exec(part);
      if (range) {
        const a = Number(range[1]);
        const b = Number(range[2]);
        if (b >= a && b - a <= 20) for (let n = a; n <= b; n++) add(n);
      } else if (/^\s*\d+\s*$/u.test(part)) add(Number(part));
    }
  }
  return out;
}

/** The answer when the library holds nothing for the question: said without asking the model. */
export function nothingFoundAnswer(query: string): string {
  return `I found no photos in your library matching ${query}, so I cannot answer from it. Try other words, or fewer filters.`;
}
