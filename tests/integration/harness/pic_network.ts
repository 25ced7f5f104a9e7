// The suite's network: @dfinity/pic 0.23, unmodified, driving a PocketIC server. That is the real
// one when POCKET_IC_BIN names it, else this repository's (node_modules/.bin/pocket-ic). One
// server per test file, instances per describe or per test.
import { PocketIc, PocketIcServer, SubnetStateType, type CreateInstanceOptions } from '@dfinity/pic';
import { afterAll, beforeAll } from 'vitest';

import { POCKET_IC_BIN as OWN_POCKET_IC_BIN } from '../../pocket_ic/support/pic';

export const POCKET_IC_BIN = process.env['POCKET_IC_BIN'] || OWN_POCKET_IC_BIN;

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

export function startPocketIcServer(): Promise<PocketIcServer> {
  return PocketIcServer.start({ binPath: POCKET_IC_BIN });
}

/**
 * An instance whose clock is set to the wall clock, visible to queries at once. (It can only go
 * forward from there: PocketIC's time never goes backwards, and a new instance starts at the
 * wall clock.)
 */
export async function createInstance(server: PocketIcServer, options: CreateInstanceOptions = ISSUER_SUBNETS): Promise<PocketIc> {
  const pic = await PocketIc.create(server.getUrl(), options);
  try {
    await pic.setTime(Date.now());
    await pic.tick();
    return pic;
  } catch (error) {
    await pic.tearDown();
    throw error;
  }
}

/** The file's server, started before its tests and stopped after them. */
export function usePocketIcServer(): () => PocketIcServer {
  let server: PocketIcServer | undefined;
  beforeAll(async () => {
    server = await startPocketIcServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (server === undefined) throw new Error('the PocketIC server has not started');
    return server;
  };
}

/** A fresh instance for the enclosing describe block (or file), torn down after it. */
export function useInstance(server: () => PocketIcServer, options: CreateInstanceOptions = ISSUER_SUBNETS): () => PocketIc {
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
