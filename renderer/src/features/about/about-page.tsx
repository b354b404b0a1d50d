/**
 * @file The About page: app info and the `system:doctor` report (versions, database, execution
 * providers and why each is or is not used, health checks). Runs in the renderer.
 */
import { useInfo, useRequest } from '../../hooks';

export function AboutPage() {
  const info = useInfo();
  const doctor = useRequest('system:doctor', {});
  const report = doctor.data;
  return (
    <section className="page about" aria-labelledby="about-title" data-testid="about-page">
      <header className="toolbar">
        <h1 id="about-title">About Shoebox</h1>
        <span className="spacer" />
        <button type="button" onClick={doctor.reload} disabled={doctor.loading}>
          {doctor.loading ? 'Checking…' : 'Check again'}
        </button>
      </header>
      {/* Text only: focusable so that keyboard users can scroll it (axe: scrollable-region-focusable). */}
      <div className="page-body" tabIndex={0} role="region" aria-labelledby="about-title">
        <dl className="kv">
          <dt>Version</dt>
          <dd>{info.version}</dd>
          <dt>Running as</dt>
          <dd>{info.shell === 'electron' ? 'desktop app' : 'headless host (browser)'}</dd>
          <dt>Platform</dt>
          <dd>{info.platform}</dd>
          <dt>Data folder</dt>
          <dd>
            <code>{info.dataDir}</code>
          </dd>
        </dl>
        {doctor.error ? (
          <p className="inline-error" role="alert">
            The doctor could not run: {doctor.error}
          </p>
        ) : null}
        {report ? (
          <>
            <h2>Health checks</h2>
            <ul className="checks" data-testid="doctor-checks">
              <li className={report.database.ok ? 'ok' : 'bad'}>
                <span className="check-mark" aria-label={report.database.ok ? 'passed' : 'failed'}>
                  {report.database.ok ? '✓' : '✗'}
                </span>
                <strong>Database</strong> schema v{report.database.schemaVersion} · {report.database.detail}{' '}
                <code>{report.database.path}</code>
              </li>
              {report.checks.map((c) => (
                <li key={c.name} className={c.ok ? 'ok' : 'bad'}>
                  <span className="check-mark" aria-label={c.ok ? 'passed' : 'failed'}>
                    {c.ok ? '✓' : '✗'}
                  </span>
                  <strong>{c.name}</strong> {c.detail}
                </li>
              ))}
            </ul>
            <h2>Execution providers</h2>
            <ul className="checks">
              {report.executionProviders.map((ep) => (
                <li key={ep.name} className={ep.available ? 'ok' : 'off'}>
                  <span className="check-mark" aria-label={ep.available ? 'available' : 'not available'}>
                    {ep.available ? '✓' : '–'}
                  </span>
                  <strong>{ep.name}</strong> {ep.reason}
                </li>
              ))}
            </ul>
            <h2>Versions</h2>
            <dl className="kv">
              {Object.entries(report.versions).map(([k, v]) => (
                <div key={k} className="kv-row">
                  <dt>{k}</dt>
                  <dd>{v}</dd>
                </div>
              ))}
            </dl>
          </>
        ) : null}
      </div>
    </section>
  );
}
