// DESIGN.md's story as a script: a burglary call in Pingli county at 16:08, the van's plate on the watch list,
// a 设卡盘查 order to the traffic brigade, two stations and the checkpoints on the escape routes, signatures, the
// checkpoint's plate check at 16:21 that raises a warning (预警), the arrest at 16:27, the close and the case —
// every step a normal command on a scripted clock, so it can be replayed.
import type { CommandInput, CommandName, CommandResult } from '../../../shared/contract';
import type { Actor, LngLat } from '../../../shared/domain/model';
import { DeskError } from '../../../shared/errors';
import { distanceKm } from '../../../shared/geo';
import { Desk } from '../../api/desk';
import { actorOf, getMeta, getOperator } from '../../db/region';

export const STORY_COUNTY_ID = '610926';
export const STORY_OPERATOR_ID = `op-${STORY_COUNTY_ID}`;
export const STORY_PLATE = '陕G7M352';

/** 长安镇, Pingli: where the burglars were seen (a village just north-west of the town centre). */
const SCENE: LngLat = { lng: 109.2797, lat: 32.4751 };
/** The patrol car of 长安派出所 that goes to the scene. */
const SCENE_UNIT_ID = `${STORY_COUNTY_ID}-U-03`;

export interface StoryOptions {
  /** The day of the story, YYYY-MM-DD in China Standard Time. */
  date: string;
}

export interface StoryStep {
  at: number;
  name: CommandName;
}

export interface StoryResult {
  incidentId: string;
  orderId: string;
  caseId: string;
  unitId: string;
  /** The watch-list entry of the van's plate, and the warning the checkpoint's check raised. */
  watchId: string;
  warningId: string;
  /** The checkpoint whose check matched the plate and which stopped the van. */
  hitCheckpointId: string;
  /** The order's targets, in the order they were addressed. */
  targetIds: string[];
  checkpointIds: string[];
  calledAt: number;
  warningAt: number;
  arrestAt: number;
  closedAt: number;
  /** Every command the story ran, in order, with its scripted time. */
  steps: StoryStep[];
}

