// The PocketIC server of a test run: the real one when POCKET_IC_BIN names it, else this
// repository's (node_modules/.bin/pocket-ic). @dfinity/pic names its port file after the parent
// process, so every worker of a vitest run shares one server: it is started once for the run
// (vitest globalSetup) and its URL handed to the workers.
import { PocketIcServer } from '@dfinity/pic';
import type { TestProject } from 'vitest/node';

import { POCKET_IC_BIN as OWN_POCKET_IC_BIN } from '../../pocket_ic/support/pic';

export const POCKET_IC_BIN = process.env['POCKET_IC_BIN'] || OWN_POCKET_IC_BIN;

declare module 'vitest' {
  export interface ProvidedContext {
    pocketIcUrl: string;
  }
}

/**
 * PocketIC (and this server) exit after 60 idle seconds by default; files of a long `npm test` can
 * reach the integration suite later than that. The run's teardown stops it anyway.
 */
const IDLE_SECONDS_BEFORE_EXIT = 3 * 3600;

export function startPocketIcServer(): Promise<PocketIcServer> {
  return PocketIcServer.start({ binPath: POCKET_IC_BIN, ttl: IDLE_SECONDS_BEFORE_EXIT });
}

/** vitest globalSetup: one server for the run, stopped after it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPocketIcServer();
  project.provide('pocketIcUrl', server.getUrl());
  return () => server.stop();
}
