/**
 * @file A photo's description: the one text that is embedded for dense search, made from what the
 * understanding step and the user said of the photo (caption, tags, text in the image), and its hash.
 *
 * Runs in main (and tests, the benchmark). Pure. The embedding step (./embed-step.ts) stores the text
 * exactly as made here with its hash ([Note: Stored embeddings] in main/db/migrations/0007-embeddings.ts),
 * so any change to this function re-embeds every photo whose description it changes, and only those.
 */
import { createHash } from 'node:crypto';
import type { DescriptionSources } from '../db/embeddings.repo';

/** Text in the image beyond this is left out: signs and labels say what a photo is in their first lines. */
const MAX_TEXT_CHARS = 500;
/** The whole description's bound (the embedder reads 512 tokens at most; a user's caption may be long). */
const MAX_CHARS = 2000;

const tidy = (s: string | null) => (s ?? '').replace(/\s+/gu, ' ').trim();

/**
 * The description of a photo, or '' when nothing is known of it (then it has no embedding). One line per
 * source, in a fixed order, tags alphabetical, so the same sources always make the same text.
 */
export function describePhoto(s: Pick<DescriptionSources, 'caption' | 'tags' | 'text'>): string {
  const lines: string[] = [];
  const caption = tidy(s.caption);
  if (caption) lines.push(caption);
  const tags = s.tags.map(tidy).filter(Boolean);
  if (tags.length) lines.push(`Tags: ${tags.join(', ')}.`);
  const text = [...tidy(s.text)].slice(0, MAX_TEXT_CHARS).join('');
  if (text) lines.push(`Text in the image: ${text}`);
  return [...lines.join('\n')].slice(0, MAX_CHARS).join('');
}

/** The hash stored with an embedding: sha256 of the description, hex. */
export const descriptionHash = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
