// A whole local network on one port of 127.0.0.1: the IC HTTP interface (/api/...), the HTTP
// gateway (<canister-id>.localhost or ?canisterId=) and static sites (the frontend, the dev
// identity provider). Its state (canisters, time, network secret) can live in a folder.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { generateNetworkSecret, NetworkKeys, startReplicaServer } from '../http_interface';
import { StateStoreError } from '../shared/errors';
import { LocalIc } from '../local_ic';
import { Checkpointer, type CheckpointFigures } from '../persistence/checkpointer';
import { writeFileDurably } from '../persistence/durable_file';
import { writeSnapshot } from '../persistence/state_store';
import { icHttpInterfaceFor } from './replica_backend';
import { gatewayWebHandler, type Site } from './web_gateway';

export type { Site } from './web_gateway';

export interface LocalNetworkOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Keep the network here: canisters, time and the network secret survive a restart. */
  readonly stateDirectory?: string;
  /** With a state directory: a checkpoint is written at most this long after the state changed (default 1000). */
  readonly checkpointDelayMs?: number;
  readonly allowUncertifiedResponses?: boolean;
  readonly sites?: readonly Site[];
}

export interface LocalNetwork {
  readonly url: string;
  readonly port: number;
  readonly ic: LocalIc;
  readonly rootKeyDer: Uint8Array;
  /** The gateway URL of a canister that Node's resolver can reach (it does not resolve *.localhost). */
  canisterUrl(canisterId: { toText(): string }, path: string): string;
  /** The same for browsers, by host. */
  canisterHostUrl(canisterId: { toText(): string }, path: string): string;
  /** Serves `site` too, after the sites given at start. */
  addSite(site: Site): void;
  /** Saves now (after any checkpoint in progress). */
  save(): Promise<void>;
  /** Figures of the last save or checkpoint, if any. */
  lastSave(): CheckpointFigures | undefined;
  /** Stops serving, writes a final checkpoint if the state changed, and stops the IC. */
  close(): Promise<void>;
}

const SECRET_FILE = 'network-secret';
const IC_STATE_FOLDER = 'ic';
const DEFAULT_CHECKPOINT_DELAY_MS = 1_000;

export async function startLocalNetwork(options: LocalNetworkOptions): Promise<LocalNetwork> {
  const { stateDirectory } = options;
  const icState = stateDirectory === undefined ? undefined : join(stateDirectory, IC_STATE_FOLDER);
  const secret = await networkSecret(stateDirectory);
  const icOptions = { live: true, subnetIds: NetworkKeys.fromSecret(secret).subnetIds() };
  const ic = icState === undefined ? await LocalIc.create(icOptions) : await LocalIc.loadOrCreate(icState, icOptions);
  const checkpointer =
    icState === undefined
      ? undefined
      : new Checkpointer({
          source: ic,
          write: (snapshot) => writeSnapshot(icState, snapshot),
          delayMs: options.checkpointDelayMs ?? DEFAULT_CHECKPOINT_DELAY_MS,
          onError: (error) => console.error(`[local IC] checkpoint to ${icState} failed (retrying): ${(error as Error).message}`)
        });
  ic.onStateChange(checkpointer === undefined ? undefined : () => checkpointer.changed());
  const api = icHttpInterfaceFor(ic, { networkSecret: secret });

  const gateway = { ic, rootKey: api.keys.rootPublicKeyDer, allowUncertifiedResponses: options.allowUncertifiedResponses ?? false };
  const sites = [...(options.sites ?? [])];
  const server = await startReplicaServer({
    api,
    port: options.port,
    web: gatewayWebHandler(gateway, sites)
  });

  return {
    url: server.url,
    port: server.port,
    ic,
    rootKeyDer: api.keys.rootPublicKeyDer,
    canisterUrl: (canisterId, path) => `${server.url}${path}${path.includes('?') ? '&' : '?'}canisterId=${canisterId.toText()}`,
    canisterHostUrl: (canisterId, path) => `http://${canisterId.toText()}.localhost:${server.port}${path}`,
    addSite: (site) => sites.push(site),
    async save() {
      await checkpointer?.saveNow();
    },
    lastSave: () => checkpointer?.lastSave,
    async close() {
      await server.close();
      await checkpointer?.stop();
      ic.close();
    }
  };
}

/** The secret the root and node keys derive from: kept with the state so that the root key survives restarts. */
async function networkSecret(stateDirectory: string | undefined): Promise<Uint8Array> {
  if (stateDirectory === undefined) return generateNetworkSecret();
  const file = join(stateDirectory, SECRET_FILE);
  if (existsSync(file)) {
    return new Uint8Array(
      await readFile(file).catch((error: unknown) => {
        throw new StateStoreError(`Cannot read ${file}: ${(error as Error).message}`);
      })
    );
  }
  const secret = generateNetworkSecret();
  await mkdir(stateDirectory, { recursive: true });
  // Security: a local, throwaway key, written owner-readable only; it protects nothing real.
  await writeFileDurably(file, secret, 0o600);
  return secret;
}
