// Demo incident stream for the Ankang region: a seeded, deterministic generator of plausible 110 incidents
// (category mix, time-of-day rates, places near real towns, Chinese addresses, summaries, callers).
import type { CommandInput } from '../../../shared/contract';
import type { IncidentCategory, IncidentSource, LngLat, Priority } from '../../../shared/domain/model';
import { DeskError } from '../../../shared/errors';
import { loadRegionFile, type RegionFile } from '../region/seed';

/** mulberry32: small, fast and good enough for demo data; the same seed always gives the same stream. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function weighted<T>(random: Random, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [item, weight] of items) {
    roll -= weight;
    if (roll < 0) return item;
  }
  const last = items[items.length - 1];
  if (!last) throw new Error('weighted pick from an empty list');
  return last[0];
}

function int(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** China Standard Time has no daylight saving: local hour = UTC + 8. */
const CST_OFFSET = 8 * HOUR;

export function cstHour(at: number): number {
  return Math.floor(((at + CST_OFFSET) % DAY) / HOUR);
}

/**
 * Relative call volume per local hour (0–23): quiet 3–6 am, busy daytime, peak in the evening (20–22 h),
 * the usual shape of a county's 110 log.
 */
export const HOUR_WEIGHTS: readonly number[] = [
  4.2, 3.2, 2.3, 1.5, 1.2, 1.3, 2.0, 3.2, 4.6, 5.4, 5.8, 5.8, 5.3, 5.0, 5.3, 5.6, 5.9, 6.2, 6.6, 7.0, 7.6,
  7.8, 6.9, 5.4,
];
const MAX_HOUR_WEIGHT = Math.max(...HOUR_WEIGHTS);
const MEAN_HOUR_WEIGHT = HOUR_WEIGHTS.reduce((a, b) => a + b, 0) / 24;

function hourWeight(at: number): number {
  return HOUR_WEIGHTS[cstHour(at)] ?? MEAN_HOUR_WEIGHT;
}

/** Share of calls per county, roughly by population (汉滨 largest, 宁陕 and 镇坪 smallest). */
const COUNTY_WEIGHTS: Record<string, number> = {
  '610902': 30,
  '610921': 9,
  '610922': 6,
  '610923': 2.5,
  '610924': 9,
  '610925': 5,
  '610926': 7,
  '610927': 2.5,
  '610981': 14,
  '610929': 6,
};

interface CategoryProfile {
  weight: number;
  /** Night (22–5 h) multiplier of the weight: fights and disputes rise at night, traffic falls. */
  night: number;
  priority: Priority;
  sources: readonly (readonly [IncidentSource, number])[];
  summaries: readonly string[];
}

const CALL: readonly (readonly [IncidentSource, number])[] = [
  ['call_110', 92],
  ['walk_in', 5],
  ['transfer', 3],
];

