// A demo watch list for a busy console (desk seed --incidents): a few city-wide entries put on the list by the
// city commander, and checks at county checkpoints over the last hours, some of which hit the list — so the map
// and the warnings panel have warnings in every state. Every step is a normal command on a scripted clock.
import type { CommandInput, CommandName, CommandResult } from '../../../shared/contract';
import type { Actor } from '../../../shared/domain/model';
import { DeskError } from '../../../shared/errors';
import { Desk } from '../../api/desk';
import { actorOf, getMeta, getOperator } from '../../db/region';

const HOUR = 3_600_000;
const MINUTE = 60_000;

const ENTRIES: CommandInput<'watch.add'>[] = [
  { kind: 'plate', value: '陕A8K2D7', label: '黑色大众帕萨特', reason: '抢劫案在逃嫌疑车辆', level: 1 },
  { kind: 'plate', value: '鄂C5N618', label: '银色丰田卡罗拉', reason: '被盗抢车辆', level: 2 },
  { kind: 'phone', value: '13700915428', label: '', reason: '电信网络诈骗涉案号码', level: 2 },
  { kind: 'person', value: '610902198807153219', label: '刘某', reason: '网上在逃人员', level: 1 },
  { kind: 'plate', value: '陕G3E901', label: '白色长城皮卡', reason: '肇事逃逸嫌疑车辆', level: 3 },
];

interface DemoCheck {
  countyId: string;
  minutesAgo: number;
  input: Omit<CommandInput<'checkpoint.logCheck'>, 'checkpointId'>;
  /** What happens to the warnings it raises, and when. */
  then?: { step: 'acknowledge' | 'handle'; minutesAgo: number; note?: string };
}

const CHECKS: DemoCheck[] = [
  {
    countyId: '610902',
    minutesAgo: 300,
    input: { plate: '陕A 8K2D7', note: '驾驶员神色慌张' },
    then: { step: 'handle', minutesAgo: 290, note: '车辆已拦截，嫌疑人移交刑侦大队' },
  },
  { countyId: '610981', minutesAgo: 180, input: { plate: '陕G12345', note: '例行检查' } },
  {
    countyId: '610924',
    minutesAgo: 90,
    input: { phone: '137-0091-5428', note: '乘客手机号' },
    then: { step: 'acknowledge', minutesAgo: 85 },
  },
  { countyId: '610922', minutesAgo: 25, input: { plate: '鄂C·5N618' } },
  { countyId: '610925', minutesAgo: 12, input: { personId: '610902198807153219', note: '大巴乘客' } },
];

export interface WatchDemoResult {
  entries: number;
  checks: number;
  warnings: number;
  open: number;
}

function actorFor(desk: Desk, operatorId: string): Actor {
  const operator = getOperator(desk.db, operatorId);
  if (!operator)
    throw new DeskError(
      'not_found',
      `watch-list demo: operator ${operatorId} does not exist: seed the region first`,
      {
        kind: 'operator',
        id: operatorId,
      },
    );
  return actorOf(operator, getMeta(desk.db, 'workstation_id') ?? 'demo');
}

/** Runs the demo on `desk`'s store, ending at `until`; events and commit notices are passed on to `desk`. */
export function runWatchDemo(desk: Desk, options: { until: number }): WatchDemoResult {
  let now = options.until - 6 * HOUR;
  const scripted = new Desk(desk.db, { clock: () => now });
  scripted.onCommitted = (applied) => {
    desk.publish(applied);
    desk.onCommitted?.(applied);
  };
  function run<N extends CommandName>(
    at: number,
    actor: Actor,
    name: N,
    input: CommandInput<N>,
  ): CommandResult<N> {
    now = at;
    return scripted.command(actor, name, input);
  }
  const commander = actorFor(desk, 'city-commander');
  const start = now;
  for (const entry of ENTRIES)
    run(start, commander, 'watch.add', { ...entry, validUntil: start + 7 * 24 * HOUR });
  let warnings = 0;
  let open = 0;
  for (const check of CHECKS) {
    const actor = actorFor(desk, `op-${check.countyId}`);
    const at = options.until - check.minutesAgo * MINUTE;
    const result = run(at, actor, 'checkpoint.logCheck', {
      checkpointId: `${check.countyId}-CP-01`,
      ...check.input,
    });
    warnings += result.warnings.length;
    for (const warning of result.warnings) {
      const then = check.then;
      const later = options.until - (then?.minutesAgo ?? 0) * MINUTE;
      if (then?.step === 'handle')
        run(later, actor, 'warning.handle', { id: warning.id, note: then.note ?? '' });
      else if (then?.step === 'acknowledge') run(later, actor, 'warning.acknowledge', { id: warning.id });
      if (then?.step !== 'handle') open += 1;
    }
  }
  return { entries: ENTRIES.length, checks: CHECKS.length, warnings, open };
}
