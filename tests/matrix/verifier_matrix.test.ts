// The verifier matrix, proven: each library on canister tokens (ES256K and EdDSA) through the
// canister's JWK Set over HTTP. A "yes" verified the token with the algorithm pinned and the
// claims checked; a "no" is the library's own refusal. The README's table must be this table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LIBRARIES, type Outcome } from './libraries';
import { observeMatrix, readmeTable, renderTable, startMatrixRun, type MatrixRun, type Row } from './matrix';

type Refusal = { error: string; message: RegExp };
/** Per library: `true` where it verifies, else the refusal it gives the valid token. */
const EXPECTED: Record<string, { ES256K: true | Refusal; EdDSA: true | Refusal }> = {
  'ic-jwt verifier (`@ic-jwt/verifier`)': { ES256K: true, EdDSA: true },
  'PyJWT (Python)': { ES256K: true, EdDSA: true },
  'jwcrypto (Python)': { ES256K: true, EdDSA: true },
  'Authlib (Python)': { ES256K: true, EdDSA: true },
  'python-jose (Python)': {
    ES256K: { error: 'JWKError', message: /^Unable to find an algorithm for key: .*'crv': 'secp256k1'/ },
    EdDSA: { error: 'JWKError', message: /^Unable to find an algorithm for key: .*'kty': 'OKP'/ }
  },
  'jose v6 (JavaScript)': { ES256K: { error: 'ERR_JOSE_NOT_SUPPORTED', message: /Unsupported "alg" value/ }, EdDSA: true },
  'fast-jwt (JavaScript)': { ES256K: { error: 'FAST_JWT_INVALID_KEY', message: /Invalid public key provided for algorithms ES256K/ }, EdDSA: true },
  'jsonwebtoken (JavaScript)': {
    ES256K: { error: 'Error', message: /^"alg" parameter for "ec" key type must be one of: ES256, ES384, ES512\.$/ },
    EdDSA: { error: 'Error', message: /^Unknown key type "ed25519"\.$/ }
  },
  'openid-client 6 (JavaScript)': { ES256K: { error: 'OAUTH_UNSUPPORTED_OPERATION', message: /unsupported JWS "alg" identifier/ }, EdDSA: true }
};

let run: MatrixRun;
let rows: Row[];

beforeAll(async () => {
  run = await startMatrixRun();
  rows = await observeMatrix(run);
});

afterAll(async () => {
  await run?.canister.close();
});

const refused = (outcome: Outcome) => {
  expect(outcome.ok).toBe(false);
  expect(outcome.error).toEqual(expect.any(String));
};

describe.each(LIBRARIES.map((library) => library.name))('%s', (name) => {
  it.each(['ES256K', 'EdDSA'] as const)('on %s tokens', (algorithm) => {
    const cell = rows.find((row) => row.library === name)!.cells[algorithm];
    const expected = EXPECTED[name]![algorithm];
    const { valid } = run.tokens[algorithm];
    if (expected === true) {
      expect(cell.valid).toMatchObject({
        ok: true,
        claims: { sub: valid.subject, iss: run.target.issuer, aud: run.target.audience, room: 'lobby', exp: expect.any(Number) }
      });
      // Pinned: the other algorithm's token is refused; checked: expired and wrong-audience too.
      refused(cell.otherAlgorithm);
      refused(cell.expired);
      refused(cell.otherAudience);
    } else {
      expect(cell.valid).toMatchObject({ ok: false, error: expected.error });
      expect(cell.valid.message).toMatch(expected.message);
    }
  });
});

it('every library is in the expectations, and the README shows the observed table', () => {
  expect(LIBRARIES.map((library) => library.name).sort()).toEqual(Object.keys(EXPECTED).sort());
  expect(readmeTable()).toBe(renderTable(rows, run.tokens));
});
