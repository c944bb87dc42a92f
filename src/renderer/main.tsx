// Entry point of the console page: store, preferences, live link to the workstation, then React.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getDeskClient } from './client';
import { deskStore, persistPreferences } from './store';
import { linkSelection, SELECTION_CHANNEL } from './store/selection-sync';
import { startLive } from './app/live';
import { startWarningsLive } from './app/warnings';
import { App } from './app/App';
import './styles.css';

const panel = new URLSearchParams(window.location.search).get('panel');
const client = getDeskClient();
persistPreferences(deskStore, window.localStorage);
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
