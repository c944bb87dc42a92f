// Entry point of the console page: store, preferences, live link to the workstation, then React.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getDeskClient } from './client';
import { deskStore, persistPreferences } from './store';
import { linkSelection, SELECTION_CHANNEL } from './store/selection-sync';
import { startLive } from './app/live';
import { startWarningsLive } from './app/warnings';
import { App } from './app/App';
import { startMapFirst } from './app/lazy-map';
import './styles.css';

const panel = new URLSearchParams(window.location.search).get('panel');
persistPreferences(deskStore, window.localStorage);
// The map takes longest to show: its chunk (and with it the map's worker) starts loading before anything else.
startMapFirst(deskStore, panel);
const client = getDeskClient();
startLive(client, deskStore);
startWarningsLive(client, deskStore);
// Popped-out panels are windows of the same origin: a selection made in one shows in all.
if (typeof BroadcastChannel !== 'undefined')
  linkSelection(deskStore, new BroadcastChannel(SELECTION_CHANNEL));

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App panel={panel} />
    </StrictMode>,
  );
}
