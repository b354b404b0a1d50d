/**
 * @file The main window: context isolation, sandbox, no Node in the renderer, a strict CSP, no
 * window.open, no navigation away from the app. Electron only.
 */
import { BrowserWindow, session, shell } from 'electron';
import { join } from 'node:path';

/** The renderer may load its own files and `shoebox://media` only; nothing from the network. */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' shoebox: blob: data:",
  "media-src 'self' shoebox:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

export function createMainWindow(outDir: string): BrowserWindow {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  // Deny every permission request (camera, notifications, ...) but fullscreen, which the viewer's
  // F11 / F uses (the Fullscreen API asks for it): a photo library needs nothing else.
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(permission === 'fullscreen'));

  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Shoebox',
    backgroundColor: '#111214',
    webPreferences: {
      preload: join(outDir, 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());

  const appUrl = process.env['ELECTRON_RENDERER_URL'];
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Links to the web open in the user's browser, never inside the app.
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    const allowed = appUrl ? url.startsWith(appUrl) : url.startsWith('file://');
    if (!allowed) event.preventDefault();
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());

  if (appUrl) void win.loadURL(appUrl);
  else void win.loadFile(join(outDir, 'renderer', 'index.html'));
  return win;
}
