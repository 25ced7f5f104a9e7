// The dev identity provider in Chromium, driven by the real @dfinity/auth-client on other origins.
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { DelegationChain, Ed25519PublicKey, isDelegationValid } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { devIdentityProviderPage } from '../../packages/local-ic/src/dev_identity_provider/page';
import { DEFAULT_MAX_TIME_TO_LIVE, MAX_TIME_TO_LIVE } from '../../packages/local-ic/src/dev_identity_provider/protocol';
import type { LoginOutcome, PortableMessage } from './pages/page_api';
import { launchChromium } from './support/chromium';
import { delegationSignatureValid, ecdsaP256SignatureValid } from './support/delegation_check';
import { choose, usersOffered, type IdentityProviderChoice } from './support/identity_provider_window';
import { serveStatic, type RunningServer } from './support/static_server';
import { buildTestPages } from './support/test_pages';

const HOUR_NANOS = 3_600_000_000_000n;
const IDP_PATH = '/dev-identity-provider/';

interface TimedOutcome {
  outcome: LoginOutcome;
  /** Wall-clock bounds of the login, in nanoseconds. */
  startedNanos: bigint;
  endedNanos: bigint;
  /** How many "Continue as user N" choices the provider showed. */
  usersOffered: number;
}

const nowNanos = (): bigint => BigInt(Date.now()) * 1_000_000n;

let browser: Browser;
let context: BrowserContext;
let identityProvider: RunningServer;
let dappA: RunningServer;
let dappB: RunningServer;
let identityProviderUrl: string;

beforeAll(async () => {
  const [page, testPages] = await Promise.all([devIdentityProviderPage(), buildTestPages()]);
  identityProvider = await serveStatic(new Map([[`${IDP_PATH.slice(1)}index.html`, page]]));
  dappA = await serveStatic(testPages);
  dappB = await serveStatic(testPages);
  identityProviderUrl = `${identityProvider.origin}${IDP_PATH}`;
  browser = await launchChromium();
  context = await browser.newContext();
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([identityProvider?.close(), dappA?.close(), dappB?.close()]);
});

async function logIn(
  dapp: RunningServer,
  choice: IdentityProviderChoice,
  options: { ttl?: bigint; derivationOrigin?: string; useKeyboard?: boolean } = {}
): Promise<TimedOutcome> {
  const query = new URLSearchParams({ idp: identityProviderUrl });
  if (options.ttl !== undefined) query.set('ttl', options.ttl.toString());
  if (options.derivationOrigin !== undefined) query.set('derivationOrigin', options.derivationOrigin);
  const page = await context.newPage();
  try {
    await page.goto(`${dapp.origin}/auth_client/?${query}`);
    await page.locator('#result', { hasText: 'ready' }).waitFor();
    const startedNanos = nowNanos();
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#login')]);
    const offered = await usersOffered(popup);
    await choose(popup, choice, options.useKeyboard ?? false);
    const outcome = await page.evaluate(() => window.loginOutcome!);
    return { outcome, startedNanos, endedNanos: nowNanos(), usersOffered: offered };
  } finally {
    await page.close();
  }
}

function succeeded(timed: TimedOutcome): Extract<LoginOutcome, { ok: true }> {
  if (!timed.outcome.ok) throw new Error(`login failed: ${timed.outcome.error}`);
  return timed.outcome;
}

function onlyDelegation(outcome: Extract<LoginOutcome, { ok: true }>): { pubkey: Uint8Array; expiration: bigint; signature: Uint8Array } {
  expect(outcome.chain.delegations).toHaveLength(1);
  const [signed] = outcome.chain.delegations;
  expect(signed!.delegation.targets).toBeUndefined();
  return {
    pubkey: hexToBytes(signed!.delegation.pubkey),
    expiration: BigInt(`0x${signed!.delegation.expiration}`),
    signature: hexToBytes(signed!.signature)
  };
}

