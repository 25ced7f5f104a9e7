// No token the canister can issue is refused by the verifier's default maxTokenBytes: the
// largest one, built here from the largest parts the config and the Candid interface allow.
import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';

import { CLAIMS_LIMITS } from '../../src/backend/core/claims';
import { applyConfigInput, CONFIG_BOUNDS, defaultConfig } from '../../src/backend/core/config';
import { completeIssuance, planIssuance, type IssuanceContext } from '../../src/backend/core/issuance';
import { activateKey, ed25519SigningKey, EMPTY_KEY_RING, es256kSigningKey } from '../../src/backend/core/key_ring';
import { LIMITS } from '../../packages/verifier/src/options';
import { ed25519TestKey, signEd25519 } from '../support/ed25519_keys';
import { signDigest, testKeyPair } from '../support/keys';

const ec = testKeyPair();
const ed = ed25519TestKey();
/** Principals are at most 29 bytes: 63 characters of text (with the checksum and dashes). */
const LONGEST_PRINCIPAL = Principal.fromUint8Array(new Uint8Array(29).fill(0xff)).toText();
const LONGEST_ISSUER = 'https://example.com/' + 'p'.repeat(CONFIG_BOUNDS.issuerMaxLength - 'https://example.com/'.length);
/** Quotes are printable ASCII: each one doubles when the claims are serialised. */
const LONGEST_AUDIENCE = '"'.repeat(CONFIG_BOUNDS.audienceMaxLength);
/** The largest `exp` within u64 seconds that JSON can write as a safe integer. */
const LATEST_NANOS = BigInt(Number.MAX_SAFE_INTEGER - CONFIG_BOUNDS.ttlSecondsMax) * 1_000_000_000n;

const config = applyConfigInput(defaultConfig('bkyz2-fmaaa-aaaaa-qaaaq-cai'), {
  issuer: LONGEST_ISSUER,
  audiences: [LONGEST_AUDIENCE],
  maxTtlSeconds: CONFIG_BOUNDS.ttlSecondsMax,
  defaultTtlSeconds: CONFIG_BOUNDS.ttlSecondsMax,
  allowedExtraClaims: ['pad']
});
const ring = activateKey(
  activateKey(EMPTY_KEY_RING, es256kSigningKey('key_1', 1_000_000, ec.compressedPublicKey)),
  ed25519SigningKey('key_1', 1_000_000, ed.publicKey)
);

function issue(algorithm: 'ES256K' | 'EdDSA', extraClaims?: string) {
  const context: IssuanceContext = {
    config,
    keyRing: ring,
    caller: LONGEST_PRINCIPAL,
    options: { algorithm, ...(extraClaims === undefined ? {} : { extraClaims }) },
    nowNanos: LATEST_NANOS,
    cycleBalance: 10n ** 16n,
    callerBucket: undefined,
    globalWindow: undefined,
    sequence: 2n ** 63n,
    jtiSeed: new Uint8Array(32)
  };
  const planned = planIssuance(context);
  if (!planned.ok) return planned;
  const signature = algorithm === 'ES256K' ? signDigest(planned.value.message, ec.secretKey) : signEd25519(planned.value.message, ed);
  return { ok: true as const, token: completeIssuance(planned.value, signature).token };
}

const payloadBytes = (token: string) => Buffer.from(token.split('.')[1]!, 'base64url').length;
const base64UrlLength = (bytes: number) => Math.ceil((bytes * 4) / 3);

describe('the largest token the canister can issue', () => {
  it.each(['ES256K', 'EdDSA'] as const)('%s: fits the verifier default maxTokenBytes (8192)', (algorithm) => {
    expect(LONGEST_PRINCIPAL).toHaveLength(63);
    const bare = issue(algorithm);
    if (!bare.ok) throw new Error(JSON.stringify(bare.error));
    // Padding the payload to the limit byte for byte: the largest claims that are signed.
    const room = CLAIMS_LIMITS.maxSignedBytes - payloadBytes(bare.token) - ',"pad":""'.length;
    const largest = issue(algorithm, JSON.stringify({ pad: 'x'.repeat(room) }));
    if (!largest.ok) throw new Error(JSON.stringify(largest.error));
    expect(payloadBytes(largest.token)).toBe(CLAIMS_LIMITS.maxSignedBytes);
    expect(issue(algorithm, JSON.stringify({ pad: 'x'.repeat(room + 1) }))).toMatchObject({ ok: false, error: { kind: 'ClaimsInvalid' } });

    const [header] = largest.token.split('.');
    // base64url(header) "." base64url(≤ 4096 bytes) "." base64url(64-byte signature).
    const bound = header!.length + 1 + base64UrlLength(CLAIMS_LIMITS.maxSignedBytes) + 1 + base64UrlLength(64);
    expect(largest.token.length).toBe(bound);
    // The figure the README gives.
    expect(largest.token.length).toBeLessThanOrEqual(5657);
    expect(bound).toBeLessThanOrEqual(LIMITS.maxTokenBytes.default);
    expect(LIMITS.maxTokenBytes.default).toBe(8192);
  });

  it('leaves room for extra claims after the largest registered claims', () => {
    const bare = issue('ES256K');
    if (!bare.ok) throw new Error(JSON.stringify(bare.error));
    expect(payloadBytes(bare.token)).toBeLessThan(CLAIMS_LIMITS.maxSignedBytes / 4);
  });
});
