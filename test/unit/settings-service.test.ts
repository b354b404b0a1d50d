/**
 * @file The settings service over a real (in-memory) database ([Note: Settings storage]): defaults
 * before anything is set, a patch changes only its fields and is stored as one JSON row per key, bad
 * values are refused with the setting's name and what it accepts (nothing stored), a bad stored value
 * reads as the default with one warning and is kept, and `settings:changed` comes only with a change.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../main/db/open';
import { createSettingsRepo } from '../../main/db/settings.repo';
import type { Log } from '../../main/log';
import { silentLog } from '../../main/log';
import { createSettings, DEFAULT_SETTINGS, type SettingsService } from '../../main/settings/settings.service';
import { ApiError } from '../../preload/api-error';
import type { Events } from '../../preload/contract';

let db: Db;
let emitted: Events['settings:changed'][];
let warnings: string[];
let settings: SettingsService;

const log: Log = { ...silentLog, warn: (m) => void warnings.push(m), child: () => log };
const stored = () => createSettingsRepo(db).all();

beforeEach(() => {
  db = openDatabase(':memory:');
  emitted = [];
  warnings = [];
  settings = createSettings({ db, log, emit: (_e, p) => void emitted.push(p as Events['settings:changed']), cores: 8 });
});

/** The ApiError a call throws. */
function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('settings service', () => {
  it('answers the defaults and the CPU count before anything is set, storing nothing', () => {
    expect(settings.get()).toEqual({
      values: {
        understanding: { pauseOnBattery: true, backgroundThreads: 'auto', variant: 'auto' },
        xmp: { naming: 'basename', subjects: 'merge' },
        models: { hubEndpoint: 'https://huggingface.co', demoMode: false },
        remote: { enabled: false, backends: [], fallbackLocal: true, inFlight: 8, maxTiles: 1, timeoutSeconds: 120, chat: false },
      },
      cores: 8,
    });
    expect(stored()).toEqual({});
  });

  it('applies a patch to its fields only, stores each as JSON under its key, and announces the change', () => {
    const dto = settings.set({ understanding: { backgroundThreads: 4 }, xmp: { naming: 'fullname' } });
    expect(dto.values).toEqual({
      understanding: { pauseOnBattery: true, backgroundThreads: 4, variant: 'auto' },
      xmp: { naming: 'fullname', subjects: 'merge' },
      models: { hubEndpoint: 'https://huggingface.co', demoMode: false },
      remote: { enabled: false, backends: [], fallbackLocal: true, inFlight: 8, maxTiles: 1, timeoutSeconds: 120, chat: false },
    });
    expect(stored()).toEqual({ 'understanding.backgroundThreads': '4', 'xmp.naming': '"fullname"' });
    expect(emitted).toEqual([dto]);

    settings.set({ understanding: { pauseOnBattery: false } });
    expect(settings.values()).toEqual({
      understanding: { pauseOnBattery: false, backgroundThreads: 4, variant: 'auto' },
      xmp: { naming: 'fullname', subjects: 'merge' },
      models: { hubEndpoint: 'https://huggingface.co', demoMode: false },
      remote: { enabled: false, backends: [], fallbackLocal: true, inFlight: 8, maxTiles: 1, timeoutSeconds: 120, chat: false },
    });
    // The same values again: nothing to announce.
    settings.set({ understanding: { pauseOnBattery: false } });
    settings.set({});
    expect(emitted).toHaveLength(2);
  });

  it('refuses values a setting does not accept, naming the setting and what it accepts, and stores nothing', () => {
    const tooMany = errorOf(() => settings.set({ understanding: { pauseOnBattery: false, backgroundThreads: 9, variant: 'auto' } }));
    expect(tooMany.code).toBe('bad-argument');
    expect(tooMany.message).toBe('understanding.backgroundThreads: 9 threads is more than the 8 CPUs of this machine');
    expect(tooMany.issues).toEqual([{ path: 'patch.understanding.backgroundThreads', message: expect.any(String) }]);
    // All or nothing: the valid field of the refused patch was not stored either.
    expect(stored()).toEqual({});

    expect(errorOf(() => settings.setText('xmp.naming', 'Full')).message).toBe(`xmp.naming: must be 'basename' or 'fullname', not "Full"`);
    expect(errorOf(() => settings.setText('understanding.pauseOnBattery', 'yes')).message).toMatch(/must be true or false/);
    expect(errorOf(() => settings.setText('understanding.backgroundThreads', '1.5')).message).toMatch(/'auto' or a whole number/);
    expect(errorOf(() => settings.setText('understanding.backgroundThreads', '0')).code).toBe('bad-argument');
    expect(errorOf(() => settings.setText('xmp.colour', 'red')).message).toMatch(/^Unknown setting xmp\.colour \(known: /);
    expect(stored()).toEqual({});
    expect(emitted).toEqual([]);
  });

  it('reads text as a terminal types it: numbers, booleans and bare words', () => {
    settings.setText('understanding.backgroundThreads', '2');
    settings.setText('understanding.pauseOnBattery', 'false');
    settings.setText('xmp.subjects', 'replace');
    expect(settings.values()).toEqual({
      understanding: { pauseOnBattery: false, backgroundThreads: 2, variant: 'auto' },
      xmp: { naming: 'basename', subjects: 'replace' },
      models: { hubEndpoint: 'https://huggingface.co', demoMode: false },
      remote: { enabled: false, backends: [], fallbackLocal: true, inFlight: 8, maxTiles: 1, timeoutSeconds: 120, chat: false },
    });
    settings.setText('understanding.backgroundThreads', 'auto');
    expect(settings.values().understanding.backgroundThreads).toBe('auto');
  });

  it('reads a bad stored value as the default with one warning, and keeps the row', () => {
    const repo = createSettingsRepo(db);
    repo.set('xmp.naming', '"sideways"');
    repo.set('understanding.pauseOnBattery', 'not json');
    repo.set('understanding.backgroundThreads', '64'); // saved on a bigger machine
    repo.set('xmp.subjects', '"replace"');
    repo.set('someFutureSetting', '{"x":1}');

    expect(settings.values()).toEqual({ ...DEFAULT_SETTINGS, xmp: { naming: 'basename', subjects: 'replace' } });
    expect(warnings).toHaveLength(3);
    expect(warnings.join('\n')).toMatch(/xmp\.naming: the stored value "sideways" is not usable/);
    expect(warnings.join('\n')).toMatch(/understanding\.pauseOnBattery: the stored value not json is not usable \(not JSON\)/);
    expect(warnings.join('\n')).toMatch(/64 threads is more than the 8 CPUs/);
    settings.get();
    expect(warnings).toHaveLength(3); // once per bad value, not per read
    expect(stored()).toMatchObject({ 'xmp.naming': '"sideways"', someFutureSetting: '{"x":1}' });

    // Setting it replaces the bad value.
    settings.set({ xmp: { naming: 'fullname' } });
    expect(stored()['xmp.naming']).toBe('"fullname"');
  });
});
