// `npm start -- --json`: the README's first command, as a script would drive it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { killAllProducts, startProduct, type Ready } from '../support/npm_start';

const stateDirectory = mkdtempSync(join(tmpdir(), 'ic-jwt-start-'));

afterAll(() => {
  killAllProducts();
  rmSync(stateDirectory, { recursive: true, force: true });
});

describe('npm start -- --json', () => {
  let first: Ready;

  it('prints one JSON line with the URLs once the product runs, and every URL answers', async () => {
    const product = await startProduct(stateDirectory);
    const ready = (first = product.ready);
    expect(ready).toMatchObject({ deployment: 'installed', issuer: expect.stringContaining(`${ready.canisterId}.localhost`) });

    const jwks = (await (await fetch(ready.jwksUrl)).json()) as { keys: { alg: string }[] };
    expect(jwks.keys.map((key) => key.alg)).toEqual(['ES256K', 'EdDSA']);
    expect(((await (await fetch(ready.discoveryUrl)).json()) as { issuer: string }).issuer).toBe(ready.issuer);
    expect((await fetch(`${ready.replicaUrl}/api/v2/status`)).status).toBe(200);
    expect(await (await fetch(ready.frontendUrl)).text()).toMatch(/<html/i);
    expect(await (await fetch(ready.identityProviderUrl)).text()).toMatch(/<html/i);
    const unauthorized = await fetch(`${ready.apiUrl}/api/whoami`);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('www-authenticate')).toMatch(/^Bearer/);

    expect(await product.stop()).toBe(true);
  });

  it('keeps the canister across a restart', async () => {
    const product = await startProduct(stateDirectory);
    expect(product.ready.canisterId).toBe(first.canisterId);
    expect(product.ready.deployment).toBe('unchanged');
    expect(await product.stop()).toBe(true);
  });
});
