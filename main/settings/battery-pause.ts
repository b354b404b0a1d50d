/**
 * @file "Paused on battery": whether the understanding step waits while the computer runs on battery,
 * decided from the power source and the `understanding.pauseOnBattery` setting. The Electron shell
 * (main/index.ts) calls `update` on every power change and settings change; only it can ask Electron's
 * powerMonitor, so the power source comes in as a function and this stays plain Node (and testable).
 *
 * Runs in main.
 */

/** The reason the step shows while it waits. */
export const BATTERY_PAUSE_REASON = 'paused on battery';

export interface BatteryPauseDeps {
  /** The computer runs on battery now (Electron: `powerMonitor.isOnBatteryPower()`). */
  onBattery: () => boolean;
  /** The user's `understanding.pauseOnBattery`. */
  pauseOnBattery: () => boolean;
  /** Pauses the understanding step with a reason, or resumes it (null). */
  setPaused: (reason: string | null) => void;
  /** Lets the queue look again (a resumed step has work). */
  wake: () => void;
}

/** Returns the function to call whenever the power source or the setting may have changed. */
export function createBatteryPause(deps: BatteryPauseDeps): () => void {
  let last: string | null | undefined;
  return () => {
    const reason = deps.pauseOnBattery() && deps.onBattery() ? BATTERY_PAUSE_REASON : null;
    if (reason === last) return;
    last = reason;
    deps.setPaused(reason);
    deps.wake();
  };
}
