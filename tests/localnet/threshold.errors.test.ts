import { Principal } from '@dfinity/principal';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import {
  checkSigningFee,
  createThresholdKeys,
  DerivationPathTooLongError,
  InsufficientCyclesError,
  InvalidSchnorrAuxError,
  MessageHashLengthError,
  RejectCode,
  SchnorrAuxNotSupportedError,
  signingFee,
  ThresholdKeyError,
  UnknownThresholdKeyError
} from '../../packages/local-ic/src/threshold';

const keys = createThresholdKeys();
const CANISTER = Principal.fromText('h5jwf-5iaaa-aaaan-qmvoa-cai').toUint8Array();
const HASH = new Uint8Array(32).fill(1);

const ALL_KEYS =
  '[ecdsa:Secp256k1:dfx_test_key, ecdsa:Secp256k1:key_1, ecdsa:Secp256k1:test_key_1, ' +
  'schnorr:Bip340Secp256k1:dfx_test_key, schnorr:Bip340Secp256k1:key_1, schnorr:Bip340Secp256k1:test_key_1, ' +
  'schnorr:Ed25519:dfx_test_key, schnorr:Ed25519:key_1, schnorr:Ed25519:test_key_1]';

function thrown(action: () => unknown): ThresholdKeyError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ThresholdKeyError);
    return error as ThresholdKeyError;
  }
  throw new Error('expected a ThresholdKeyError');
}

describe('signing fees', () => {
  it("are the docs' fee for the size of the subnet holding the key, equal for ECDSA and Schnorr", () => {
    for (const scheme of ['ecdsa', 'schnorr'] as const) {
      // key_1: a 34-node subnet (fiduciary / II); the test keys: the 13-node test-threshold-keys subnet.
      expect(signingFee(scheme, 'key_1')).toBe(26_153_846_153n);
      expect(signingFee(scheme, 'test_key_1')).toBe(10_000_000_000n);
      expect(signingFee(scheme, 'dfx_test_key')).toBe(10_000_000_000n);
    }
  });

  it('reject unknown key names with the IC wording for signing', () => {
    const error = thrown(() => signingFee('ecdsa', 'insecure_test_key_1'));
    expect(error).toBeInstanceOf(UnknownThresholdKeyError);
    expect(error.rejectCode).toBe(RejectCode.DestinationInvalid);
    expect(error.message).toBe(
      'Unable to route management canister request sign_with_ecdsa: ChainKeyError("Requested unknown or disabled threshold key: ' +
        `ecdsa:Secp256k1:insecure_test_key_1, existing enabled keys: ${ALL_KEYS}")`
    );
    expect(thrown(() => signingFee('schnorr', 'nope', 'bip340secp256k1')).message).toContain(
      'sign_with_schnorr: ChainKeyError("Requested unknown or disabled threshold key: schnorr:Bip340Secp256k1:nope,'
    );
  });

  it('checkSigningFee returns the fee when enough cycles are attached, and rejects with the IC wording otherwise', () => {
    expect(checkSigningFee('ecdsa', 'test_key_1', 26_153_846_153n)).toBe(10_000_000_000n);
    expect(checkSigningFee('schnorr', 'key_1', 26_153_846_153n)).toBe(26_153_846_153n);

    const error = thrown(() => checkSigningFee('ecdsa', 'key_1', 10_000_000_000n));
    expect(error).toBeInstanceOf(InsufficientCyclesError);
    expect(error.rejectCode).toBe(RejectCode.CanisterReject);
    expect(error.message).toBe('sign_with_ecdsa request sent with 10000000000 cycles, but 26153846153 cycles are required.');
    expect(thrown(() => checkSigningFee('schnorr', 'test_key_1', 0n)).message).toBe(
      'sign_with_schnorr request sent with 0 cycles, but 10000000000 cycles are required.'
    );
  });
});

describe('unknown key names', () => {
  it('public-key calls use the IC wording for keys that do not exist', () => {
    const error = thrown(() => keys.ecdsaPublicKey('dfx_test_key1', CANISTER, []));
    expect(error).toBeInstanceOf(UnknownThresholdKeyError);
    expect(error.code).toBe('unknown_threshold_key');
    expect(error.rejectCode).toBe(3);
    expect(error.message).toBe(
      'Unable to route management canister request ecdsa_public_key: ChainKeyError("Requested unknown threshold key: ' +
        `ecdsa:Secp256k1:dfx_test_key1, existing keys: ${ALL_KEYS}")`
    );
    expect(thrown(() => keys.schnorrPublicKey('ed25519', 'Key_1', CANISTER, [])).message).toContain(
      'schnorr_public_key: ChainKeyError("Requested unknown threshold key: schnorr:Ed25519:Key_1, existing keys: ['
    );
  });

  it('signing calls use the IC wording for unknown or disabled keys', () => {
    expect(thrown(() => keys.signWithEcdsa('key_2', CANISTER, [], HASH)).message).toContain(
      'sign_with_ecdsa: ChainKeyError("Requested unknown or disabled threshold key: ecdsa:Secp256k1:key_2, existing enabled keys: ['
    );
    expect(thrown(() => keys.signWithSchnorr('bip340secp256k1', '', CANISTER, [], HASH)).message).toContain(
      'sign_with_schnorr: ChainKeyError("Requested unknown or disabled threshold key: schnorr:Bip340Secp256k1:, existing enabled keys: ['
    );
  });

  it('quote the key name as Rust Debug-prints strings', () => {
    expect(thrown(() => keys.ecdsaPublicKey('a"b\\c\n', CANISTER, [])).message).toContain(
      'Requested unknown threshold key: ecdsa:Secp256k1:a\\"b\\\\c\\n, existing keys'
    );
  });
});

