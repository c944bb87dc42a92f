// The key map overlay (F1 or ?).
import { KEYMAP } from '../app/keymap';
import { useT } from '../i18n';
import { useDesk } from '../store';

export function HelpOverlay() {
  const t = useT();
  const open = useDesk((s) => s.helpOpen);
  const setOpen = useDesk((s) => s.setHelpOpen);
  if (!open) return null;
  return (
    <div
      className="overlay"
      role="dialog"
      aria-modal="true"
      aria-label={t('help.title')}
      onClick={() => setOpen(false)}
    >
      <div className="help" onClick={(e) => e.stopPropagation()}>
        <h2>{t('help.title')}</h2>
        <table>
          <tbody>
            {KEYMAP.map((binding) => (
              <tr key={binding.does}>
                <td>
                  {binding.keys.map((key) => (
                    <kbd key={key}>{key}</kbd>
                  ))}
                </td>
                <td>{t(binding.does)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">{t('help.flow')}</p>
        <button onClick={() => setOpen(false)}>
          {t('common.close')} <kbd>Esc</kbd>
        </button>
      </div>
    </div>
  );
}
