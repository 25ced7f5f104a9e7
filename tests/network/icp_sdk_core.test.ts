// @icp-sdk/core 6 (the successor of @dfinity/agent), unmodified, against the in-process local
// network and against `npm start`: it speaks only the current endpoints (v4 call, v3 query and
// read_state), so every case here fails on a local IC that serves only the deprecated ones.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Actor,
  AgentError,
  CanisterStatus,
  Certificate,
  CertificateVerificationErrorCode,
  check_canister_ranges,
  HttpAgent,
  type ActorSubclass,
  type HttpAgentOptions
} from 'icp-sdk-core-v6/agent';
import type { IDL } from 'icp-sdk-core-v6/candid';
import { Ed25519KeyIdentity } from 'icp-sdk-core-v6/identity';
import { Principal } from 'icp-sdk-core-v6/principal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { idlFactory, type _SERVICE as JwtIssuerService } from '@ic-jwt/client/candid';
import { JWT_ISSUER_DID } from '../../scripts/candid';
import { deployJwtIssuer } from '../../src/dev_network/deploy_jwt_issuer';
import { startLocalNetwork, type LocalNetwork } from '../../packages/local-ic/src/network/local_network';
import { jwtIssuerWasm } from '../integration/harness/jwt_issuer';
import { killAllProducts, startProduct, type RunningProduct } from '../support/npm_start';
import { verifyWithJwks } from '../support/verify';

/**
 * The generated bindings build their types from the IDL they are handed, so at run time the
 * factory builds @icp-sdk/core types; only its declared type names @dfinity/candid (the bindings'
 * imports point there), hence this one cast.
 */
const jwtIssuerIdl = idlFactory as unknown as IDL.InterfaceFactory;

interface Target {
  replicaUrl: string;
  canisterId: Principal;
  jwksUrl: string;
}

const stateDirectories: string[] = [];
let network: LocalNetwork | undefined;
let product: RunningProduct | undefined;
const targets: Record<'in-process network' | 'npm start', Target | undefined> = { 'in-process network': undefined, 'npm start': undefined };

function temporaryDirectory(prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  stateDirectories.push(directory);
  return directory;
}

beforeAll(async () => {
  const [started, running] = await Promise.all([
    (async () => {
      const net = await startLocalNetwork({ port: 0 });
      network = net;
      const { canisterId } = await deployJwtIssuer(net, jwtIssuerWasm(), temporaryDirectory('ic-jwt-core6-'));
      return { net, canisterId: Principal.fromText(canisterId.toText()) };
    })(),
    startProduct(temporaryDirectory('ic-jwt-core6-start-'))
  ]);
  product = running;
  targets['in-process network'] = {
    replicaUrl: started.net.url,
    canisterId: started.canisterId,
    jwksUrl: started.net.canisterUrl(started.canisterId, '/.well-known/jwks.json')
  };
  targets['npm start'] = {
    replicaUrl: running.ready.replicaUrl,
    canisterId: Principal.fromText(running.ready.canisterId),
    jwksUrl: running.ready.jwksUrl
  };
}, 120_000);

afterAll(async () => {
  await product?.stop();
  killAllProducts();
  await network?.close();
  for (const directory of stateDirectories) rmSync(directory, { recursive: true, force: true });
});

