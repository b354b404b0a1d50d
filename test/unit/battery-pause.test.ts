/**
 * @file "Paused on battery" (main/settings/battery-pause.ts, called by the Electron shell on power and
 * settings changes): understanding pauses on battery only while `understanding.pauseOnBattery` is on,
 * resumes on mains power or when the setting is turned off, and wakes the queue on each change only.
 */
import { describe, expect, it } from 'vitest';
import { BATTERY_PAUSE_REASON, createBatteryPause } from '../../main/settings/battery-pause';

function setup(start: { battery: boolean; setting: boolean }) {
  const state = { ...start };
  const calls: (string | null)[] = [];
  let wakes = 0;
  const update = createBatteryPause({
    onBattery: () => state.battery,
    pauseOnBattery: () => state.setting,
    setPaused: (r) => void calls.push(r),
    wake: () => void wakes++,
  });
  return { state, calls, update, wakes: () => wakes };
}

describe('battery pause', () => {
  it('pauses on battery when the setting is on, and resumes on mains power', () => {
    const t = setup({ battery: true, setting: true });
    t.update();
    expect(t.calls).toEqual([BATTERY_PAUSE_REASON]);
    t.state.battery = false;
    t.update();
    expect(t.calls).toEqual([BATTERY_PAUSE_REASON, null]);
    expect(t.wakes()).toBe(2);
  });

  it('never pauses on battery when the setting is off', () => {
    const t = setup({ battery: true, setting: false });
    t.update();
    expect(t.calls).toEqual([null]);
    t.state.battery = false;
    t.update();
    t.state.battery = true;
    t.update();
    expect(t.calls).toEqual([null]);
  });

  it('follows the setting while on battery: off resumes, on pauses again', () => {
    const t = setup({ battery: true, setting: true });
    t.update();
    t.state.setting = false;
    t.update();
    t.state.setting = true;
    t.update();
    expect(t.calls).toEqual([BATTERY_PAUSE_REASON, null, BATTERY_PAUSE_REASON]);
    // A settings change that does not change the outcome (another setting) neither pauses nor wakes.
    t.update();
    expect(t.calls).toHaveLength(3);
    expect(t.wakes()).toBe(3);
  });
});
