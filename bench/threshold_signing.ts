// Signatures per second of the local IC's threshold-key maths, one core, side by side.
// Run: npx tsx bench/threshold_signing.ts
import { Principal } from '@dfinity/principal';

import { createThresholdKeys } from '../packages/local-ic/src/threshold';

const CANISTER = Principal.fromText('h5jwf-5iaaa-aaaan-qmvoa-cai').toUint8Array();
const SIGNATURES = 300;

type Sign = (path: Uint8Array[], message: Uint8Array) => Uint8Array;

function perSecond(sign: Sign, freshPath: boolean): number {
  const message = (i: number) => new Uint8Array(32).fill(i % 256);
  sign([], message(0));
  const start = performance.now();
  for (let i = 0; i < SIGNATURES; i++) sign(freshPath ? [Uint8Array.of(i >> 8, i & 0xff, 7)] : [], message(i));
  return (SIGNATURES * 1000) / (performance.now() - start);
}

const keys = createThresholdKeys();
const signers: Record<string, Sign> = {
  'ECDSA secp256k1': (path, message) => keys.signWithEcdsa('key_1', CANISTER, path, message),
  'Schnorr ed25519': (path, message) => keys.signWithSchnorr('ed25519', 'key_1', CANISTER, path, message),
  'Schnorr bip340': (path, message) => keys.signWithSchnorr('bip340secp256k1', 'key_1', CANISTER, path, message)
};

const rows = Object.entries(signers).map(([name, sign]) => ({
  algorithm: name,
  'cached key (sig/s)': Math.round(perSecond(sign, false)),
  'new derivation path (sig/s)': Math.round(perSecond(sign, true))
}));
const base = rows[0]!['cached key (sig/s)'];
console.table(rows.map((row) => ({ ...row, 'vs ECDSA cached': (row['cached key (sig/s)'] / base).toFixed(2) + 'x' })));