describe.each(['in-process network', 'npm start'] as const)('@icp-sdk/core 6 against the %s', (name) => {
  const target = (): Target => {
    const found = targets[name];
    if (found === undefined) throw new Error(`${name} did not start`);
    return found;
  };
  let requestedPaths: string[] = [];

  async function agentFor(options: HttpAgentOptions = {}): Promise<HttpAgent> {
    const recordingFetch: typeof fetch = (input, init) => {
      requestedPaths.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
      return fetch(input, init);
    };
    return HttpAgent.create({ host: target().replicaUrl, shouldFetchRootKey: true, retryTimes: 0, fetch: recordingFetch, ...options });
  }

  async function issuerFor(options: HttpAgentOptions = {}): Promise<ActorSubclass<JwtIssuerService>> {
    return Actor.createActor<JwtIssuerService>(jwtIssuerIdl, { agent: await agentFor(options), canisterId: target().canisterId });
  }

  it('issues a JWT through a v4 synchronous call whose certificate the agent verifies, then queries over v3', async () => {
    requestedPaths = [];
    const identity = Ed25519KeyIdentity.generate();
    const issuer = await issuerFor({ identity });
    const result = await issuer.issue_jwt([]);
    if (!('Ok' in result)) throw new Error(JSON.stringify(result));
    const jwks = (await (await fetch(target().jwksUrl)).json()) as { keys: Record<string, unknown>[] };
    expect(verifyWithJwks(result.Ok.token, jwks).payload['sub']).toBe(identity.getPrincipal().toText());
    const metrics = await issuer.metrics();
    expect(metrics.tokens_issued).toBeGreaterThanOrEqual(1n);

    const id = target().canisterId.toText();
    expect(requestedPaths).toContain(`/api/v4/canister/${id}/call`);
    expect(requestedPaths).toContain(`/api/v3/canister/${id}/query`);
    expect(requestedPaths).toContain(`/api/v3/canister/${id}/read_state`); // node keys for the query signature
    expect(requestedPaths.some((path) => path.startsWith('/api/v2/canister/'))).toBe(false);
  });

  it('reads the canister status over v3 read_state: module hash, controllers and the candid:service metadata', async () => {
    const agent = await agentFor();
    const status = await CanisterStatus.request({
      canisterId: target().canisterId,
      agent,
      paths: ['module_hash', 'controllers', 'candid', 'time']
    });
    expect(status.get('candid')).toBe(readFileSync(JWT_ISSUER_DID, 'utf8'));
    expect(String(status.get('module_hash'))).toMatch(/^[0-9a-f]{64}$/);
    expect((status.get('controllers') as Principal[]).length).toBeGreaterThanOrEqual(1);
  });

  it('reads the sharded routing table at /canister_ranges/<subnet_id> and finds the canister in it', async () => {
    const agent = await agentFor();
    const rootKey = agent.rootKey as Uint8Array;
    const { canisterId } = target();
    // The canister's subnet (the application subnet) as the agent learns it from the delegation.
    const subnetId = await agent.getSubnetIdFromCanister(canisterId);
    expect(subnetId.toText()).not.toBe(Principal.selfAuthenticating(rootKey).toText());
    const response = await agent.readState({ subnetId }, { paths: [[new TextEncoder().encode('canister_ranges'), subnetId.toUint8Array()]] });
    const certificate = await Certificate.create({ certificate: response.certificate, rootKey, principal: { subnetId } });
    // Only the sharded path was asked for, so the agent's range check cannot fall back to the legacy one.
    expect(certificate.lookup_path(['subnet', subnetId.toUint8Array(), 'canister_ranges']).status).not.toBe('Found');
    expect(check_canister_ranges({ canisterId, subnetId, tree: certificate.cert.tree })).toBe(true);
    const elsewhere = Principal.fromUint8Array(new Uint8Array(10).fill(0xff)); // above every opaque canister id
    expect(check_canister_ranges({ canisterId: elsewhere, subnetId, tree: certificate.cert.tree })).toBe(false);
  });

  it('calls and queries through the subnet endpoints (/api/v4/subnet/<id>/call, /api/v3/subnet/<id>/query)', async () => {
    requestedPaths = [];
    const agent = await agentFor({ identity: Ed25519KeyIdentity.generate() });
    const subnetId = await agent.getSubnetIdFromCanister(target().canisterId);
    const issuer = Actor.createActor<JwtIssuerService>(jwtIssuerIdl, {
      agent,
      canisterId: target().canisterId,
      effectiveTarget: { subnetId }
    });
    const result = await issuer.issue_jwt([]);
    expect('Ok' in result).toBe(true);
    expect((await issuer.metrics()).tokens_issued).toBeGreaterThanOrEqual(1n);
    expect(requestedPaths).toContain(`/api/v4/subnet/${subnetId.toText()}/call`);
    expect(requestedPaths).toContain(`/api/v3/subnet/${subnetId.toText()}/query`);
  });

  it('refuses a v4 call reply whose certificate signature was tampered with', async () => {
    const tampering: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = input instanceof Request ? input.url : String(input);
      if (!url.includes('/api/v4/') || response.status !== 200) return response;
      const body = new Uint8Array(await response.arrayBuffer());
      body[body.length - 5] = (body[body.length - 5] ?? 0) ^ 1; // inside the BLS signature, the certificate's last field
      return new Response(body, { status: 200, headers: response.headers });
    };
    const issuer = await issuerFor({ identity: Ed25519KeyIdentity.generate(), fetch: tampering });
    const error: unknown = await issuer.issue_jwt([]).then(
      () => undefined,
      (rejection: unknown) => rejection
    );
    expect(error instanceof AgentError && error.hasCode(CertificateVerificationErrorCode)).toBe(true);
    expect((error as Error).message).toMatch(/Signature verification failed|Invalid signature/);
  });
});