describe('dev identity provider with @dfinity/auth-client', () => {
  it('logs in and hands over a delegation chain the IC would accept', async () => {
    const timed = await logIn(dappA, { user: 1 });
    const outcome = succeeded(timed);
    const userPublicKey = hexToBytes(outcome.chain.publicKey);
    const delegation = onlyDelegation(outcome);

    // The principal is the user key's self-authenticating id, and that key signed the delegation.
    expect(outcome.principal).toBe(Principal.selfAuthenticating(userPublicKey).toText());
    expect(bytesToHex(Ed25519PublicKey.fromDer(userPublicKey).toDer())).toBe(outcome.chain.publicKey);
    expect(delegationSignatureValid(userPublicKey, delegation.pubkey, delegation.expiration, delegation.signature)).toBe(true);
    const tampered = delegation.expiration + 1n;
    expect(delegationSignatureValid(userPublicKey, delegation.pubkey, tampered, delegation.signature)).toBe(false);

    // The delegation goes to auth-client's own session key: what that key signs verifies against it.
    expect(ecdsaP256SignatureValid(delegation.pubkey, hexToBytes(outcome.challengeHex), hexToBytes(outcome.signatureHex))).toBe(true);

    // @dfinity/identity reads the chain back and finds it valid; auth-client asked for its default 8 hours.
    expect(isDelegationValid(DelegationChain.fromJSON(outcome.chain))).toBe(true);
    expect(delegation.expiration).toBeGreaterThanOrEqual(timed.startedNanos + DEFAULT_MAX_TIME_TO_LIVE);
    expect(delegation.expiration).toBeLessThanOrEqual(timed.endedNanos + DEFAULT_MAX_TIME_TO_LIVE);
  });

  it('gives a user the same principal at the same origin, from the keyboard too', async () => {
    const first = succeeded(await logIn(dappA, { user: 1 }));
    const again = succeeded(await logIn(dappA, { user: 1 }, { useKeyboard: true }));
    expect(again.principal).toBe(first.principal);
  });

  it('gives another user another principal, and remembers the new user', async () => {
    const userOne = succeeded(await logIn(dappA, { user: 1 }));
    const creation = await logIn(dappA, 'new user');
    const created = succeeded(creation);
    expect(created.principal).not.toBe(userOne.principal);
    const newUser = creation.usersOffered + 1;
    const chosen = await logIn(dappA, { user: newUser });
    expect(chosen.usersOffered).toBe(newUser);
    expect(succeeded(chosen).principal).toBe(created.principal);
  });

  it('gives the same user another principal at another origin, unless the dapp names a derivationOrigin', async () => {
    const atA = succeeded(await logIn(dappA, { user: 1 }));
    const atB = succeeded(await logIn(dappB, { user: 1 }));
    expect(atB.principal).not.toBe(atA.principal);
    const derivedFromA = succeeded(await logIn(dappB, { user: 1 }, { derivationOrigin: dappA.origin }));
    expect(derivedFromA.principal).toBe(atA.principal);
  });

  it('honours maxTimeToLive and caps it at 30 days', async () => {
    const oneHour = await logIn(dappA, { user: 1 }, { ttl: HOUR_NANOS });
    const short = onlyDelegation(succeeded(oneHour));
    expect(short.expiration).toBeGreaterThanOrEqual(oneHour.startedNanos + HOUR_NANOS);
    expect(short.expiration).toBeLessThanOrEqual(oneHour.endedNanos + HOUR_NANOS);

    const sixtyDays = await logIn(dappA, { user: 1 }, { ttl: 60n * 24n * HOUR_NANOS });
    const capped = onlyDelegation(succeeded(sixtyDays));
    expect(capped.expiration).toBeGreaterThanOrEqual(sixtyDays.startedNanos + MAX_TIME_TO_LIVE);
    expect(capped.expiration).toBeLessThanOrEqual(sixtyDays.endedNanos + MAX_TIME_TO_LIVE);
  });

  it('reports a cancelled sign-in to auth-client as a failure', async () => {
    const { outcome } = await logIn(dappA, 'cancel');
    expect(outcome).toEqual({ ok: false, error: 'The user cancelled sign-in.' });
  });
});

