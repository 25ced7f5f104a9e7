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
  it('logs in through the dev identity provider, gets a token that verifies, calls the demo API and logs out', async () => {
    const { frontendUrl, replicaUrl, jwksUrl, apiUrl, canisterId } = product.ready;
    const result = await runFrontendEndToEnd({ frontendUrl, replicaUrl, jwksUrl, apiUrl });
    expect(result.claims).toMatchObject({ sub: result.principal, aud: canisterId });
    expect(result.screenshots.length).toBeGreaterThan(0);
  });
});
