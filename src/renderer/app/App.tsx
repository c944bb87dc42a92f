// The console: the docked panels, the alarm banner, the status bar, and the key and sound wiring.
import { useEffect, type ReactNode } from 'react';
import { AlertBanner } from '../components/AlertBanner';
import { HelpOverlay } from '../components/HelpOverlay';
import { useT } from '../i18n';
import { IncidentDetail } from '../panels/IncidentDetail';
import { IncidentQueue } from '../panels/IncidentQueue';
import { IntakePanel } from '../panels/IntakePanel';
import { MapPanel } from '../panels/MapPanel';
import { OrderConsole } from '../panels/OrderConsole';
import { StatusBar } from '../panels/StatusBar';
import { UnitsBoard } from '../panels/UnitsBoard';
import { WarningsPanel } from '../panels/WarningsPanel';
import { deskStore, useDesk } from '../store';
import { PANEL_IDS, type PanelId } from '../store/layout';
import { Dock } from './Dock';
import { handleGlobalKey } from './keymap';
import { playAlarm, unlockAudio } from './sound';

function renderPanel(panel: PanelId): ReactNode {
  switch (panel) {
    case 'map':
      return <MapPanel />;
    case 'queue':
      return <IncidentQueue />;
    case 'intake':
      return <IntakePanel />;
    case 'orders':
      return <OrderConsole />;
    case 'units':
      return <UnitsBoard />;
    case 'detail':
      return <IncidentDetail />;
    case 'warnings':
      return <WarningsPanel />;
  }
}

function useConsoleWiring(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      unlockAudio();
      if (handleGlobalKey(event)) event.preventDefault();
    };
    const onPointer = (): void => unlockAudio();
    window.addEventListener('keydown', onKey);
    window.addEventListener('pointerdown', onPointer);
    // The alarm sounds when an alarm arrives, unless muted.
    const unsubscribe = deskStore.subscribe((state, previous) => {
      if (state.alarmSeq !== previous.alarmSeq && !state.muted) playAlarm();
    });
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('pointerdown', onPointer);
      unsubscribe();
    };
  }, []);
}

function useDocumentLanguage(): void {
  const language = useDesk((s) => s.language);
  const t = useT();
  useEffect(() => {
    document.documentElement.lang = language;
    document.title = t('app.title');
  }, [language, t]);
}

export function App({ panel }: { panel: string | null }) {
  useConsoleWiring();
  useDocumentLanguage();
  const single = PANEL_IDS.find((id) => id === panel);
  // The panels are laid out at once (the map starts on its basemap); each fills in as its data arrives.
  return (
    <div className={`app ${single ? 'popped' : ''}`}>
      <AlertBanner />
      {single ? (
        <div className="single-panel" data-panel={single}>
          {renderPanel(single)}
        </div>
      ) : (
        <Dock render={renderPanel} />
      )}
      <StatusBar />
      <HelpOverlay />
    </div>
  );
}
