// The dev identity provider's pure core, in Node.
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { Ed25519KeyIdentity, Ed25519PublicKey } from '@dfinity/identity';
import { describe, expect, it } from 'vitest';

import { delegationSignatureInput, signDelegation } from '../../../packages/local-ic/src/dev_identity_provider/delegation';
import { describeDuration } from '../../../packages/local-ic/src/dev_identity_provider/duration';
import { devIdentityProviderPage, inlineModuleScript } from '../../../packages/local-ic/src/dev_identity_provider/page';
import {
  DEFAULT_MAX_TIME_TO_LIVE,
  delegationExpiration,
  delegationTimeToLive,
  isOrigin,
  MAX_TIME_TO_LIVE,
  parseAuthorizeClient,
  principalOrigin,
  successMessage
} from '../../../packages/local-ic/src/dev_identity_provider/protocol';
import { userKey, userKeySeed } from '../../../packages/local-ic/src/dev_identity_provider/user_keys';
import { delegationHash, delegationSignatureValid } from '../support/delegation_check';

const SEED = hexToBytes('0f'.repeat(32));
const OTHER_SEED = hexToBytes('f0'.repeat(32));
const SESSION_KEY = Ed25519PublicKey.fromRaw(new Uint8Array(32).fill(7)).toDer();
const HOUR = 3_600_000_000_000n;

describe('parseAuthorizeClient', () => {
  const valid = { kind: 'authorize-client', sessionPublicKey: SESSION_KEY };

  it('accepts what auth-client sends, with or without the optional fields', () => {
    expect(parseAuthorizeClient(valid)).toEqual({
      ok: true,
      request: { sessionPublicKey: SESSION_KEY, maxTimeToLive: undefined, derivationOrigin: undefined }
    });
    const full = { ...valid, maxTimeToLive: HOUR, derivationOrigin: 'https://abc.icp0.io', allowPinAuthentication: false, custom: 1 };
    expect(parseAuthorizeClient(full)).toEqual({
      ok: true,
      request: { sessionPublicKey: SESSION_KEY, maxTimeToLive: HOUR, derivationOrigin: 'https://abc.icp0.io' }
    });
  });

  it.each([
    ['another kind', { ...valid, kind: 'authorize-ready' }, 'not an authorize-client request'],
    ['a key as an array', { ...valid, sessionPublicKey: [...SESSION_KEY] }, 'sessionPublicKey must be a Uint8Array'],
    ['an empty key', { ...valid, sessionPublicKey: new Uint8Array() }, 'not a DER SubjectPublicKeyInfo'],
    ['a raw (non-DER) key', { ...valid, sessionPublicKey: new Uint8Array(32).fill(7) }, 'not a DER SubjectPublicKeyInfo'],
    ['a number for maxTimeToLive', { ...valid, maxTimeToLive: 3600 }, 'maxTimeToLive must be a positive bigint'],
    ['a zero maxTimeToLive', { ...valid, maxTimeToLive: 0n }, 'maxTimeToLive must be a positive bigint'],
    ['a URL with a path as derivationOrigin', { ...valid, derivationOrigin: 'https://abc.icp0.io/' }, 'derivationOrigin must be an origin'],
    ['a non-http derivationOrigin', { ...valid, derivationOrigin: 'ftp://abc.org' }, 'derivationOrigin must be an origin']
  ])('refuses %s', (_, message, reason) => {
    const parsed = parseAuthorizeClient(message);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toContain(reason);
  });
});

describe('isOrigin', () => {
  it('accepts serialized origins only', () => {
    expect(isOrigin('http://127.0.0.1:4943')).toBe(true);
    expect(isOrigin('https://identity.internetcomputer.org')).toBe(true);
    expect(isOrigin('https://Example.org')).toBe(false);
    expect(isOrigin('https://example.org:443')).toBe(false);
    expect(isOrigin('https://example.org?x')).toBe(false);
    expect(isOrigin('example.org')).toBe(false);
  });
});

describe('delegation lifetime', () => {
  it('defaults to 8 hours, honours shorter requests and caps at 30 days', () => {
    expect(delegationTimeToLive(undefined)).toBe(8n * HOUR);
    expect(DEFAULT_MAX_TIME_TO_LIVE).toBe(8n * HOUR);
    expect(delegationTimeToLive(HOUR)).toBe(HOUR);
    expect(delegationTimeToLive(1n)).toBe(1n);
    expect(delegationTimeToLive(60n * 24n * HOUR)).toBe(30n * 24n * HOUR);
    expect(delegationTimeToLive(MAX_TIME_TO_LIVE + 1n)).toBe(MAX_TIME_TO_LIVE);
    expect(delegationExpiration(1_000n, HOUR)).toBe(1_000n + HOUR);
  });

  it('is described in words', () => {
    expect(describeDuration(8n * HOUR)).toBe('8 hours');
    expect(describeDuration(30n * 24n * HOUR)).toBe('30 days');
    expect(describeDuration(HOUR + 90_000_000_000n)).toBe('1 hour 1 minute');
    expect(describeDuration(24n * HOUR + 5n * 60_000_000_000n)).toBe('1 day');
    expect(describeDuration(2_000_000_000n)).toBe('2 seconds');
    expect(describeDuration(999n)).toBe('less than a second');
  });
});

