// The suite's network: @dfinity/pic 0.23, unmodified, driving the run's PocketIC server
// (pocket_ic_server.ts), with instances per describe block or per test.
import { PocketIc, SubnetStateType, type CreateInstanceOptions } from '@dfinity/pic';
import { afterAll, beforeAll, inject } from 'vitest';

const NEW_SUBNET = { state: { type: SubnetStateType.New } } as const;

/**
 * PocketIC 14 holds `key_1` on its II and fiduciary subnets, and `dfx_test_key` / `test_key_1`
 * only on a test-threshold-keys subnet that pic 0.23 cannot ask for. So the suite's instances
 * have an II subnet, and the canister, on the application subnet, signs with `key_1`.
 */
export const ISSUER_SUBNETS: CreateInstanceOptions = { ii: NEW_SUBNET, application: [NEW_SUBNET] };
export const ISSUER_KEY_NAME = 'key_1' as const;

/** Rounds that let a due timer run and finish the management calls it makes. */
const SETTLE_ROUNDS = 5;

/**
 * An instance whose clock is set to the wall clock, visible to queries at once. (It can only go
 * forward from there: PocketIC's time never goes backwards, and a new instance starts at the
 * wall clock.)
 */
export async function createInstance(serverUrl: string, options: CreateInstanceOptions = ISSUER_SUBNETS): Promise<PocketIc> {
  const pic = await PocketIc.create(serverUrl, options);
  try {
    await pic.setTime(Date.now());
    await pic.tick();
    return pic;
  } catch (error) {
    await pic.tearDown();
    throw error;
  }
}

/** The URL of the run's server (started by the globalSetup in pocket_ic_server.ts). */
export function usePocketIcServer(): () => string {
  return () => inject('pocketIcUrl');
}

/** A fresh instance for the enclosing describe block (or file), torn down after it. */
export function useInstance(server: () => string, options: CreateInstanceOptions = ISSUER_SUBNETS): () => PocketIc {
  let pic: PocketIc | undefined;
  beforeAll(async () => {
    pic = await createInstance(server(), options);
  });
  afterAll(async () => {
    await pic?.tearDown();
  });
  return () => {
    if (pic === undefined) throw new Error('the PocketIC instance has not been created');
    return pic;
  };
}

/** Lets pending timers and the calls they make run at the current time. */
export async function settle(pic: PocketIc): Promise<void> {
  await pic.tick(SETTLE_ROUNDS);
}

/** Moves the instance's clock forward, then lets due timers run. */
export async function advanceTime(pic: PocketIc, milliseconds: number): Promise<void> {
  await pic.advanceTime(milliseconds);
  await settle(pic);
}

/** The instance's time in whole seconds, as a token's iat and exp count it. */
export async function instanceSeconds(pic: PocketIc): Promise<number> {
  return Math.floor((await pic.getTime()) / 1000);
}
