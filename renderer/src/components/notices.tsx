/**
 * @file Transient notices (toasts) for errors and warnings that have no field to sit next to, e.g. an
 * `app:warning` event or a failed background action. Runs in the renderer.
 */
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';

export type NoticeKind = 'info' | 'warning' | 'error';
interface Notice {
  id: number;
  kind: NoticeKind;
  message: string;
}

const NoticeContext = createContext<((kind: NoticeKind, message: string) => void) | null>(null);

/** Shows a notice for a few seconds (errors for longer). */
export function useNotify(): (kind: NoticeKind, message: string) => void {
  const notify = useContext(NoticeContext);
  if (!notify) throw new Error('useNotify outside <NoticeProvider>');
  return notify;
}

export function NoticeProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);
  const dismiss = useCallback((id: number) => setNotices((n) => n.filter((x) => x.id !== id)), []);
  const notify = useCallback(
    (kind: NoticeKind, message: string) => {
      const id = nextId.current++;
      setNotices((n) => [...n.filter((x) => x.message !== message).slice(-4), { id, kind, message }]);
      // Errors stay longer, but not forever: a notice must never keep covering the page.
      setTimeout(() => dismiss(id), kind === 'error' ? 15_000 : 6000);
    },
    [dismiss],
  );
  const value = useMemo(() => notify, [notify]);
  return (
    <NoticeContext.Provider value={value}>
      {children}
      <div className="notices" role="region" aria-label="Notifications" data-testid="notices">
        {notices.map((n) => (
          <div key={n.id} className={`notice notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'}>
            <span>{n.message}</span>
            <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </NoticeContext.Provider>
  );
}
