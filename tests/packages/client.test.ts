// @ic-jwt/client against the built jwt_issuer on the local IC over HTTP, with agents and
// identities of both @dfinity/agent 3.4 and @icp-sdk/core 6. Each test counts the canister's
// signatures (metrics.tokens_issued) to show when a token was reused and when it was signed anew.
import { AnonymousIdentity, HttpAgent as HttpAgent3 } from '@dfinity/agent';
import { Ed25519KeyIdentity as Identity3 } from '@dfinity/identity';
import { getJwt, IcJwtError, keepJwtFresh, refreshJwt, TokenCache, type IssuedJwt, type StorageLike } from '@ic-jwt/client';
import { HttpAgent as HttpAgent6 } from 'icp-sdk-core-v6/agent';
import { Ed25519KeyIdentity as Identity6 } from 'icp-sdk-core-v6/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { verifyWithJwks } from '../support/verify';
import { startIssuerNetwork, type IssuerNetwork } from './support/issuer_network';

let net: IssuerNetwork;

beforeAll(async () => {
  net = await startIssuerNetwork();
}, 120_000);

afterAll(async () => {
  await net?.close();
});

/** Node 20 has no Web Storage: a Map behind the same interface stands in for a page's sessionStorage. */
class MapStorage implements StorageLike {
  private readonly items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

async function verified(jwt: IssuedJwt) {
  const jwks = (await (await fetch(net.jwksUrl)).json()) as { keys: Record<string, unknown>[] };
  const { header, payload } = verifyWithJwks(jwt.token, jwks);
  expect(payload['sub']).toBe(jwt.principal);
  expect(payload['exp']).toBe(jwt.expiresAt);
  expect(payload['iss']).toBe(net.issuer);
  expect(header['kid']).toBe(jwt.kid);
  return { header, payload };
}

/** Signatures the canister makes while `run` runs. */
async function signaturesDuring(run: () => Promise<unknown>): Promise<number> {
  const before = await net.tokensIssued();
  await run();
  return (await net.tokensIssued()) - before;
}

describe('getJwt with each agent library', () => {
  it('@dfinity/agent 3.4: an identity, with the host', async () => {
    const identity = Identity3.generate();
    const jwt = await getJwt({ identity, host: net.host, canisterId: net.canisterId, cache: false });
    expect(jwt.principal).toBe(identity.getPrincipal().toText());
    const { header, payload } = await verified(jwt);
    expect(header['alg']).toBe('ES256K');
    expect(payload['aud']).toBe(net.canisterId);
  });

  it('@icp-sdk/core 6: an identity, EdDSA', async () => {
    const identity = Identity6.generate();
    const jwt = await getJwt({ identity, host: net.host, canisterId: net.canisterId, algorithm: 'EdDSA', cache: false });
    expect(jwt.principal).toBe(identity.getPrincipal().toText());
    expect((await verified(jwt)).header['alg']).toBe('EdDSA');
  });

  it('@dfinity/agent 3.4 and @icp-sdk/core 6: an agent made by the dapp', async () => {
    const agent3 = await HttpAgent3.create({ host: net.host, shouldFetchRootKey: true, identity: Identity3.generate() });
    const agent6 = await HttpAgent6.create({ host: net.host, shouldFetchRootKey: true, identity: Identity6.generate() });
    for (const agent of [agent3, agent6]) {
      const jwt = await getJwt({ agent, canisterId: net.canisterId, algorithm: 'EdDSA', cache: false });
      expect(jwt.principal).toBe((await agent.getPrincipal()).toText());
      await verified(jwt);
    }
  });

  it('refuses both an agent and an identity, or neither', async () => {
    const identity = Identity3.generate();
    const agent = await HttpAgent3.create({ host: net.host, shouldFetchRootKey: true, identity });
    await expect(getJwt({ agent, identity, canisterId: net.canisterId })).rejects.toThrow(/exactly one of agent and identity/);
    await expect(getJwt({ canisterId: net.canisterId })).rejects.toThrow(/exactly one of agent and identity/);
  });
});

describe('the token cache', () => {
  it('reuses a token within its lifetime: one signature for sequential and concurrent calls', async () => {
    const options = { identity: Identity6.generate(), host: net.host, canisterId: net.canisterId, cache: new TokenCache() };
    let tokens: IssuedJwt[] = [];
    const signatures = await signaturesDuring(async () => {
      tokens = await Promise.all([getJwt(options), getJwt(options), getJwt(options)]);
      tokens.push(await getJwt(options));
    });
    expect(signatures).toBe(1);
    expect(new Set(tokens.map((jwt) => jwt.token)).size).toBe(1);
    // Reused until 60 s before exp (the default margin; the default lifetime is an hour).
    expect(tokens[0]!.refreshAt).toBeGreaterThan(Date.now() + 3600_000 - 61_000 - 5_000);
    expect(tokens[0]!.refreshAt).toBeLessThanOrEqual(Date.now() + 3600_000 - 60_000);
  });

  it('a page reload within the lifetime gets the stored token: no second signature', async () => {
    const storage = new MapStorage();
    const identity = Identity3.generate();
    const options = { identity, host: net.host, canisterId: net.canisterId };
    let first: IssuedJwt | undefined;
    let afterReload: IssuedJwt | undefined;
    const signatures = await signaturesDuring(async () => {
      first = await getJwt({ ...options, cache: new TokenCache({ storage }) });
      // The reloaded page: new memory, new agent, the same storage.
      afterReload = await getJwt({ ...options, identity: Identity3.fromJSON(JSON.stringify(identity.toJSON())), cache: new TokenCache({ storage }) });
    });
    expect(signatures).toBe(1);
    expect(afterReload).toEqual(first);
  });

  it('keeps tokens apart by principal, audience-less default and algorithm', async () => {
    const cache = new TokenCache();
    const identity = Identity6.generate();
    const base = { identity, host: net.host, canisterId: net.canisterId, cache };
    const es256k = await getJwt({ ...base, algorithm: 'ES256K' });
    const eddsa = await getJwt({ ...base, algorithm: 'EdDSA' });
    const other = await getJwt({ ...base, identity: Identity6.generate(), algorithm: 'EdDSA' });
    expect(new Set([es256k.token, eddsa.token, other.token]).size).toBe(3);
    expect(other.principal).not.toBe(eddsa.principal);
    expect(await signaturesDuring(() => getJwt({ ...base, algorithm: 'EdDSA' }))).toBe(0);
  });

  it('asks for a new token once the refresh time has come, and refreshJwt always does', async () => {
    let skewMs = 0;
    const cache = new TokenCache({ clock: () => Date.now() + skewMs });
    const options = { identity: Identity3.generate(), host: net.host, canisterId: net.canisterId, ttlSeconds: 600, cache };
    const first = await getJwt(options);
    // A 600 s token is reused until 60 s before exp.
    expect(first.refreshAt - Date.now()).toBeGreaterThan(530_000);
    skewMs = first.refreshAt - Date.now() + 1;
    const second = await getJwt(options);
    expect(second.token).not.toBe(first.token);
    const third = await refreshJwt(options);
    expect(third.token).not.toBe(second.token);
    expect((await getJwt(options)).token).toBe(third.token);
  });

  it('clear() forgets a principal\'s tokens in memory and storage (logout)', async () => {
    const storage = new MapStorage();
    const cache = new TokenCache({ storage });
    const stays = await getJwt({ identity: Identity3.generate(), host: net.host, canisterId: net.canisterId, cache });
    const identity = Identity3.generate();
    const options = { identity, host: net.host, canisterId: net.canisterId, cache };
    const first = await getJwt(options);
    expect(storage.length).toBe(2);
    cache.clear(identity.getPrincipal().toText());
    expect(storage.length).toBe(1);
    expect((await getJwt(options)).token).not.toBe(first.token);
    cache.clear();
    expect(storage.length).toBe(0);
    expect(stays.token).toBeTruthy();
  });

  it('drops a stored entry it did not write', async () => {
    const storage = new MapStorage();
    const identity = Identity3.generate();
    const options = { identity, host: net.host, canisterId: net.canisterId };
    await getJwt({ ...options, cache: new TokenCache({ storage }) });
    const name = storage.key(0)!;
    storage.setItem(name, '{"token": 42}');
    const signatures = await signaturesDuring(() => getJwt({ ...options, cache: new TokenCache({ storage }) }));
    expect(signatures).toBe(1);
    expect(JSON.parse(storage.getItem(name)!)).toMatchObject({ principal: identity.getPrincipal().toText() });
  });
});

describe('errors carry the canister\'s IssueError case as code', () => {
  it('AnonymousCaller, with no signature', async () => {
    let error: unknown;
    const signatures = await signaturesDuring(async () => {
      error = await getJwt({ identity: new AnonymousIdentity(), host: net.host, canisterId: net.canisterId }).catch((e: unknown) => e);
    });
    expect(signatures).toBe(0);
    expect(error).toBeInstanceOf(IcJwtError);
    expect(error).toMatchObject({ name: 'IcJwtError', code: 'AnonymousCaller', details: {} });
  });

  it('AudienceNotAllowed and TtlOutOfRange, with their details', async () => {
    const options = { identity: Identity6.generate(), host: net.host, canisterId: net.canisterId };
    await expect(getJwt({ ...options, audience: 'elsewhere' })).rejects.toMatchObject({
      code: 'AudienceNotAllowed',
      details: { audience: 'elsewhere', allowed: [net.canisterId] },
      message: expect.stringContaining('"elsewhere"')
    });
    await expect(getJwt({ ...options, ttlSeconds: 5 })).rejects.toMatchObject({ code: 'TtlOutOfRange', details: { requested: 5, min: 60 } });
  });

  it('RateLimited after the per-caller limit, with the wait; is() narrows the details', async () => {
    const options = { identity: Identity3.generate(), host: net.host, canisterId: net.canisterId, cache: false as const };
    for (let i = 0; i < 5; i++) await getJwt(options);
    const error = await getJwt(options).catch((e: unknown) => e);
    if (!(error instanceof IcJwtError) || !error.is('RateLimited')) throw new Error(`expected RateLimited, got ${String(error)}`);
    expect(error.details.scope).toBe('Caller');
    expect(error.details.retryAfterSeconds).toBeGreaterThan(0);
    expect(error.details.retryAfterSeconds).toBeLessThanOrEqual(60);
  });
});

describe('keepJwtFresh', () => {
  it('hands out a token, a new one when it is due, and nothing after stop()', async () => {
    const received: IssuedJwt[] = [];
    const errors: unknown[] = [];
    const options = { identity: Identity6.generate(), host: net.host, canisterId: net.canisterId, cache: new TokenCache() };
    // A 60 s token due 58 s before exp: the next one 2 s later.
    const refresher = keepJwtFresh({ ...options, ttlSeconds: 60, refreshMarginSeconds: 58 }, { onToken: (jwt) => received.push(jwt), onError: (e) => errors.push(e) });
    await expect.poll(() => received.length, { timeout: 15_000 }).toBe(2);
    refresher.stop();
    expect(errors).toEqual([]);
    expect(received[1]!.token).not.toBe(received[0]!.token);
    expect(refresher.current).toBe(received[1]);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(received).toHaveLength(2);
  });
});
