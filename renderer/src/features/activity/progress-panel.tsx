/**
 * @file The Activity page: per-step progress of the job queue (counts, rate or seconds per photo, ETA,
 * where a step runs), pause / resume, why a step or the queue waits (with a way to the Models page when
 * the model is the reason), and the failed files with their errors and a retry. Also the compact
 * summary shown at the bottom of the sidebar. Runs in the renderer.
 */
import { useState, type ReactNode } from 'react';
import type { JobsStatus } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { failedFilesTitle, groupFailedFiles, HIDDEN_LABEL } from './failed-files';
import { useNotify } from '../../components/notices';
import { countLabel, durationLabel, perItemLabel, rateLabel, stepLabel } from '../../format';
import { useClient, useEvent, useRequest, useThrottled } from '../../hooks';
import { isAboutModel, overall, stepBlocks, stepTotal, type JobsState } from './use-jobs';

function percent(done: number, total: number): number {
  return total === 0 ? 100 : Math.floor((done / total) * 100);
}

/** The sidebar's one-glance progress with pause / resume. */
export function ProgressSummary({ jobs, onOpen }: { jobs: JobsState; onOpen: () => void }) {
  const status = jobs.status;
  if (!status) return null;
  const o = overall(status);
  const working = o.left > 0;
  return (
    <div className="progress-summary" data-testid="progress-summary">
      <button type="button" className="link-button" onClick={onOpen}>
        {status.paused ? 'Paused' : working ? `Processing · ${countLabel(o.left)} left` : 'Up to date'}
        {failedFiles(status) > 0 ? (
          <span className="badge badge-error" title={failedFilesTitle(failedFiles(status))}>
            {countLabel(failedFiles(status))} failed
          </span>
        ) : null}
      </button>
      {working || status.paused ? (
        <div
          className="bar small"
          role="progressbar"
          aria-label="Overall progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent(o.done, o.total)}
        >
          <div style={{ width: `${percent(o.done, o.total)}%` }} />
        </div>
      ) : null}
      {working ? <BlockedNote status={status} /> : null}
    </div>
  );
}

/** The sidebar's one line on why something waits: the first waiting step's reason, else the queue's. */
function BlockedNote({ status }: { status: JobsStatus }) {
  const { blocks, queueReasonIsAStep } = stepBlocks(status);
  const first = blocks[0];
  const text = first
    ? `${stepLabel(first.step)}: ${first.reason}`
    : status.blockedReason && !queueReasonIsAStep
      ? status.blockedReason
      : null;
  return text ? (
    <p className="muted small" data-testid="summary-blocked">
      {text}
    </p>
  ) : null;
}

export function ProgressPanel({ jobs, onModels }: { jobs: JobsState; onModels: () => void }) {
  const status = jobs.status;
  return (
    <section className="page activity" aria-labelledby="activity-title" data-testid="progress-panel">
      <header className="toolbar">
        <h1 id="activity-title">Activity</h1>
        <span className="spacer" />
        {status ? (
          <button type="button" onClick={() => void jobs.setPaused(!status.paused)} disabled={jobs.busy} data-testid="pause-toggle">
            {status.paused ? 'Resume' : 'Pause'}
          </button>
        ) : null}
      </header>
      <div className="page-body">
        {jobs.error && !status ? (
          <p className="inline-error" role="alert">
            Could not read the job queue: {jobs.error}{' '}
            <button type="button" className="link-button" onClick={jobs.reload}>
              Try again
            </button>
          </p>
        ) : null}
        {status ? <StatusView status={status} onModels={onModels} /> : jobs.error ? null : <div className="spinner" aria-label="Loading" />}
        {status ? <Failures failedCount={overall(status).failed} files={failedFiles(status)} /> : null}
      </div>
    </section>
  );
}

/** Why something waits, with a way to the Models page when the model is the reason. */
function WaitingBanner(props: { testId: string; step?: string; onModels: (() => void) | null; children: ReactNode }) {
  return (
    <div className="banner banner-warn" role="status" data-testid={props.testId} data-step={props.step}>
      {props.children}
      {props.onModels ? (
        <>
          {' '}
          <button type="button" className="link-button" onClick={props.onModels}>
            Go to Models
          </button>
        </>
      ) : null}
    </div>
  );
}

