// The issue's stop test: `npm start -- --json` on one state folder, stopped 20 times at a random
// moment in every way a user or the system stops it, and started again each time.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Actor, HttpAgent } from '@dfinity/agent';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { afterAll, describe, expect, it } from 'vitest';

import { MetricsType } from '../../src/backend/core/candid';
import { connectJwtIssuer } from '../../src/frontend/jwt_issuer';
import { createVerifier } from '@ic-jwt/verifier';
import { killAllProducts, startProduct, type Ready, type RunningProduct } from '../support/npm_start';

const stateDirectory = mkdtempSync(join(tmpdir(), 'ic-jwt-stops-'));

afterAll(() => {
  killAllProducts();
  rmSync(stateDirectory, { recursive: true, force: true });
});

/** The local network writes a checkpoint at most 1 s after a change; a checkpoint takes well under a second more. */
const CHECKPOINT_WINDOW_MS = 1_000 + 1_500;

type StopKind = 'SIGINT' | 'double SIGINT' | 'SIGTERM' | 'SIGKILL' | 'SIGINT then SIGKILL';
const STOP_KINDS: readonly StopKind[] = ['SIGINT', 'double SIGINT', 'SIGTERM', 'SIGKILL', 'SIGINT then SIGKILL'];
const losesRecentState = (kind: StopKind): boolean => kind.includes('SIGKILL');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function stopAs(product: RunningProduct, kind: StopKind): Promise<void> {
  switch (kind) {
    case 'SIGINT':
    case 'SIGTERM':
    case 'SIGKILL':
      product.signal(kind);
      break;
    case 'double SIGINT':
      product.signal('SIGINT');
      await sleep(5);
      product.signal('SIGINT');
      break;
    case 'SIGINT then SIGKILL':
      product.signal('SIGINT');
      await sleep(Math.random() * 25);
      product.signal('SIGKILL');
      break;
  }
  expect(await product.exited(20_000), `the product did not exit after ${kind}`).toBe(true);
}

async function tokensIssued(ready: Ready): Promise<bigint> {
  const agent = await HttpAgent.create({ host: ready.replicaUrl, shouldFetchRootKey: true, retryTimes: 0 });
  const actor = Actor.createActor<{ metrics(): Promise<{ tokens_issued: bigint }> }>(({ IDL }) => IDL.Service({ metrics: IDL.Func([], [MetricsType], ['query']) }), {
    agent,
    canisterId: ready.canisterId
  });
  return (await actor.metrics()).tokens_issued;
}

async function issueToken(ready: Ready): Promise<{ token: string; kid: string }> {
  const issuer = await connectJwtIssuer(Ed25519KeyIdentity.generate(), {
    canisterId: ready.canisterId,
    host: ready.replicaUrl,
    identityProvider: ready.identityProviderUrl,
    apiUrl: ready.apiUrl,
    derivationOrigin: null
  });
  const issued = await issuer.issueJwt();
  if (!issued.ok) throw new Error(`issue_jwt failed: ${JSON.stringify(issued.error)}`);
  return issued;
}

async function servedKids(ready: Ready): Promise<string[]> {
  const jwks = (await (await fetch(ready.jwksUrl)).json()) as { keys: Array<{ kid: string }> };
  return jwks.keys.map((key) => key.kid).sort();
}

describe('npm start -- --json, stopped 20 times at a random moment', () => {
  it('always restarts with the same canister, keys and tokens, losing at most the last checkpoint window', async () => {
    let product = await startProduct(stateDirectory);
    const first = product.ready;
    const firstToken = await issueToken(first);
    const firstKids = await servedKids(first);
    // Tokens the canister has counted for certain: every later start must count at least these.
    let durable = await tokensIssued(first);

    for (let round = 0; round < 20; round++) {
      const kind = STOP_KINDS[round % STOP_KINDS.length]!;
      const ready = product.ready;
      // Issue tokens until the stop, so that a stop can land mid-call or mid-checkpoint.
      const issued: Array<{ counter: bigint; at: number }> = [];
      let stopping = false;
      // The call in flight at the stop fails; nobody waits for it.
      void (async () => {
        while (!stopping) {
          await issueToken(ready);
          issued.push({ counter: await tokensIssued(ready), at: performance.now() });
        }
      })().catch(() => undefined);
      // A plain SIGKILL may lose the last window: wait past it sometimes, so that something must survive it.
      await sleep(Math.random() * (kind === 'SIGKILL' ? 4_000 : 600));
      stopping = true;
      const stoppedAt = performance.now();
      await stopAs(product, kind);

      const settled = issued.filter((entry) => !losesRecentState(kind) || entry.at < stoppedAt - CHECKPOINT_WINDOW_MS);
      for (const entry of settled) if (entry.counter > durable) durable = entry.counter;

      product = await startProduct(stateDirectory);
      const again = product.ready;
      const context = `round ${round + 1}, after ${kind}`;
      expect(again.canisterId, context).toBe(first.canisterId);
      expect(await servedKids(again), context).toEqual(firstKids);
      const verifier = createVerifier({ issuer: first.issuer, jwksUri: again.jwksUrl, audience: first.canisterId });
      await expect(verifier.verify(firstToken.token), context).resolves.toMatchObject({ aud: first.canisterId });
      const counted = await tokensIssued(again);
      expect(counted, context).toBeGreaterThanOrEqual(durable);
      // Start-up saves, then issues its demo token: that one is not yet durable.
      durable = counted - 1n;
    }
    expect(await product.stop()).toBe(true);
  }, 900_000); // ~100 s on an idle machine; ~9 min measured under a load average of 13
});

describe('npm start on a state folder it cannot read', () => {
  it('says so in one line naming the folder and --clean, and exits non-zero', () => {
    const damaged = mkdtempSync(join(tmpdir(), 'ic-jwt-damaged-'));
    try {
      mkdirSync(join(damaged, 'ic'));
      // A copy whose manifest names a file that is not there, and no other copy to fall back on.
      const manifest = { format: 'localnet durable copy 1', sequence: 3, files: [{ path: 'state.json', bytes: 10, sha256: '00'.repeat(32) }] };
      writeFileSync(join(damaged, 'ic', 'MANIFEST.json'), JSON.stringify(manifest));
      const run = spawnSync('npm', ['start', '--silent', '--', '--json', '--port', '0', '--api-port', '0', '--state', damaged], {
        cwd: join(import.meta.dirname, '..', '..'),
        encoding: 'utf8',
        timeout: 120_000
      });
      expect(run.status).toBe(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(damaged);
      expect(lines[0]).toContain('npm start -- --clean');
      expect(run.stderr).not.toMatch(/^\s+at /m);
    } finally {
      rmSync(damaged, { recursive: true, force: true });
    }
  }, 180_000);
});
