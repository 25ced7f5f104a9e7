import type { Principal } from '@dfinity/principal';
import { bytesToHex, concatBytes } from '@noble/hashes/utils.js';
import { encodeCbor } from './cbor';
import { encodeHashTree, reconstruct, type HashTree } from './hash_tree';
import type { SubnetKeys } from './network_keys';

/**
 * Certificates (interface spec, "Certificate"): `{tree, signature,
 * delegation?}` where the signature is the subnet key's BLS signature of
 * `domain_sep("ic-state-root") · reconstruct(tree)`. A certificate of the
 * root subnet carries no delegation; one of any other subnet carries the
 * root subnet's certificate of that subnet's public key and canister ranges.
 */

export const STATE_ROOT_DOMAIN_SEPARATOR = concatBytes(Uint8Array.of(13), new TextEncoder().encode('ic-state-root'));

/** A subnet delegation (spec, "Delegation"): the subnet's id and a root-subnet certificate about it. */
export interface Delegation {
  readonly subnetId: Principal;
  readonly certificate: Uint8Array;
}

export class Certifier {
  /** Signing costs milliseconds; certificates of the same state reuse the last signature. */
  private lastSigned: { readonly rootHash: string; readonly signature: Uint8Array } | undefined;

  constructor(private readonly keys: SubnetKeys) {}

  /** The CBOR-encoded certificate (with the self-describe tag, as the replica sends it). */
  certify(tree: HashTree, delegation?: Delegation): Uint8Array {
    const signed = { tree: encodeHashTree(tree), signature: this.signatureFor(reconstruct(tree)) };
    if (delegation === undefined) return encodeCbor(signed, { selfDescribe: true });
    return encodeCbor(
      { ...signed, delegation: { subnet_id: delegation.subnetId.toUint8Array(), certificate: delegation.certificate } },
      { selfDescribe: true }
    );
  }

  private signatureFor(rootHash: Uint8Array): Uint8Array {
    const key = bytesToHex(rootHash);
    if (this.lastSigned?.rootHash === key) return this.lastSigned.signature;
    const signature = this.keys.sign(concatBytes(STATE_ROOT_DOMAIN_SEPARATOR, rootHash));
    this.lastSigned = { rootHash: key, signature };
    return signature;
  }
}
