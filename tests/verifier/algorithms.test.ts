import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';

import { isSupportedAlgorithm, signatureFormProblem } from '../../packages/verifier/src/algorithms';

const N = secp256k1.CURVE.n;
const L = ed25519.CURVE.n;
const be32 = (value: bigint) => Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
const le32 = (value: bigint) => be32(value).reverse();

/** noble's judgement: does it parse as a compact signature, and is s high? */
function nobleEs256k(signature: Uint8Array): 'invalid' | 'high-s' | 'ok' {
  try {
    return secp256k1.Signature.fromBytes(signature, 'compact').hasHighS() ? 'high-s' : 'ok';
  } catch {
    return 'invalid';
  }
}

function oursEs256k(signature: Uint8Array): 'invalid' | 'high-s' | 'ok' {
  const problem = signatureFormProblem('ES256K', signature);
  return problem === undefined ? 'ok' : problem.includes('high-S') ? 'high-s' : 'invalid';
}

describe('ES256K signature form', () => {
  it('agrees with @noble/curves on range and low-S for random and edge values of r and s', () => {
    const edges = [0n, 1n, N / 2n, N / 2n + 1n, N - 1n, N, N + 1n, 2n ** 256n - 1n];
    const values = [...edges, ...Array.from({ length: 60 }, () => BigInt(`0x${randomBytes(32).toString('hex')}`))];
    const seen = new Set<string>();
    for (const r of values) {
      for (const s of [...edges, BigInt(`0x${randomBytes(32).toString('hex')}`)]) {
        const signature = Buffer.concat([be32(r), be32(s)]);
        const verdict = oursEs256k(signature);
        expect(verdict, `r=${r} s=${s}`).toBe(nobleEs256k(signature));
        seen.add(verdict);
      }
    }
    expect(seen).toEqual(new Set(['invalid', 'high-s', 'ok']));
  });

  it('accepts real low-S signatures and rejects their high-S twins', () => {
    for (let i = 0; i < 20; i++) {
      const signature = secp256k1.sign(randomBytes(32), secp256k1.utils.randomSecretKey(), { prehash: false }).toCompactRawBytes();
      expect(signatureFormProblem('ES256K', signature)).toBeUndefined();
      const s = BigInt(`0x${Buffer.from(signature.subarray(32)).toString('hex')}`);
      const twin = Buffer.concat([signature.subarray(0, 32), be32(N - s)]);
      expect(signatureFormProblem('ES256K', twin)).toMatch(/high-S/);
    }
  });

  it('demands exactly 64 bytes (a DER signature is not accepted)', () => {
    const signature = secp256k1.sign(randomBytes(32), secp256k1.utils.randomSecretKey(), { prehash: false });
    expect(signatureFormProblem('ES256K', signature.toDERRawBytes())).toMatch(/64 bytes/);
    expect(signatureFormProblem('ES256K', new Uint8Array(63))).toMatch(/64 bytes/);
    expect(signatureFormProblem('ES256K', new Uint8Array(0))).toMatch(/64 bytes/);
  });
});

describe('EdDSA signature form', () => {
  it('accepts S below the group order L and rejects S >= L (RFC 8032 §5.1.7)', () => {
    const real = ed25519.sign(randomBytes(40), ed25519.utils.randomSecretKey());
    expect(signatureFormProblem('EdDSA', real)).toBeUndefined();
    const R = real.subarray(0, 32);
    for (const s of [0n, 1n, L - 1n]) expect(signatureFormProblem('EdDSA', Buffer.concat([R, le32(s)]))).toBeUndefined();
    for (const s of [L, L + 1n, 2n ** 256n - 1n]) expect(signatureFormProblem('EdDSA', Buffer.concat([R, le32(s)]))).toMatch(/group order/);
    const S = BigInt(`0x${Buffer.from(real.subarray(32)).reverse().toString('hex')}`);
    expect(signatureFormProblem('EdDSA', Buffer.concat([R, le32(S + L)]))).toMatch(/group order/);
  });
});

describe('the algorithm allow-list', () => {
  it.each(['ES256K', 'EdDSA'])('supports %s', (alg) => expect(isSupportedAlgorithm(alg)).toBe(true));
  it.each(['none', 'None', 'HS256', 'HS512', 'ES256', 'RS256', 'PS256', 'es256k', '', 'ES256K '])('never supports %j', (alg) =>
    expect(isSupportedAlgorithm(alg)).toBe(false)
  );
});
