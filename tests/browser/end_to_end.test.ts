// The whole product in a real browser: `npm start`, then log in, get a token, use the demo API, log out.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { killAllProducts, startProduct, type RunningProduct } from '../support/npm_start';
import { runFrontendEndToEnd } from './support/frontend_end_to_end';

const stateDirectory = mkdtempSync(join(tmpdir(), 'ic-jwt-e2e-'));
let product: RunningProduct;

beforeAll(async () => {
  product = await startProduct(stateDirectory);
});

afterAll(async () => {
  await product?.stop();
  killAllProducts();
  rmSync(stateDirectory, { recursive: true, force: true });
});

describe('the frontend served by npm start, in headless Chromium', () => {
  it('logs in, gets ES256K and EdDSA tokens that verify (in Node, the demo API and the snippets it shows), follows its links, waits out the rate limit and logs out', async () => {
    const { frontendUrl, replicaUrl, jwksUrl, apiUrl, canisterId, issuer } = product.ready;
    const result = await runFrontendEndToEnd({ frontendUrl, replicaUrl, jwksUrl, apiUrl });
    for (const claims of Object.values(result.claims)) expect(claims).toMatchObject({ sub: result.principal, aud: canisterId, iss: issuer });
    expect(result.discovery).toMatchObject({ issuer, id_token_signing_alg_values_supported: ['ES256K', 'EdDSA'] });
    expect(result.screenshots.length).toBeGreaterThan(0);
  }, 300_000);
});
