import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { Principal } from '@dfinity/principal';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { mapHashToField } from '@noble/curves/abstract/modular.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import { ROOT_SUBNET_KIND, SUBNET_KINDS, type SubnetKind } from '../topology/layout';

/**
 * The keys of one local network, all derived from one 32-byte network
 * secret: per subnet, a BLS12-381 key that signs its certificates
 * (signatures in G1, public key in G2: the IC's "short signatures"; the root
 * subnet's is the root key) and the Ed25519 key of its one node, which signs
 * query responses.
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
const SUBNET_KEY_INFO = 'ic-jwt local IC: subnet key, BLS12-381 G2,';
const SUBNET_NODE_KEY_INFO = 'ic-jwt local IC: node signing key, Ed25519,';
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

/** The keys of one subnet: its BLS12-381 key (certificates) and its one node's Ed25519 key (query responses). */
export class SubnetKeys {
  /** The 96-byte compressed G2 public key. */
  readonly publicKey: Uint8Array;
  /** The public key DER-wrapped, as the state tree (`/subnet/<id>/public_key`) and /api/v2/status carry it (133 bytes). */
  readonly publicKeyDer: Uint8Array;
  /**
   * The subnet's id: the self-authenticating principal of its public key.
   * For the root subnet, whose certificates carry no delegation, agent-js
   * derives the id from the root key this way when it verifies query signatures.
   */
  readonly subnetId: Principal;
  readonly nodePublicKeyDer: Uint8Array;
  /** The node's id: the self-authenticating principal of its public key. */
  readonly nodeId: Principal;
  readonly #secretKey: Uint8Array;
  /** Ed25519 signatures are deterministic (RFC 8032): OpenSSL gives noble's bytes, several times faster. */
  readonly #nodeSigningKey: KeyObject;

  constructor(secret: Uint8Array, keyInfo: string, nodeKeyInfo: string) {
    this.#secretKey = mapHashToField(hkdf(sha256, secret, undefined, keyInfo, 48), bls12_381.fields.Fr.ORDER);
    const nodeSecretKey = hkdf(sha256, secret, undefined, nodeKeyInfo, 32);
    this.#nodeSigningKey = createPrivateKey({ key: Buffer.from(concatBytes(ED25519_PKCS8_PREFIX, nodeSecretKey)), format: 'der', type: 'pkcs8' });
    this.publicKey = bls12_381.shortSignatures.getPublicKey(this.#secretKey).toBytes(true);
    this.publicKeyDer = concatBytes(BLS_PUBLIC_KEY_DER_PREFIX, this.publicKey);
    this.subnetId = Principal.selfAuthenticating(this.publicKeyDer);
    // OpenSSL's SubjectPublicKeyInfo (RFC 8410) is the DER agents expect; noble would first build a ~0.1 s table.
    this.nodePublicKeyDer = new Uint8Array(createPublicKey(this.#nodeSigningKey).export({ format: 'der', type: 'spki' }));
    this.nodeId = Principal.selfAuthenticating(this.nodePublicKeyDer);
  }

  /** A 48-byte compressed G1 BLS signature of `message` under the subnet's key. */
  sign(message: Uint8Array): Uint8Array {
    const point = bls12_381.shortSignatures.hash(message, BLS_SIGNATURE_DST);
    return bls12_381.shortSignatures.sign(point, this.#secretKey).toBytes(true);
  }

  /** A 64-byte Ed25519 signature of `message` by the subnet's node. */
  signAsNode(message: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, message, this.#nodeSigningKey));
  }
}

/**
 * The keys of every subnet of the network. The root subnet (NNS unless the
 * network has none) keeps the derivation the single-subnet network used, so a network's root key
 * survives the move to several subnets.
 */
/** The keys of the networks made last, by root kind and secret (NetworkKeys.fromSecret). */
const recentNetworkKeys = new Map<string, NetworkKeys>();
const RECENT_NETWORK_KEYS = 4;

export class NetworkKeys {
  readonly root: SubnetKeys;
  readonly #secret: Uint8Array;
  readonly #rootKind: SubnetKind;
  /** Derived when first asked for: a network of two subnets need not pay for five. */
  readonly #subnets = new Map<SubnetKind, SubnetKeys>();

  private constructor(secret: Uint8Array, rootKind: SubnetKind) {
    if (secret.length !== NETWORK_SECRET_LENGTH) {
      throw new RangeError(`a network secret has ${NETWORK_SECRET_LENGTH} bytes, got ${secret.length}`);
    }
    this.#secret = secret.slice();
    this.#rootKind = rootKind;
    this.root = this.subnet(rootKind);
  }

  /** `rootKind`: the subnet whose key is the root key (topology/layout.ts `rootSubnetKind`; NNS by default). */
  static fromSecret(secret: Uint8Array, rootKind: SubnetKind = ROOT_SUBNET_KIND): NetworkKeys {
    // A network's parts (a pocket-ic instance, its HTTP interface) each ask for its keys; deriving
    // the five subnets' BLS keys took most of a PocketIc.create().
    const id = `${rootKind} ${bytesToHex(secret)}`;
    let keys = recentNetworkKeys.get(id);
    if (keys === undefined) {
      keys = new NetworkKeys(secret, rootKind);
      if (recentNetworkKeys.size >= RECENT_NETWORK_KEYS) recentNetworkKeys.delete(recentNetworkKeys.keys().next().value!);
      recentNetworkKeys.set(id, keys);
    }
    return keys;
  }

  subnet(kind: SubnetKind): SubnetKeys {
    let keys = this.#subnets.get(kind);
    if (keys !== undefined) return keys;
    if (!SUBNET_KINDS.includes(kind)) throw new RangeError(`no keys for subnet kind ${kind}`);
    keys =
      kind === this.#rootKind
        ? new SubnetKeys(this.#secret, ROOT_KEY_INFO, NODE_KEY_INFO)
        : new SubnetKeys(this.#secret, `${SUBNET_KEY_INFO} ${kind}`, `${SUBNET_NODE_KEY_INFO} ${kind}`);
    this.#subnets.set(kind, keys);
    return keys;
  }

  /** The ids of the subnets of these kinds (default: all), by kind (what the execution engine reports through `ic0.subnet_self`). */
  subnetIds<K extends SubnetKind>(kinds: readonly K[] = SUBNET_KINDS as readonly K[]): Record<K, Principal> {
    return Object.fromEntries(kinds.map((kind) => [kind, this.subnet(kind).subnetId])) as Record<K, Principal>;
  }

  /** The root public key as /api/v2/status publishes it and agents expect it (133 bytes). */
  get rootPublicKeyDer(): Uint8Array {
    return this.root.publicKeyDer;
  }

  /** The root subnet's id. */
  get subnetId(): Principal {
    return this.root.subnetId;
  }
}
