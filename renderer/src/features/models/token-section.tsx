/**
 * @file The Models page's "Hugging Face access token" section ([Note: Hub token in the app] in
 * preload/contract/models.ts): a password field with Save and Clear, and whether a token is stored.
 * The token goes to main once and never comes back: after Save the field is emptied and only
 * "stored" is shown. Runs in the renderer.
 */
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../../api';
import { useClient, useInfo, useRequest } from '../../hooks';

export function TokenSection() {
  const client = useClient();
  const { shell } = useInfo();
  const status = useRequest('models:token', {});
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const stored = status.data?.stored;

  const run = async (what: string, call: () => Promise<{ stored: boolean }>) => {
    setBusy(true);
    setError(null);
    try {
      status.set(await call());
      setToken('');
    } catch (err) {
      setError(`Could not ${what} the access token: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  };
  const onSave = (e: FormEvent) => {
    e.preventDefault();
    if (!token.trim()) {
      setError('Paste the access token first (it starts with hf_).');
      return;
    }
    void run('save', () => client.call('models:setToken', { token }));
  };

  return (
    <form className="hub-token" aria-labelledby="hub-token-title" onSubmit={onSave} noValidate data-testid="hub-token">
      <h2 id="hub-token-title">Hugging Face access token</h2>
      <p className="muted small">
        Needed only to download from gated or private repositories on the Hugging Face hub (accept the model’s terms there first). It is
        kept{' '}
        {shell === 'electron' ? 'encrypted with your system’s keychain' : 'in a file only you can read, on the computer running Shoebox'}{' '}
        and never shown again.
      </p>
      <p className="small" role="status" data-testid="hub-token-status" data-stored={stored ?? ''}>
        {stored === undefined ? (status.error ? `Could not check the access token: ${status.error}` : 'Checking…') : null}
        {stored === true ? <span className="badge badge-ok">Stored</span> : null}
        {stored === false ? <span className="badge">Not stored</span> : null}
      </p>
      <div className="field-row">
        <label htmlFor="hub-token-input" className="visually-hidden">
          Access token
        </label>
        <input
          id="hub-token-input"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder={stored ? 'Paste a new token to replace it' : 'hf_…'}
          value={token}
          onChange={(e) => {
            setToken(e.target.value);
            setError(null);
          }}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'hub-token-error' : undefined}
          data-testid="hub-token-input"
        />
        <button type="submit" disabled={busy} data-testid="hub-token-save">
          Save
        </button>
        <button
          type="button"
          disabled={busy || stored !== true}
          onClick={() => void run('clear', () => client.call('models:clearToken', {}))}
          data-testid="hub-token-clear"
        >
          Clear
        </button>
      </div>
      {error ? (
        <p id="hub-token-error" className="inline-error" role="alert" data-testid="hub-token-error">
          {error}
        </p>
      ) : null}
    </form>
  );
}
