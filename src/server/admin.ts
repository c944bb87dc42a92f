// Admin operations behind the CLI: demo accounts and workstations, users, enrolment tokens.
import { demoOperators, loadRegionFile, type RegionFile } from '../main/core/region/seed';
import { CITY_ID } from '../shared/domain/model';
import type { SyncHub } from './hub';

/** Demo-only passwords: `demo-<operator id>`. Never use these outside a demo store. */
export function demoPassword(operatorId: string): string {
  return `demo-${operatorId}`;
}

/** Demo-only workstation secrets: `demo-secret-<workstation id>`. */
export function demoSecret(workstationId: string): string {
  return `demo-secret-${workstationId}`;
}

export const PINGLI_ID = '610926';
export const DEMO_WORKSTATIONS: readonly { id: string; jurisdictionId: string }[] = [
  { id: 'ws-city', jurisdictionId: CITY_ID },
  { id: `ws-${PINGLI_ID}`, jurisdictionId: PINGLI_ID },
];

export interface DemoSeedResult {
  accounts: string[];
  /** One-time enrolment tokens for a city and a Pingli workstation. */
  enrollTokens: { jurisdictionId: string; token: string; expiresAt: number }[];
  workstations: { id: string; jurisdictionId: string; secret: string }[];
}

/**
 * Creates the demo accounts (the region's demo operators, password `demo-<id>`), enrolment tokens for a city and
 * a Pingli workstation, and with `workstations` the pre-enrolled ws-city / ws-610926. Existing accounts are kept.
 */
export function seedDemo(
  hub: SyncHub,
  options: { workstations?: boolean; region?: RegionFile; tokens?: boolean } = {},
): DemoSeedResult {
  const accounts: string[] = [];
  for (const operator of demoOperators(options.region ?? loadRegionFile())) {
    const exists = hub.db.prepare('SELECT 1 FROM accounts WHERE id = ?').get(operator.id);
    if (!exists) hub.addAccount({ ...operator, password: demoPassword(operator.id) });
    accounts.push(operator.id);
  }
  const enrollTokens = options.tokens
    ? [CITY_ID, PINGLI_ID].map((jurisdictionId) => ({
        jurisdictionId,
        ...hub.createEnrollToken(jurisdictionId),
      }))
    : [];
  const workstations = options.workstations
    ? DEMO_WORKSTATIONS.map((ws) => {
        hub.enrollDirect(ws.id, ws.jurisdictionId, demoSecret(ws.id));
        return { ...ws, secret: demoSecret(ws.id) };
      })
    : [];
  return { accounts, enrollTokens, workstations };
}
