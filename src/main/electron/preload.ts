// The sandboxed preload: exposes exactly one object, `desk` (the DeskClient of the contract), to the page.
// ipcRenderer itself never crosses the bridge; only this file's closures use it.
import { contextBridge, ipcRenderer } from 'electron';
import { createBridgeClient } from './bridge-client';

const desk = createBridgeClient({
  invoke: (channel, request) => ipcRenderer.invoke(channel, request),
  onEvent: (channel, listener) => {
    ipcRenderer.on(channel, (_event, message: unknown) => listener(message));
  },
});

contextBridge.exposeInMainWorld('desk', desk);