describe('dev identity provider, protocol by hand', () => {
  const sessionSecret = ed25519.utils.randomPrivateKey();
  const sessionPublicKeyHex = bytesToHex(Ed25519PublicKey.fromRaw(ed25519.getPublicKey(sessionSecret)).toDer());

  async function openFromRawClient(): Promise<{ page: Page; popup: Page }> {
    const page = await context.newPage();
    await page.goto(`${dappA.origin}/raw_client/`);
    await page.waitForFunction(() => window.rawClient !== undefined);
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.evaluate((url) => window.rawClient!.open(`${url}#authorize`), identityProviderUrl)]);
    await page.waitForFunction(() => window.rawClient!.messages.length > 0);
    return { page, popup };
  }

  const messages = (page: Page): Promise<PortableMessage[]> => page.evaluate(() => window.rawClient!.messages);

  async function nextAnswer(page: Page): Promise<PortableMessage> {
    await page.waitForFunction(() => window.rawClient!.messages.length > 1);
    const [, answer, ...more] = await messages(page);
    expect(more).toEqual([]);
    return answer!;
  }

  it('announces itself with authorize-ready and defaults to 8 hours without maxTimeToLive', async () => {
    const { page, popup } = await openFromRawClient();
    try {
      expect(await messages(page)).toEqual([{ origin: identityProvider.origin, data: { kind: 'authorize-ready' } }]);
      const started = nowNanos();
      await page.evaluate(([spec, origin]) => window.rawClient!.sendAuthorizeClient(spec, origin), [{ sessionPublicKeyHex }, identityProvider.origin] as const);
      await choose(popup, { user: 1 });
      const answer = await nextAnswer(page);
      const ended = nowNanos();
      expect(answer.origin).toBe(identityProvider.origin);
      const data = answer.data as {
        kind: string;
        authnMethod: string;
        userPublicKey: { hex: string };
        delegations: { delegation: { pubkey: { hex: string }; expiration: { bigint: string } }; signature: { hex: string } }[];
      };
      expect(data.kind).toBe('authorize-client-success');
      expect(data.authnMethod).toBe('pin');
      expect(Object.keys(data.delegations[0]!.delegation).sort()).toEqual(['expiration', 'pubkey']);
      const { delegation, signature } = data.delegations[0]!;
      expect(delegation.pubkey.hex).toBe(sessionPublicKeyHex);
      const expiration = BigInt(delegation.expiration.bigint);
      expect(expiration).toBeGreaterThanOrEqual(started + DEFAULT_MAX_TIME_TO_LIVE);
      expect(expiration).toBeLessThanOrEqual(ended + DEFAULT_MAX_TIME_TO_LIVE);
      expect(delegationSignatureValid(hexToBytes(data.userPublicKey.hex), hexToBytes(sessionPublicKeyHex), expiration, hexToBytes(signature.hex))).toBe(true);
    } finally {
      await page.close();
    }
  });

  it('answers an invalid request with authorize-client-failure naming the problem', async () => {
    const { page, popup } = await openFromRawClient();
    try {
      await page.evaluate(([spec, origin]) => window.rawClient!.sendAuthorizeClient(spec, origin), [{ sessionPublicKeyHex, maxTimeToLive: 3600 }, identityProvider.origin] as const);
      const answer = await nextAnswer(page);
      expect(answer.data).toEqual({
        kind: 'authorize-client-failure',
        text: 'Invalid authorize-client request: maxTimeToLive must be a positive bigint (nanoseconds) when given'
      });
      await expect.poll(() => popup.locator('#status').textContent()).toContain('invalid request');
    } finally {
      await page.close();
    }
  });

  it('ignores requests from windows other than its opener', async () => {
    const { page, popup } = await openFromRawClient();
    try {
      await page.evaluate(([spec, origin]) => window.rawClient!.sendFromBystander(spec, origin), [{ sessionPublicKeyHex }, identityProvider.origin] as const);
      // Give the ignored message time to arrive, then check nothing happened.
      await popup.waitForTimeout(300);
      expect(await popup.locator('#choices').isHidden()).toBe(true);
      expect(await popup.locator('#status').textContent()).toContain('Waiting');

      await page.evaluate(([spec, origin]) => window.rawClient!.sendAuthorizeClient(spec, origin), [{ sessionPublicKeyHex }, identityProvider.origin] as const);
      await popup.getByRole('button', { name: 'Continue as user 1', exact: true }).waitFor();
      expect(await popup.locator('h1').textContent()).toBe(`Sign in to ${dappA.origin}`);
    } finally {
      await page.close();
    }
  });

  it('says so when opened without a dapp, and warns that it has no security', async () => {
    const page = await context.newPage();
    try {
      await page.goto(`${identityProviderUrl}#authorize`);
      await expect.poll(() => page.locator('#status').textContent()).toContain('No dapp opened this window');
      expect(await page.getByRole('note').textContent()).toContain('Development identity provider: no security.');
      expect(await page.locator('#choices').isHidden()).toBe(true);
    } finally {
      await page.close();
    }
  });
});
