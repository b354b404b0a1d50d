/**
 * @file Electron's entry: single-instance lock, the media protocol, the services, IPC and the window.
 * Deliberately thin: everything it starts is a plain service that also runs under the headless host.
 */
import { app, BrowserWindow, dialog, powerMonitor, shell, utilityProcess } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errMessage } from './errors';
import { offerDefaultLibrary } from './first-run';
import { utilityProcessSpawner } from './inference/worker-client';
import { wireIpc } from './ipc';
import { handleMediaProtocol, registerMediaScheme } from './media-protocol';
import { createSafeStorageSecretStore } from './safe-storage';
import { createServices, type Services } from './services';
import { createBatteryPause } from './settings/battery-pause';
import { createMainWindow } from './window';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..');

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  registerMediaScheme();
  let services: Services | null = null;

  app.on('second-instance', () => {
    const win = BrowserWindow.getAllWindows()[0];
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  app
    .whenReady()
    .then(async () => {
      services = await createServices({
        dataDir: process.env['SHOEBOX_DATA_DIR'] ?? app.getPath('userData'),
        shell: 'electron',
        spawnWorker: (env) => utilityProcessSpawner(utilityProcess, env)(),
        // The hub access token is encrypted with the OS keychain here; the host and CLI keep a 0600 file.
        secrets: createSafeStorageSecretStore,
        // The viewer's "Show in folder" ([Note: Show in folder or Copy path] in preload/contract/viewer.ts).
        showItemInFolder: (absPath) => shell.showItemInFolder(absPath),
        // "Move to Trash": the OS trash, never a permanent delete ([Note: Trash state] in main/library/trash.ts).
        trashItem: (absPath) => shell.trashItem(absPath),
      });
      // A fresh install opens the bundled sample library, so the first window is never empty.
      const sample =
        process.env['SHOEBOX_DEFAULT_LIBRARY'] ??
        (app.isPackaged ? join(process.resourcesPath, 'sample-library') : join(app.getAppPath(), 'assets', 'sample-library'));
      await offerDefaultLibrary(services.db, services.library, sample);
      // Understanding is the heavy step: it waits while the computer runs on battery (the rest goes on),
      // unless the user turned that off (understanding.pauseOnBattery).
      const s = services;
      const onPower = createBatteryPause({
        onBattery: () => powerMonitor.isOnBatteryPower(),
        pauseOnBattery: () => s.settings.values().understanding.pauseOnBattery,
        setPaused: (reason) => s.understandStep.setPaused(reason),
        wake: () => s.library.wake(),
      });
      powerMonitor.on('on-battery', onPower);
      powerMonitor.on('on-ac', onPower);
      s.events.on('settings:changed', onPower);
      onPower();
      handleMediaProtocol(services.library);
      wireIpc(services);
      createMainWindow(outDir);
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) createMainWindow(outDir);
      });
    })
    .catch((err: unknown) => {
      dialog.showErrorBox('Shoebox could not start', errMessage(err));
      app.exit(1);
    });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', (event) => {
    if (!services) return;
    event.preventDefault();
    const s = services;
    services = null;
    void s.close().finally(() => app.exit(0));
  });
}
