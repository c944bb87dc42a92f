// The desk CLI as an operator runs it: seed a demo store with the story and generated incidents, inspect it, verify it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/main/db/connection';

const ROOT = resolve(import.meta.dirname, '..');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function desk(...args: string[]): Run {
  // What `npx tsx src/main/cli.ts` runs, without npx's own start-up.
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main/cli.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let dir: string;
let seeded: Run;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-cli-'));
  seeded = desk(
    'seed',
    '--data',
    dir,
    '--story',
    '--date',
    '2026-11-28',
    '--incidents',
    '200',
    '--seed',
    '7',
  );
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function tableCount(output: string, table: string): number | undefined {
  const match = new RegExp(`^\\s+${table}\\s+(\\d+)$`, 'm').exec(output);
  return match ? Number(match[1]) : undefined;
}

// Each test starts the CLI as a process, a few seconds apiece on a loaded machine.
describe('desk seed, info and verify', { timeout: 90_000 }, () => {
  it('seeds a store with the region, the story and 200 generated incidents', () => {
    expect(seeded.status, `seed failed: ${seeded.stderr}`).toBe(0);
    expect(existsSync(join(dir, 'desk.sqlite'))).toBe(true);
    expect(seeded.stdout).toMatch(/region: 10 counties/);
    expect(seeded.stdout).toMatch(/story 2026-11-28/);
    expect(seeded.stdout).toMatch(/incidents: 200 generated \(seed 7/);
    expect(seeded.stdout, 'the time taken is printed').toMatch(/done in \d+\.\d+ s/);
  });

  it('shows what the store holds with info', () => {
    const result = desk('info', '--data', dir);
    expect(result.status, result.stderr).toBe(0);
    expect(tableCount(result.stdout, 'incidents'), 'story incident + 200 generated').toBe(201);
    expect(tableCount(result.stdout, 'orders')).toBe(1);
    expect(tableCount(result.stdout, 'cases')).toBe(1);
    expect(tableCount(result.stdout, 'jurisdictions')).toBe(11);
    expect(tableCount(result.stdout, 'outbox')).toBeGreaterThan(200);
    expect(result.stdout).toMatch(/^migration: \d+ /m);
    expect(result.stdout).toMatch(/^audit: ok \(\d+ entries checked\)$/m);
  });

  it('verifies a sound store with exit code 0', () => {
    const result = desk('verify', '--data', dir);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/integrity: ok/);
    expect(result.stdout).toMatch(/audit: ok/);
  });

  it('refuses to overwrite an existing store without --force', () => {
    const result = desk('seed', '--data', dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/already exists; pass --force/);
    expect(tableCount(desk('info', '--data', dir).stdout, 'incidents'), 'the store is untouched').toBe(201);
  });

  it('names an unknown flag and exits 2 with the usage', () => {
    const result = desk('seed', '--data', dir, '--incidnets', '5');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unknown flag --incidnets/);
    expect(result.stderr).toMatch(/usage: npm run desk/);
  });

  it('names an unknown command, a missing value and a bad number, each with exit 2', () => {
    const unknown = desk('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    const missing = desk('info', '--data');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--data needs a value/);
    const bad = desk('seed', '--data', join(dir, 'other'), '--incidents', 'many');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--incidents must be a whole number/);
    expect(existsSync(join(dir, 'other', 'desk.sqlite')), 'nothing is created on bad input').toBe(false);
  });

  it('fails verify with exit 1 once an audit entry has been tampered with', () => {
    const copy = mkdtempSync(join(tmpdir(), 'desk-cli-tamper-'));
    try {
      copyFileSync(join(dir, 'desk.sqlite'), join(copy, 'desk.sqlite'));
      const db = openDatabase(join(copy, 'desk.sqlite'));
      db.prepare("UPDATE audit SET operator_id = 'someone-else' WHERE seq = 3").run();
      db.close();
      const result = desk('verify', '--data', copy);
      expect(result.status).toBe(1);
      expect(result.stdout).toMatch(/audit: BROKEN at entry 3/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
