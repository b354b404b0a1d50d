/**
 * @file The Models page's Demo mode switch ([Note: Demo mode switch] in preload/contract/settings.ts):
 * lets a user try Shoebox with the tiny random-weight model, saying up front that it writes random
 * text. Stored as the `models.demoMode` setting. Runs in the renderer.
 */
import { useState } from 'react';
import { errorMessage } from '../../api';
import { useClient, useEvent, useRequest } from '../../hooks';

/** A checkbox with what demo mode means; `onChanged` runs after it was switched (the model list changes). */
export function DemoModeSwitch({ onChanged }: { onChanged: () => void }) {
  const client = useClient();
  const settings = useRequest('settings:get', {});
  useEvent('settings:changed', settings.set);
  const [error, setError] = useState<string | null>(null);
  // The box follows the click at once; the stored value takes over when the answer comes (or it fails).
  const [asked, setAsked] = useState<boolean | null>(null);
  const on = asked ?? settings.data?.values.models.demoMode;
  const toggle = async (demoMode: boolean) => {
    setError(null);
    setAsked(demoMode);
    try {
      settings.set(await client.call('settings:set', { patch: { models: { demoMode } } }));
      onChanged();
    } catch (err) {
      setError(`Could not switch demo mode: ${errorMessage(err)}`);
    } finally {
      setAsked(null);
    }
  };
  return (
    <section className="demo-mode" aria-labelledby="demo-mode-title" data-testid="demo-mode">
      <h2 id="demo-mode-title">Demo mode</h2>
      <label className="check">
        <input
          type="checkbox"
          checked={on ?? false}
          disabled={on === undefined}
          onChange={(e) => void toggle(e.target.checked)}
          data-testid="demo-mode-switch"
        />
        Allow demo models (random weights)
      </label>
      <p className="muted small">
        A demo model, such as the tiny test model, shows how captions, tags and chat work without a large download, but what it writes is
        random text. Every answer of a demo model is labelled “Random text”.
      </p>
      {error ? (
        <p className="inline-error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
