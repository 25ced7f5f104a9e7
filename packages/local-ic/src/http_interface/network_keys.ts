import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { Principal } from '@dfinity/principal';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { mapHashToField } from '@noble/curves/abstract/modular.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, hexToBytes, randomBytes } from '@noble/hashes/utils.js';

/**
 * The keys of one local network, all derived from one 32-byte network
 * secret: the BLS12-381 root key that signs certificates (signatures in G1,
 * public key in G2: the IC's "short signatures") and the Ed25519 key of the
 * network's single node, which signs query responses.
 *
 * SECURITY: the network secret is the root of trust of everything this
 * network certifies. It is generated per network (generateNetworkSecret) or
 * loaded from the network's own state folder, never hard-coded, and the
 * derived secret keys stay in private fields of this class.
 */

export const NETWORK_SECRET_LENGTH = 32;

/** DER prefix of a BLS12-381 G2 public key: OIDs 1.3.6.1.4.1.44668.5.3.1.2.1 (algorithm) and 1.3.6.1.4.1.44668.5.3.2.1 (curve). */
export const BLS_PUBLIC_KEY_DER_PREFIX = hexToBytes(
  '308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100'
);
/** The ciphersuite of IC certificate signatures (spec, "Certificate"). */
export const BLS_SIGNATURE_DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_';

const ROOT_KEY_INFO = 'ic-jwt localnet: root key, BLS12-381 G2';
const NODE_KEY_INFO = 'ic-jwt localnet: node signing key, Ed25519';
/** PKCS #8 wrapping of a 32-byte Ed25519 seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = hexToBytes('302e020100300506032b657004220420');

/**
 * noble multiplies the G2 generator through a table it builds on first use: 8-bit windows (its
 * default) take ~1 s of CPU to build, 4-bit ones ~0.1 s, and a public key then costs ~13 ms
 * instead of ~6 ms. A network derives one root public key, so the small table wins.
 */
const G2_BASE_WINDOW_BITS = 4;
bls12_381.G2.Point.BASE.precompute(G2_BASE_WINDOW_BITS, true);

export function generateNetworkSecret(): Uint8Array {
  return randomBytes(NETWORK_SECRET_LENGTH);
}

export class NetworkKeys {
  /** The 96-byte compressed G2 root public key. */
  readonly rootPublicKey: Uint8Array;
  /** The root public key as /api/v2/status publishes it and agents expect it (133 bytes). */
  readonly rootPublicKeyDer: Uint8Array;
  /**
   * The network's one subnet. Like the IC's root (NNS) subnet, whose
   * certificates carry no delegation, its id is the self-authenticating
   * principal of the root key: agent-js derives it that way when it
   * verifies query signatures.
   */
  readonly subnetId: Principal;
  readonly nodePublicKeyDer: Uint8Array;
  /** The node's id: the self-authenticating principal of its public key. */
  readonly nodeId: Principal;
  readonly #rootSecretKey: Uint8Array;
  /** Ed25519 signatures are deterministic (RFC 8032): OpenSSL gives noble's bytes, several times faster. */
  readonly #nodeSigningKey: KeyObject;

  private constructor(secret: Uint8Array) {
    if (secret.length !== NETWORK_SECRET_LENGTH) {
      throw new RangeError(`a network secret has ${NETWORK_SECRET_LENGTH} bytes, got ${secret.length}`);
    }
    this.#rootSecretKey = mapHashToField(hkdf(sha256, secret, undefined, ROOT_KEY_INFO, 48), bls12_381.fields.Fr.ORDER);
    const nodeSecretKey = hkdf(sha256, secret, undefined, NODE_KEY_INFO, 32);
    this.#nodeSigningKey = createPrivateKey({ key: Buffer.from(concatBytes(ED25519_PKCS8_PREFIX, nodeSecretKey)), format: 'der', type: 'pkcs8' });
    this.rootPublicKey = bls12_381.shortSignatures.getPublicKey(this.#rootSecretKey).toBytes(true);
    this.rootPublicKeyDer = concatBytes(BLS_PUBLIC_KEY_DER_PREFIX, this.rootPublicKey);
    this.subnetId = Principal.selfAuthenticating(this.rootPublicKeyDer);
    // OpenSSL's SubjectPublicKeyInfo (RFC 8410) is the DER agents expect; noble would first build a ~0.1 s table.
    this.nodePublicKeyDer = new Uint8Array(createPublicKey(this.#nodeSigningKey).export({ format: 'der', type: 'spki' }));
    this.nodeId = Principal.selfAuthenticating(this.nodePublicKeyDer);
  }

  static fromSecret(secret: Uint8Array): NetworkKeys {
    return new NetworkKeys(secret);
  }

  /** A 48-byte compressed G1 BLS signature of `message` under the root key. */
  signWithRootKey(message: Uint8Array): Uint8Array {
    const point = bls12_381.shortSignatures.hash(message, BLS_SIGNATURE_DST);
    return bls12_381.shortSignatures.sign(point, this.#rootSecretKey).toBytes(true);
  }

  /** A 64-byte Ed25519 signature of `message` by the node. */
  signAsNode(message: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, message, this.#nodeSigningKey));
  }
}
