/**
 * @file How an install in flight reads on the Models page, in the no-model banner and in the first-run
 * offer: downloading, verifying, or building the bundle (with the build's step), and the progress of
 * the current phase. Runs in the renderer; pure.
 */
import type { ModelDto } from '../../../../preload/contract';
import { bytesLabel } from '../../format';

/** What a progress bar and its caption show for one install in flight. */
export interface InstallStatus {
  /** 'Downloading…', 'Verifying…', 'Building: writing weights…'. */
  label: string;
  /** Percent of the current phase (0–100). */
  pct: number;
  /** Bytes of the phase when they mean something to the user, e.g. '12 MB of 1.9 GB (1%)'; else null. */
  detail: string | null;
}

/** What each build step does ([Note: Bundle build staging] in main/models/build/build-bundle.ts). */
const BUILD_STEPS: Record<NonNullable<ModelDto['download']['buildStep']>, string> = {
  checking: 'checking the checkpoint',
  weights: 'writing weights',
  hashing: 'verifying the bundle',
  installing: 'installing',
  accuracy: 'measuring each variant against fp32',
};

/** True while a download, check or build runs. */
export function isInstalling(dl: ModelDto['download']): boolean {
  return dl.state === 'downloading' || dl.state === 'verifying' || dl.state === 'building';
}

/** The status of an install in flight, or null when none runs. */
export function installStatus(dl: ModelDto['download']): InstallStatus | null {
  if (!isInstalling(dl)) return null;
  const pct = dl.total > 0 ? Math.min(100, Math.floor((dl.received / dl.total) * 100)) : 0;
  const bytes = `${bytesLabel(dl.received)} of ${dl.total ? bytesLabel(dl.total) : '?'} (${pct}%)`;
  switch (dl.state) {
    case 'downloading':
      return { label: 'Downloading…', pct, detail: bytes };
    case 'verifying':
      return { label: 'Verifying…', pct, detail: null };
    case 'building': {
      const step = dl.buildStep ?? 'checking';
      // Checking and installing are instants; their 0/1 counts mean nothing to the user.
      const detail = step === 'weights' || step === 'hashing' ? `${pct}%` : null;
      return { label: `Building: ${BUILD_STEPS[step]}…`, pct, detail };
    }
    default:
      return null;
  }
}
