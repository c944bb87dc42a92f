// Passwords (scrypt, per-account salt, timing-safe compare), workstation secrets, and HMAC-signed session tokens.
import { createHash, createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Role } from '../shared/domain/model';
import { DeskError } from '../shared/errors';

const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

export function hashPassword(
  password: string,
  salt = randomBytes(16).toString('hex'),
): { salt: string; hash: string } {
  return { salt, hash: scryptSync(password, salt, KEY_LENGTH, SCRYPT).toString('hex') };
}

export function verifyPassword(password: string, salt: string, hash: string): boolean {
  const expected = Buffer.from(hash, 'hex');
  const actual = scryptSync(password, salt, KEY_LENGTH, SCRYPT);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Workstation secrets and enrolment tokens are long random strings: a plain sha256 is enough to store them. */
export function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function sameDigest(secret: string, stored: string): boolean {
  const a = Buffer.from(digest(secret), 'hex');
  const b = Buffer.from(stored, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export interface Session {
  operatorId: string;
  workstationId: string;
  /** The workstation's jurisdiction: what it may read. */
  jurisdictionId: string;
  role: Role;
  exp: number;
}

export function signToken(session: Session, key: Buffer): string {
  const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
  const mac = createHmac('sha256', key).update(payload).digest('base64url');
  return `${payload}.${mac}`;
}

/** Checks signature and expiry; every failure is the same 401 so a probe learns nothing. */
export function verifyToken(token: string, key: Buffer, now: number): Session {
  const dot = token.indexOf('.');
  const refuse = (why: string) => new DeskError('unauthenticated', `session token ${why}: sign in again`);
  if (dot <= 0 || token.length > 2000) throw refuse('is malformed');
  const payload = token.slice(0, dot);
  const mac = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = createHmac('sha256', key).update(payload).digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw refuse('has a bad signature');
  let session: Session;
  try {
    session = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Session;
  } catch {
    throw refuse('is malformed');
  }
  if (typeof session.exp !== 'number' || session.exp <= now) throw refuse('has expired');
  return session;
}
