/**
 * @file Whether background processing is paused, for deep leaves that word their state by it (a grid
 * tile without its thumbnail says "Paused", not "Processing…"). Provided once by the app shell from
 * `jobs:status`; false outside a provider. Runs in the renderer.
 */
import { createContext, useContext } from 'react';

export const JobsPausedContext = createContext(false);

/** True while the user has paused processing (Activity page or sidebar). */
export function useJobsPaused(): boolean {
  return useContext(JobsPausedContext);
}
