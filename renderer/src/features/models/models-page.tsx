/**
 * @file The Models page: every known model with its install state, the active one, a "demo" label for
 * random-weight bundles, download with progress and cancel, import from a folder path, delete after a
 * confirmation, and choosing the active model; for each installed variant its accuracy against fp32 and
 * its size, memory and speed (variant-costs.ts). Runs in the renderer.
 */
import { useState, type FormEvent } from 'react';
import type { ModelDto } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { bytesLabel } from '../../format';
import { useClient, useRequest } from '../../hooks';
import { downloadOffer } from './download-offer';
import { DemoModeSwitch } from './demo-mode-switch';
import { FirstRunOffer } from './first-run-offer';
import { InstallBar } from './install-bar';
import { installStatus } from './install-status';
import { TokenSection } from './token-section';
import { variantCostRows } from './variant-costs';
import { variantNotes } from './variant-notes';
import { hasRealModel, type ModelsState } from './use-models';

export function ModelsPage({ state }: { state: ModelsState }) {
  const client = useClient();
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<{ id: string; message: string } | null>(null);
  const [deleting, setDeleting] = useState<ModelDto | null>(null);
  const [importPath, setImportPath] = useState('');
  const [importError, setImportError] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const { models, upsert, replace, reload } = state;
  // Its speed estimate stands in for a variant that has not run here yet (labelled as an estimate).
  const recommended = useRequest('models:recommend', {}).data?.model ?? null;
  const activeId = models?.find((m) => m.active)?.id ?? '';

  const act = async (model: Pick<ModelDto, 'id' | 'name'>, what: string, run: () => Promise<void>) => {
    setBusy(model.id);
    setActionError(null);
    try {
      await run();
    } catch (err) {
      // Shown in the model's card, next to the button that failed.
      setActionError({ id: model.id, message: `Could not ${what} ${model.name}: ${errorMessage(err)}` });
    } finally {
      setBusy(null);
    }
  };
  const download = (m: ModelDto) => act(m, 'download', async () => upsert(await client.call('models:download', { id: m.id })));
  const cancel = (m: ModelDto) =>
    act(m, 'cancel the download of', async () => {
      await client.call('models:cancelDownload', { id: m.id });
      reload();
    });
  const select = (m: ModelDto | null) =>
    act(m ?? { id: activeId, name: 'no model' }, 'select', async () =>
      replace(await client.call('models:select', { id: m ? m.id : null })),
    );
  const remove = (m: ModelDto) =>
    act(m, 'delete', async () => {
      setDeleting(null);
      await client.call('models:delete', { id: m.id });
      reload();
    });

  const onImport = async (e: FormEvent) => {
    e.preventDefault();
    if (!importPath.trim()) {
      setImportError('Type the path of a model bundle folder (it holds manifest.json).');
      return;
    }
    setImporting(true);
    setImportError(null);
    try {
      const m = await client.call('models:import', { path: importPath.trim() });
      upsert(m);
      setImportPath('');
    } catch (err) {
      setImportError(errorMessage(err));
    } finally {
      setImporting(false);
    }
  };

  return (
    <section className="page models" aria-labelledby="models-title" data-testid="models-page">
      <header className="toolbar">
        <h1 id="models-title">Models</h1>
      </header>
      <div className="page-body">
        {state.error && !models ? (
          <p className="inline-error" role="alert">
            Could not list models: {state.error}{' '}
            <button type="button" className="link-button" onClick={reload}>
              Try again
            </button>
          </p>
        ) : null}
        {models && !hasRealModel(models) ? (
          <div className="banner banner-warn" role="status" data-testid="no-real-model">
            No real model is installed. Browsing and date search work; captions, tags, text in photos and search by description need a
            model. Download one below or import a bundle you exported.
          </div>
        ) : null}
        {models ? <FirstRunOffer state={state} /> : null}
        <ul className="model-list">
          {models?.map((m) => {
            const dl = m.download;
            const status = installStatus(dl);
            const active = status !== null;
            const offer = downloadOffer(dl);
            return (
              <li key={m.id} className={`model${m.active ? ' active' : ''}`} data-testid="model-item" data-model-id={m.id}>
                <div className="model-head">
                  <h2>{m.name}</h2>
                  {m.active ? <span className="badge badge-ok">Active</span> : null}
                  {m.randomWeights ? (
                    <span
                      className="badge badge-warn"
                      title="Random weights: the right shape for tests and benchmarks, but its output is noise"
                    >
                      Demo
                    </span>
                  ) : null}
                  <span className="spacer" />
                  <span className="muted">{status ? status.label : m.installed ? 'Installed' : 'Not installed'}</span>
                </div>
                <p className="muted small">
                  {m.family} · {m.id}
                  {m.variants.length ? ` · ${m.variants.join(', ')}` : ''}
                  {m.bytes ? ` · ${bytesLabel(m.bytes)}` : ''}
                </p>
                {m.path ? (
                  <p className="small">
                    <code>{m.path}</code>
                  </p>
                ) : null}
                {variantNotes(m).length > 0 ? (
                  <ul className="variant-notes small" aria-label={`Variants of ${m.name}`} data-testid="variant-notes">
                    {variantNotes(m).map((n) => (
                      <li key={n.variant} className={n.ok ? 'muted' : 'warn-text'} data-variant={n.variant} data-ok={n.ok}>
                        {n.variant}: {n.text}
                      </li>
                    ))}
                  </ul>
                ) : null}
                {m.variantCosts.length > 0 ? (
                  <table className="variant-costs small" data-testid="variant-costs">
                    <caption className="visually-hidden">What each variant of {m.name} costs on this machine</caption>
                    <thead>
                      <tr>
                        <th scope="col">Variant</th>
                        <th scope="col">On disk</th>
                        <th scope="col">Memory</th>
                        <th scope="col">Speed</th>
                      </tr>
                    </thead>
                    <tbody>
                      {variantCostRows(m, recommended).map((r) => (
                        <tr key={r.variant} data-variant={r.variant} data-speed={r.speedSource}>
                          <th scope="row">{r.variant}</th>
                          <td>{r.size}</td>
                          <td className="muted">{r.memory}</td>
                          <td className={r.speedSource === 'measured' ? undefined : 'muted'}>{r.speed}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                ) : null}
                {status ? (
                  <div className="download">
                    <InstallBar name={m.name} status={status} testId="model-progress" />
                    <span className="small muted">{status.detail ?? status.label}</span>
                  </div>
                ) : null}
                {dl.state === 'failed' && dl.error ? (
                  <p className="inline-error" role="alert">
                    Download failed: {dl.error}
                  </p>
                ) : null}
                {!m.installed && !active && offer.hint ? <p className="small muted">{offer.hint}</p> : null}
                {actionError?.id === m.id ? (
                  <p className="inline-error" role="alert" data-testid="model-error">
                    {actionError.message}
                  </p>
                ) : null}
                <div className="model-actions">
                  {!m.installed && !active ? (
                    <button
                      type="button"
                      className={offer.primary ? 'primary' : undefined}
                      disabled={busy === m.id}
                      onClick={() => void download(m)}
                    >
                      {offer.label}
                    </button>
                  ) : null}
                  {active ? (
                    <button type="button" disabled={busy === m.id} onClick={() => void cancel(m)}>
                      Cancel
                    </button>
                  ) : null}
                  {m.installed && !m.active ? (
                    <button type="button" className="primary" disabled={busy === m.id} onClick={() => void select(m)}>
                      Use this model
                    </button>
                  ) : null}
                  {m.active ? (
                    <button type="button" disabled={busy === m.id} onClick={() => void select(null)}>
                      Stop using
                    </button>
                  ) : null}
                  {m.installed ? (
                    <button type="button" className="danger-text" disabled={busy === m.id} onClick={() => setDeleting(m)}>
                      Delete
                    </button>
                  ) : null}
                </div>
              </li>
            );
          })}
          {models && models.length === 0 ? <li className="muted">No models are known. Import a bundle below.</li> : null}
        </ul>
        <DemoModeSwitch onChanged={reload} />
        <TokenSection />
        <form className="import-model" onSubmit={(e) => void onImport(e)} noValidate>
          <h2>Import a model bundle</h2>
          <p className="muted small">A folder with manifest.json, the ONNX files and tokenizer.json, e.g. one made by the export script.</p>
          <div className="field-row">
            <label htmlFor="import-path" className="visually-hidden">
              Model bundle folder
            </label>
            <input
              id="import-path"
              type="text"
              placeholder="/path/to/bundle"
              value={importPath}
              spellCheck={false}
              onChange={(e) => {
                setImportPath(e.target.value);
                setImportError(null);
              }}
              aria-invalid={importError ? true : undefined}
              aria-describedby={importError ? 'import-error' : undefined}
              data-testid="import-path"
            />
            <button type="submit" disabled={importing}>
              {importing ? 'Importing…' : 'Import'}
            </button>
          </div>
          {importError ? (
            <p id="import-error" className="inline-error" role="alert" data-testid="import-error">
              {importError}
            </p>
          ) : null}
        </form>
      </div>
      {deleting ? (
        <ConfirmDialog
          title={`Delete ${deleting.name}?`}
          message={`This removes the model files (${bytesLabel(deleting.bytes)}) from disk. Captions and tags it made stay.`}
          confirmLabel="Delete"
          onConfirm={() => void remove(deleting)}
          onCancel={() => setDeleting(null)}
        />
      ) : null}
    </section>
  );
}
