// Ed25519 on the local IC goes through OpenSSL first for speed; the verdicts must stay exactly
// noble's ZIP-215 verdicts (the rules the replica's verifier follows), including for the
// small-order and non-canonical inputs where strict RFC 8032 checkers and ZIP-215 disagree.
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';

import { NetworkKeys } from '../../packages/local-ic/src/http_interface/network_keys';
import { ed25519PublicKeyToDer, parseUserPublicKey, verifyUserSignature } from '../../packages/local-ic/src/http_interface/public_keys';

const message = new TextEncoder().encode('\x0Aic-request some request id');
const identity = hexToBytes('01' + '00'.repeat(31));
/** y = p + 1: a non-canonical encoding of the same identity point, accepted by ZIP-215 only. */
const nonCanonicalIdentity = hexToBytes('ee' + 'ff'.repeat(30) + '7f');
const zero = new Uint8Array(32);

describe('Ed25519 request signatures', () => {
  const secret = ed25519.utils.randomSecretKey();
  const publicKey = ed25519.getPublicKey(secret);
  const valid = ed25519.sign(message, secret);
  const tampered = valid.slice();
  tampered[5] = (tampered[5] ?? 0) ^ 1;

  const cases: [string, Uint8Array, Uint8Array][] = [
    ['a valid signature', publicKey, valid],
    ['a tampered signature', publicKey, tampered],
    ['a signature of another message', publicKey, ed25519.sign(Uint8Array.of(1), secret)],
    ['the identity key with R = identity, S = 0', identity, new Uint8Array([...identity, ...zero])],
    ['a non-canonical identity R', identity, new Uint8Array([...nonCanonicalIdentity, ...zero])]
  ];
  it.each(cases)('gives the verdict of noble under ZIP-215 for %s', (_, raw, signature) => {
    const key = parseUserPublicKey(ed25519PublicKeyToDer(raw));
    expect(verifyUserSignature(key, message, signature)).toBe(ed25519.verify(signature, message, raw, { zip215: true }));
  });

  it('accepts a valid signature and refuses a tampered one', () => {
    const key = parseUserPublicKey(ed25519PublicKeyToDer(publicKey));
    expect(verifyUserSignature(key, message, valid)).toBe(true);
    expect(verifyUserSignature(key, message, tampered)).toBe(false);
  });
});

describe('node signatures of query responses', () => {
  it('verify under the node public key with an independent Ed25519 implementation', () => {
    const keys = NetworkKeys.fromSecret(new Uint8Array(32).fill(3));
    const raw = keys.root.nodePublicKeyDer.subarray(-32);
    const signature = keys.root.signAsNode(message);
    expect(signature).toHaveLength(64);
    expect(ed25519.verify(signature, message, raw)).toBe(true);
    expect(keys.root.signAsNode(message)).toEqual(signature); // deterministic, as RFC 8032 signing is
  });
});
