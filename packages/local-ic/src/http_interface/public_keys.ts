import { createPublicKey, verify as nativeVerify, type KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';

/**
 * User public keys and plain signatures (interface spec, "Signatures"):
 * DER SubjectPublicKeyInfo for Ed25519 (RFC 8410) and ECDSA on P-256 or
 * secp256k1 (RFC 5480, uncompressed points, no hash function in the key),
 * signatures as the 64-byte concatenation r·s for ECDSA over SHA-256 of the
 * message.
 */

export type SignatureScheme = 'ed25519' | 'ecdsa_p256' | 'ecdsa_secp256k1';

export interface UserPublicKey {
  readonly scheme: SignatureScheme;
  /** Raw key: 32 bytes for Ed25519, the 65-byte uncompressed SEC1 point for ECDSA. */
  readonly raw: Uint8Array;
}

/** Why a DER public key cannot be used; the authentication layer words it as the replica does. */
export class PublicKeyError extends Error {
  readonly code: 'invalid_public_key' | 'unsupported_public_key';

  constructor(code: 'invalid_public_key' | 'unsupported_public_key', message: string) {
    super(message);
    this.name = 'PublicKeyError';
    this.code = code;
  }
}

const OID_ED25519 = '1.3.101.112';
const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const OID_P256 = '1.2.840.10045.3.1.7';
const OID_SECP256K1 = '1.3.132.0.10';
const OID_CANISTER_SIGNATURE = '1.3.6.1.4.1.56387.1.2';
const OID_DER_WRAPPED_COSE = '1.3.6.1.4.1.56387.1.1';
const OID_RSA = '1.2.840.113549.1.1.1';

/** The only encodings accepted: the IC refuses non-canonical DER (e.g. compressed or re-encoded points). */
const CANONICAL_PREFIX: Record<SignatureScheme, Uint8Array> = {
  ed25519: hexToBytes('302a300506032b6570032100'),
  ecdsa_p256: hexToBytes('3059301306072a8648ce3d020106082a8648ce3d030107034200'),
  ecdsa_secp256k1: hexToBytes('3056301006072a8648ce3d020106052b8104000a034200')
};
const RAW_KEY_LENGTH: Record<SignatureScheme, number> = { ed25519: 32, ecdsa_p256: 65, ecdsa_secp256k1: 65 };

/**
 * Results kept by the exact bytes they were computed from (a session key signs many requests);
 * cleared when full. Only successes are kept: a refusal is recomputed, so it says the same.
 */
function keptByBytes<T>(compute: (bytes: Uint8Array) => T): (bytes: Uint8Array) => T {
  const kept = new Map<string, T>();
  return (bytes) => {
    const hex = bytesToHex(bytes);
    let value = kept.get(hex);
    if (value === undefined) {
      value = compute(bytes);
      if (kept.size >= KEYS_KEPT) kept.clear();
      kept.set(hex, value);
    }
    return value;
  };
}
const KEYS_KEPT = 1_024;

export const parseUserPublicKey = keptByBytes((der): Readonly<UserPublicKey> => parseUncached(der));

function parseUncached(der: Uint8Array): UserPublicKey {
  const { algorithm, parameter } = readAlgorithmIdentifier(der);
  const scheme = schemeOf(algorithm, parameter);
  const prefix = CANONICAL_PREFIX[scheme];
  const raw = der.slice(prefix.length);
  if (
    der.length !== prefix.length + RAW_KEY_LENGTH[scheme] ||
    bytesToHex(der.subarray(0, prefix.length)) !== bytesToHex(prefix)
  ) {
    throw new PublicKeyError('invalid_public_key', `non-canonical DER encoding of a ${scheme} public key`);
  }
  if (!isValidPoint(scheme, raw)) {
    throw new PublicKeyError('invalid_public_key', `the ${scheme} public key is not a valid curve point`);
  }
  return { scheme, raw };
}

function schemeOf(algorithm: string, parameter: string | undefined): SignatureScheme {
  if (algorithm === OID_ED25519 && parameter === undefined) return 'ed25519';
  if (algorithm === OID_EC_PUBLIC_KEY && parameter === OID_P256) return 'ecdsa_p256';
  if (algorithm === OID_EC_PUBLIC_KEY && parameter === OID_SECP256K1) return 'ecdsa_secp256k1';
  if (algorithm === OID_CANISTER_SIGNATURE) {
    throw new PublicKeyError(
      'unsupported_public_key',
      'canister signatures (as used by Internet Identity) are not supported by this local network'
    );
  }
  if (algorithm === OID_DER_WRAPPED_COSE) {
    throw new PublicKeyError('unsupported_public_key', 'WebAuthn (DER-wrapped COSE) keys are not supported by this local network');
  }
  if (algorithm === OID_RSA) {
    throw new PublicKeyError('unsupported_public_key', 'RSA keys are not supported by this local network');
  }
  const curve = parameter === undefined ? '' : ` with parameter ${parameter}`;
  throw new PublicKeyError('invalid_public_key', `unknown public key algorithm ${algorithm}${curve}`);
}

function isValidPoint(scheme: SignatureScheme, raw: Uint8Array): boolean {
  try {
    if (scheme === 'ed25519') ed25519.Point.fromHex(raw);
    else if (scheme === 'ecdsa_p256') p256.Point.fromHex(raw);
    else secp256k1.Point.fromHex(raw);
    return true;
  } catch {
    return false;
  }
}

/**
 * Verifies a plain signature over `message`. Like the replica, ECDSA accepts
 * either value of s (no low-s rule), since WebCrypto P-256 signatures are not
 * normalised.
 */
export function verifyUserSignature(key: UserPublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    switch (key.scheme) {
      case 'ed25519':
        return verifiesNatively(key.raw, message, signature) || ed25519.verify(signature, message, key.raw);
      case 'ecdsa_p256':
        return p256.verify(signature, sha256(message), key.raw, { prehash: false, lowS: false, format: 'compact' });
      case 'ecdsa_secp256k1':
        return secp256k1.verify(signature, sha256(message), key.raw, { prehash: false, lowS: false, format: 'compact' });
    }
  } catch {
    return false;
  }
}

