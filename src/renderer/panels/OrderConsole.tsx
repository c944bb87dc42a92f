// The order console: one-key dispatch from the templates (preview, adjust, issue with Enter), the orders
// with each target's state and countdown, and this organisation's inbox with sign and report-back actions.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { InboxItem } from '../../shared/contract';
import type { Order, OrderTarget, TargetKind } from '../../shared/domain/model';
import { actOnTarget, issueDraft, previewDispatch, reportBack } from '../app/actions';
import { formatTime, nameIn, renderMessage, useT } from '../i18n';
import { deskStore, useDesk } from '../store';
import { targetNames } from '../store/names';
import { countdownOf, formatCountdown, orderList, type OrderDraft } from '../store/orders';

type Tab = 'orders' | 'inbox' | 'overdue';

function TargetChip({ target, now }: { target: OrderTarget; now: number }) {
  const t = useT();
  const countdown = countdownOf(target, now);
  const name = useDesk((s) =>
    nameIn(s.language, targetNames(s, target.targetKind, target.targetId, target.name)),
  );
  return (
    <span className={`chip state-${target.state} ${countdown.overdue ? 'overdue' : ''}`} title={name}>
      <span className="chip-name">{name}</span>
      <span className="chip-state">{t(`target.${target.state}`)}</span>
      {countdown.deadline !== 'none' && (
        <span className="num chip-time">
          {t(countdown.deadline === 'sign' ? 'orders.signIn' : 'orders.finishIn')}{' '}
          {formatCountdown(countdown.remainingMs)}
        </span>
      )}
    </span>
  );
}

