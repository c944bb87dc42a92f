// The docking frame: three resizable columns of two slots; panels are tabs that can be dragged between slots,
// collapsed, or popped out into their own window.
import { useRef, type PointerEvent as ReactPointerEvent, type ReactNode } from 'react';
import { popOutUrl } from '../client';
import { useT, type MessageKey } from '../i18n';
import { useDesk } from '../store';
import { slotContents, SLOT_IDS, type PanelId, type SlotId } from '../store/layout';

interface DockProps {
  render: (panel: PanelId) => ReactNode;
}

const PANEL_TITLES: Record<PanelId, MessageKey> = {
  map: 'panel.map',
  queue: 'panel.queue',
  intake: 'panel.intake',
  orders: 'panel.orders',
  units: 'panel.units',
  detail: 'panel.detail',
  warnings: 'panel.warnings',
};

const DRAG_TYPE = 'application/x-command-desk-panel';

function Slot({ slot, render }: { slot: SlotId; render: DockProps['render'] }) {
  const t = useT();
  const layout = useDesk((s) => s.layout);
  const movePanel = useDesk((s) => s.movePanel);
  const showPanel = useDesk((s) => s.showPanel);
  const toggleCollapsed = useDesk((s) => s.toggleCollapsed);
  const { panels, active } = slotContents(layout, slot);
  const collapsed = layout.collapsed.includes(slot);
  return (
    <section
      className={`slot ${collapsed ? 'collapsed' : ''} ${panels.length === 0 ? 'empty-slot' : ''}`}
      data-slot={slot}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes(DRAG_TYPE)) e.preventDefault();
      }}
      onDrop={(e) => {
        const panel = e.dataTransfer.getData(DRAG_TYPE) as PanelId;
        if (panel) movePanel(panel, slot);
      }}
    >
      <header className="slot-head">
        {panels.map((panel) => (
          <button
            key={panel}
            className={`tab ${panel === active ? 'on' : ''}`}
            draggable
            data-panel-tab={panel}
            onDragStart={(e) => e.dataTransfer.setData(DRAG_TYPE, panel)}
            onClick={() => showPanel(panel)}
            title={t('dock.dragHint')}
          >
            {t(PANEL_TITLES[panel])}
          </button>
        ))}
        {panels.length === 0 && <span className="muted small">{t('dock.dropHere')}</span>}
        <span className="grow" />
        {active && (
          <button
            className="icon"
            title={t('dock.popOut')}
            onClick={() => window.open(popOutUrl(active), `desk-${active}`, 'popup,width=1000,height=700')}
          >
            ↗
          </button>
        )}
        <button
          className="icon"
          title={collapsed ? t('dock.expand') : t('dock.collapse')}
          onClick={() => toggleCollapsed(slot)}
          data-testid={`collapse-${slot}`}
        >
          {collapsed ? '▸' : '▾'}
        </button>
      </header>
      {!collapsed &&
        panels.map((panel) => (
          // Inactive tabs stay mounted (hidden) so the map and form state survive switching.
          <div key={panel} className="slot-body" hidden={panel !== active} data-panel={panel}>
            {render(panel)}
          </div>
        ))}
    </section>
  );
}

function Splitter({
  direction,
  onMove,
}: {
  direction: 'col' | 'row';
  onMove: (fraction: number, parent: DOMRect) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const onPointerDown = (event: ReactPointerEvent<HTMLDivElement>): void => {
    const element = ref.current;
    const parent = element?.parentElement?.getBoundingClientRect();
    if (!element || !parent) return;
    element.setPointerCapture(event.pointerId);
    const move = (e: PointerEvent): void => {
      onMove(
        direction === 'col'
          ? (e.clientX - parent.left) / parent.width
          : (e.clientY - parent.top) / parent.height,
        parent,
      );
    };
    const up = (): void => {
      element.removeEventListener('pointermove', move);
      element.removeEventListener('pointerup', up);
    };
    element.addEventListener('pointermove', move);
    element.addEventListener('pointerup', up);
  };
  return <div ref={ref} className={`splitter ${direction}`} onPointerDown={onPointerDown} role="separator" />;
}

export function Dock({ render }: DockProps) {
  const layout = useDesk((s) => s.layout);
  const resizeColumns = useDesk((s) => s.resizeColumns);
  const resizeSplit = useDesk((s) => s.resizeSplit);
  const columns = [0, 1, 2] as const;
  const template = layout.columns.map((w) => `${w}fr`).join(' 6px ');
  return (
    <div className="dock" style={{ gridTemplateColumns: template }} data-testid="dock">
      {columns.map((column) => {
        const top = SLOT_IDS[column * 2] as SlotId;
        const bottom = SLOT_IDS[column * 2 + 1] as SlotId;
        const topCollapsed = layout.collapsed.includes(top);
        const bottomCollapsed = layout.collapsed.includes(bottom);
        const rows = topCollapsed
          ? 'auto 6px 1fr'
          : bottomCollapsed
            ? '1fr 6px auto'
            : `${layout.splits[column]}fr 6px ${1 - layout.splits[column]}fr`;
        return [
          <div key={`col-${column}`} className="column" style={{ gridTemplateRows: rows }}>
            <Slot slot={top} render={render} />
            <Splitter direction="row" onMove={(f) => resizeSplit(column, f)} />
            <Slot slot={bottom} render={render} />
          </div>,
          column < 2 ? (
            <Splitter
              key={`split-${column}`}
              direction="col"
              onMove={(f) => resizeColumns(column as 0 | 1, f)}
            />
          ) : null,
        ];
      })}
    </div>
  );
}