const CATEGORIES: Record<IncidentCategory, CategoryProfile> = {
  theft: {
    weight: 14,
    night: 0.8,
    priority: 3,
    sources: [
      ['call_110', 80],
      ['walk_in', 18],
      ['video_patrol', 2],
    ],
    summaries: [
      '报警人称其停放在{place}的电动车被盗，车辆为{color}色，价值约{money}元。',
      '报警人称在{place}附近手机被盗，手机价值约{money}元。',
      '报警人称其放在车内的包被人拿走，内有现金约{money}元及身份证件。',
      '报警人称店内收银台现金约{money}元被盗，怀疑系一名{age}岁左右男子所为。',
    ],
  },
  burglary: {
    weight: 5,
    night: 1.3,
    priority: 2,
    sources: [
      ['call_110', 80],
      ['alarm', 15],
      ['walk_in', 5],
    ],
    summaries: [
      '报警人称回家发现家中被撬，门锁损坏，丢失现金约{money}元及金饰若干。',
      '报警人称其经营的门店夜间被人撬门入内，丢失烟酒一批，价值约{money}元。',
      '报警人称发现{count}名陌生男子翻墙进入邻居家中，现已离开，去向不明。',
    ],
  },
  robbery: {
    weight: 1,
    night: 2,
    priority: 1,
    sources: CALL,
    summaries: [
      '报警人称在{place}被{count}名男子持刀抢走手机和现金约{money}元，嫌疑人骑摩托车逃离。',
      '报警人称在{place}被人抢走挎包，内有现金约{money}元，嫌疑人往{direction}方向逃跑。',
    ],
  },
  assault: {
    weight: 6,
    night: 2,
    priority: 2,
    sources: CALL,
    summaries: [
      '报警人称在{place}与人发生口角后被打，头部受伤出血，需要救护。',
      '报警人称{place}一烧烤店内有{count}人打架，有人受伤。',
      '报警人称其被邻居殴打，面部受伤，对方仍在现场。',
    ],
  },
  fraud: {
    weight: 8,
    night: 0.6,
    priority: 3,
    sources: [
      ['call_110', 60],
      ['walk_in', 40],
    ],
    summaries: [
      '报警人称接到自称客服的电话，按对方要求转账{money}元后发现被骗。',
      '报警人称在网上刷单被骗，共转账{money}元，对方已将其拉黑。',
      '报警人称有人冒充其亲属借钱，已转账{money}元。',
      '报警人称网购退款被骗，对方诱导其在贷款平台借款后转走{money}元。',
    ],
  },
  traffic_accident: {
    weight: 14,
    night: 0.6,
    priority: 3,
    sources: [
      ['call_110', 85],
      ['video_patrol', 10],
      ['transfer', 5],
    ],
    summaries: [
      '报警人称在{place}两车相撞，{injury}，道路部分堵塞。',
      '报警人称在{place}一辆货车与电动车发生碰撞，{injury}。',
      '报警人称一辆小轿车在{place}冲出路面，{injury}。',
      '报警人称在{place}发生追尾事故，双方对责任有争议。',
    ],
  },
  traffic_violation: {
    weight: 6,
    night: 0.5,
    priority: 4,
    sources: [
      ['call_110', 50],
      ['video_patrol', 50],
    ],
    summaries: [
      '报警人称有车辆长时间占道停放，堵住{place}出入口。',
      '视频巡查发现{place}路口有车辆逆行。',
      '报警人称一辆货车在{place}超载行驶，有安全隐患。',
    ],
  },
  dispute: {
    weight: 18,
    night: 1.5,
    priority: 3,
    sources: CALL,
    summaries: [
      '报警人称与邻居因宅基地问题发生纠纷，双方情绪激动。',
      '报警人称在{place}与商家因消费问题发生纠纷，要求民警到场。',
      '报警人称家庭纠纷，丈夫酒后吵闹，摔砸物品。',
      '报警人称工地拖欠工资，{count}名工人聚集讨薪。',
      '报警人称与出租车司机因车费发生纠纷。',
    ],
  },
  missing_person: {
    weight: 2,
    night: 1.2,
    priority: 2,
    sources: CALL,
    summaries: [
      '报警人称其{relative}（{age}岁）今日外出至今未归，电话无法接通。',
      '报警人称其患有老年痴呆的{relative}在{place}附近走失，身穿{color}色上衣。',
    ],
  },
  fire: {
    weight: 2,
    night: 1,
    priority: 1,
    sources: [
      ['call_110', 80],
      ['alarm', 20],
    ],
    summaries: [
      '报警人称{place}一民房起火，浓烟较大，不清楚屋内是否有人。',
      '报警人称{place}附近山林起火，火势正在蔓延。',
      '报警人称{place}一辆汽车自燃。',
    ],
  },
  public_order: {
    weight: 8,
    night: 1.6,
    priority: 3,
    sources: [
      ['call_110', 80],
      ['video_patrol', 20],
    ],
    summaries: [
      '报警人称{place}有人酒后滋事，辱骂路人。',
      '报警人称{place}附近噪音扰民，深夜仍在喧哗。',
      '报警人称{place}有人聚众赌博。',
      '视频巡查发现{place}有人员聚集，情绪激动。',
    ],
  },
  drugs: {
    weight: 1,
    night: 1.5,
    priority: 2,
    sources: CALL,
    summaries: [
      '报警人称{place}一出租屋内有人疑似吸毒，常有陌生人出入。',
      '群众举报{place}附近有人贩卖毒品。',
    ],
  },
  help: {
    weight: 12,
    night: 1.1,
    priority: 4,
    sources: CALL,
    summaries: [
      '报警人称钥匙锁在屋内，家中有小孩，请求帮助。',
      '报警人称在{place}捡到钱包一个，内有证件，请求民警联系失主。',
      '报警人称有老人摔倒在{place}路边，需要帮助。',
      '报警人称其车辆在{place}抛锚，无法移动，请求帮助。',
      '报警人称有一名醉酒男子躺在{place}路边。',
    ],
  },
  other: {
    weight: 3,
    night: 1,
    priority: 4,
    sources: CALL,
    summaries: [
      '报警人咨询户籍办理事宜。',
      '报警人称{place}有流浪犬伤人隐患。',
      '报警人反映{place}路灯损坏，夜间不安全。',
    ],
  },
};

/** A list written as words separated by blanks. */
function words(text: string): string[] {
  return text.trim().split(/\s+/);
}

