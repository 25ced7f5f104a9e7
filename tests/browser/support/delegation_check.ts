// Checks a delegation the way the IC does, written from the IC interface specification
// (representation-independent hash, "ic-request-auth-delegation" domain separator), independently
// of @dfinity/agent's implementation that the dev identity provider signs with.
import { createPublicKey, verify } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';

const ED25519_DER_PREFIX = hexToBytes('302a300506032b6570032100');
const DELEGATION_DOMAIN = concatBytes(new Uint8Array([26]), utf8ToBytes('ic-request-auth-delegation'));

function leb128(value: bigint): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest === 0n ? low : low | 0x80);
  } while (rest !== 0n);
  return new Uint8Array(bytes);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    if (a[index] !== b[index]) return a[index]! - b[index]!;
  }
  return a.length - b.length;
}

/** hash_of_map for a delegation { pubkey: blob, expiration: nat } (no targets). */
export function delegationHash(pubkey: Uint8Array, expiration: bigint): Uint8Array {
  const fields = [
    concatBytes(sha256(utf8ToBytes('pubkey')), sha256(pubkey)),
    concatBytes(sha256(utf8ToBytes('expiration')), sha256(leb128(expiration)))
  ].sort(compareBytes);
  return sha256(concatBytes(...fields));
}

export function ed25519RawKey(der: Uint8Array): Uint8Array {
  if (der.length !== ED25519_DER_PREFIX.length + 32 || bytesToHex(der.subarray(0, ED25519_DER_PREFIX.length)) !== bytesToHex(ED25519_DER_PREFIX)) {
    throw new Error(`not a DER Ed25519 public key: ${bytesToHex(der)}`);
  }
  return der.subarray(ED25519_DER_PREFIX.length);
}

/** True when `signature` is the Ed25519 signature by `signerDer` of the delegation, as the IC checks it. */
export function delegationSignatureValid(signerDer: Uint8Array, pubkey: Uint8Array, expiration: bigint, signature: Uint8Array): boolean {
  const message = concatBytes(DELEGATION_DOMAIN, delegationHash(pubkey, expiration));
  return ed25519.verify(signature, message, ed25519RawKey(signerDer));
}

/** Verifies a raw r‖s ECDSA P-256/SHA-256 signature (what auth-client's WebCrypto session key makes). */
export function ecdsaP256SignatureValid(spkiDer: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
  return verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
}
