// Hostile input against the local IC's request path: CBOR decode speed, fuzz cases/s and the
// worst milliseconds per KB over many more cases than `npm test` runs.
// Run: npx tsx bench/fuzz.ts [cases]
import fc from 'fast-check';

import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';

import { assertBoundedCandid, CandidBoundsError } from '../packages/local-ic/src/candid_bounds';
import { CborDecodeError, decodeCbor, encodeCbor } from '../packages/local-ic/src/http_interface';
import { InstallCodeArgs } from '../packages/local-ic/src/management/candid_types';
import { cborNoise, mutate, mutations, postTo, recordingInterface, seedEnvelopes } from '../tests/localnet/support/fuzz';

const CASES = Number(process.argv[2] ?? 20_000);
const MiB = 1024 * 1024;

interface Worst {
  cases: number;
  seconds: number;
  worstMsPerKb: number;
  worstMs: number;
}

async function measure(samples: fc.Arbitrary<Uint8Array>, run: (bytes: Uint8Array) => unknown): Promise<Worst> {
  const inputs = fc.sample(samples, CASES);
  let worstMsPerKb = 0;
  let worstMs = 0;
  const started = performance.now();
  for (const bytes of inputs) {
    const caseStarted = performance.now();
    await run(bytes);
    const ms = performance.now() - caseStarted;
    worstMs = Math.max(worstMs, ms);
    worstMsPerKb = Math.max(worstMsPerKb, ms / Math.max(bytes.length / 1024, 1));
  }
  return { cases: inputs.length, seconds: (performance.now() - started) / 1000, worstMsPerKb, worstMs };
}

function decodeOrRefuse(bytes: Uint8Array): void {
  try {
    decodeCbor(bytes);
  } catch (error) {
    if (!(error instanceof CborDecodeError)) throw error;
  }
}

function decodeRate(label: string, bytes: Uint8Array, rounds: number): void {
  const started = performance.now();
  for (let i = 0; i < rounds; i++) decodeOrRefuse(bytes);
  const seconds = (performance.now() - started) / 1000;
  console.log(`  ${label.padEnd(44)} ${((bytes.length * rounds) / MiB / seconds).toFixed(1).padStart(8)} MiB/s  ${((seconds * 1000) / rounds).toFixed(2).padStart(8)} ms each`);
}

function row(label: string, result: Worst): void {
  console.log(
    `  ${label.padEnd(44)} ${String(result.cases).padStart(6)} cases  ${(result.cases / result.seconds).toFixed(0).padStart(7)} cases/s  worst ${result.worstMs.toFixed(2)} ms, ${result.worstMsPerKb.toFixed(2)} ms/KB`
  );
}

console.log('CBOR decoding (valid, or refused at the first violation):');
const paths = Array.from({ length: 1000 }, (_, i) => Array.from({ length: 60 }, () => new Uint8Array([i & 0xff])));
decodeRate('read_state content, 1000 paths x 60 labels', encodeCbor({ content: { request_type: 'read_state', paths } }), 5);
decodeRate('call with a 2 MiB arg', encodeCbor({ content: { request_type: 'call', arg: new Uint8Array(2 * MiB) } }), 20);
const bignum = new Uint8Array(6 + 164 * 1024).fill(0xff);
bignum.set([0xc2, 0x5a, 0, 2, 0x90, 0]);
decodeRate('164 KB tag-2 bignum (refused)', bignum, 20);
const bomb = new Uint8Array(4 * MiB).fill(0x81);
decodeRate('4 MiB nesting bomb (refused)', bomb, 20);
const flat = new Uint8Array(4 * MiB);
flat.set([0x9a, 0x00, 0x3f, 0xff, 0xfa]);
decodeRate('4 MiB flat array of 4M zeros (refused)', flat, 5);

function walkRate(label: string, bytes: Uint8Array, rounds: number): void {
  const started = performance.now();
  for (let i = 0; i < rounds; i++) {
    try {
      assertBoundedCandid(bytes);
    } catch (error) {
      if (!(error instanceof CandidBoundsError)) throw error;
    }
  }
  const ms = (performance.now() - started) / rounds;
  console.log(`  ${label.padEnd(44)} ${ms.toFixed(3).padStart(8)} ms each`);
}

console.log('\nCandid bounds walk:');
const install = IDL.encode([InstallCodeArgs], [{ mode: { install: null }, canister_id: Principal.managementCanister(), wasm_module: new Uint8Array(2 * MiB), arg: new Uint8Array(), sender_canister_version: [] }]);
walkRate('install_code with a 2 MiB module', install, 200);
walkRate('vec null of 2^32 (refused)', Uint8Array.from([0x44, 0x49, 0x44, 0x4c, 1, 0x6d, 0x7f, 1, 0, 0x80, 0x80, 0x80, 0x80, 0x10]), 200);
walkRate('vec of 30,000 records (walked)', IDL.encode([IDL.Vec(IDL.Record({ a: IDL.Nat8 }))], [Array.from({ length: 30_000 }, () => ({ a: 1 }))]), 20);

console.log(`\nFuzzing, ${CASES} cases each:`);
row('decodeCbor, CBOR-shaped noise', await measure(cborNoise(400), decodeOrRefuse));
row('decodeCbor, random bytes', await measure(fc.uint8Array({ maxLength: 4096 }), decodeOrRefuse));
const seeds = await seedEnvelopes();
const { api } = recordingInterface();
for (const endpoint of ['call', 'query', 'read_state'] as const) {
  const ofEndpoint = seeds.filter((seed) => seed.endpoint === endpoint);
  const mutated = fc.tuple(fc.constantFrom(...ofEndpoint), mutations).map(([seed, steps]) => mutate(seed.body, steps));
  row(`router + envelope + auth, mutated ${endpoint}`, await measure(mutated, (body) => postTo(api, endpoint, body)));
}
