/**
 * @file Wires the contract onto Electron IPC: one `api` invoke channel through the router, events
 * forwarded to every window, and the native folder picker. Electron only.
 */
import { BrowserWindow, dialog, ipcMain } from 'electron';
import type { Services } from './services';

export function wireIpc(services: Services): () => void {
  ipcMain.handle('api', (event, method: unknown, args: unknown) => {
    // Only our own top frame may call the API.
    if (event.senderFrame?.parent !== null) return { ok: false, error: { code: 'unauthorized', message: 'Not allowed from a subframe' } };
    return services.router.call(method, args);
  });
  ipcMain.handle('pick-folder', async (event) => {
    const win = BrowserWindow.fromWebContents(event.sender);
    const options = { title: 'Add a photo folder', properties: ['openDirectory' as const] };
    const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  });
  const unsubscribe = services.events.onAny((event, payload) => {
    for (const win of BrowserWindow.getAllWindows()) win.webContents.send('event', event, payload);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler('api');
    ipcMain.removeHandler('pick-folder');
  };
}
