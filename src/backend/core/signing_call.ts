// The Candid of the two signing calls every token makes (IC interface specification, ic.did).
// Azle's `call` runs IDL.encode, which builds the argument's type table each time; in the
// canister's interpreter that was most of the request half's Candid cost. Here the table is
// built once (candidReplyEncoder) and the call goes out raw.
import { IDL } from '@dfinity/candid';

import { candidReplyEncoder } from './candid';

export const EcdsaKeyId = IDL.Record({ curve: IDL.Variant({ secp256k1: IDL.Null }), name: IDL.Text });
export const SchnorrKeyId = IDL.Record({ algorithm: IDL.Variant({ bip340secp256k1: IDL.Null, ed25519: IDL.Null }), name: IDL.Text });

export const SignWithEcdsaArgs = IDL.Record({
  message_hash: IDL.Vec(IDL.Nat8),
  derivation_path: IDL.Vec(IDL.Vec(IDL.Nat8)),
  key_id: EcdsaKeyId
});

/** `aux` is for bip340 Taproot tweaks only; ed25519 leaves it out (null). */
export const SignWithSchnorrArgs = IDL.Record({
  message: IDL.Vec(IDL.Nat8),
  derivation_path: IDL.Vec(IDL.Vec(IDL.Nat8)),
  key_id: SchnorrKeyId,
  aux: IDL.Opt(IDL.Variant({ bip341: IDL.Record({ merkle_root_hash: IDL.Vec(IDL.Nat8) }) }))
});

/** sign_with_ecdsa's and sign_with_schnorr's reply. */
export const SignatureReply = IDL.Record({ signature: IDL.Vec(IDL.Nat8) });

const encodeEcdsaArgs = candidReplyEncoder(SignWithEcdsaArgs, {
  message_hash: new Uint8Array(),
  derivation_path: [],
  key_id: { curve: { secp256k1: null }, name: '' }
});

const encodeSchnorrArgs = candidReplyEncoder(SignWithSchnorrArgs, {
  message: new Uint8Array(),
  derivation_path: [],
  key_id: { algorithm: { ed25519: null }, name: '' },
  aux: []
});

export function signWithEcdsaArgument(keyName: string, derivationPath: Uint8Array[], messageHash: Uint8Array): Uint8Array {
  return encodeEcdsaArgs({ message_hash: messageHash, derivation_path: derivationPath, key_id: { curve: { secp256k1: null }, name: keyName } });
}

export function signWithEd25519Argument(keyName: string, derivationPath: Uint8Array[], message: Uint8Array): Uint8Array {
  return encodeSchnorrArgs({ message, derivation_path: derivationPath, key_id: { algorithm: { ed25519: null }, name: keyName }, aux: [] });
}

/** The signature out of either signing call's reply. */
export function signatureFromReply(reply: Uint8Array): Uint8Array {
  const [{ signature }] = IDL.decode([SignatureReply], reply) as unknown as [{ signature: Uint8Array }];
  return Uint8Array.from(signature);
}
