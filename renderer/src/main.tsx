/**
 * @file The renderer's entry: makes the API client for this window, loads `app:info` (retrying while
 * the host starts), then renders the app. Runs in the renderer.
 */
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { AppInfo } from '../../preload/contract';
import { createClient, errorMessage } from './api';
import { App } from './app';
import { ClientContext, InfoContext } from './hooks';
import './styles/base.css';
import './styles/shell.css';
import './styles/library.css';
import './styles/pages.css';
import './styles/search.css';
import './styles/small-window.css';

const client = createClient();

function Root() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    client.call('app:info', {}).then(
      (i) => {
        if (!live) return;
        setInfo(i);
        document.title = i.shell === 'headless' ? 'Shoebox (browser)' : 'Shoebox';
      },
      (err: unknown) => {
        if (live) setError(errorMessage(err));
      },
    );
    return () => {
      live = false;
    };
  }, [attempt]);
  if (!info) {
    return (
      <div className="boot">
        {error ? (
          <div className="empty-state" role="alert">
            <h1>Shoebox is not reachable</h1>
            <p>{error}</p>
            <button
              type="button"
              onClick={() => {
                setError(null);
                setAttempt((a) => a + 1);
              }}
            >
              Try again
            </button>
          </div>
        ) : (
          <div className="spinner" aria-label="Starting Shoebox" />
        )}
      </div>
    );
  }
  return (
    <ClientContext.Provider value={client}>
      <InfoContext.Provider value={info}>
        <App />
      </InfoContext.Provider>
    </ClientContext.Provider>
  );
}

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');
createRoot(container).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
