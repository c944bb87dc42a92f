// Passwords (scrypt, per-account salt, timing-safe compare), workstation secrets, and HMAC-signed session tokens.
import { createHash, createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
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

/** A session key is 32 random bytes, kept as 64 hex digits. */
const SESSION_KEY_TEXT = /^[0-9a-f]{64}$/;

/** The text of a file, or undefined when there is none. */
function readIfThere(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The key that signs session tokens (`<data>/session.key`), made on first start. It is written whole or not at
 * all: a first start killed after creating the file but before writing it used to leave it empty, and the next
 * start then signed with an empty key, which anyone can sign with (tests/sync/crash-points.test.ts). Now the key is
 * written and fsynced under a temporary name and linked into place; an empty file (what that kill left) is made
 * again, and any other file that is not a key stops the server with its name rather than sign with it.
 */
export function loadSessionKey(file: string): Buffer {
  let text = readIfThere(file);
  if (text === undefined || text === '') {
    makeSessionKey(file, text === '');
    text = readFileSync(file, 'utf8');
  }
  const hex = text.trim();
  if (!SESSION_KEY_TEXT.test(hex))
    throw new DeskError(
      'internal',
      `${file} does not hold a session key (64 hex digits): remove it to make a new one (every operator then signs in again)`,
    );
  return Buffer.from(hex, 'hex');
}

function makeSessionKey(file: string, replaceEmpty: boolean): void {
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    // Test hook (crash tests): DESK_SYNC_CRASH=session-key kills the process with the key's file made, unwritten.
    if (process.env.DESK_SYNC_CRASH === 'session-key') process.kill(process.pid, 'SIGKILL');
    writeSync(fd, randomBytes(32).toString('hex'));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    if (replaceEmpty) renameSync(temporary, file);
    // A link never replaces a file: a second process making the key at the same time keeps the first one's.
    else linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
  try {
    // The new name reaches the disk too: a power cut must not leave a data directory whose key is gone.
    const directory = openSync(dirname(file), 'r');
    try {
      fsyncSync(directory);
    } finally {
      closeSync(directory);
    }
  } catch {
    // Some platforms cannot open a directory to sync it; the file itself was synced.
  }
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
