// SHA-256 (FIPS 180-4) for the canister: signing inputs, jti, certification (only the HMAC of pairwise subjects keeps noble's).
// @noble/hashes' implementation is written for JIT engines (helper calls per round, a class per
// hash); in the canister's interpreter every call and property access is paid for, and it cost
// about 1.8 M instructions per 64-byte block (bench/instruction_breakdown.ts). This one keeps the
// state in locals and inlines every step; tests/unit/sha256.test.ts holds it to node:crypto and
// the FIPS 180-2 examples.

/** The round constants: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const K = Int32Array.of(
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
);

/** The initial hash value: the first 32 bits of the fractional parts of the square roots of the first 8 primes. */
const INITIAL = Int32Array.of(0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19);

/** The message schedule, reused: hashing never re-enters itself. */
const W = new Int32Array(64);

export function sha256(message: Uint8Array): Uint8Array {
  // Padding (§5.1.1): 0x80, zeros, then the length in bits as a 64-bit big-endian number.
  const blocks = ((message.length + 8) >>> 6) + 1;
  const padded = new Uint8Array(blocks * 64);
  padded.set(message);
  padded[message.length] = 0x80;
  const end = padded.length;
  const highBits = Math.floor(message.length / 0x20000000);
  const lowBits = (message.length << 3) >>> 0;
  padded[end - 8] = highBits >>> 24;
  padded[end - 7] = highBits >>> 16;
  padded[end - 6] = highBits >>> 8;
  padded[end - 5] = highBits;
  padded[end - 4] = lowBits >>> 24;
  padded[end - 3] = lowBits >>> 16;
  padded[end - 2] = lowBits >>> 8;
  padded[end - 1] = lowBits;

  let h0 = INITIAL[0]!, h1 = INITIAL[1]!, h2 = INITIAL[2]!, h3 = INITIAL[3]!;
  let h4 = INITIAL[4]!, h5 = INITIAL[5]!, h6 = INITIAL[6]!, h7 = INITIAL[7]!;
  for (let offset = 0; offset < end; offset += 64) {
    for (let t = 0, at = offset; t < 16; t++, at += 4) {
      W[t] = (padded[at]! << 24) | (padded[at + 1]! << 16) | (padded[at + 2]! << 8) | padded[at + 3]!;
    }
    for (let t = 16; t < 64; t++) {
      const w15 = W[t - 15]!;
      const w2 = W[t - 2]!;
      const sigma0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const sigma1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W[t] = (W[t - 16]! + sigma0 + W[t - 7]! + sigma1) | 0;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let t = 0; t < 64; t++) {
      const bigSigma1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + bigSigma1 + ((e & f) ^ (~e & g)) + K[t]! + W[t]!) | 0;
      const bigSigma0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (bigSigma0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  const digest = new Uint8Array(32);
  const view = new DataView(digest.buffer);
  view.setInt32(0, h0);
  view.setInt32(4, h1);
  view.setInt32(8, h2);
  view.setInt32(12, h3);
  view.setInt32(16, h4);
  view.setInt32(20, h5);
  view.setInt32(24, h6);
  view.setInt32(28, h7);
  return digest;
}