const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
];
const GIVEN = [
  ...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅海燕文斌鹏辉亮红波宁飞林颖慧春雪晓荣',
];
const MOBILE_PREFIXES = words(`
  130 131 132 133 135 136 137 138 139 150
  151 152 153 155 156 157 158 159 166 173
  177 178 180 181 182 183 186 187 188 189
  198 199
`);
const STREETS = words(`
  解放路 人民路 建设路 兴安路 新华路 东大街 西大街 南大街 北大街 滨江大道
  育才路 文化路 友谊路 站前路 金州路 巴山路 香溪路 江北大道 长安路 城南路
  环城路 迎宾大道
`);
const VILLAGES = words(`
  青龙 白沙 黄石 桃园 柳林 新庄 双河 马鞍 石门 松树 枫叶 龙潭 高桥 中坝
  三里 红岩 金星 团结 长岭 杨家 王家 李家 张家 天星 和平 清河 太平 关帝
  花园 凤凰
`);
const SPOTS = ['停车场', '东门', '游客中心', '广场', '路口'];
const COLORS = ['白', '黑', '红', '蓝', '灰', '银'];
const RELATIVES = ['父亲', '母亲', '儿子', '女儿', '爷爷', '奶奶'];
const DIRECTIONS = ['东', '西', '南', '北', '县城', '高速路口'];
const INJURIES = ['有人受伤', '无人员受伤', '一人被困车内', '一人受轻伤'];

function callerName(random: Random): string {
  const given = random() < 0.55 ? pick(random, GIVEN) + pick(random, GIVEN) : pick(random, GIVEN);
  return pick(random, SURNAMES) + given;
}

function mobile(random: Random): string {
  let number = pick(random, MOBILE_PREFIXES);
  for (let i = 0; i < 8; i += 1) number += String(int(random, 0, 9));
  return number;
}

interface Site {
  countyId: string;
  countyName: string;
  kind: 'county_seat' | 'town' | 'landmark';
  name: string;
  location: LngLat;
}

/** Jitter around a place: county seats spread over the town, towns over their villages. */
const JITTER_KM: Record<Site['kind'], number> = { county_seat: 2.5, town: 5, landmark: 1.2 };
const SITE_WEIGHTS: Record<Site['kind'], number> = { county_seat: 6, town: 1, landmark: 0.4 };

