/**
 * @file The first-run offer: with no real model installed, the model that suits this machine
 * (`models:recommend`), with its download size, the disk it needs and the estimated seconds per photo,
 * and one button that downloads and builds it (and makes it the active model) while the user keeps
 * browsing; the text embedder search uses next to it. Whatever of the two is installed is not offered. Its progress follows `models:progress` through
 * the shared model list. Shown in the no-model banner (compact) and on the Models page. Runs in the
 * renderer.
 */
import { useState } from 'react';
import type { ModelDto, ModelOffer } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { bytesLabel } from '../../format';
import { useClient, useRequest } from '../../hooks';
import { InstallBar } from './install-bar';
import { installStatus } from './install-status';
import type { ModelsState } from './use-models';

/** '~2.1 s per photo on this machine (estimate)', or why there is no figure. */
export function speedLabel(offer: Pick<ModelOffer, 'secondsPerPhoto'>): string {
  return offer.secondsPerPhoto === null
    ? 'speed on this machine not measured yet'
    : `about ${offer.secondsPerPhoto.toFixed(1)} s per photo on this machine (an estimate from measured figures)`;
}

export function FirstRunOffer({ state, compact = false }: { state: ModelsState; compact?: boolean }) {
  const client = useClient();
  const rec = useRequest('models:recommend', {});
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState<string | null>(null);
  const { models, upsert } = state;
  if (!rec.data)
    return rec.error ? <span className="small muted">(Could not tell which model suits this machine: {rec.error})</span> : null;
  const { model, embedder } = rec.data;

  const install = async (o: ModelOffer, activate: boolean) => {
    setStarting(o.id);
    setError(null);
    try {
      upsert(await client.call('models:download', { id: o.id, variants: o.variants, activate }));
    } catch (err) {
      setError(`Could not start installing ${o.name}: ${errorMessage(err)}`);
    } finally {
      setStarting(null);
    }
  };
  const dto = (id: string): ModelDto | undefined => models?.find((m) => m.id === id);

  /** One offered model: its progress while it installs, nothing once installed, else the button. */
  const row = (o: ModelOffer, primary: boolean) => {
    const m = dto(o.id);
    if (m?.installed) return null;
    const status = m ? installStatus(m.download) : null;
    if (status) {
      return (
        <div className="download first-run-progress" data-testid="first-run-progress" data-model-id={o.id}>
          <span className="small">
            {o.name}: {status.label}
          </span>
          <InstallBar name={o.name} status={status} small />
          {status.detail ? <span className="small muted">{status.detail}</span> : null}
        </div>
      );
    }
    const failed = m?.download.state === 'failed' ? m.download.error : null;
    return (
      <div className="first-run-row" data-model-id={o.id}>
        <button
          type="button"
          className={primary ? 'primary' : undefined}
          disabled={starting !== null}
          onClick={() => void install(o, primary)}
          data-testid={primary ? 'first-run-install' : 'first-run-embedder'}
        >
          {primary ? `Download and set up ${o.name}` : `Also install ${o.name}`}
        </button>{' '}
        <span className="small muted">
          {bytesLabel(o.downloadBytes)} download, {bytesLabel(o.diskBytes)} free disk needed
          {primary ? `, ${speedLabel(o)}` : ' (search uses it)'}
        </span>
        {failed ? (
          <p className="inline-error" role="alert">
            The last try failed: {failed}
          </p>
        ) : null}
      </div>
    );
  };

  const modelRow = row(model, true);
  const embedderRow = embedder ? row(embedder, false) : null;
  // Both installed: nothing left to offer.
  if (modelRow === null && embedderRow === null) return null;
  return (
    <div className={`first-run-offer${compact ? ' compact' : ''}`} data-testid="first-run-offer" data-model-id={model.id}>
      {compact || modelRow === null ? null : (
        <p className="small">
          <strong>Suggested for this machine: {model.name}.</strong> {model.why}
        </p>
      )}
      {modelRow}
      {embedderRow}
      {error ? (
        <p className="inline-error" role="alert" data-testid="first-run-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
