// Puts the built jwt_issuer on a local network and keeps it current across restarts:
// installed once, upgraded when the Wasm changes, its issuer following the network's port.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';

import {
  ClientResultType,
  ConfigInputType,
  configInputToCandid,
  MetricsType,
  OidcClientType,
  oidcClientToCandid,
  UpdateConfigResultType
} from '../backend/core/candid';
import type { OidcClient } from '../backend/core/oidc/clients';
import type { ConfigInput } from '../backend/core/config';
import { StateStoreError } from '../../packages/local-ic/src/errors';
import { writeFileDurably } from '../../packages/local-ic/src/persistence/durable_file';
import type { LocalNetwork } from '../../packages/local-ic/src/network/local_network';

export interface Deployment {
  canisterId: Principal;
  /** The local deployer, controller of the canister. */
  controller: Principal;
  issuer: string;
  /** What happened on this start. */
  action: 'installed' | 'upgraded' | 'unchanged';
}

/** The OpenID client every local deployment registers (issue 16): a native app on a loopback redirect. */
export const DEMO_NATIVE_CLIENT: OidcClient = {
  clientId: 'ic-jwt-native-demo',
  kind: 'Native',
  redirectUris: ['http://127.0.0.1/callback'],
  idTokenAlgorithm: 'EdDSA',
  accessTokenAudience: 'ic-jwt-demo-api',
  subjectType: 'Public'
};

const DEPLOYMENT_FILE = 'deployment.json';
const CANISTER_CYCLES = 100_000_000_000_000n;

const encodeConfig = (config: ConfigInput): Uint8Array =>
  new Uint8Array(IDL.encode([IDL.Opt(ConfigInputType)], [[configInputToCandid(config)]]));

export async function deployJwtIssuer(network: LocalNetwork, wasm: Uint8Array, stateDirectory: string): Promise<Deployment> {
  const { ic } = network;
  const file = join(stateDirectory, DEPLOYMENT_FILE);
  const saved = existsSync(file) ? await readDeployment(file) : undefined;
  const issuerOf = (id: Principal): string => network.canisterHostUrl(id, '');

  let deployment: Deployment;
  if (saved !== undefined && ic.hasCanister(saved.canisterId)) {
    const canisterId = Principal.fromText(saved.canisterId);
    const controller = Principal.fromText(saved.controller);
    const issuer = issuerOf(canisterId);
    const installed = ic.moduleHash(canisterId);
    const built = createHash('sha256').update(wasm).digest();
    if (installed === undefined || !built.equals(Buffer.from(installed))) {
      await ic.installCode(canisterId, wasm, encodeConfig({ issuer }), { mode: installed === undefined ? 'install' : 'upgrade', sender: controller });
      deployment = { canisterId, controller, issuer, action: installed === undefined ? 'installed' : 'upgraded' };
    } else {
      await setIssuer(network, canisterId, controller, issuer);
      deployment = { canisterId, controller, issuer, action: 'unchanged' };
    }
  } else {
    const controller = Principal.selfAuthenticating(randomBytes(32));
    const canisterId = await ic.createCanister({ controllers: [controller], sender: controller, cycles: CANISTER_CYCLES });
    // Recorded before the install: a checkpoint may save the new canister at any moment from here on,
    // and a restart must then find it rather than create another.
    await recordDeployment(file, canisterId, controller);
    const issuer = issuerOf(canisterId);
    await ic.installCode(canisterId, wasm, encodeConfig({ issuer }), { sender: controller });
    deployment = { canisterId, controller, issuer, action: 'installed' };
  }
  await registerClient(network, deployment.canisterId, deployment.controller, DEMO_NATIVE_CLIENT);
  await waitForSigningKey(network, deployment.canisterId);
  return deployment;
}

/** Registers (or replaces) an OpenID client as the controller. */
export async function registerClient(network: LocalNetwork, canisterId: Principal, controller: Principal, client: OidcClient): Promise<void> {
  const arg = IDL.encode([OidcClientType], [oidcClientToCandid(client)]);
  const result = await network.ic.updateCall(canisterId, 'register_client', arg, { sender: controller });
  if (result.kind === 'rejected') throw new Error(`register_client was rejected: ${result.message}`);
  const [outcome] = IDL.decode([ClientResultType], result.reply) as [Record<string, unknown>];
  if (!('Ok' in outcome)) throw new Error(`register_client refused ${client.clientId}: ${JSON.stringify(outcome)}`);
}

async function readDeployment(file: string): Promise<{ canisterId: string; controller: string }> {
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as { canisterId: unknown; controller: unknown };
    if (typeof saved.canisterId !== 'string' || typeof saved.controller !== 'string') throw new Error('canisterId or controller is missing');
    return { canisterId: saved.canisterId, controller: saved.controller };
  } catch (error) {
    throw new StateStoreError(`Cannot read ${file}: ${(error as Error).message}`);
  }
}

async function recordDeployment(file: string, canisterId: Principal, controller: Principal): Promise<void> {
  await writeFileDurably(file, Buffer.from(JSON.stringify({ canisterId: canisterId.toText(), controller: controller.toText() }, null, 2)));
}

async function setIssuer(network: LocalNetwork, canisterId: Principal, controller: Principal, issuer: string): Promise<void> {
  const arg = IDL.encode([IDL.Record({ issuer: IDL.Opt(IDL.Text) })], [{ issuer: [issuer] }]);
  const result = await network.ic.updateCall(canisterId, 'update_config', arg, { sender: controller });
  if (result.kind === 'rejected') throw new Error(`update_config was rejected: ${result.message}`);
  const [outcome] = IDL.decode([UpdateConfigResultType], result.reply) as [Record<string, unknown>];
  if (!('Ok' in outcome)) throw new Error(`update_config refused the issuer ${issuer}: ${JSON.stringify(outcome)}`);
}

/** The key is fetched by a timer right after install and upgrade; the live network runs it. */
async function waitForSigningKey(network: LocalNetwork, canisterId: Principal): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const result = await network.ic.queryCall(canisterId, 'metrics', IDL.encode([], []));
    if (result.kind === 'replied') {
      const [metrics] = IDL.decode([MetricsType], result.reply) as [{ active_kid: [] | [string] }];
      if (metrics.active_kid.length === 1) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('jwt_issuer did not get its signing key within 10 s');
}
