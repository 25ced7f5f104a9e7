import { bytesToHex, concatBytes } from '@noble/hashes/utils.js';
import { encodeCbor } from './cbor';
import { encodeHashTree, reconstruct, type HashTree } from './hash_tree';
import type { NetworkKeys } from './network_keys';

/**
 * Certificates (interface spec, "Certificate"): `{tree, signature}` where
 * the signature is the root key's BLS signature of
 * `domain_sep("ic-state-root") · reconstruct(tree)`. The local network has a
 * single subnet signing with the root key itself, like the IC's root
 * subnet, so certificates carry no delegation.
 */

export const STATE_ROOT_DOMAIN_SEPARATOR = concatBytes(Uint8Array.of(13), new TextEncoder().encode('ic-state-root'));

export class Certifier {
  /** Signing costs milliseconds; certificates of the same state reuse the last signature. */
  private lastSigned: { readonly rootHash: string; readonly signature: Uint8Array } | undefined;

  constructor(private readonly keys: NetworkKeys) {}

  /** The CBOR-encoded certificate (with the self-describe tag, as the replica sends it). */
  certify(tree: HashTree): Uint8Array {
    return encodeCbor({ tree: encodeHashTree(tree), signature: this.signatureFor(reconstruct(tree)) }, { selfDescribe: true });
  }

  private signatureFor(rootHash: Uint8Array): Uint8Array {
    const key = bytesToHex(rootHash);
    if (this.lastSigned?.rootHash === key) return this.lastSigned.signature;
    const signature = this.keys.signWithRootKey(concatBytes(STATE_ROOT_DOMAIN_SEPARATOR, rootHash));
    this.lastSigned = { rootHash: key, signature };
    return signature;
  }
}
