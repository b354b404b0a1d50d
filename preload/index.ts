/**
 * @file The preload bridge: exposes exactly the `Bridge` of the contract on `window.shoebox`, nothing
 * else. Runs sandboxed (CommonJS, Electron's limited preload API).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Bridge } from './contract';

const bridge: Bridge = {
  invoke: (method, args) => ipcRenderer.invoke('api', method, args),
  subscribe(listener) {
    const l = (_e: IpcRendererEvent, event: string, payload: unknown) => listener(event, payload);
    ipcRenderer.on('event', l);
    return () => ipcRenderer.removeListener('event', l);
  },
  pickFolder: () => ipcRenderer.invoke('pick-folder'),
};

contextBridge.exposeInMainWorld('shoebox', bridge);
