// The local IC over HTTP with real IC clients: @dfinity/agent and plain fetch() through the gateway.
import { readFileSync } from 'node:fs';
import { Actor, CanisterStatus, HttpAgent, SignIdentity, type Identity } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { DelegationChain, DelegationIdentity, Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { idlFactory, type _SERVICE as JwtIssuerService } from '../../src/declarations/jwt_issuer/jwt_issuer.did';
import { JWT_ISSUER_DID } from '../../scripts/candid';
import { startLocalNetwork, type LocalNetwork } from '../../packages/local-ic/src/network/local_network';
import { verifyWithJwks } from '../support/verify';
import { startDeployedIssuer } from './support/deployed_issuer';

let network: LocalNetwork;
let canisterId: Principal;
let close: (() => Promise<void>) | undefined;

async function actorFor(identity: Identity): Promise<JwtIssuerService> {
  const agent = await HttpAgent.create({ host: network.url, identity, shouldFetchRootKey: true, retryTimes: 0 });
  return Actor.createActor<JwtIssuerService>(idlFactory, { agent, canisterId });
}

const jwksOverGateway = async () => JSON.parse(await (await fetch(network.canisterUrl(canisterId, '/.well-known/jwks.json'))).text());

beforeAll(async () => {
  ({ network, deployment: { canisterId }, close } = await startDeployedIssuer('ic-jwt-network-'));
});

afterAll(async () => {
  await close?.();
});

describe('agent-js against the local IC', () => {
  it('makes update calls whose certificates it verifies after fetchRootKey', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const result = await (await actorFor(identity)).issue_jwt([]);
    if (!('Ok' in result)) throw new Error(JSON.stringify(result));
    expect(verifyWithJwks(result.Ok.token, await jwksOverGateway()).payload['sub']).toBe(identity.getPrincipal().toText());
  });

  it('makes query calls whose node signatures it verifies', async () => {
    const metrics = await (await actorFor(Ed25519KeyIdentity.generate())).metrics();
    expect(metrics.tokens_issued).toBeGreaterThanOrEqual(1n);
  });

  it('delivers a DelegationIdentity call with the delegating principal as caller', async () => {
    const user = Ed25519KeyIdentity.generate();
    const session = Ed25519KeyIdentity.generate();
    const chain = await DelegationChain.create(user, session.getPublicKey(), new Date(Date.now() + 10 * 60_000), { targets: [canisterId] });
    const result = await (await actorFor(DelegationIdentity.fromDelegation(session, chain))).issue_jwt([]);
    if (!('Ok' in result)) throw new Error(JSON.stringify(result));
    expect(verifyWithJwks(result.Ok.token, await jwksOverGateway()).payload['sub']).toBe(user.getPrincipal().toText());
  });

  it('refuses a delegation for another canister, an expired delegation and a tampered signature, running nothing', async () => {
    const before = await (await actorFor(Ed25519KeyIdentity.generate())).metrics();
    const user = Ed25519KeyIdentity.generate();
    const session = Ed25519KeyIdentity.generate();
    const otherCanister = Principal.fromText('aaaaa-aa');
    const elsewhere = await DelegationChain.create(user, session.getPublicKey(), new Date(Date.now() + 60_000), { targets: [otherCanister] });
    await expect((await actorFor(DelegationIdentity.fromDelegation(session, elsewhere))).issue_jwt([])).rejects.toThrow(/400|403|target/i);

    const expired = await DelegationChain.create(user, session.getPublicKey(), new Date(Date.now() - 60_000));
    await expect((await actorFor(DelegationIdentity.fromDelegation(session, expired))).issue_jwt([])).rejects.toThrow(/expired|400/i);

    const honest = Ed25519KeyIdentity.generate();
    class TamperingIdentity extends SignIdentity {
      getPublicKey() {
        return honest.getPublicKey();
      }
      async sign(blob: Uint8Array) {
        const signature = new Uint8Array(await honest.sign(blob));
        signature[0]! ^= 1;
        return signature as never;
      }
    }
    const tampering = new TamperingIdentity();
    await expect((await actorFor(tampering)).issue_jwt([])).rejects.toThrow(/signature|400/i);

    const after = await (await actorFor(Ed25519KeyIdentity.generate())).metrics();
    expect(after.signatures_requested).toBe(before.signatures_requested);
  });
});

describe('canister metadata', () => {
  it('serves the public candid:service section through a certified read_state, as dfx and icp-cli read it', async () => {
    const agent = await HttpAgent.create({ host: network.url, shouldFetchRootKey: true, retryTimes: 0 });
    const status = await CanisterStatus.request({ canisterId, agent, paths: ['candid'] });
    expect(status.get('candid')).toBe(readFileSync(JWT_ISSUER_DID, 'utf8'));
  });
});

describe('the HTTP gateway', () => {
  it('serves the JWKS through plain fetch(), byte for byte what the canister answers', async () => {
    const viaGateway = await fetch(network.canisterUrl(canisterId, '/.well-known/jwks.json'));
    expect(viaGateway.status).toBe(200);
    expect(viaGateway.headers.get('content-type')).toBe('application/jwk-set+json');
    const direct = await (await actorFor(Ed25519KeyIdentity.generate())).http_request({
      method: 'GET',
      url: '/.well-known/jwks.json',
      headers: [],
      body: new Uint8Array(),
      certificate_version: []
    });
    expect(new Uint8Array(await viaGateway.arrayBuffer())).toEqual(Uint8Array.from(direct.body));
  });

  it('routes by Host header as browsers do with <canister-id>.localhost', async () => {
    const { request } = await import('node:http');
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: network.port, path: '/.well-known/openid-configuration', headers: { host: `${canisterId.toText()}.localhost:${network.port}` } },
        (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve(text));
        }
      );
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(body).issuer).toBe(network.canisterHostUrl(canisterId, ''));
  });

  it('refuses uncertified responses unless told to let them through, as icp0.io does', async () => {
    const { azleFixtureWasm } = await import('../localnet/support/fixtures');
    const wasm = await azleFixtureWasm('uncertified_site');
    const strict = await startLocalNetwork({ port: 0 });
    const lenient = await startLocalNetwork({ port: 0, allowUncertifiedResponses: true });
    try {
      for (const net of [strict, lenient]) {
        const controller = Principal.selfAuthenticating(new Uint8Array(32).fill(3));
        const id = await net.ic.createCanister({ controllers: [controller], sender: controller });
        await net.ic.installCode(id, wasm, IDL.encode([], []), { sender: controller });
        const response = await fetch(net.canisterUrl(id, '/'));
        if (net === strict) {
          expect(response.status).toBe(503);
          expect(await response.text()).toMatch(/uncertified/);
        } else {
          expect(response.status).toBe(200);
          expect(response.headers.get('x-local-ic-uncertified')).toBe('true');
        }
      }
    } finally {
      await strict.close();
      await lenient.close();
    }
  });

  it('answers 404 for a canister that does not exist', async () => {
    const response = await fetch(network.canisterUrl(Principal.fromText('2vxsx-fae'), '/x'));
    expect(response.status).toBe(404);
  });
});
