// Offline sign-in: an operator who signed in online on this workstation may sign in again while the link is
// down, checked against a locally stored scrypt verifier (never the password) and with the same role limits.
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Role } from '../../shared/domain/model';
import { DeskError } from '../../shared/errors';
import type { DB } from '../db/connection';
import type { SignedInOperator } from './transport';

interface ScryptParams {
  N: number;
  r: number;
  p: number;
  keylen: number;
}

const PARAMS: ScryptParams = { N: 1 << 14, r: 8, p: 1, keylen: 32 };

interface VerifierRow {
  operator_id: string;
  salt: string;
  hash: string;
  params: string;
  name: string;
  role: string;
  jurisdiction_id: string;
  org_id: string | null;
}

function derive(password: string, salt: Buffer, params: ScryptParams): Buffer {
  return scryptSync(password.normalize('NFC'), salt, params.keylen, {
    N: params.N,
    r: params.r,
    p: params.p,
    maxmem: 128 * params.N * params.r * 2,
  });
}

/** Stores (or refreshes) the verifier after a successful online sign-in, with a fresh salt. */
export function rememberOperator(
  db: DB,
  operator: SignedInOperator,
  password: string,
  now: number,
  cost = PARAMS.N,
): void {
  const params = { ...PARAMS, N: cost };
  const salt = randomBytes(16);
  const hash = derive(password, salt, params);
  db.prepare(
    `INSERT INTO offline_verifiers (operator_id, salt, hash, params, name, role, jurisdiction_id, org_id, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (operator_id) DO UPDATE SET salt = excluded.salt, hash = excluded.hash, params = excluded.params,
       name = excluded.name, role = excluded.role, jurisdiction_id = excluded.jurisdiction_id,
       org_id = excluded.org_id, updated_at = excluded.updated_at`,
  ).run(
    operator.id,
    salt.toString('hex'),
    hash.toString('hex'),
    JSON.stringify(params),
    operator.name,
    operator.role,
    operator.jurisdictionId,
    operator.orgId,
    now,
  );
}

/** Whether the stored verifier accepts the password (scrypt with its own salt and parameters, compared in constant time). */
function accepts(row: VerifierRow, password: string): boolean {
  const expected = Buffer.from(row.hash, 'hex');
  const actual = derive(password, Buffer.from(row.salt, 'hex'), JSON.parse(row.params) as ScryptParams);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Checks a password against the stored verifier. The same answer for an unknown operator and a wrong password,
 * so the workstation does not tell who has signed in here.
 */
export function signInOffline(db: DB, operatorId: string, password: string): SignedInOperator {
  const row = db.prepare('SELECT * FROM offline_verifiers WHERE operator_id = ?').get(operatorId) as
    VerifierRow | undefined;
  const refused = new DeskError(
    'unauthenticated',
    `offline sign-in refused for ${operatorId}: wrong password, or this operator never signed in online on this workstation`,
  );
  if (!row) {
    // Spend the same time as a real check.
    derive(password, randomBytes(16), PARAMS);
    throw refused;
  }
  if (!accepts(row, password)) throw refused;
  return {
    id: row.operator_id,
    name: row.name,
    role: row.role as Role,
    jurisdictionId: row.jurisdiction_id,
    orgId: row.org_id,
  };
}

/**
 * After the server refused `password` for `operatorId` (account disabled, password changed, operator moved out of
 * this workstation's jurisdiction, workstation no longer enrolled): the verifier goes when it accepts that very
 * password, since it would let in offline someone the server no longer lets in. A mistyped password does not match
 * it and leaves it alone, so a typo never locks an operator out of offline sign-in. True when it was removed.
 */
export function forgetRefusedOperator(db: DB, operatorId: string, password: string): boolean {
  const row = db.prepare('SELECT * FROM offline_verifiers WHERE operator_id = ?').get(operatorId) as
    VerifierRow | undefined;
  if (!row || !accepts(row, password)) return false;
  db.prepare('DELETE FROM offline_verifiers WHERE operator_id = ?').run(operatorId);
  return true;
}

export function knownOfflineOperator(db: DB, operatorId: string): SignedInOperator | undefined {
  const row = db.prepare('SELECT * FROM offline_verifiers WHERE operator_id = ?').get(operatorId) as
    VerifierRow | undefined;
  return row
    ? {
        id: row.operator_id,
        name: row.name,
        role: row.role as Role,
        jurisdictionId: row.jurisdiction_id,
        orgId: row.org_id,
      }
    : undefined;
}
