// The threshold-ECDSA, threshold-Schnorr and raw_rand calls to the management canister (IC interface specification, ic.did).
import { call, IDL, Principal } from 'azle';

import { EcdsaKeyId, SchnorrKeyId, signatureFromReply, signWithEcdsaArgument, signWithEd25519Argument } from './core/signing_call';

const MANAGEMENT_CANISTER = 'aaaaa-aa';
/** Parsed once: Azle parses a textual canister id at every call. */
const MANAGEMENT_CANISTER_ID = Principal.fromText(MANAGEMENT_CANISTER);

const EcdsaPublicKeyArgs = IDL.Record({
  canister_id: IDL.Opt(IDL.Principal),
  derivation_path: IDL.Vec(IDL.Vec(IDL.Nat8)),
  key_id: EcdsaKeyId
});
const EcdsaPublicKeyResult = IDL.Record({ public_key: IDL.Vec(IDL.Nat8), chain_code: IDL.Vec(IDL.Nat8) });

const SchnorrPublicKeyArgs = IDL.Record({
  canister_id: IDL.Opt(IDL.Principal),
  derivation_path: IDL.Vec(IDL.Vec(IDL.Nat8)),
  key_id: SchnorrKeyId
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
  return signatureFromReply(await signRaw('sign_with_ecdsa', signWithEcdsaArgument(keyName, derivationPath, messageHash), cycles));
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
  return signatureFromReply(await signRaw('sign_with_schnorr', signWithEd25519Argument(keyName, derivationPath, message), cycles));
}

/** A signing call with its argument already encoded (see core/signing_call.ts). */
function signRaw(method: string, argument: Uint8Array, cycles: bigint): Promise<Uint8Array> {
  return call<Uint8Array, Uint8Array>(MANAGEMENT_CANISTER_ID, method, { raw: true, args: argument, cycles });
}

/** 32 bytes from the subnet's random beacon (raw_rand): unknown to anyone before the call is executed. */
export async function rawRand(): Promise<Uint8Array> {
  const bytes = await call<unknown[], Uint8Array>(MANAGEMENT_CANISTER, 'raw_rand', { paramIdlTypes: [], returnIdlType: IDL.Vec(IDL.Nat8), args: [] });
  return Uint8Array.from(bytes);
}

export { describeCallFailure } from './core/call_failure';
