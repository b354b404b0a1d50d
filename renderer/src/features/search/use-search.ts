/**
 * @file The search controller: the text in the search field, the search it runs (debounced while
 * typing, at once on Enter, a chip or a recent), the newest answered search, its error, and the recent
 * searches. Held by the app shell, so a search survives a visit to another page and `/` works
 * everywhere. Runs in the renderer.
 *
 * See [Note: Search answers in order] in ./search-session.ts.
 */
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import type { SearchChip, Strictness } from '../../../../preload/contract';
import { useClient } from '../../hooks';
import { cutSpan, locateSpan } from './query-text';
import { addRecent, loadRecents, removeRecent, saveRecents } from './recent-searches';
import { SearchRunner, type SearchRunState } from './search-runner';
import type { SearchQuery, SearchSession, SearchSort } from './search-session';

/** Quiet time after a key press before the search runs. */
export const TYPING_DEBOUNCE_MS = 150;

export interface SearchController {
  /** The text in the field, as typed. */
  text: string;
  /** Whether the text asks for a search (not blank); otherwise the library shows. */
  active: boolean;
  strictness: Strictness;
  sort: SearchSort;
  /** The newest search that answered (it may be for older text while a newer one runs). */
  shown: SearchSession | null;
  /** A search is running that will replace `shown`. */
  searching: boolean;
  /** Why the newest search failed (a too-long query, a lost connection); the text stays. */
  error: string | null;
  recents: string[];
  inputRef: RefObject<HTMLInputElement | null>;
  /** The text as typed: searched after a short pause. */
  type: (text: string) => void;
  /** Searches `text` (the field's text by default) at once and remembers it. */
  submit: (text?: string) => void;
  /** Empties the field: back to the library. */
  clear: () => void;
  setStrictness: (strictness: Strictness) => void;
  setSort: (sort: SearchSort) => void;
  /** Takes a chip out of the query (cuts its span) and searches again. */
  removeChip: (chip: SearchChip) => void;
  /** Selects a chip's words in the field, to edit them. */
  selectChip: (chip: SearchChip) => void;
  /** Runs the shown search again (the library changed); the old results stay until the answer. */
  refresh: () => void;
  /** Adds the current text to the recent searches (Enter, or a result opened). */
  remember: () => void;
  forgetRecent: (query: string) => void;
  clearRecents: () => void;
  /** Puts the cursor in the search field, now or as soon as it is on screen. */
  focusField: () => void;
  /** For the field when it mounts: whether focus was asked for before it existed (asks only once). */
  takeFocusRequest: () => boolean;
}

export function useSearch(): SearchController {
  const client = useClient();
  const [text, setText] = useState('');
  const [strictness, setStrictnessState] = useState<Strictness>('normal');
  const [sort, setSortState] = useState<SearchSort>('relevance');
  const [state, setState] = useState<SearchRunState>({ shown: null, searching: false, error: null });
  const [runner] = useState(() => new SearchRunner(client, setState));
  useEffect(() => () => runner.dispose(), [runner]);
  const [recents, setRecents] = useState<string[]>(loadRecents);
  const recentsRef = useRef(recents);
  const updateRecents = useCallback((change: (list: string[]) => string[]) => {
    const next = change(recentsRef.current);
    recentsRef.current = next;
    saveRecents(next);
    setRecents(next);
  }, []);
  const inputRef = useRef<HTMLInputElement | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const focusWanted = useRef(false);
  // The latest values, for callbacks that run later (the debounce timer, chip actions).
  const latest = useRef({ text, strictness, sort, shown: state.shown });
  useEffect(() => {
    latest.current = { text, strictness, sort, shown: state.shown };
  });

  const cancelTimer = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
  };
  useEffect(() => cancelTimer, []);

  const search = useCallback(
    (query: SearchQuery, quiet = false) => {
      cancelTimer();
      runner.run(query, quiet);
    },
    [runner],
  );

  const rememberText = useCallback((query: string) => updateRecents((list) => addRecent(list, query)), [updateRecents]);

  const type = useCallback(
    (next: string) => {
      setText(next);
      cancelTimer();
      if (!next.trim()) {
        search(queryNow(latest.current, { text: next }));
        return;
      }
      timer.current = setTimeout(() => search(queryNow(latest.current, { text: next })), TYPING_DEBOUNCE_MS);
    },
    [search],
  );

  const submit = useCallback(
    (next?: string) => {
      const query = next ?? latest.current.text;
      setText(query);
      search(queryNow(latest.current, { text: query }));
      rememberText(query);
    },
    [search, rememberText],
  );

  const setStrictness = useCallback(
    (s: Strictness) => {
      setStrictnessState(s);
      search(queryNow(latest.current, { strictness: s }));
    },
    [search],
  );
  const setSort = useCallback(
    (s: SearchSort) => {
      setSortState(s);
      search(queryNow(latest.current, { sort: s }));
    },
    [search],
  );

  const removeChip = useCallback(
    (chip: SearchChip) => {
      const span = chipSpan(latest.current, chip);
      if (!span) return;
      const next = cutSpan(latest.current.text, span);
      setText(next);
      search(queryNow(latest.current, { text: next }));
      const input = inputRef.current;
      input?.focus();
      // The field shows the new text after this render; the caret goes to its end.
      queueMicrotask(() => input?.setSelectionRange(next.length, next.length));
    },
    [search],
  );

  const selectChip = useCallback((chip: SearchChip) => {
    const span = chipSpan(latest.current, chip);
    const input = inputRef.current;
    if (!span || !input) return;
    input.focus();
    input.setSelectionRange(span[0], span[1]);
  }, []);

  const focusField = useCallback(() => {
    const input = inputRef.current;
    if (input) {
      input.focus();
      input.select();
    } else focusWanted.current = true;
  }, []);

  return {
    text,
    active: text.trim() !== '',
    strictness,
    sort,
    shown: state.shown,
    searching: state.searching,
    error: state.error,
    recents,
    inputRef,
    type,
    submit,
    clear: useCallback(() => {
      setText('');
      search(queryNow(latest.current, { text: '' }));
    }, [search]),
    setStrictness,
    setSort,
    removeChip,
    selectChip,
    refresh: useCallback(() => {
      const { text: now, strictness: s, sort: o, shown: current } = latest.current;
      // Only the search on screen, and not while another runs or is about to (typing): that one answers anyway.
      const q = current?.query;
      if (q && !timer.current && !runner.pending && q.text === now && q.strictness === s && q.sort === o) search(q, true);
    }, [runner, search]),
    remember: useCallback(() => rememberText(latest.current.text), [rememberText]),
    forgetRecent: useCallback((query: string) => updateRecents((list) => removeRecent(list, query)), [updateRecents]),
    clearRecents: useCallback(() => updateRecents(() => []), [updateRecents]),
    focusField,
    takeFocusRequest: useCallback(() => {
      const wanted = focusWanted.current;
      focusWanted.current = false;
      return wanted;
    }, []),
  };
}

/** A chip's span in the text as it is now, or null when the user has edited those words since. */
function chipSpan(state: { text: string; shown: SearchSession | null }, chip: SearchChip): readonly [number, number] | null {
  const answered = state.shown?.query.text;
  return answered === undefined ? null : locateSpan(state.text, answered, chip.span);
}

/** The query of the field as it is now, with some of it replaced. */
function queryNow(state: SearchQuery, change: Partial<SearchQuery>): SearchQuery {
  return { text: state.text, strictness: state.strictness, sort: state.sort, ...change };
}