/**
 * OpenSSL's Ed25519 check, about ten times faster than noble's. Security note: it only ever
 * shortcuts an acceptance. OpenSSL checks the cofactorless equation on canonical encodings;
 * any signature that passes it also passes the ZIP-215 rules (cofactored equation, lenient
 * encodings) that noble applies by default, so the set of accepted signatures is exactly
 * noble's: whatever OpenSSL refuses is decided by noble.
 */
function verifiesNatively(raw: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return nativeVerify(null, message, nativeEd25519Key(raw), signature);
  } catch {
    return false;
  }
}

const nativeEd25519Key = keptByBytes(
  (raw): KeyObject => createPublicKey({ key: Buffer.from(ed25519PublicKeyToDer(raw)), format: 'der', type: 'spki' })
);

/** The DER SubjectPublicKeyInfo of a raw Ed25519 key (44 bytes). */
export function ed25519PublicKeyToDer(raw: Uint8Array): Uint8Array {
  if (raw.length !== 32) throw new RangeError('an Ed25519 public key has 32 bytes');
  return concatBytes(CANONICAL_PREFIX.ed25519, raw);
}

// --- a minimal DER reader, enough to name the algorithm of a SubjectPublicKeyInfo ---

interface DerElement {
  readonly tag: number;
  readonly content: Uint8Array;
  readonly end: number;
}

const DER_SEQUENCE = 0x30;
const DER_OID = 0x06;

function readElement(bytes: Uint8Array, offset: number): DerElement {
  const tag = bytes[offset];
  const first = bytes[offset + 1];
  if (tag === undefined || first === undefined) throw invalidDer();
  let length = first;
  let start = offset + 2;
  if (first >= 0x80) {
    const width = first & 0x7f;
    if (width === 0 || width > 2) throw invalidDer();
    length = 0;
    for (let i = 0; i < width; i++) length = (length << 8) | (bytes[start + i] ?? 0);
    start += width;
  }
  const end = start + length;
  if (end > bytes.length) throw invalidDer();
  return { tag, content: bytes.subarray(start, end), end };
}

function invalidDer(): PublicKeyError {
  return new PublicKeyError('invalid_public_key', 'the public key is not a DER SubjectPublicKeyInfo');
}

function readAlgorithmIdentifier(der: Uint8Array): { algorithm: string; parameter: string | undefined } {
  const info = readElement(der, 0);
  if (info.tag !== DER_SEQUENCE || info.end !== der.length) throw invalidDer();
  const identifier = readElement(info.content, 0);
  if (identifier.tag !== DER_SEQUENCE) throw invalidDer();
  const algorithm = readElement(identifier.content, 0);
  if (algorithm.tag !== DER_OID) throw invalidDer();
  let parameter: string | undefined;
  if (algorithm.end < identifier.content.length) {
    const next = readElement(identifier.content, algorithm.end);
    if (next.tag === DER_OID) parameter = decodeOid(next.content);
  }
  return { algorithm: decodeOid(algorithm.content), parameter };
}

function decodeOid(content: Uint8Array): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}
