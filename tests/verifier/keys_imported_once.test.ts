// Keys are imported into OpenSSL once per JWK Set fetch, never per token.
import * as nodeCrypto from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';

import { createVerifier } from '@ic-jwt/verifier';
import { backgroundRefreshDone } from './support/background_refresh';
import { TestIssuer } from './support/test_issuer';
import { canisterResponder, startWellKnownServer } from './support/well_known_server';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, createPublicKey: vi.fn(actual.createPublicKey) };
});

const issuer = new TestIssuer();
issuer.rotate(); // two published keys
const server = await startWellKnownServer(canisterResponder(() => issuer.httpResources()));
afterAll(() => server.close());

describe('key import', () => {
  it('happens once per key per fetch', async () => {
    let now = Date.now();
    const verifier = createVerifier({ issuer: issuer.issuer, audience: issuer.config.defaultAudience, jwksUri: server.jwksUrl, clock: () => now });
    const imports = vi.mocked(nodeCrypto.createPublicKey);
    const tokens = Array.from({ length: 50 }, () => issuer.mint());
    await verifier.warmUp();
    const afterFirstFetch = imports.mock.calls.length;
    for (const token of tokens) await verifier.verify(token);
    expect(imports.mock.calls.length).toBe(afterFirstFetch);
    now += 301 * 1000;
    for (const token of tokens) await verifier.verify(token);
    await backgroundRefreshDone(verifier, tokens[0]!);
    expect(server.count('/.well-known/jwks.json')).toBe(2);
    expect(imports.mock.calls.length).toBe(afterFirstFetch + 2);
  });
});
