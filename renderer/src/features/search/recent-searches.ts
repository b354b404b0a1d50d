/**
 * @file Recent searches: the last ten distinct queries, newest first, kept in this window's local
 * storage (never sent anywhere). Runs in the renderer; the list operations are pure and unit-tested.
 */

export const MAX_RECENTS = 10;
/** Longer queries (pasted text) are searched but not remembered. */
export const MAX_RECENT_LENGTH = 200;
const STORAGE_KEY = 'shoebox.recentSearches';

/** A query as it is remembered: spacing collapsed and trimmed; '' when it is not worth remembering. */
function remembered(query: string): string {
  const q = query.replace(/\s+/gu, ' ').trim();
  return q.length > MAX_RECENT_LENGTH ? '' : q;
}

/** Two queries are the same recent search when they differ only in case and spacing. */
const sameQuery = (a: string, b: string) => remembered(a).toLowerCase() === remembered(b).toLowerCase();

/** `query` first, without its earlier copies, at most MAX_RECENTS; unchanged for a blank or long query. */
export function addRecent(list: readonly string[], query: string): string[] {
  const q = remembered(query);
  if (!q) return [...list];
  return [q, ...list.filter((r) => !sameQuery(r, q))].slice(0, MAX_RECENTS);
}

export function removeRecent(list: readonly string[], query: string): string[] {
  return list.filter((r) => !sameQuery(r, query));
}

/** The stored list, cleaned (strings only, distinct, at most MAX_RECENTS); empty for anything else. */
export function parseRecents(raw: string | null): string[] {
  let value: unknown;
  try {
    value = JSON.parse(raw ?? '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  const list: string[] = [];
  for (const v of value) {
    const q = typeof v === 'string' ? remembered(v) : '';
    if (q && !list.some((r) => sameQuery(r, q))) list.push(q);
  }
  return list.slice(0, MAX_RECENTS);
}

type RecentStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** The storage of this window, or null where there is none (a private window may refuse it). */
function localStorageOrNull(): RecentStorage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function loadRecents(storage: RecentStorage | null = localStorageOrNull()): string[] {
  try {
    return parseRecents(storage?.getItem(STORAGE_KEY) ?? null);
  } catch {
    return [];
  }
}

export function saveRecents(list: readonly string[], storage: RecentStorage | null = localStorageOrNull()): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(list));
  } catch {
    // Full or refused storage: the list lasts for this page only.
  }
}