function jitter(random: Random, at: LngLat, radiusKm: number): LngLat {
  // Uniform over the disc, so incidents do not pile up on the town's centre point.
  const r = radiusKm * Math.sqrt(random());
  const angle = 2 * Math.PI * random();
  const dLat = (r * Math.sin(angle)) / 111.32;
  const dLng = (r * Math.cos(angle)) / (111.32 * Math.cos((at.lat * Math.PI) / 180));
  return { lng: round6(at.lng + dLng), lat: round6(at.lat + dLat) };
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function address(random: Random, site: Site): string {
  const county = site.countyName;
  switch (site.kind) {
    case 'county_seat':
      return `${county}${pick(random, STREETS)}${int(random, 1, 320)}号`;
    case 'town':
      return `${county}${site.name}${pick(random, VILLAGES)}村${int(random, 1, 12)}组`;
    case 'landmark':
      return `${county}${site.name}${pick(random, SPOTS)}`;
  }
}

/** Where a summary names a place: the short form a caller would say, without the county. */
function spokenPlace(site: Site, fullAddress: string): string {
  const local = fullAddress.slice(site.countyName.length);
  if (site.kind === 'landmark') return site.name;
  return local;
}

function summary(random: Random, template: string, place: string): string {
  return template.replace(/\{(\w+)\}/g, (_, slot: string) => {
    switch (slot) {
      case 'place':
        return place;
      case 'money':
        return String(pick(random, [200, 500, 800, 1200, 1500, 2000, 3000, 5000, 8000, 12000, 20000, 38000]));
      case 'count':
        return pick(random, ['两', '三', '四', '五']);
      case 'age':
        return String(int(random, 8, 82));
      case 'color':
        return pick(random, COLORS);
      case 'relative':
        return pick(random, RELATIVES);
      case 'direction':
        return pick(random, DIRECTIONS);
      case 'injury':
        return pick(random, INJURIES);
      default:
        return slot;
    }
  });
}

function isNight(hour: number): boolean {
  return hour >= 22 || hour < 5;
}

/** What incident.create takes, with the county and time always filled in. */
export type DemoIncident = CommandInput<'incident.create'> & { countyId: string; receivedAt: number };

export interface GenerateOptions {
  seed: number;
  /** Start of the stream, milliseconds since the epoch. */
  from: number;
  /** How many incidents; with `until` as well, they are spread over [from, until). */
  count?: number;
  /** End of the stream (exclusive). */
  until?: number;
  /** Mean incidents per day for the whole region when only `count` or only `until` is given (default 150). */
  perDay?: number;
  region?: RegionFile;
}

export const MAX_GENERATED = 1_000_000;

/** The incident stream for a seed: the same options always give the same inputs, in time order. */
export function generateIncidents(options: GenerateOptions): DemoIncident[] {
  const { seed, from, count, until } = options;
  const perDay = options.perDay ?? 150;
  if (!Number.isFinite(seed)) throw new DeskError('invalid_input', 'demo stream: seed must be a number');
  if (!Number.isFinite(from) || from < 0)
    throw new DeskError('invalid_input', 'demo stream: from must be a time');
  if (count === undefined && until === undefined)
    throw new DeskError('invalid_input', 'demo stream: give a count, an until time, or both');
  if (count !== undefined && (!Number.isInteger(count) || count < 0 || count > MAX_GENERATED))
    throw new DeskError(
      'invalid_input',
      `demo stream: count must be a whole number from 0 to ${MAX_GENERATED}`,
    );
  if (until !== undefined && !(until > from))
    throw new DeskError('invalid_input', 'demo stream: until must be after from');
  if (!(perDay > 0)) throw new DeskError('invalid_input', 'demo stream: perDay must be positive');

  const random = mulberry32(seed);
  const times = arrivalTimes(random, from, count, until, perDay);
  const sites = sitesOf(options.region ?? loadRegionFile());
  return times.map((at) => incidentAt(random, sites, at));
}

function arrivalTimes(
  random: Random,
  from: number,
  count: number | undefined,
  until: number | undefined,
  perDay: number,
): number[] {
  if (count !== undefined && until !== undefined) {
    // A fixed number over a window: draw each time from the time-of-day density (rejection sampling).
    const times: number[] = [];
    while (times.length < count) {
      const at = from + Math.floor(random() * (until - from));
      if (random() * MAX_HOUR_WEIGHT < hourWeight(at)) times.push(at);
    }
    return times.sort((a, b) => a - b);
  }
  // Otherwise a Poisson process whose rate follows the hour (thinning).
  const peakPerMs = ((perDay / DAY) * MAX_HOUR_WEIGHT) / MEAN_HOUR_WEIGHT;
  const times: number[] = [];
  let at = from;
  for (;;) {
    at += Math.max(1, Math.round(-Math.log(1 - random()) / peakPerMs));
    if (until !== undefined && at >= until) break;
    if (random() * MAX_HOUR_WEIGHT < hourWeight(at)) {
      times.push(at);
      if (count !== undefined && times.length >= count) break;
    }
  }
  return times;
}

interface SiteTable {
  counties: (readonly [string, number])[];
  byCounty: Map<string, (readonly [Site, number])[]>;
}

function sitesOf(region: RegionFile): SiteTable {
  const names = new Map(region.counties.map((c) => [c.id, c.name]));
  const byCounty = new Map<string, (readonly [Site, number])[]>();
  for (const place of region.places) {
    const countyName = names.get(place.countyId);
    if (!countyName) continue;
    const site: Site = {
      countyId: place.countyId,
      countyName,
      kind: place.kind,
      name: place.name,
      location: { lng: place.location[0], lat: place.location[1] },
    };
    const list = byCounty.get(place.countyId) ?? [];
    list.push([site, SITE_WEIGHTS[place.kind]]);
    byCounty.set(place.countyId, list);
  }
  const counties = [...byCounty.keys()].map((id) => [id, COUNTY_WEIGHTS[id] ?? 5] as const);
  if (counties.length === 0) throw new DeskError('invalid_input', 'demo stream: the region has no places');
  return { counties, byCounty };
}

function incidentAt(random: Random, sites: SiteTable, at: number): DemoIncident {
  const night = isNight(cstHour(at));
  const category = weighted(
    random,
    (Object.keys(CATEGORIES) as IncidentCategory[]).map((name) => {
      const profile = CATEGORIES[name];
      return [name, profile.weight * (night ? profile.night : 1)] as const;
    }),
  );
  const profile = CATEGORIES[category];
  const countyId = weighted(random, sites.counties);
  const site = weighted(random, sites.byCounty.get(countyId) ?? []);
  const location = jitter(random, site.location, JITTER_KM[site.kind]);
  const fullAddress = address(random, site);
  const source = weighted(random, profile.sources);
  // Most calls keep their category's priority; some are judged one step more or less urgent.
  const shift = weighted(random, [
    [-1, 1],
    [0, 8],
    [1, 1],
  ] as const);
  const priority = Math.min(4, Math.max(1, profile.priority + shift));
  const anonymous = source === 'alarm' || source === 'video_patrol';
  return {
    source,
    category,
    priority,
    callerName: anonymous ? '' : callerName(random),
    callerPhone: anonymous ? '' : mobile(random),
    address: fullAddress,
    summary: summary(random, pick(random, profile.summaries), spokenPlace(site, fullAddress)),
    location,
    countyId,
    receivedAt: at,
  };
}
