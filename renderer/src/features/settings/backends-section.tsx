/**
 * @file The Settings page's "Remote understanding" section: the OpenAI-compatible servers (vLLM,
 * LMDeploy) that understand photos in place of this computer, each with the notice of where its photos
 * go (this computer, the local network, the internet); add one (URL, model, API key), check them, remove
 * one; turn remote understanding on and off, with the local worker as fallback. Runs in the renderer;
 * everything goes through the `backends:*` and `settings:set` requests (preload/contract/backends.ts).
 */
import { useState, type FormEvent } from 'react';
import type { BackendHealth, BackendsDto, RemoteBackendDto, Settings, SettingsPatch } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { useClient, useRequest } from '../../hooks';

const WHERE: Record<RemoteBackendDto['where'], string> = { loopback: 'this computer', lan: 'local network', public: 'internet' };

export interface RemoteSettingsProps {
  values: Settings;
  disabled: boolean;
  onChange: (patch: SettingsPatch) => void;
}

/** The section, with its own requests for the list of backends. */
export function RemoteSettings(props: RemoteSettingsProps) {
  const client = useClient();
  const list = useRequest('backends:list', {}, JSON.stringify(props.values.remote));
  const [health, setHealth] = useState<BackendHealth[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
      list.reload();
    }
  };

  return (
    <BackendsView
      {...props}
      list={list.data}
      health={health}
      busy={busy || props.disabled}
      error={error ?? list.error}
      onAdd={(a) =>
        act(async () => {
          const r = await client.call('backends:add', a);
          setHealth([r.health]);
        })
      }
      onRemove={(which) => act(() => client.call('backends:remove', { which }))}
      onCheck={() => act(async () => setHealth(await client.call('backends:check', {})))}
    />
  );
}

export interface BackendsViewProps extends RemoteSettingsProps {
  list: BackendsDto | undefined;
  health: BackendHealth[] | null;
  busy: boolean;
  error: string | null;
  onAdd: (a: { url: string; model?: string; apiKey?: string }) => Promise<void>;
  onRemove: (which: string) => Promise<void>;
  onCheck: () => Promise<void>;
}

/** What the section shows, from plain data (rendered by the unit test without a client). */
export function BackendsView({ values, busy, onChange, list, health, error, onAdd, onRemove, onCheck }: BackendsViewProps) {
  const { enabled, fallbackLocal, inFlight, chat } = values.remote;
  const [url, setUrl] = useState('');
  const [model, setModel] = useState('');
  const [apiKey, setApiKey] = useState('');
  const healthOf = (b: RemoteBackendDto) => health?.find((h) => h.url === b.url && h.model === b.model) ?? null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void onAdd({ url: url.trim(), ...(model.trim() ? { model: model.trim() } : {}), ...(apiKey ? { apiKey } : {}) }).then(() =>
      setApiKey(''),
    );
  };

  return (
    <fieldset className="settings-group" data-testid="remote-settings">
      <legend>Remote understanding</legend>
      <p className="settings-note">
        A computer with a GPU running vLLM or LMDeploy can understand your photos much faster. When this is on, each photo is sent to the
        first server below that answers, as a JPEG, with the same questions this computer would ask; the results are kept here as usual.
      </p>
      <Switch
        field="enabled"
        checked={enabled}
        disabled={busy}
        onChange={onChange}
        label="Send photos to these servers for understanding"
        note={enabled ? 'On: photos leave this computer.' : 'Off: photos stay on this computer.'}
      />
      <Switch
        field="fallbackLocal"
        checked={fallbackLocal}
        disabled={busy}
        onChange={onChange}
        label="Understand photos on this computer while no server answers"
      />
      <Switch
        field="chat"
        checked={chat}
        disabled={busy}
        onChange={onChange}
        label="Answer chat questions on the server too"
        note="The photos of a conversation and its questions are sent with each question."
      />
      <label className="settings-row" htmlFor="setting-remote-inflight">
        <span>
          Requests at once
          <span className="settings-note">More lets the server batch more photos together.</span>
        </span>
        <input
          id="setting-remote-inflight"
          type="number"
          min={1}
          max={256}
          value={inFlight}
          disabled={busy}
          onChange={(e) => {
            const n = Number(e.target.value);
            if (Number.isInteger(n) && n >= 1 && n <= 256) onChange({ remote: { inFlight: n } });
          }}
          data-testid="setting-remote-inflight"
        />
      </label>
      {list && list.backends.length === 0 ? <p className="muted">No server yet.</p> : null}
      <ol className="remote-backends">
        {list?.backends.map((b, i) => {
          const h = healthOf(b);
          return (
            <li key={`${b.url} ${b.model}`} data-testid="remote-backend">
              <div className="remote-backend-head">
                <span className="remote-backend-name">
                  <code>{b.url}</code> · {b.model} <span className={`remote-where remote-where-${b.where}`}>{WHERE[b.where]}</span>
                  {b.hasKey ? <span className="muted"> · API key stored</span> : null}
                </span>
                <button type="button" disabled={busy} onClick={() => void onRemove(String(i + 1))} data-testid="remote-remove">
                  Remove
                </button>
              </div>
              <p className="settings-note" data-testid="remote-notice">
                {b.notice}
              </p>
              {h ? (
                <p className={h.ok ? 'settings-note' : 'inline-error'} role="status">
                  {h.ok ? `Answers, serving ${b.model} (${h.ms} ms).` : h.problem}
                </p>
              ) : null}
            </li>
          );
        })}
      </ol>
      {list && list.backends.length > 0 ? (
        <button type="button" disabled={busy} onClick={() => void onCheck()} data-testid="remote-check">
          Check servers
        </button>
      ) : null}
      <form className="remote-add" onSubmit={submit}>
        <input
          type="url"
          required
          placeholder="http://gpu-box.local:8000"
          aria-label="Server URL"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          data-testid="remote-url"
        />
        <input
          placeholder="model (optional)"
          aria-label="Model"
          value={model}
          onChange={(e) => setModel(e.target.value)}
          data-testid="remote-model"
        />
        <input
          type="password"
          placeholder="API key (optional)"
          aria-label="API key"
          autoComplete="off"
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
          data-testid="remote-key"
        />
        <button type="submit" disabled={busy || url.trim() === ''} data-testid="remote-add">
          Add server
        </button>
      </form>
      {error ? (
        <p className="inline-error" role="alert">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

/** One on/off setting of the `remote` section. */
function Switch(props: {
  field: 'enabled' | 'fallbackLocal' | 'chat';
  checked: boolean;
  disabled: boolean;
  label: string;
  note?: string;
  onChange: (patch: SettingsPatch) => void;
}) {
  const testId = { enabled: 'setting-remote-enabled', fallbackLocal: 'setting-remote-fallback', chat: 'setting-remote-chat' }[props.field];
  return (
    <label className="settings-row">
      <input
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange({ remote: { [props.field]: e.target.checked } })}
        data-testid={testId}
      />
      <span>
        {props.label}
        {props.note ? <span className="settings-note">{props.note}</span> : null}
      </span>
    </label>
  );
}
