import { Principal } from '@dfinity/principal';
import { reportCycles } from '../runtime/cycles_log.js';
import { rejected } from '../shared/call_result.js';
import type { Rejection } from '../shared/rejections.js';
import * as Types from './candid_types.js';
import { decode, reply, type ManagementCall, type ManagementOutcome } from './candid_codec.js';
import { thresholdRejection, type SchnorrAlgorithm, type SigningScheme, type ThresholdBackend } from './threshold_backend.js';

/**
 * The management canister's threshold-key methods. The maths lives in
 * threshold/; this adds Candid, the caller's canister id, and the
 * signing fee taken from the attached cycles (the rest is refunded).
 */
export class ThresholdMethods {
  constructor(private readonly backend: ThresholdBackend) {}

  ecdsaPublicKey(call: ManagementCall): ManagementOutcome {
    const [args] = decode<[{ canister_id: Types.Opt<Principal>; derivation_path: Uint8Array[]; key_id: Types.DecodedEcdsaKeyId }]>(
      [Types.EcdsaPublicKeyArgs],
      call.argument
    );
    return this.attempt(call, () => {
      const key = this.backend.keys.ecdsaPublicKey(args.key_id.name, targetCanister(args.canister_id, call), args.derivation_path);
      return reply(Types.PublicKeyResult, { public_key: key.publicKey, chain_code: key.chainCode }, call.cycles);
    });
  }

  signWithEcdsa(call: ManagementCall): ManagementOutcome {
    const [args] = decode<[{ message_hash: Uint8Array; derivation_path: Uint8Array[]; key_id: Types.DecodedEcdsaKeyId }]>(
      [Types.SignWithEcdsaArgs],
      call.argument
    );
    return this.attempt(call, () => {
      // The keys module checks the request in the IC's order (argument, then key name); the fee comes after.
      const signature = this.backend.keys.signWithEcdsa(args.key_id.name, call.caller, args.derivation_path, args.message_hash);
      return this.charged(call, 'ecdsa', args.key_id.name, undefined, signature);
    });
  }

  schnorrPublicKey(call: ManagementCall): ManagementOutcome {
    const [args] = decode<[{ canister_id: Types.Opt<Principal>; derivation_path: Uint8Array[]; key_id: Types.DecodedSchnorrKeyId }]>(
      [Types.SchnorrPublicKeyArgs],
      call.argument
    );
    return this.attempt(call, () => {
      const key = this.backend.keys.schnorrPublicKey(
        algorithmOf(args.key_id),
        args.key_id.name,
        targetCanister(args.canister_id, call),
        args.derivation_path
      );
      return reply(Types.PublicKeyResult, { public_key: key.publicKey, chain_code: key.chainCode }, call.cycles);
    });
  }

  signWithSchnorr(call: ManagementCall): ManagementOutcome {
    const [args] = decode<
      [
        {
          message: Uint8Array;
          derivation_path: Uint8Array[];
          key_id: Types.DecodedSchnorrKeyId;
          aux: Types.Opt<{ bip341: { merkle_root_hash: Uint8Array } }>;
        }
      ]
    >([Types.SignWithSchnorrArgs], call.argument);
    const algorithm = algorithmOf(args.key_id);
    return this.attempt(call, () => {
      const aux = args.aux[0]?.bip341.merkle_root_hash;
      const signature = this.backend.keys.signWithSchnorr(algorithm, args.key_id.name, call.caller, args.derivation_path, args.message, aux);
      return this.charged(call, 'schnorr', args.key_id.name, algorithm, signature);
    });
  }

  /** Replies with the signature if enough cycles came with the call; keeps the fee, refunds the rest. */
  private charged(call: ManagementCall, scheme: SigningScheme, keyName: string, algorithm: SchnorrAlgorithm | undefined, signature: Uint8Array): ManagementOutcome {
    const fee = this.backend.chargeSigningFee(scheme, keyName, call.cycles, algorithm);
    reportCycles({ canister: Principal.fromUint8Array(call.caller).toText(), category: 'threshold_signature', cycles: fee, detail: `sign_with_${scheme} ${keyName}` });
    return reply(Types.SignatureResult, { signature }, call.cycles - fee);
  }

  private attempt(call: ManagementCall, action: () => ManagementOutcome): ManagementOutcome {
    try {
      return action();
    } catch (error) {
      const rejection: Rejection | undefined = thresholdRejection(error);
      if (rejection === undefined) throw error;
      return { result: rejected(rejection), refund: call.cycles };
    }
  }
}

function targetCanister(canisterId: Types.Opt<Principal>, call: ManagementCall): Uint8Array {
  return canisterId[0]?.toUint8Array() ?? call.caller;
}

function algorithmOf(keyId: Types.DecodedSchnorrKeyId): SchnorrAlgorithm {
  return 'ed25519' in keyId.algorithm ? 'ed25519' : 'bip340secp256k1';
}
