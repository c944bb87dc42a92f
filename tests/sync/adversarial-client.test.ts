// Adversarial cases of the workstation's sync found by a bug hunt: each test is a night-shift situation that went
// wrong before its fix (see the commit that added it).
import { describe, expect, it } from 'vitest';
import { demoPassword } from '../../src/server/admin';
import type { Role } from '../../src/shared/domain/model';
import { DeskError } from '../../src/shared/errors';
import { scriptedClock } from '../helpers/desk';
import { cityAndPingli, synced } from './harness';

async function refused(promise: Promise<unknown>): Promise<DeskError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the sign-in was refused').toBeInstanceOf(DeskError);
  return error as DeskError;
}

describe('offline sign-in after the server shut an operator out', () => {
  it('refuses offline a disabled account, and a password the server no longer takes; a typo online forgets nothing', async () => {
    const clock = scriptedClock();
    const { hub, city, pingli } = await cityAndPingli(clock);
    const operator = pingli.operatorId;
    const password = demoPassword(operator);

    // A mistyped password online is refused by the server, but the verifier stays: the right one works offline.
    await refused(pingli.client.signIn(operator, 'not-the-password'));
    pingli.transport.faults.down = true;
    expect((await pingli.client.signIn(operator, password)).online).toBe(false);
    pingli.transport.faults.down = false;

    // The account is disabled on the server; the operator tries online and is refused, then the link drops.
    hub.setAccountActive(operator, false);
    await refused(pingli.client.signIn(operator, password));
    pingli.transport.faults.down = true;
    const offline = await refused(pingli.client.signIn(operator, password));
    expect(offline.code).toBe('unauthenticated');

    // The city dispatcher's password is changed on the server: the old one no longer opens the console offline.
    const dispatcher = city.operatorId;
    const old = demoPassword(dispatcher);
    const account = hub.db
      .prepare('SELECT name, role, jurisdiction_id, org_id FROM accounts WHERE id = ?')
      .get(dispatcher) as { name: string; role: Role; jurisdiction_id: string; org_id: string | null };
    hub.addAccount({
      id: dispatcher,
      name: account.name,
      role: account.role,
      jurisdictionId: account.jurisdiction_id,
      orgId: account.org_id,
      password: 'changed-at-shift-change-2026',
    });
    await refused(city.client.signIn(dispatcher, old));
    city.transport.faults.down = true;
    await refused(city.client.signIn(dispatcher, old));
  });

  it('forgets the verifier when the sync client signs in again mid-shift and the account was disabled meanwhile', async () => {
    const clock = scriptedClock();
    const { hub, pingli } = await cityAndPingli(clock);
    const operator = pingli.operatorId;
    await synced(pingli);
    hub.setAccountActive(operator, false);
    // The session expires; the client signs in again with the password it holds and is refused.
    clock.advance(13 * 60 * 60_000);
    const cycle = await pingli.client.syncNow();
    expect(cycle.ok).toBe(false);
    expect(cycle.error?.code).toBe('unauthenticated');
    pingli.transport.faults.down = true;
    await refused(pingli.client.signIn(operator, demoPassword(operator)));
  });
});
