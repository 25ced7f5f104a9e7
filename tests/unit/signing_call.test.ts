// The signing calls' arguments, encoded with prebuilt type tables, against @dfinity/candid's own IDL.encode.
import { IDL } from '@dfinity/candid';
import { describe, expect, it } from 'vitest';

import { derivationPath } from '../../src/backend/core/key_ring';
import {
  SignatureReply,
  SignWithEcdsaArgs,
  SignWithSchnorrArgs,
  signatureFromReply,
  signWithEcdsaArgument,
  signWithEd25519Argument
} from '../../src/backend/core/signing_call';

const path = derivationPath('ES256K', 7);
const hash = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
const message = new TextEncoder().encode('eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0'.repeat(20));

describe('signing call arguments', () => {
  it.each(['dfx_test_key', 'test_key_1', 'key_1'])('sign_with_ecdsa under %s: the bytes IDL.encode gives', (keyName) => {
    const value = { message_hash: hash, derivation_path: path, key_id: { curve: { secp256k1: null }, name: keyName } };
    expect(signWithEcdsaArgument(keyName, path, hash)).toEqual(new Uint8Array(IDL.encode([SignWithEcdsaArgs], [value])));
  });

  it.each(['dfx_test_key', 'key_1'])('sign_with_schnorr (ed25519, no aux) under %s: the bytes IDL.encode gives', (keyName) => {
    const value = { message, derivation_path: derivationPath('EdDSA', 2), key_id: { algorithm: { ed25519: null }, name: keyName }, aux: [] };
    expect(signWithEd25519Argument(keyName, derivationPath('EdDSA', 2), message)).toEqual(new Uint8Array(IDL.encode([SignWithSchnorrArgs], [value])));
  });

  it('refuses a value of the wrong shape, as IDL.encode does', () => {
    expect(() => signWithEcdsaArgument('key_1', [path[0]!, 'x' as unknown as Uint8Array], hash)).toThrow(/vec/);
  });

  it('reads the signature out of the reply', () => {
    const signature = Uint8Array.from({ length: 64 }, (_, i) => 255 - i);
    expect(signatureFromReply(new Uint8Array(IDL.encode([SignatureReply], [{ signature }])))).toEqual(signature);
    expect(() => signatureFromReply(new Uint8Array(IDL.encode([IDL.Text], ['no signature'])))).toThrow();
  });
});
