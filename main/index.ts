/**
 * @file Electron's entry: single-instance lock, the media protocol, the services, IPC and the window.
 * Deliberately thin: everything it starts is a plain service that also runs under the headless host.
 */
import { app, BrowserWindow, dialog, utilityProcess } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { offerDefaultLibrary } from './first-run';
import { utilityProcessSpawner } from './inference/worker-client';
import { wireIpc } from './ipc';
import { handleMediaProtocol, registerMediaScheme } from './protocol';
import { createServices, type Services } from './services';
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
        spawnWorker: utilityProcessSpawner(utilityProcess),
      });
      // A fresh install opens the bundled sample library, so the first window is never empty.
      const sample =
        process.env['SHOEBOX_DEFAULT_LIBRARY'] ??
        (app.isPackaged ? join(process.resourcesPath, 'sample-library') : join(app.getAppPath(), 'assets', 'sample-library'));
      await offerDefaultLibrary(services.db, services.library, sample);
      handleMediaProtocol(services.library);
      wireIpc(services);
      createMainWindow(outDir);
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) createMainWindow(outDir);
      });
    })
    .catch((err: unknown) => {
      dialog.showErrorBox('Shoebox could not start', err instanceof Error ? err.message : String(err));
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
