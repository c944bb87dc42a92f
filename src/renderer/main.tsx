// Entry point of the console page: store, preferences, live link to the workstation, then React.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getDeskClient } from './client';
import { deskStore, persistPreferences } from './store';
import { startLive } from './app/live';
import { App } from './app/App';
import './styles.css';

const panel = new URLSearchParams(window.location.search).get('panel');
const client = getDeskClient();
persistPreferences(deskStore, window.localStorage);
startLive(client, deskStore);

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App panel={panel} />
    </StrictMode>,
  );
}