function StatusView({ status, onModels }: { status: JobsStatus; onModels: () => void }) {
  const o = overall(status);
  const { blocks, queueReasonIsAStep } = stepBlocks(status);
  const waiting = new Set(blocks.map((b) => b.step));
  return (
    <>
      <div className="stats" data-testid="library-stats">
        <div className="stat">
          <strong data-testid="stat-photos">{countLabel(status.photos)}</strong>
          <span>photos</span>
        </div>
        <div className="stat">
          <strong>{countLabel(o.left)}</strong>
          <span>tasks left</span>
        </div>
        <div className="stat">
          <strong>{countLabel(status.missing)}</strong>
          <span>missing</span>
        </div>
        <div className="stat">
          <strong>{countLabel(status.errors)}</strong>
          <span>unreadable</span>
        </div>
      </div>
      {status.paused ? (
        <div className="banner" role="status" data-testid="paused-banner">
          Processing is paused. Nothing new is fingerprinted, thumbnailed or captioned until you resume.
        </div>
      ) : (
        <>
          {blocks.map((b) => (
            <WaitingBanner key={b.step} testId="step-blocked" step={b.step} onModels={b.aboutModel ? onModels : null}>
              <strong>{stepLabel(b.step)} waiting:</strong> {b.reason}
            </WaitingBanner>
          ))}
          {status.blockedReason && !queueReasonIsAStep ? (
            <WaitingBanner testId="blocked-reason" onModels={isAboutModel(status.blockedReason) ? onModels : null}>
              Waiting: {status.blockedReason}.
            </WaitingBanner>
          ) : null}
        </>
      )}
      <table className="steps" data-testid="steps">
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col" className="progress-col">
              Progress
            </th>
            <th scope="col">Done</th>
            <th scope="col">Left</th>
            <th scope="col">Failed</th>
            <th scope="col">Speed</th>
            <th scope="col">ETA</th>
          </tr>
        </thead>
        <tbody>
          {status.steps.map((s) => {
            const total = stepTotal(s);
            const left = s.pending + s.running;
            return (
              <tr key={s.step} data-testid={`step-${s.step}`}>
                <th scope="row">
                  {stepLabel(s.step)}
                  {s.detail ? (
                    <span className="step-detail" data-testid="step-detail">
                      {s.detail}
                    </span>
                  ) : null}
                </th>
                <td className="progress-col">
                  <div
                    className="bar"
                    role="progressbar"
                    aria-label={`${stepLabel(s.step)} progress`}
                    aria-valuemin={0}
                    aria-valuemax={100}
                    aria-valuenow={percent(s.done, total)}
                  >
                    <div style={{ width: `${percent(s.done, total)}%` }} />
                  </div>
                </td>
                <td data-testid="step-done">
                  {countLabel(s.done)} / {countLabel(total)}
                </td>
                <td>
                  {countLabel(left)}
                  {s.running > 0 ? <span className="muted"> ({s.running} running)</span> : null}
                </td>
                <td className={s.failed > 0 ? 'error-text' : undefined}>{countLabel(s.failed)}</td>
                <td data-testid="step-speed">
                  {s.secondsPerItem !== undefined && s.secondsPerItem !== null
                    ? perItemLabel(s.secondsPerItem)
                    : left > 0
                      ? rateLabel(s.rate)
                      : '—'}
                </td>
                <td data-testid="step-eta">
                  {left === 0 || status.paused ? (
                    '—'
                  ) : waiting.has(s.step) ? (
                    <span className="warn-text">waiting</span>
                  ) : (
                    durationLabel(s.etaSeconds)
                  )}
                </td>
              </tr>
            );
          })}
          {status.steps.length === 0 ? (
            <tr>
              <td colSpan={7} className="muted">
                Nothing queued yet.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </>
  );
}

/** Files with a failed step (each once); an older main without the count gives failed steps. */
function failedFiles(status: JobsStatus): number {
  return status.failedFiles ?? overall(status).failed;
}

function Failures({ failedCount, files }: { failedCount: number; files: number }) {
  const client = useClient();
  const notify = useNotify();
  const failures = useRequest('jobs:failures', { offset: 0, limit: 100 }, String(failedCount));
  // A retried file can fail again between two progress events with the same failed count, so the
  // list also follows every progress event (at most once a second) while this page is open.
  const follow = useThrottled(failures.reload, 1000);
  useEvent('jobs:progress', follow);
  // A photo hidden (or restored) meanwhile sends no progress event of its own: its entry's
  // "hidden photo" label follows the library's change.
  useEvent('library:changed', follow);
  const [retrying, setRetrying] = useState(false);
  if (failedCount === 0 && !failures.data?.total) return null;
  const retry = async (step?: string) => {
    setRetrying(true);
    try {
      const { requeued } = await client.call('jobs:retryFailed', step ? { step } : {});
      notify('info', `Queued ${countLabel(requeued)} ${requeued === 1 ? 'task' : 'tasks'} again.`);
      failures.reload();
    } catch (err) {
      notify('error', `Retry failed: ${errorMessage(err)}`);
    } finally {
      setRetrying(false);
    }
  };
  const items = failures.data?.items ?? [];
  const grouped = groupFailedFiles(items);
  return (
    <section className="failures" aria-labelledby="failures-title" data-testid="failures">
      <header className="section-header">
        <h2 id="failures-title" data-testid="failures-title">
          {failedFilesTitle(Math.max(files, grouped.length))}
        </h2>
        <span className="spacer" />
        <button type="button" onClick={() => void retry()} disabled={retrying} data-testid="retry-failed">
          Retry all
        </button>
      </header>
      {failures.error ? (
        <p className="inline-error" role="alert">
          {failures.error}
        </p>
      ) : null}
      <ul className="failure-list">
        {grouped.map((file) => (
          <li key={file.photoId} data-testid="failure-item">
            <div className="failure-head">
              <code title={file.path ?? undefined}>{file.path ?? `photo #${file.photoId}`}</code>
              {file.hidden ? (
                <span className="chip" title={HIDDEN_LABEL.title} data-testid="failure-hidden">
                  {HIDDEN_LABEL.text}
                </span>
              ) : null}
              <span className="muted small">{file.gaveUp ? 'gave up' : 'will retry'}</span>
            </div>
            <p className="error-text">{file.reason}</p>
            <details className="failure-details">
              <summary>Details</summary>
              <ul>
                {file.failures.map((f) => (
                  <li key={f.jobId}>
                    <span className="chip">{stepLabel(f.step)}</span>{' '}
                    <span className="muted small">
                      {f.state === 'failed-permanent' ? 'gave up' : 'will retry'} · {f.attempts} {f.attempts === 1 ? 'attempt' : 'attempts'}
                    </span>{' '}
                    <button type="button" className="link-button" onClick={() => void retry(f.step)} disabled={retrying}>
                      Retry {stepLabel(f.step).toLowerCase()}
                    </button>
                    <pre className="raw-error" data-testid="raw-error">
                      {f.error}
                    </pre>
                  </li>
                ))}
              </ul>
            </details>
          </li>
        ))}
      </ul>
      {failures.data && failures.data.total > items.length ? (
        <p className="muted">Only the latest {countLabel(items.length)} problems are shown.</p>
      ) : null}
    </section>
  );
}
