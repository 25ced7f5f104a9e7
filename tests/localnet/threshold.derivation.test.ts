import { ecdsa, schnorr } from '@dfinity/ic-pub-key';
import { Principal } from '@dfinity/principal';
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import {
  createThresholdKeys,
  KEY_NAMES,
  localMasterPublicKey,
  type DerivedPublicKey,
  type ThresholdAlgorithm
} from '../../packages/local-ic/src/threshold';
import { deriveEd25519Offset } from '../../packages/local-ic/src/threshold/ed25519_derivation';
import { deriveSecp256k1Offset } from '../../packages/local-ic/src/threshold/secp256k1_derivation';

const ALGORITHMS: readonly ThresholdAlgorithm[] = ['ecdsa', 'bip340secp256k1', 'ed25519'];

const CANISTERS = [
  'h5jwf-5iaaa-aaaan-qmvoa-cai',
  'rrkah-fqaaa-aaaaa-aaaaq-cai',
  'bkyz2-fmaaa-aaaaa-qaaaq-cai',
  // The management canister's id is the empty principal: a zero-length first path element.
  'aaaaa-aa'
].map((text) => Principal.fromText(text));

const PATHS: Record<string, Uint8Array[]> = {
  empty: [],
  'one element': [utf8ToBytes('jwt')],
  'several elements': [utf8ToBytes('users'), Uint8Array.of(0, 0, 0, 7), utf8ToBytes('session')],
  'an empty element': [new Uint8Array(0)],
  'binary elements': [Uint8Array.of(0x00, 0xff, 0x80, 0x01), new Uint8Array(33).fill(0xff)],
  'a long element': [pseudoRandomBytes(4096, 1)],
  'many elements': Array.from({ length: 40 }, (_, i) => pseudoRandomBytes(i, i))
};

describe('threshold key derivation matches @dfinity/ic-pub-key from our master public keys', () => {
  const keys = createThresholdKeys();

  for (const algorithm of ALGORITHMS) {
    for (const keyName of KEY_NAMES) {
      it(`${algorithm} ${keyName}`, () => {
        const master = localMasterPublicKey(algorithm, keyName);
        for (const canister of CANISTERS) {
          for (const path of Object.values(PATHS)) {
            const ours = derive(keys, algorithm, keyName, canister.toUint8Array(), path);
            const reference = icPubKeyDerive(algorithm, master, canister, path);
            expect(hex(ours)).toEqual(reference);
          }
        }
      });
    }
  }

  it('also matches for the longest derivation path the IC accepts (255 elements)', () => {
    const path = Array.from({ length: 255 }, (_, i) => Uint8Array.of(i));
    const canister = CANISTERS[0]!;
    for (const algorithm of ALGORITHMS) {
      const ours = derive(keys, algorithm, 'key_1', canister.toUint8Array(), path);
      expect(hex(ours)).toEqual(icPubKeyDerive(algorithm, localMasterPublicKey(algorithm, 'key_1'), canister, path));
    }
  });

  it('gives different keys to different canisters, paths, key names and algorithms', () => {
    const seen = new Set<string>();
    for (const algorithm of ALGORITHMS) {
      for (const keyName of KEY_NAMES) {
        for (const canister of CANISTERS) {
          for (const path of Object.values(PATHS)) {
            seen.add(hex(derive(keys, algorithm, keyName, canister.toUint8Array(), path)).publicKey);
          }
        }
      }
    }
    expect(seen.size).toBe(ALGORITHMS.length * KEY_NAMES.length * CANISTERS.length * Object.keys(PATHS).length);
  });

  it('returns key sizes as the IC does: 33-byte SEC1 for secp256k1 keys, 32 bytes for Ed25519, 32-byte chain codes', () => {
    const canister = CANISTERS[0]!.toUint8Array();
    const ecdsaKey = keys.ecdsaPublicKey('key_1', canister, []);
    const bip340Key = keys.schnorrPublicKey('bip340secp256k1', 'key_1', canister, []);
    const ed25519Key = keys.schnorrPublicKey('ed25519', 'key_1', canister, []);
    expect([ecdsaKey.publicKey.length, bip340Key.publicKey.length, ed25519Key.publicKey.length]).toEqual([33, 33, 32]);
    expect([ecdsaKey.chainCode.length, bip340Key.chainCode.length, ed25519Key.chainCode.length]).toEqual([32, 32, 32]);
    expect([0x02, 0x03]).toContain(ecdsaKey.publicKey[0]);
  });

  it('hands out copies, so callers cannot corrupt cached keys', () => {
    const canister = CANISTERS[0]!.toUint8Array();
    const first = keys.ecdsaPublicKey('key_1', canister, []);
    const expected = bytesToHex(first.publicKey);
    first.publicKey.fill(0);
    expect(bytesToHex(keys.ecdsaPublicKey('key_1', canister, []).publicKey)).toBe(expected);
  });

  it('uses fixed master keys: a second instance derives the same keys', () => {
    const canister = CANISTERS[1]!.toUint8Array();
    const again = createThresholdKeys();
    for (const algorithm of ALGORITHMS) {
      expect(hex(derive(again, algorithm, 'test_key_1', canister, PATHS['one element']!))).toEqual(
        hex(derive(keys, algorithm, 'test_key_1', canister, PATHS['one element']!))
      );
    }
  });
});

