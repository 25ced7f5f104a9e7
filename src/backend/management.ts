// The threshold-ECDSA, threshold-Schnorr and raw_rand calls to the management canister (IC interface specification, ic.did).
import { call, IDL } from 'azle';

const MANAGEMENT_CANISTER = 'aaaaa-aa';

const EcdsaKeyId = IDL.Record({ curve: IDL.Variant({ secp256k1: IDL.Null }), name: IDL.Text });

const EcdsaPublicKeyArgs = IDL.Record({
  canister_id: IDL.Opt(IDL.Principal),
  derivation_path: IDL.Vec(IDL.Vec(IDL.Nat8)),
  key_id: EcdsaKeyId
});
const EcdsaPublicKeyResult = IDL.Record({ public_key: IDL.Vec(IDL.Nat8), chain_code: IDL.Vec(IDL.Nat8) });

const SignWithEcdsaArgs = IDL.Record({
  message_hash: IDL.Vec(IDL.Nat8),
  derivation_path: IDL.Vec(IDL.Vec(IDL.Nat8)),
  key_id: EcdsaKeyId
});
const SignWithEcdsaResult = IDL.Record({ signature: IDL.Vec(IDL.Nat8) });

const SchnorrKeyId = IDL.Record({
  algorithm: IDL.Variant({ bip340secp256k1: IDL.Null, ed25519: IDL.Null }),
  name: IDL.Text
});

const SchnorrPublicKeyArgs = IDL.Record({
  canister_id: IDL.Opt(IDL.Principal),
  derivation_path: IDL.Vec(IDL.Vec(IDL.Nat8)),
  key_id: SchnorrKeyId
});

/** `aux` is for bip340 Taproot tweaks only; ed25519 leaves it out (null). */
const SignWithSchnorrArgs = IDL.Record({
  message: IDL.Vec(IDL.Nat8),
  derivation_path: IDL.Vec(IDL.Vec(IDL.Nat8)),
  key_id: SchnorrKeyId,
  aux: IDL.Opt(IDL.Variant({ bip341: IDL.Record({ merkle_root_hash: IDL.Vec(IDL.Nat8) }) }))
});

export async function ecdsaPublicKey(keyName: string, derivationPath: Uint8Array[]): Promise<Uint8Array> {
  const result = await call<unknown[], { public_key: Uint8Array }>(MANAGEMENT_CANISTER, 'ecdsa_public_key', {
    paramIdlTypes: [EcdsaPublicKeyArgs],
    returnIdlType: EcdsaPublicKeyResult,
    args: [{ canister_id: [], derivation_path: derivationPath, key_id: { curve: { secp256k1: null }, name: keyName } }]
  });
  return Uint8Array.from(result.public_key);
}

export async function signWithEcdsa(
  keyName: string,
  derivationPath: Uint8Array[],
  messageHash: Uint8Array,
  cycles: bigint
): Promise<Uint8Array> {
  const result = await call<unknown[], { signature: Uint8Array }>(MANAGEMENT_CANISTER, 'sign_with_ecdsa', {
    paramIdlTypes: [SignWithEcdsaArgs],
    returnIdlType: SignWithEcdsaResult,
    args: [{ message_hash: messageHash, derivation_path: derivationPath, key_id: { curve: { secp256k1: null }, name: keyName } }],
    cycles
  });
  return Uint8Array.from(result.signature);
}

/** The 32-byte Ed25519 public key for `derivationPath` under the threshold Schnorr key `keyName`. */
export async function ed25519PublicKey(keyName: string, derivationPath: Uint8Array[]): Promise<Uint8Array> {
  const result = await call<unknown[], { public_key: Uint8Array }>(MANAGEMENT_CANISTER, 'schnorr_public_key', {
    paramIdlTypes: [SchnorrPublicKeyArgs],
    returnIdlType: EcdsaPublicKeyResult,
    args: [{ canister_id: [], derivation_path: derivationPath, key_id: { algorithm: { ed25519: null }, name: keyName } }]
  });
  return Uint8Array.from(result.public_key);
}

/** Signs the whole `message` (not a hash) with Ed25519; returns the 64-byte signature. */
export async function signWithEd25519(
  keyName: string,
  derivationPath: Uint8Array[],
  message: Uint8Array,
  cycles: bigint
): Promise<Uint8Array> {
  const result = await call<unknown[], { signature: Uint8Array }>(MANAGEMENT_CANISTER, 'sign_with_schnorr', {
    paramIdlTypes: [SignWithSchnorrArgs],
    returnIdlType: SignWithEcdsaResult,
    args: [{ message, derivation_path: derivationPath, key_id: { algorithm: { ed25519: null }, name: keyName }, aux: [] }],
    cycles
  });
  return Uint8Array.from(result.signature);
}

/** 32 bytes from the subnet's random beacon (raw_rand): unknown to anyone before the call is executed. */
export async function rawRand(): Promise<Uint8Array> {
  const bytes = await call<unknown[], Uint8Array>(MANAGEMENT_CANISTER, 'raw_rand', { paramIdlTypes: [], returnIdlType: IDL.Vec(IDL.Nat8), args: [] });
  return Uint8Array.from(bytes);
}

export { describeCallFailure } from './core/call_failure';
