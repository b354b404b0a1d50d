/**
 * @file "Describe" in the viewer: asks InternVL (in the inference worker) for a caption of the photo
 * or an answer to the user's question, shows the text as it streams, and can stop it. Output of a
 * random-weight model is labelled as demo output ([Note: Demo output is labelled] in
 * main/inference/inference.service.ts). Runs in the renderer.
 */
import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../../../../preload/api-error';
import type { DescribeResult } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { useClient, useEvent } from '../../hooks';

type State =
  | { phase: 'idle' }
  | { phase: 'running'; requestId: string; text: string }
  | { phase: 'done'; result: DescribeResult }
  | { phase: 'error'; message: string; noModel: boolean };

let counter = 0;
const newRequestId = () => `describe-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export function DescribePanel({ photoId }: { photoId: number }) {
  const client = useClient();
  const [state, setState] = useState<State>({ phase: 'idle' });
  const [question, setQuestion] = useState('');
  const running = useRef<string | null>(null);

  useEvent('inference:text', ({ requestId, text }) => {
    setState((s) => (s.phase === 'running' && s.requestId === requestId ? { ...s, text: s.text + text } : s));
  });

  // Leaving the photo stops its generation.
  useEffect(
    () => () => {
      if (running.current) void client.call('inference:cancel', { requestId: running.current }).catch(() => undefined);
    },
    [client],
  );

  const run = () => {
    const requestId = newRequestId();
    running.current = requestId;
    setState({ phase: 'running', requestId, text: '' });
    const prompt = question.trim();
    client
      .call('photos:describe', { id: photoId, requestId, ...(prompt ? { prompt } : {}) })
      .then((result) => setState({ phase: 'done', result }))
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.code === 'cancelled') setState({ phase: 'idle' });
        else setState({ phase: 'error', message: errorMessage(err), noModel: err instanceof ApiError && err.code === 'unavailable' });
      })
      .finally(() => {
        if (running.current === requestId) running.current = null;
      });
  };

  const stop = () => {
    if (state.phase === 'running') void client.call('inference:cancel', { requestId: state.requestId }).catch(() => undefined);
  };

  return (
    <section className="describe" aria-label="Describe with InternVL" data-testid="describe-panel">
      <form
        className="describe-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (state.phase !== 'running') run();
        }}
      >
        <input
          type="text"
          value={question}
          maxLength={2000}
          placeholder="Ask about this photo (optional)"
          aria-label="Question about this photo"
          onChange={(e) => setQuestion(e.target.value)}
        />
        {state.phase === 'running' ? (
          <button type="button" onClick={stop} data-testid="describe-stop">
            Stop
          </button>
        ) : (
          <button type="submit" className="primary" data-testid="describe-run">
            {question.trim() ? 'Ask' : 'Describe'}
          </button>
        )}
      </form>
      {state.phase === 'running' ? (
        <p className="describe-text" aria-live="polite" data-testid="describe-text">
          {state.text || <span className="muted">Looking at the photo…</span>}
        </p>
      ) : null}
      {state.phase === 'done' ? (
        <>
          <p className="describe-text" data-testid="describe-text">
            {state.result.text || <span className="muted">(the model said nothing)</span>}
          </p>
          <p className="muted describe-meta">
            {state.result.demo ? (
              <span
                className="badge badge-warn"
                data-testid="describe-demo"
                title="This model has random weights: it writes random words, not a description"
              >
                Random text (demo model)
              </span>
            ) : null}{' '}
            {state.result.modelName} · {state.result.numTiles} tile{state.result.numTiles === 1 ? '' : 's'} ·{' '}
            {(state.result.ms / 1000).toFixed(1)} s{state.result.finishReason === 'length' ? ' · cut at the length limit' : ''}
          </p>
        </>
      ) : null}
      {state.phase === 'error' ? (
        <p className="inline-error" role="alert" data-testid="describe-error">
          {state.message} {state.noModel ? <a href="#/models">Open Models</a> : null}
        </p>
      ) : null}
    </section>
  );
}
