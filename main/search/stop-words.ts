/**
 * @file Which words of a query the word ranking looks for: the query's words without the function words
 * ("on", "the", "der", "de", "le"…) of the languages people write captions in, unless nothing else is
 * left. Used by ./hybrid-search.ts; the meaning ranking still reads the whole text.
 *
 * Runs in main (and tests). Pure.
 *
 * [Note: Stop words] Every word of a query must be in a photo's index row (an AND), so "dog on the beach"
 * would find only captions that say "on" and "the", and FTS5 would step through the doclist of "the",
 * which holds nearly every photo (50 ms at 20,000 photos; seconds at a million). Dropping the function
 * words finds "A dog asleep by the beach" too, at the cost of the rare query where a function word is the
 * point ("The Who"): typed alone, or with other function words only, the words are kept.
 */
import { queryWords } from '../db/search.repo';

const STOP = new Set(
  [
    // English
    'a an the and or of in on at to for from with by into onto over under near about as is are was were be been this that these those my our your his her their its it some any all',
    // German
    'der die das den dem des ein eine einer einem einen und oder im in am an auf mit von vom zum zur bei aus für ist sind',
    // French
    'le la les un une des du de et ou au aux en dans sur avec pour par sous est sont',
    // Spanish, Portuguese, Italian
    'el los las unos unas y o en con por para del al es son um uma os as e do da dos das no na nos nas em com pelo pela il lo gli i uno di dei delle della nel nella con per su',
    // Dutch
    'het een en of in op met van voor bij uit naar is zijn',
  ]
    .join(' ')
    .split(' '),
);

/** The words of `text` the word ranking should look for ([Note: Stop words]), joined by spaces. */
export function rankedWords(text: string): string {
  const words = queryWords(text);
  const kept = words.filter((w) => !STOP.has(w.toLowerCase()));
  return (kept.length > 0 ? kept : words).join(' ');
}
