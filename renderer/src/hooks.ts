/**
 * @file React glue shared by every view: the client and app info contexts, event subscriptions, and
 * a small request hook with reload. Runs in the renderer.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { AppInfo, EventName, Events, RequestArgs, RequestName, RequestResults } from '../../preload/contract';
import { errorMessage, type ShoeboxClient } from './api';

export const ClientContext = createContext<ShoeboxClient | null>(null);
export const InfoContext = createContext<AppInfo | null>(null);

/** The API client of this window. */
export function useClient(): ShoeboxClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient outside <ClientContext.Provider>');
  return client;
}

/** `app:info`, loaded before the app renders. */
export function useInfo(): AppInfo {
  const info = useContext(InfoContext);
  if (!info) throw new Error('useInfo outside <InfoContext.Provider>');
  return info;
}

/** Calls `listener` for each pushed `event` while mounted; the newest listener is always used. */
export function useEvent<E extends EventName>(event: E, listener: (payload: Events[E]) => void): void {
  const client = useClient();
  const ref = useRef(listener);
  useEffect(() => {
    ref.current = listener;
  });
  useEffect(() => client.on(event, (payload) => ref.current(payload)), [client, event]);
}

export interface RequestState<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => void;
  /** Replaces the data (from an event or a mutation's answer), or updates it from the latest value. */
  set: (data: T) => void;
  update: (fn: (previous: T | undefined) => T) => void;
}

/**
 * Runs one request when mounted and whenever `key` changes; reloads on demand. While a reload runs,
 * the previous data stays (no flash of empty content) and `loading` is true; after a `key` change
 * the data is undefined until the new answer comes, so nothing of the old key is shown as the new.
 */
export function useRequest<K extends RequestName>(method: K, args: RequestArgs<K>, key = ''): RequestState<RequestResults[K]> {
  const client = useClient();
  const scope = `${method}|${key}`;
  const [answer, setAnswer] = useState<{ scope: string; data: RequestResults[K] | undefined; error: string | null }>({
    scope,
    data: undefined,
    error: null,
  });
  const [tick, setTick] = useState(0);
  // Which request the current answer is for; `loading` is derived from it, not set in the effect.
  const [settled, setSettled] = useState<string | null>(null);
  const argsRef = useRef(args);
  useEffect(() => {
    argsRef.current = args;
  });
  useEffect(() => {
    let live = true;
    const id = `${scope}|${tick}`;
    client.call(method, argsRef.current).then(
      (result) => {
        if (!live) return;
        setAnswer({ scope, data: result, error: null });
        setSettled(id);
      },
      (err: unknown) => {
        if (!live) return;
        setAnswer((a) => ({ scope, data: a.scope === scope ? a.data : undefined, error: errorMessage(err) }));
        setSettled(id);
      },
    );
    return () => {
      live = false;
    };
  }, [client, method, scope, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const set = useCallback((data: RequestResults[K]) => setAnswer({ scope, data, error: null }), [scope]);
  const update = useCallback(
    (fn: (previous: RequestResults[K] | undefined) => RequestResults[K]) =>
      setAnswer((a) => ({ scope, data: fn(a.scope === scope ? a.data : undefined), error: null })),
    [scope],
  );
  const current = answer.scope === scope;
  return {
    data: current ? answer.data : undefined,
    error: current ? answer.error : null,
    loading: settled !== `${scope}|${tick}`,
    reload,
    set,
    update,
  };
}

/** Calls `fn` at most once per `ms`, trailing; for bursts of events. */
export function useThrottled(fn: () => void, ms: number): () => void {
  const fnRef = useRef(fn);
  useEffect(() => {
    fnRef.current = fn;
  });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      fnRef.current();
    }, ms);
  }, [ms]);
}
