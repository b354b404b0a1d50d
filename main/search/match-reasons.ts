/**
 * @file The `why` of a search result: for a photo the words found, one snippet per field that holds
 * them (caption, tags, text in the image, place, file name, folder, camera), cut from the stored text
 * with the words marked (./snippets.ts); 'meaning' for a photo found by meaning alone; 'filters' when
 * the query had no words.
 *
 * Runs in main (and tests). Pure.
 */
import type { MatchReason } from '../../preload/contract';
import type { PhotoFields } from '../db/search-fields.repo';
import type { SearchColumn } from '../db/search.repo';
import { highlight, listSnippet, snippet, type TermWord } from './snippets';

/** Fields in the order the UI lists them, with the index column each comes from. */
const ORDER: readonly (readonly [SearchColumn, Exclude<MatchReason, { field: 'meaning' | 'filters' }>['field']])[] = [
  ['caption', 'caption'],
  ['tags', 'tags'],
  ['text', 'text'],
  ['places', 'place'],
  ['files', 'file'],
  ['folders', 'folder'],
  ['camera', 'camera'],
];

/** The place as shown: 'City, Region, Country', then the other names that hold a word, in brackets. */
function placeSnippet(stored: string, terms: readonly TermWord[]) {
  const [city = '', region = '', country = '', ...others] = stored.split(' ; ');
  const main = [city, region, country].filter(Boolean).join(', ');
  const marks = highlight(main, terms);
  const extra = others.filter((o) => o && highlight(o, terms).length > 0);
  if (marks.length > 0 || extra.length === 0) return snippet(main, marks);
  const list = listSnippet(extra, terms);
  const lead = `${main} (`;
  return snippet(
    `${lead}${list.text})`,
    list.highlights.map(([a, b]) => [a + lead.length, b + lead.length] as [number, number]),
  );
}

/** One field's snippet, or null when the field is empty. */
function fieldSnippet(column: SearchColumn, f: PhotoFields, terms: readonly TermWord[]) {
  switch (column) {
    case 'caption':
      return f.caption ? snippet(f.caption, highlight(f.caption, terms)) : null;
    case 'tags':
      return f.tags.length ? listSnippet(f.tags, terms, 5) : null;
    case 'text':
      return f.text ? snippet(f.text, highlight(f.text, terms, { insideWords: true })) : null;
    case 'places':
      return f.place ? placeSnippet(f.place, terms) : null;
    case 'files':
      return f.files.length ? listSnippet(f.files, terms) : null;
    case 'folders':
      return f.folders.length ? listSnippet(f.folders, terms) : null;
    case 'camera':
      return f.camera ? snippet(f.camera, highlight(f.camera, terms)) : null;
  }
}

/**
 * Why a photo found by the words matched: a snippet of each column the index matched (`columns`, from
 * search.repo.ts), or of every field where the words are marked when the index said none. Never empty:
 * a match whose text could not be shown (its source changed since) reads as 'meaning' when the meaning
 * found it too, else as the first non-empty field.
 */
export function wordReasons(
  f: PhotoFields,
  columns: readonly SearchColumn[],
  terms: readonly TermWord[],
  byMeaning: boolean,
): MatchReason[] {
  const out: MatchReason[] = [];
  for (const [column, field] of ORDER) {
    if (columns.length > 0 && !columns.includes(column)) continue;
    const s = fieldSnippet(column, f, terms);
    if (s && (columns.length > 0 || s.highlights.length > 0)) out.push({ field, snippet: s });
  }
  if (out.length > 0) return out;
  if (byMeaning) return [{ field: 'meaning' }];
  for (const [column, field] of ORDER) {
    const s = fieldSnippet(column, f, terms);
    if (s) return [{ field, snippet: s }];
  }
  return [{ field: 'file', snippet: { text: '', highlights: [] } }];
}