describe('principalOrigin', () => {
  const request = { sessionPublicKey: SESSION_KEY, maxTimeToLive: undefined, derivationOrigin: undefined };

  it('is the client origin unless the request names a derivationOrigin', () => {
    expect(principalOrigin('http://a.localhost:4943', request)).toBe('http://a.localhost:4943');
    expect(principalOrigin('http://a.localhost:4943', { ...request, derivationOrigin: 'https://b.icp0.io' })).toBe('https://b.icp0.io');
  });
});

describe('userKey', () => {
  it('is deterministic per (seed, user, origin) and different when any of them changes', () => {
    const base = userKey(SEED, 1, 'http://a.localhost:4943');
    expect(bytesToHex(userKey(SEED, 1, 'http://a.localhost:4943').publicKeyDer)).toBe(bytesToHex(base.publicKeyDer));
    const variants = [userKey(SEED, 2, 'http://a.localhost:4943'), userKey(SEED, 1, 'http://b.localhost:4943'), userKey(OTHER_SEED, 1, 'http://a.localhost:4943')];
    const principals = new Set([base, ...variants].map((key) => key.principal.toText()));
    expect(principals.size).toBe(4);
  });

  it('keeps user number and origin apart (user 1 at "1x" is not user 11 at "x")', () => {
    expect(bytesToHex(userKeySeed(SEED, 1, '1http://x'))).not.toBe(bytesToHex(userKeySeed(SEED, 11, 'http://x')));
  });

  it('is an Ed25519 key in the DER form and self-authenticating principal that @dfinity/identity computes', () => {
    const key = userKey(SEED, 3, 'http://a.localhost:4943');
    const identity = Ed25519KeyIdentity.fromSecretKey(key.secretKey);
    expect(bytesToHex(identity.getPublicKey().toDer())).toBe(bytesToHex(key.publicKeyDer));
    expect(identity.getPrincipal().toText()).toBe(key.principal.toText());
  });

  it('refuses a short seed and user number 0', () => {
    expect(() => userKey(new Uint8Array(16), 1, 'http://a')).toThrow('32 bytes');
    expect(() => userKey(SEED, 0, 'http://a')).toThrow('start at 1');
  });
});

describe('signDelegation', () => {
  const user = userKey(SEED, 1, 'http://a.localhost:4943');
  const expiration = 1_800_000_000_000_000_000n;

  it('signs the domain-separated hash of { pubkey, expiration } as the IC verifies it', () => {
    const signed = signDelegation(user, SESSION_KEY, expiration);
    expect(signed.delegation).toEqual({ pubkey: SESSION_KEY, expiration });
    expect(bytesToHex(delegationSignatureInput(signed.delegation))).toBe(
      bytesToHex(new TextEncoder().encode('\x1Aic-request-auth-delegation')) + bytesToHex(delegationHash(SESSION_KEY, expiration))
    );
    expect(delegationSignatureValid(user.publicKeyDer, SESSION_KEY, expiration, signed.signature)).toBe(true);
    expect(delegationSignatureValid(user.publicKeyDer, SESSION_KEY, expiration - 1n, signed.signature)).toBe(false);
  });

  it('makes the message auth-client expects', () => {
    const signed = signDelegation(user, SESSION_KEY, expiration);
    expect(successMessage(signed, user.publicKeyDer)).toEqual({
      kind: 'authorize-client-success',
      delegations: [{ delegation: { pubkey: SESSION_KEY, expiration }, signature: signed.signature }],
      userPublicKey: user.publicKeyDer,
      authnMethod: 'pin'
    });
    expect(ed25519.verify(signed.signature, delegationSignatureInput(signed.delegation), user.publicKeyDer.subarray(12))).toBe(true);
  });
});

describe('inlineModuleScript', () => {
  const html = '<head><script type="module" crossorigin src="./assets/main-1.js"></script></head>';

  it('replaces the script reference with its code, keeping "</script" inside the code harmless', () => {
    const inlined = inlineModuleScript(html, 'assets/main-1.js', 'const s = "</script>"; const r = /$&/;');
    expect(inlined).toBe('<head><script type="module">const s = "<\\/script>"; const r = /$&/;</script></head>');
  });

  it('fails when the page does not load the script', () => {
    expect(() => inlineModuleScript(html, 'assets/other.js', '')).toThrow('does not load assets/other.js');
  });
});

describe('devIdentityProviderPage', () => {
  it('is one self-contained HTML file that loads nothing else', async () => {
    const page = await devIdentityProviderPage();
    expect(page.contentType).toBe('text/html; charset=utf-8');
    const html = new TextDecoder().decode(page.body);
    expect(html).toContain('<script type="module">');
    expect(html).toContain('Development identity provider: no security.');
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link\b/);
    expect(await devIdentityProviderPage()).toBe(page);
  });
});