/**
 * Vectors the IC itself produced (mainnet / staging calls), as published in
 * dfinity/ic-pub-key (src/*.tests/mainnet_derivation.test.ts, test/samples.json)
 * and dfinity/ic (packages/ic-ed25519/tests/tests.rs).
 */
describe('our derivation reproduces published IC derivation vectors', () => {
  const mainnetCanister = Principal.fromText('h5jwf-5iaaa-aaaan-qmvoa-cai').toUint8Array();
  const helloPath = ['Hello', 'Threshold', 'Signatures'].map(utf8ToBytes);
  const hexPath = [hexToBytes('abcdef'), hexToBytes('012345')];

  it('secp256k1 (ECDSA) mainnet key_1 and test_key_1', () => {
    expect(secp256k1Derive(ecdsa.secp256k1.PublicKeyWithChainCode.forMainnetKey('test_key_1').toHex(), [mainnetCanister, ...helloPath]).publicKey).toBe(
      '0315ae8bb8c6e9f78eec2167f5ac773067f37a39da1a1efbc585f9e90658d1c620'
    );
    expect(secp256k1Derive(ecdsa.secp256k1.PublicKeyWithChainCode.forMainnetKey('key_1').toHex(), [mainnetCanister, ...hexPath]).publicKey).toBe(
      '02735ca28b5c3e380016d7f28bf4703b540a8bbe8e24beffdc021455ca2ab93fe3'
    );
  });

  it('BIP-340 mainnet key_1 and test_key_1', () => {
    const bip340 = schnorr.bip340secp256k1.PublicKeyWithChainCode;
    expect(secp256k1Derive(bip340.forMainnetKey('test_key_1').toHex(), [mainnetCanister, ...helloPath]).publicKey).toBe(
      '0237ca6a41c1db8ab40410445250a5d46fbec7f3e449c8f40f86d8622a4106cebd'
    );
    expect(secp256k1Derive(bip340.forMainnetKey('key_1').toHex(), [mainnetCanister, ...hexPath]).publicKey).toBe(
      '03e5e92c2399985f82521b110ac3dbf697a6b9522002c0d31d0b7cd5352c343457'
    );
  });

  it('Ed25519 mainnet key_1 and test_key_1', () => {
    const mainnet = schnorr.ed25519.PublicKeyWithChainCode;
    const testKey = mainnet.forMainnetKey('test_key_1');
    const key1 = mainnet.forMainnetKey('key_1');
    expect(ed25519Derive(testKey.public_key.toHex(), testKey.chain_code.toHex(), [mainnetCanister, ...helloPath]).publicKey).toBe(
      'd9a2ce6a3cd33fe16dce37e045609e51ff516e93bb51013823d6d7a915e3cfb9'
    );
    expect(ed25519Derive(key1.public_key.toHex(), key1.chain_code.toHex(), [mainnetCanister, ...hexPath]).publicKey).toBe(
      '43f0008b26564b6da51f585ad47669dfeb1db6d94d7dd216bd304fc1f5f5e997'
    );
  });

  it('secp256k1 staging vectors, including chain codes (ic-pub-key test/samples.json)', () => {
    const vectors = [
      ['02b84ff3f88329a887657d0309bd1a1af9e37601e5d1a535d6fe7d42e37f79f40a', '212891bc032f28d369bacf39dc369feb516eced9a3d83498246aead1546f8cd1', null,
        '02b84ff3f88329a887657d0309bd1a1af9e37601e5d1a535d6fe7d42e37f79f40a', '212891bc032f28d369bacf39dc369feb516eced9a3d83498246aead1546f8cd1'],
      ['02b84ff3f88329a887657d0309bd1a1af9e37601e5d1a535d6fe7d42e37f79f40a', '212891bc032f28d369bacf39dc369feb516eced9a3d83498246aead1546f8cd1', '2/444/66666',
        '024bf78e40bb51d2c6c14c11aa8f3af1549741de5acdf925e6dc230dfc5daa22d9', 'bc35b8515f03aa1543081e2af4e878f28b27f3ce00c035f4068702d33ee88586'],
      ['0291f38cada7f498d467a18527dc6706b6343b124062776a9996077820d2c76be2', '9cfbcc11fbc2d401c3719785c31840a2bad151baf28c3795bc63f5fbc9cb26d7', '2/444/66666',
        '024279ea3e07582bd07388725255b3806276f2997323cedbcfa78fea658740c8a2', '1b2cfa6fa9720fe41c730761d804577bdce4ec93098e44a4dc78746b4e8d2c5d'],
      ['0291f38cada7f498d467a18527dc6706b6343b124062776a9996077820d2c76be2', '9cfbcc11fbc2d401c3719785c31840a2bad151baf28c3795bc63f5fbc9cb26d7', 'bungee',
        '02cc48da88c3b372cb5d5ac2665c92da65714de07ad148a5a838bb5e95fbddb591', '2dfe858431260fefb8b8093cfbf69bd1428c08757eee9131b901f9010238703b'],
      ['0291f38cada7f498d467a18527dc6706b6343b124062776a9996077820d2c76be2', '9cfbcc11fbc2d401c3719785c31840a2bad151baf28c3795bc63f5fbc9cb26d7', '/',
        '03e204c5244fc5a7a98be3d643fca87b3f0b73db55cdd23abb197c191c89e4bfc6', 'f28e1c6f888684f2a46ab564e648e08a45e27b2d5b7b799ffd6adbd424dc643f'],
      // BIP-340 keys use the same derivation.
      ['030466da666fe067f52cb5337a72e7722123ab3fc82f92b8a5f92b89d0e9bbd6e1', '8b51936ff7862e556e31f1116a657469f00083497062db2e8ee9573e3346a83a', '2/444/66666',
        '0329d1f060d8225b2547abd7b7cdccc56ea675cfacd46a75863bd98d9a5dcafca7', '4741d01b413e340d0a253e8adf860fd28cea1eebfad71493bac7476e6d20b1ab'],
      ['03d81a2def33c99ce5e60138d66e68474ab3560ee26882c26ea790bf6ecfa2a213', '4698afadc51f3b38434e66f35ae73d37347446cf0a0bcbda43ed7a7e0cd9efa7', '2/444/66666',
        '024e1e180ae1a1b685a5834e40ecd239e1624bd2a8bdee4e7f0fa70e8de9804765', '2e04ed5006d04725fea1508a00c35da2f033b39d8a8ab3d86d0b66ed347656ce']
    ] as const;
    for (const [publicKey, chainCode, path, expectedKey, expectedChainCode] of vectors) {
      expect(secp256k1Derive({ public_key: publicKey, chain_code: chainCode }, slashSeparatedPath(path))).toEqual({
        publicKey: expectedKey,
        chainCode: expectedChainCode
      });
    }
  });

  it('Ed25519 staging vectors, including chain codes (ic-pub-key test/samples.json)', () => {
    const vectors = [
      ['5dc497e58f2eaaa2acb80f8f235e754ea243ab2c1d5683d55eec5b3275b31691', '96094ba65eb8d6e71797b837a27bf175d8ad2828fa508fab3d57041550dc0334',
        'd41c15e8f8f718ada435d38c96a8f04ca342e70c9396642bc2c1c08da8cc0406', '541a8e8b26c80efcb462d036e88ae6e66e46876e3deceb2c54ddfecc94e2a1aa'],
      ['da38b16641af7626e372070ff9f844b7c89d1012850d2198393849d79d3d2d5d', '985be5283a68fc22540930ca02680f86c771419ece571eb838b33eb5604cfbc0',
        '7b3e64014987350f8ef9b89e0e804032c9c2de3b1825a789d0fd53266b5b0e71', '0816a73ea47f024698baab4c453f6381acc0b829384974eb96c611ab63837b05']
    ] as const;
    for (const [publicKey, chainCode, expectedKey, expectedChainCode] of vectors) {
      expect(ed25519Derive(publicKey, chainCode, slashSeparatedPath('2/444/66666'))).toEqual({
        publicKey: expectedKey,
        chainCode: expectedChainCode
      });
    }
  });

  it('Ed25519 BIP-32-style vectors from dfinity/ic packages/ic-ed25519', () => {
    const bip32 = (...indices: number[]) => indices.map((i) => Uint8Array.of(i >>> 24, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff));
    const zeroChainCode = '00'.repeat(32);
    expect(ed25519Derive('931387a550eb4524a7af29381b938df38e76aeecac08e2cfaae4f4ca99bb4881', zeroChainCode, bip32(1))).toEqual({
      publicKey: '6f3086e738ab5417c6e02504464f208a763f0fba0c4d7ade40694773b6c2273c',
      chainCode: 'd34e4e22d2c008ccc7e9bb9882fbc025a1e5516e3421d8e932dbc0be35f787a0'
    });
    expect(ed25519Derive('931387a550eb4524a7af29381b938df38e76aeecac08e2cfaae4f4ca99bb4881', zeroChainCode, bip32(1, 2))).toEqual({
      publicKey: '8efb675fcaf45c93e785ff535e380d9019c876a7c5faed264b911f97ef34d838',
      chainCode: '2562ad75c50708f8d20c442e48b3f8ee851570be256ef0a7060b9f755a837216'
    });
  });
});

