/**
 * @file The Settings page: pause understanding on battery, the inference worker's threads, remote
 * understanding servers (./backends-section.tsx), XMP sidecar
 * naming and keywords, and the "Write XMP sidecars" action per library folder with its outcome (counts
 * and the skipped files' reasons). Every change shows at once and is saved through `settings:set` (put
 * back, with the reason, if refused); the page follows `settings:changed`. Runs in the renderer.
 */
import { useState, type ReactNode } from 'react';
import type { FolderDto, Settings, SettingsPatch, XmpWriteResult } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { useNotify } from '../../components/notices';
import { countLabel } from '../../format';
import { useClient, useEvent, useRequest } from '../../hooks';
import { RemoteSettings } from './backends-section';
import './settings.css';

export interface SettingsPageProps {
  folders: FolderDto[] | undefined;
}

export function SettingsPage({ folders }: SettingsPageProps) {
  const client = useClient();
  const notify = useNotify();
  const settings = useRequest('settings:get', {});
  useEvent('settings:changed', settings.set);
  const [saving, setSaving] = useState(false);

  // The control shows the change at once; a refused save puts the setting back and says why.
  const save = async (patch: SettingsPatch) => {
    const before = settings.data;
    if (before) settings.set({ ...before, values: withPatch(before.values, patch) });
    setSaving(true);
    try {
      settings.set(await client.call('settings:set', { patch }));
    } catch (err) {
      if (before) settings.set(before);
      notify('error', `Could not save the setting: ${errorMessage(err)}`);
    } finally {
      setSaving(false);
    }
  };

  const dto = settings.data;
  return (
    <section className="page settings" aria-labelledby="settings-title" data-testid="settings-page">
      <header className="toolbar">
        <h1 id="settings-title">Settings</h1>
      </header>
      <div className="page-body">
        {settings.error ? (
          <p className="inline-error" role="alert">
            Could not load the settings: {settings.error}
          </p>
        ) : null}
        {dto ? (
          <>
            <UnderstandingSettings values={dto.values} cores={dto.cores} disabled={saving} onChange={(p) => void save(p)} />
            <RemoteSettings values={dto.values} disabled={saving} onChange={(p) => void save(p)} />
            <XmpSettings values={dto.values} disabled={saving} onChange={(p) => void save(p)} />
            <XmpFolders folders={folders} values={dto.values} />
          </>
        ) : null}
      </div>
    </section>
  );
}

/** `values` with `patch` applied: each section's given fields replace the old ones, as `settings:set` does. */
export function withPatch(values: Settings, patch: SettingsPatch): Settings {
  const next = { ...values };
  for (const key of Object.keys(patch) as (keyof SettingsPatch)[]) {
    const fields = patch[key];
    if (fields) (next as Record<string, unknown>)[key] = { ...values[key], ...fields };
  }
  return next;
}

interface SectionProps {
  values: Settings;
  disabled: boolean;
  onChange: (patch: SettingsPatch) => void;
}

export function UnderstandingSettings({ values, cores, disabled, onChange }: SectionProps & { cores: number }) {
  const { pauseOnBattery, backgroundThreads, variant } = values.understanding;
  return (
    <fieldset className="settings-group">
      <legend>Understanding</legend>
      <label className="settings-row">
        <input
          type="checkbox"
          checked={pauseOnBattery}
          disabled={disabled}
          onChange={(e) => onChange({ understanding: { pauseOnBattery: e.target.checked } })}
          data-testid="setting-pause-on-battery"
        />
        <span>
          Pause understanding while on battery
          <span className="settings-note">Applies to the desktop app, which sees the power source; browsing and indexing go on.</span>
        </span>
      </label>
      <label className="settings-row" htmlFor="setting-threads">
        <span>
          Threads for understanding
          <span className="settings-note">
            How many CPU cores the model may use. Fewer keeps the computer responsive; the change applies once the photos being understood
            now are done.
          </span>
        </span>
        <select
          id="setting-threads"
          value={String(backgroundThreads)}
          disabled={disabled}
          onChange={(e) => onChange({ understanding: { backgroundThreads: e.target.value === 'auto' ? 'auto' : Number(e.target.value) } })}
          data-testid="setting-threads"
        >
          <option value="auto">Automatic (all {cores} cores)</option>
          {Array.from({ length: cores }, (_, i) => i + 1).map((n) => (
            <option key={n} value={String(n)}>
              {n === 1 ? '1 core' : `${n} cores`}
            </option>
          ))}
        </select>
      </label>
      <label className="settings-row" htmlFor="setting-variant">
        <span>
          Model variant
          <span className="settings-note">
            Automatic runs int8, the CPU variant, on the CPU and fp16 on a CUDA or DirectML GPU (fp32 for demo models). Changing it
            describes every photo again with the new variant.
          </span>
        </span>
        <select
          id="setting-variant"
          value={variant}
          disabled={disabled}
          onChange={(e) => onChange({ understanding: { variant: e.target.value as typeof variant } })}
          data-testid="setting-variant"
        >
          <option value="auto">Automatic</option>
          <option value="fp32">fp32 (reference)</option>
          <option value="fp16">fp16</option>
          <option value="int8">int8</option>
          <option value="q4">q4</option>
        </select>
      </label>
    </fieldset>
  );
}

