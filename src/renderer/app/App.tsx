// The console: the docked panels, the alarm banner, the status bar, and the key and sound wiring.
import { memo, useEffect, type ReactNode } from 'react';
import { AlertBanner } from '../components/AlertBanner';
import { HelpOverlay } from '../components/HelpOverlay';
import { useT } from '../i18n';
import { IncidentDetail } from '../panels/IncidentDetail';
import { IncidentQueue } from '../panels/IncidentQueue';
import { IntakePanel } from '../panels/IntakePanel';
import { OrderConsole } from '../panels/OrderConsole';
import { StatusBar } from '../panels/StatusBar';
import { UnitsBoard } from '../panels/UnitsBoard';
import { WarningsPanel } from '../panels/WarningsPanel';
import { deskStore, useDesk } from '../store';
import { PANEL_IDS, type PanelId } from '../store/layout';
import { Dock } from './Dock';
import { LazyMapPanel } from './lazy-map';
import { handleGlobalKey } from './keymap';
import { playAlarm, unlockAudio } from './sound';

// The panels take no props: memoised, a layout change (a tab shown, a splitter moved) redraws the frame only.
const Queue = memo(IncidentQueue);
const Intake = memo(IntakePanel);
const Orders = memo(OrderConsole);
const Units = memo(UnitsBoard);
const Detail = memo(IncidentDetail);
const Warnings = memo(WarningsPanel);
const MapSlot = memo(LazyMapPanel);

function renderPanel(panel: PanelId): ReactNode {
  switch (panel) {
    case 'map':
      return <MapSlot />;
    case 'queue':
      return <Queue />;
    case 'intake':
      return <Intake />;
    case 'orders':
      return <Orders />;
    case 'units':
      return <Units />;
    case 'detail':
      return <Detail />;
    case 'warnings':
      return <Warnings />;
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
