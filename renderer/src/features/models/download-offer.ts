/**
 * @file What the Models page offers for a model that is neither installed nor downloading: a fresh
 * download, the resume of a paused one, a retry of a failure that another try could fix, or, after a
 * failure that trying again cannot fix, a plain download with a word on why. Runs in the renderer; pure.
 */
import type { ModelDto } from '../../../../preload/contract';

/** The download button of a model card and the line shown beside it. */
export interface DownloadOffer {
  label: 'Download' | 'Retry download';
  /** The main action of the card (a download that would fail the same way is not). */
  primary: boolean;
  /** What downloading again will do (resume the kept part, or fail the same way), or null. */
  hint: string | null;
}

const KEPT = 'The part already downloaded is kept, so downloading again resumes it.';

/**
 * Offers resume or retry only when main says another try could succeed (`download.resumable`, see
 * [Note: Resumable failures] in main/models/download.ts).
 */
export function downloadOffer(dl: ModelDto['download']): DownloadOffer {
  const hasPart = dl.received > 0;
  if (dl.state === 'failed') {
    if (dl.resumable) return { label: 'Retry download', primary: true, hint: hasPart ? KEPT : null };
    return {
      label: 'Download',
      primary: false,
      hint: 'Trying again as things stand fails the same way: fix what the message says (the server, the download URL or the model id) first.',
    };
  }
  return { label: 'Download', primary: true, hint: dl.resumable && hasPart ? `Paused. ${KEPT}` : null };
}