function AddTarget({ draft }: { draft: OrderDraft }) {
  const t = useT();
  const units = useDesk((s) => s.units);
  const checkpoints = useDesk((s) => s.checkpoints);
  const region = useDesk((s) => s.region);
  const language = useDesk((s) => s.language);
  const [text, setText] = useState('');
  const [highlight, setHighlight] = useState(0);
  const options = useMemo(() => {
    const query = text.trim().toLowerCase();
    if (!query) return [];
    const all: {
      targetKind: TargetKind;
      targetId: string;
      name: string;
      nameEn: string;
      location: { lng: number; lat: number };
    }[] = [
      ...Object.values(units).map((u) => ({
        targetKind: 'unit' as const,
        targetId: u.id,
        name: u.callsign,
        nameEn: u.callsignEn,
        location: u.location,
      })),
      ...Object.values(checkpoints).map((c) => ({
        targetKind: 'checkpoint' as const,
        targetId: c.id,
        name: c.name,
        nameEn: c.nameEn,
        location: c.location,
      })),
      ...(region?.orgs ?? []).map((o) => ({
        targetKind: 'org' as const,
        targetId: o.id,
        name: o.name,
        nameEn: o.nameEn,
        location: o.location,
      })),
    ];
    return all
      .filter((o) => !draft.targets.some((d) => d.targetId === o.targetId && d.included))
      .filter(
        (o) =>
          o.name.toLowerCase().includes(query) ||
          o.nameEn.toLowerCase().includes(query) ||
          o.targetId.toLowerCase().includes(query),
      )
      .slice(0, 8);
  }, [text, units, checkpoints, region, draft.targets]);

  const add = (index: number): void => {
    const option = options[index];
    if (!option) return;
    deskStore.getState().addDraftTarget(option);
    setText('');
  };
  const onKey = (event: KeyboardEvent<HTMLInputElement>): void => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (options.length)
        setHighlight((h) => (h + (event.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      event.stopPropagation();
      add(Math.min(highlight, options.length - 1));
    }
  };
  return (
    <div className="search-field add-target">
      <input
        placeholder={t('orders.addTarget')}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setHighlight(0);
        }}
        onKeyDown={onKey}
      />
      {options.length > 0 && (
        <ul className="suggestions">
          {options.map((o, index) => (
            <li
              key={o.targetId}
              className={index === highlight ? 'active' : ''}
              onMouseDown={(e) => {
                e.preventDefault();
                add(index);
              }}
            >
              <span className="tag">{t(`targetKind.${o.targetKind}`)}</span> {nameIn(language, o)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function DraftEditor({ draft }: { draft: OrderDraft }) {
  const t = useT();
  const language = useDesk((s) => s.language);
  const edit = useDesk((s) => s.editDraft);
  const toggle = useDesk((s) => s.toggleDraftTarget);
  const draftError = useDesk((s) => s.draftError);
  const issueRef = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  const draftKey = `${draft.template}|${draft.incidentId ?? ''}|${draft.center?.lng ?? ''}`;
  useEffect(() => {
    issueRef.current?.focus();
  }, [draftKey]);
  const included = draft.targets.filter((target) => target.included).length;
  const issue = async (): Promise<void> => {
    if (busy) return;
    setBusy(true);
    await issueDraft();
    setBusy(false);
  };
  const onKey = (event: KeyboardEvent<HTMLDivElement>): void => {
    const element = event.target as HTMLElement;
    if (event.key === 'Escape') {
      deskStore.getState().clearDraft();
    } else if (event.key === 'Enter' && element.tagName !== 'TEXTAREA' && element.tagName !== 'BUTTON') {
      event.preventDefault();
      void issue();
    }
  };
  return (
    <div className="draft" data-testid="order-draft" onKeyDown={onKey}>
      <div className="draft-head">
        <span className="tag accent">{t(`template.${draft.template}`)}</span>
        <input
          className="grow"
          aria-label={t('orders.title')}
          value={draft.title}
          onChange={(e) => edit({ title: e.target.value })}
        />
        <label className="inline">
          {t('orders.signDeadline')}
          <input
            type="number"
            min={1}
            max={1440}
            value={draft.signDeadlineMin}
            onChange={(e) => edit({ signDeadlineMin: Number(e.target.value) || 1 })}
          />
        </label>
        <label className="inline">
          {t('orders.finishDeadline')}
          <input
            type="number"
            min={1}
            max={10080}
            value={draft.finishDeadlineMin}
            onChange={(e) => edit({ finishDeadlineMin: Number(e.target.value) || 1 })}
          />
        </label>
      </div>
      <ul className="draft-targets">
        {draft.targets.map((target) => (
          <li key={target.targetId} className={target.included ? '' : 'excluded'}>
            <label>
              <input type="checkbox" checked={target.included} onChange={() => toggle(target.targetId)} />
              <span className="tag">{t(`targetKind.${target.targetKind}`)}</span>
              {nameIn(language, target)}
            </label>
          </li>
        ))}
        {draft.targets.length === 0 && <li className="muted">{t('orders.noProposal')}</li>}
      </ul>
      {draftError && (
        <div className="draft-error" role="alert" data-testid="order-draft-error">
          {renderMessage(language, draftError)}
        </div>
      )}
      <div className="draft-foot">
        <AddTarget draft={draft} />
        <button onClick={() => deskStore.getState().clearDraft()}>
          {t('common.cancel')} <kbd>Esc</kbd>
        </button>
        <button
          ref={issueRef}
          className="primary"
          disabled={busy || included === 0}
          onClick={() => void issue()}
          data-testid="issue-order"
        >
          {t('orders.issue', { count: included })} <kbd>Enter</kbd>
        </button>
      </div>
    </div>
  );
}

function OrderRow({ order, now }: { order: Order; now: number }) {
  const t = useT();
  const language = useDesk((s) => s.language);
  const overdue = order.targets.some(
    (target) => countdownOf(target, now).overdue && order.status !== 'cancelled',
  );
  return (
    <div className={`order ${overdue ? 'overdue' : ''}`} data-order-id={order.id}>
      <div className="order-head">
        <span className={`tag status-o-${order.status}`}>{t(`orderStatus.${order.status}`)}</span>
        <span className="grow order-title">{order.title}</span>
        <span className="num muted">{formatTime(language, order.issuedAt)}</span>
      </div>
      <div className="chips">
        {order.targets.map((target) => (
          <TargetChip key={target.targetId} target={target} now={now} />
        ))}
      </div>
    </div>
  );
}

function InboxRow({ item, now }: { item: InboxItem; now: number }) {
  const t = useT();
  const [text, setText] = useState('');
  const { order, target } = item;
  const countdown = countdownOf(target, now);
  return (
    <div
      className={`order inbox-item ${countdown.overdue ? 'overdue' : ''}`}
      data-inbox={`${order.id}/${target.targetId}`}
    >
      <div className="order-head">
        <span className="grow order-title">{order.title}</span>
        <TargetChip target={target} now={now} />
      </div>
      {order.content && <div className="muted small">{order.content}</div>}
      <div className="inbox-actions">
        {target.state === 'issued' && (
          <button className="primary" onClick={() => void actOnTarget('sign', order.id, target.targetId)}>
            {t('inbox.sign')}
          </button>
        )}
        {target.state === 'signed' && (
          <button onClick={() => void actOnTarget('start', order.id, target.targetId)}>
            {t('inbox.start')}
          </button>
        )}
        {['signed', 'executing', 'reported'].includes(target.state) && (
          <form
            className="feedback"
            onSubmit={(e) => {
              e.preventDefault();
              if (text.trim())
                void reportBack(order.id, target.targetId, text.trim()).then((ok) => ok && setText(''));
            }}
          >
            <input
              placeholder={t('inbox.feedbackPlaceholder')}
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
            <button type="submit" disabled={!text.trim()}>
              {t('inbox.feedback')}
            </button>
          </form>
        )}
        {target.state === 'reported' && (
          <button onClick={() => void actOnTarget('complete', order.id, target.targetId)}>
            {t('inbox.complete')}
          </button>
        )}
      </div>
    </div>
  );
}

export function OrderConsole() {
  const t = useT();
  const draft = useDesk((s) => s.draft);
  const orders = useDesk((s) => s.orders);
  const inbox = useDesk((s) => s.inbox);
  const overdue = useDesk((s) => s.overdue);
  const now = useDesk((s) => s.now);
  const selection = useDesk((s) => s.selection);
  const incident = useDesk((s) =>
    s.selection?.kind === 'incident' ? s.incidents[s.selection.id] : undefined,
  );
  const [tab, setTab] = useState<Tab>('orders');
  const list = useMemo(() => orderList(orders), [orders]);
  const openInbox = inbox.filter((item) => item.target.state !== 'completed');
  const shown =
    selection?.kind === 'incident' && tab === 'orders'
      ? list.filter((o) => o.incidentId === selection.id)
      : list;

  return (
    <div className="orders" data-testid="order-console">
      <div className="orders-bar">
        <button onClick={() => void previewDispatch('checkpoint_search')} data-testid="template-checkpoint">
          {t('template.checkpoint_search')} <kbd>D</kbd>
        </button>
        <button onClick={() => void previewDispatch('dispatch')} data-testid="template-dispatch">
          {t('template.dispatch')} <kbd>U</kbd>
        </button>
        <span className="muted ellipsis">
          {incident ? `${incident.number} · ${incident.address}` : t('orders.selectIncident')}
        </span>
      </div>
      {draft && <DraftEditor draft={draft} />}
      <div className="tabs">
        <button className={tab === 'orders' ? 'on' : ''} onClick={() => setTab('orders')}>
          {selection?.kind === 'incident' ? t('orders.tab.forIncident') : t('orders.tab.all')}{' '}
          <span className="num">{shown.length}</span>
        </button>
        <button
          className={tab === 'inbox' ? 'on' : ''}
          onClick={() => setTab('inbox')}
          data-testid="inbox-tab"
        >
          {t('orders.tab.inbox')} <span className="num">{openInbox.length}</span>
        </button>
        <button
          className={`${tab === 'overdue' ? 'on' : ''} ${overdue.length ? 'alarm' : ''}`}
          onClick={() => setTab('overdue')}
        >
          {t('orders.tab.overdue')} <span className="num">{overdue.length}</span>
        </button>
      </div>
      <div className="orders-list">
        {tab === 'orders' && shown.map((order) => <OrderRow key={order.id} order={order} now={now} />)}
        {tab === 'inbox' &&
          openInbox.map((item) => (
            <InboxRow key={`${item.order.id}/${item.target.targetId}`} item={item} now={now} />
          ))}
        {tab === 'overdue' &&
          overdue.map((item) => (
            <InboxRow key={`${item.order.id}/${item.target.targetId}`} item={item} now={now} />
          ))}
        {((tab === 'orders' && shown.length === 0) ||
          (tab === 'inbox' && openInbox.length === 0) ||
          (tab === 'overdue' && overdue.length === 0)) && <div className="empty">{t('common.none')}</div>}
      </div>
    </div>
  );
}