function XmpSettings({ values, disabled, onChange }: SectionProps) {
  const { naming, subjects } = values.xmp;
  return (
    <fieldset className="settings-group">
      <legend>XMP sidecars</legend>
      <p className="settings-note">
        Shoebox can write captions and tags into .xmp files beside your photos, for Lightroom, darktable, digiKam and others. It only does
        so when you ask (“Write XMP sidecars for this folder” below), and never changes the photos themselves.
      </p>
      <RadioRow
        label="Sidecar names"
        name="xmp-naming"
        value={naming}
        disabled={disabled}
        onChange={(v) => onChange({ xmp: { naming: v } })}
        options={[
          {
            value: 'basename',
            text: (
              <>
                <code>IMG_1.xmp</code> <span className="muted">(Lightroom, Capture One)</span>
              </>
            ),
          },
          {
            value: 'fullname',
            text: (
              <>
                <code>IMG_1.CR2.xmp</code> <span className="muted">(darktable, digiKam)</span>
              </>
            ),
          },
        ]}
      />
      <RadioRow
        label="Keywords"
        name="xmp-subjects"
        value={subjects}
        disabled={disabled}
        onChange={(v) => onChange({ xmp: { subjects: v } })}
        options={[
          { value: 'merge', text: 'Add our tags to the keywords already there' },
          { value: 'replace', text: 'Replace the keywords with our tags' },
        ]}
      />
    </fieldset>
  );
}

/** A labelled group of radio buttons, one per option. */
function RadioRow<T extends string>(props: {
  label: string;
  name: string;
  value: T;
  disabled: boolean;
  options: { value: T; text: ReactNode }[];
  onChange: (value: T) => void;
}) {
  return (
    <div className="settings-row" role="radiogroup" aria-label={props.label}>
      <span>{props.label}</span>
      {props.options.map((o) => (
        <label key={o.value}>
          <input
            type="radio"
            name={props.name}
            checked={props.value === o.value}
            disabled={props.disabled}
            onChange={() => props.onChange(o.value)}
            data-testid={`${props.name}-${o.value}`}
          />{' '}
          {o.text}
        </label>
      ))}
    </div>
  );
}

function XmpFolders({ folders, values }: { folders: FolderDto[] | undefined; values: Settings }) {
  return (
    <fieldset className="settings-group">
      <legend>Write XMP sidecars</legend>
      <p className="settings-note">
        Writes the caption and tags of every understood photo of a folder (sub-folders included), with the settings above. Photos not
        understood yet are skipped.
      </p>
      {folders && folders.length === 0 ? <p className="muted">No folders in the library yet.</p> : null}
      <ul className="xmp-folders">
        {folders?.map((f) => (
          <XmpFolder key={f.id} folder={f} values={values} />
        ))}
      </ul>
    </fieldset>
  );
}

/** One folder's write action and what its last run did. */
function XmpFolder({ folder, values }: { folder: FolderDto; values: Settings }) {
  const client = useClient();
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<XmpWriteResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  const write = async () => {
    setRunning(true);
    setError(null);
    try {
      setResult(await client.call('xmp:write', { folderId: folder.id }));
    } catch (err) {
      setResult(null);
      setError(errorMessage(err));
    } finally {
      setRunning(false);
    }
  };

  return (
    <li className="xmp-folder" data-testid="xmp-folder">
      <div className="xmp-folder-head">
        <span className="xmp-folder-path" title={folder.path}>
          {folder.path} <span className="muted">· {countLabel(folder.photoCount)} photos</span>
        </span>
        <button
          type="button"
          onClick={() => void write()}
          disabled={running}
          title={`Names: ${values.xmp.naming}; keywords: ${values.xmp.subjects}`}
          data-testid="xmp-write"
        >
          {running ? 'Writing…' : 'Write XMP sidecars for this folder'}
        </button>
      </div>
      {error ? (
        <p className="inline-error" role="alert">
          {error}
        </p>
      ) : null}
      {result ? <XmpOutcome result={result} /> : null}
    </li>
  );
}

export function XmpOutcome({ result }: { result: XmpWriteResult }) {
  return (
    <div className="xmp-outcome" role="status" data-testid="xmp-outcome">
      <p>
        {result.written} written · {result.unchanged} already up to date · {result.skipped} skipped{' '}
        <span className="muted">({countLabel(result.photos)} photos)</span>
      </p>
      {result.skipped > 0 ? (
        <details>
          <summary>Why files were skipped</summary>
          <ul className="xmp-skipped">
            {result.items.map((s, i) => (
              <li key={`${s.photoId}-${s.path ?? ''}-${i}`}>
                <code>{s.path ?? `photo ${s.photoId}`}</code>: {s.reason}
              </li>
            ))}
            {result.skipped > result.items.length ? <li className="muted">… and {result.skipped - result.items.length} more</li> : null}
          </ul>
        </details>
      ) : null}
    </div>
  );
}