describe('argument limits', () => {
  it('sign_with_ecdsa rejects a message hash that is not 32 bytes, as a Candid decoding failure', () => {
    for (const length of [0, 31, 33, 64]) {
      const error = thrown(() => keys.signWithEcdsa('key_1', CANISTER, [], new Uint8Array(length)));
      expect(error).toBeInstanceOf(MessageHashLengthError);
      expect(error.code).toBe('invalid_message_hash_length');
      expect(error.rejectCode).toBe(RejectCode.DestinationInvalid);
      expect(error.message).toMatch(
        /^Unable to route management canister request sign_with_ecdsa: UserError\(UserError \{ code: InvalidManagementPayload, description: "Error decoding candid: .*32.*" \}\)$/
      );
    }
  });

  it('rejects derivation paths longer than 255 elements, and accepts 255', () => {
    const longest = Array.from({ length: 255 }, () => new Uint8Array(1));
    const tooLong = [...longest, new Uint8Array(1)];
    expect(keys.ecdsaPublicKey('key_1', CANISTER, longest).publicKey.length).toBe(33);

    const calls: Array<[string, () => unknown]> = [
      ['ecdsa_public_key', () => keys.ecdsaPublicKey('key_1', CANISTER, tooLong)],
      ['sign_with_ecdsa', () => keys.signWithEcdsa('key_1', CANISTER, tooLong, HASH)],
      ['schnorr_public_key', () => keys.schnorrPublicKey('ed25519', 'key_1', CANISTER, tooLong)],
      ['sign_with_schnorr', () => keys.signWithSchnorr('bip340secp256k1', 'key_1', CANISTER, tooLong, HASH)]
    ];
    for (const [method, call] of calls) {
      const error = thrown(call);
      expect(error).toBeInstanceOf(DerivationPathTooLongError);
      expect(error.rejectCode).toBe(RejectCode.DestinationInvalid);
      expect(error.message).toBe(
        `Unable to route management canister request ${method}: UserError(UserError { code: InvalidManagementPayload, ` +
          'description: "Error decoding candid: Deserialize error: The number of elements exceeds maximum allowed 255" })'
      );
    }
  });

  it('Schnorr aux: only BIP-340 accepts it, and only empty or 32 bytes', () => {
    const ed = thrown(() => keys.signWithSchnorr('ed25519', 'key_1', CANISTER, [], HASH, new Uint8Array(32)));
    expect(ed).toBeInstanceOf(SchnorrAuxNotSupportedError);
    expect(ed.rejectCode).toBe(RejectCode.CanisterReject);
    expect(ed.message).toBe('Schnorr algorithm Ed25519 does not support aux input');

    const bip = thrown(() => keys.signWithSchnorr('bip340secp256k1', 'key_1', CANISTER, [], HASH, new Uint8Array(31)));
    expect(bip).toBeInstanceOf(InvalidSchnorrAuxError);
    expect(bip.rejectCode).toBe(RejectCode.CanisterReject);
    expect(bip.message).toBe('Invalid aux field for Bip340Secp256k1');
  });

  it('checks arguments in the IC order: decoding before the key lookup, the key before aux', () => {
    expect(thrown(() => keys.signWithEcdsa('nope', CANISTER, [], new Uint8Array(3)))).toBeInstanceOf(MessageHashLengthError);
    expect(thrown(() => keys.signWithSchnorr('ed25519', 'nope', CANISTER, [], HASH, new Uint8Array(1)))).toBeInstanceOf(
      UnknownThresholdKeyError
    );
  });

  it('errors carry a name, a code and a reject code', () => {
    const error = thrown(() => keys.signWithEcdsa('key_1', CANISTER, [utf8ToBytes('x')], new Uint8Array(1)));
    expect(error.name).toBe('MessageHashLengthError');
    expect(error).toBeInstanceOf(Error);
    expect(typeof error.code).toBe('string');
    expect([1, 2, 3, 4, 5]).toContain(error.rejectCode);
  });
});