function derive(
  keys: ReturnType<typeof createThresholdKeys>,
  algorithm: ThresholdAlgorithm,
  keyName: string,
  canisterId: Uint8Array,
  path: Uint8Array[]
): DerivedPublicKey {
  return algorithm === 'ecdsa'
    ? keys.ecdsaPublicKey(keyName, canisterId, path)
    : keys.schnorrPublicKey(algorithm, keyName, canisterId, path);
}

function icPubKeyDerive(
  algorithm: ThresholdAlgorithm,
  master: DerivedPublicKey,
  canister: Principal,
  path: Uint8Array[]
): { publicKey: string; chainCode: string } {
  const masterHex = { public_key: bytesToHex(master.publicKey), chain_code: bytesToHex(master.chainCode) };
  if (algorithm === 'ed25519') {
    const { ed25519: lib } = schnorr;
    const derived = lib.PublicKeyWithChainCode.fromHex(masterHex.public_key, masterHex.chain_code).deriveSubkeyWithChainCode(
      lib.DerivationPath.withCanisterPrefix(canister, path)
    );
    return { publicKey: derived.public_key.toHex(), chainCode: derived.chain_code.toHex() };
  }
  const lib = algorithm === 'ecdsa' ? ecdsa.secp256k1 : schnorr.bip340secp256k1;
  const derived = lib.PublicKeyWithChainCode.fromHex(masterHex).deriveSubkeyWithChainCode(lib.DerivationPath.withCanisterPrefix(canister, path));
  return { publicKey: derived.public_key.toHex(), chainCode: derived.chain_code.toHex() };
}

function secp256k1Derive(master: { public_key: string; chain_code: string }, path: Uint8Array[]) {
  const derived = deriveSecp256k1Offset(secp256k1.Point.fromBytes(hexToBytes(master.public_key)), hexToBytes(master.chain_code), path);
  return { publicKey: bytesToHex(derived.publicKey.toBytes(true)), chainCode: bytesToHex(derived.chainCode) };
}

function ed25519Derive(publicKey: string, chainCode: string, path: Uint8Array[]) {
  const derived = deriveEd25519Offset(ed25519.Point.fromBytes(hexToBytes(publicKey)), hexToBytes(chainCode), path);
  return { publicKey: bytesToHex(derived.publicKey.toBytes()), chainCode: bytesToHex(derived.chainCode) };
}

/** ic-pub-key's sample format: `/`-separated text elements, `null` for the empty path. */
function slashSeparatedPath(path: string | null): Uint8Array[] {
  return path === null ? [] : path.split('/').map(utf8ToBytes);
}

function hex(key: DerivedPublicKey): { publicKey: string; chainCode: string } {
  return { publicKey: bytesToHex(key.publicKey), chainCode: bytesToHex(key.chainCode) };
}

/** Deterministic filler bytes (a simple LCG); only variety matters here. */
function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}