function storyTime(date: string, time: string): number {
  const at = Date.parse(`${date}T${time}+08:00`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(at))
    throw new DeskError('invalid_input', `story: date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
  return at;
}

const FEEDBACK = {
  traffic_brigade: '交警大队已在辖区各收费站、主要路口布控，协助押解嫌疑车辆至城关派出所。',
  area_station: '长安派出所民警已到现场勘查，走访报警人及邻居，被盗财物清点完毕。',
  second_station: '洛河派出所已在辖区路口设卡盘查，无异常。',
  checkpoint: '已设卡盘查过往车辆，未发现可疑情况。',
} as const;

/**
 * Runs the story on `desk`'s store. The commands run on a scripted clock (a Desk over the same store), and
 * their events and commit notices are passed on to `desk`, so its subscribers and sync see every step.
 */
export function runStory(desk: Desk, options: StoryOptions): StoryResult {
  const operator = getOperator(desk.db, STORY_OPERATOR_ID);
  if (!operator)
    throw new DeskError(
      'not_found',
      `story: operator ${STORY_OPERATOR_ID} (平利县值班员) does not exist: seed the region first`,
      { kind: 'operator', id: STORY_OPERATOR_ID },
    );
  const actor: Actor = actorOf(operator, getMeta(desk.db, 'workstation_id') ?? 'story');
  storyTime(options.date, '00:00:00');

  let now = 0;
  const scripted = new Desk(desk.db, { clock: () => now });
  scripted.onCommitted = (applied) => {
    desk.publish(applied);
    desk.onCommitted?.(applied);
  };
  const steps: StoryStep[] = [];
  const at = (time: string): number => storyTime(options.date, time);
  function run<N extends CommandName>(time: string, name: N, input: CommandInput<N>): CommandResult<N> {
    now = at(time);
    const result = scripted.command(actor, name, input);
    steps.push({ at: now, name });
    return result;
  }

  // 16:08 — the 110 call.
  const incident = run('16:08:00', 'incident.create', {
    source: 'call_110',
    category: 'burglary',
    priority: 1,
    callerName: '陈秀英',
    callerPhone: '13891561207',
    address: '平利县长安镇石牛村3组',
    summary:
      '报警人称看到三名男子从邻居家翻墙而出，携带提包上了一辆白色面包车，沿长安镇往G6911长安收费站方向逃离，车牌尾号352。',
    location: SCENE,
  });
  run('16:08:40', 'incident.addRef', {
    id: incident.id,
    ref: { kind: 'vehicle', plate: STORY_PLATE, description: '白色五菱面包车，嫌疑车辆' },
  });
  // 16:09 — the van's plate goes on the watch list (布控) for a day: any checkpoint in the county that checks it
  // raises a warning linked to the incident.
  const watch = run('16:09:10', 'watch.add', {
    kind: 'plate',
    value: STORY_PLATE,
    label: '白色五菱面包车',
    reason: '长安镇石牛村入室盗窃案嫌疑车辆，车内三名男子',
    level: 1,
    validUntil: at('16:09:10') + 24 * 3_600_000,
    incidentId: incident.id,
  });

  // 16:09 — one action: the 设卡盘查 proposal, adjusted with the next station, issued to every target.
  now = at('16:09:00');
  const proposal = scripted.query(actor, 'dispatch.preview', {
    template: 'checkpoint_search',
    incidentId: incident.id,
    radiusKm: 15,
  });
  const areaStation = proposal.targets.find((t) => t.reason === 'area_station');
  const secondStation = scripted
    .query(actor, 'region.get', {})
    .orgs.filter((org) => org.countyId === incident.countyId && org.kind === 'station')
    .filter((org) => org.id !== areaStation?.targetId)
    .map((org) => ({ org, d: distanceKm(org.location, incident.location) }))
    .sort((a, b) => a.d - b.d)[0]?.org;
  const targets = proposal.targets.map((t) => ({ targetKind: t.targetKind, targetId: t.targetId }));
  if (secondStation) targets.push({ targetKind: 'org', targetId: secondStation.id });
  const checkpointIds = targets.filter((t) => t.targetKind === 'checkpoint').map((t) => t.targetId);
  const brigade = proposal.targets.find((t) => t.reason === 'traffic_brigade');
  if (!areaStation || !brigade || !secondStation || checkpointIds.length < 2) {
    throw new DeskError(
      'not_found',
      'story: the region lacks Pingli’s traffic brigade, two stations or checkpoints near 长安镇',
    );
  }
  const order = run('16:09:30', 'order.issue', {
    incidentId: incident.id,
    template: 'checkpoint_search',
    title: proposal.title,
    content: `${proposal.content}嫌疑车辆：${STORY_PLATE}（白色五菱面包车），车内三名男子。`,
    targets,
    signDeadlineMin: 5,
    finishDeadlineMin: 60,
  });
  const targetIds = order.targets.map((t) => t.targetId);

  // The patrol car of the area station heads for the scene.
  run('16:09:45', 'unit.setStatus', { id: SCENE_UNIT_ID, status: 'dispatched', incidentId: incident.id });
  run('16:10:00', 'unit.setStatus', { id: SCENE_UNIT_ID, status: 'en_route' });

  // 16:10–16:13 — every target signs within its five minutes, then starts.
  const signTimes = ['16:10:15', '16:10:45', '16:11:20', '16:11:55', '16:12:30', '16:13:00'];
  targetIds.forEach((targetId, index) => {
    run(signTimes[index] ?? '16:13:30', 'order.sign', { orderId: order.id, targetId });
  });
  const startTimes = ['16:13:40', '16:14:00', '16:14:20', '16:14:40', '16:15:00', '16:15:20'];
  targetIds.forEach((targetId, index) => {
    run(startTimes[index] ?? '16:15:40', 'order.start', { orderId: order.id, targetId });
  });

  run('16:15:30', 'unit.move', { id: SCENE_UNIT_ID, location: SCENE });
  run('16:16:00', 'unit.setStatus', { id: SCENE_UNIT_ID, status: 'on_scene' });
  run('16:16:10', 'incident.setStatus', { id: incident.id, status: 'on_scene' });

  // 16:21 — the checkpoint nearest the escape route checks the plate (typed as read off the van) and the watch
  // list raises a warning on every console that covers Pingli; the checkpoint signs for it and reports back.
  const [hitCheckpoint] = checkpointIds;
  if (!hitCheckpoint) throw new DeskError('not_found', 'story: no checkpoint on the escape route');
  const checked = run('16:21:00', 'checkpoint.logCheck', {
    checkpointId: hitCheckpoint,
    plate: `${STORY_PLATE.slice(0, 2)} ${STORY_PLATE.slice(2)}`,
    note: '白色五菱面包车，车内三名男子，与通报一致',
  });
  const [warning] = checked.warnings;
  if (!warning) throw new DeskError('not_found', `story: the check of ${STORY_PLATE} raised no warning`);
  run('16:21:10', 'warning.acknowledge', { id: warning.id });
  run('16:21:30', 'order.feedback', {
    orderId: order.id,
    targetId: hitCheckpoint,
    text: `盘查发现嫌疑车辆${STORY_PLATE}（白色五菱面包车），车内三名男子，与报警描述一致，已拦停，请求增援。`,
  });
  const hitName = order.targets.find((t) => t.targetId === hitCheckpoint)?.name ?? hitCheckpoint;
  const arrest = run('16:27:00', 'order.feedback', {
    orderId: order.id,
    targetId: hitCheckpoint,
    text: '三名犯罪嫌疑人全部抓获，起获被盗现金及金饰，嫌疑车辆已扣押。',
  });
  run('16:27:30', 'warning.handle', {
    id: warning.id,
    note: `预警车辆${STORY_PLATE}已拦停，三名犯罪嫌疑人抓获，车辆扣押。`,
  });

  // 16:28–16:31 — the others report back; 16:32–16:34 — every target completes and the order concludes.
  const reportTimes = ['16:28:00', '16:28:40', '16:29:20', '16:30:00', '16:30:40', '16:31:20'];
  let reportIndex = 0;
  for (const target of arrest.targets) {
    if (target.targetId === hitCheckpoint) continue;
    const reason = proposal.targets.find((t) => t.targetId === target.targetId)?.reason;
    const text =
      target.targetId === secondStation.id
        ? FEEDBACK.second_station
        : reason === 'traffic_brigade'
          ? FEEDBACK.traffic_brigade
          : reason === 'area_station'
            ? FEEDBACK.area_station
            : `${target.name}${FEEDBACK.checkpoint}`;
    run(reportTimes[reportIndex] ?? '16:31:50', 'order.feedback', {
      orderId: order.id,
      targetId: target.targetId,
      text,
    });
    reportIndex += 1;
  }
  const completeTimes = ['16:32:00', '16:32:30', '16:33:00', '16:33:30', '16:34:00', '16:34:30'];
  targetIds.forEach((targetId, index) => {
    run(completeTimes[index] ?? '16:35:00', 'order.complete', { orderId: order.id, targetId });
  });

  // 16:38 — handled; 16:42 — the case; 16:45 — the incident is closed.
  run('16:38:00', 'incident.setStatus', {
    id: incident.id,
    status: 'handled',
    disposition: `三名入室盗窃犯罪嫌疑人于16:27在${hitName}被抓获，被盗财物已追回。`,
  });
  const record = run('16:42:00', 'case.create', {
    title: '平利县长安镇石牛村入室盗窃案',
    summary: `三名犯罪嫌疑人驾驶${STORY_PLATE}白色面包车流窜作案，入室盗窃现金及金饰，已全部抓获，串并案侦查中。`,
    incidentIds: [incident.id],
  });
  run('16:42:30', 'case.addRef', {
    id: record.id,
    ref: { kind: 'vehicle', plate: STORY_PLATE, description: '作案车辆，白色五菱面包车，已扣押' },
  });
  run('16:43:00', 'case.setStatus', { id: record.id, status: 'investigating' });
  // The van is seized: its plate comes off the watch list (撤控).
  run('16:43:30', 'watch.setActive', { id: watch.id, active: false });
  run('16:44:00', 'unit.setStatus', { id: SCENE_UNIT_ID, status: 'available' });
  run('16:45:00', 'incident.setStatus', {
    id: incident.id,
    status: 'closed',
    disposition: '嫌疑人已抓获，移交刑侦大队侦办，已立案（入室盗窃案），结警。',
  });

  return {
    incidentId: incident.id,
    orderId: order.id,
    caseId: record.id,
    unitId: SCENE_UNIT_ID,
    watchId: watch.id,
    warningId: warning.id,
    hitCheckpointId: hitCheckpoint,
    targetIds,
    checkpointIds,
    calledAt: at('16:08:00'),
    warningAt: at('16:21:00'),
    arrestAt: at('16:27:00'),
    closedAt: at('16:45:00'),
    steps,
  };
}
