// The verifier matrix: every library of ./libraries on canister tokens of each algorithm, and the
// README table it yields. `npm run matrix` prints the table; tests/matrix/verifier_matrix.test.ts
// asserts each outcome and that the README shows exactly this table.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { CANISTER_ALGORITHMS, CanisterJwks, type CanisterAlgorithm, type IssuedToken } from '../support/canister_jwks';
import { LIBRARIES, type Outcome, type Target, type VerifierLibrary } from './libraries';

export const MATRIX_AUDIENCE = 'matrix-api';
const OTHER_AUDIENCE = 'other-api';

export interface AlgorithmTokens {
  valid: IssuedToken;
  /** Issued two hours ago (network time) with a one-hour lifetime. */
  expired: string;
  otherAudience: string;
}

export type MatrixTokens = Record<CanisterAlgorithm, AlgorithmTokens>;

/** What one library did with the tokens of one algorithm, verifying with that algorithm pinned. */
export interface Cell {
  valid: Outcome;
  /** The valid token of the other algorithm: a pinned verifier refuses it. */
  otherAlgorithm: Outcome;
  expired: Outcome;
  otherAudience: Outcome;
}

export interface Row {
  library: string;
  cells: Record<CanisterAlgorithm, Cell>;
}

export interface MatrixRun {
  canister: CanisterJwks;
  target: Target;
  tokens: MatrixTokens;
}

/** One local IC for the whole matrix: the expired tokens first, then the clock catches up. */
export async function startMatrixRun(): Promise<MatrixRun> {
  const canister = await CanisterJwks.start([MATRIX_AUDIENCE, OTHER_AUDIENCE], 2);
  try {
    const expired = {} as Record<CanisterAlgorithm, string>;
    for (const algorithm of CANISTER_ALGORITHMS) {
      expired[algorithm] = (await canister.issue({ algorithm, ttlSeconds: 3600 })).token;
    }
    canister.catchUpWithWallClock();
    const tokens = {} as MatrixTokens;
    for (const algorithm of CANISTER_ALGORITHMS) {
      tokens[algorithm] = {
        valid: await canister.issue({ algorithm, extraClaims: '{"room":"lobby"}' }),
        expired: expired[algorithm],
        otherAudience: (await canister.issue({ algorithm, audience: OTHER_AUDIENCE })).token
      };
    }
    const target = { jwksUrl: canister.jwksUrl, issuer: canister.issuerUrl, audience: MATRIX_AUDIENCE, clockToleranceSeconds: 30 };
    return { canister, target, tokens };
  } catch (error) {
    await canister.close();
    throw error;
  }
}

const otherAlgorithm = (algorithm: CanisterAlgorithm): CanisterAlgorithm => (algorithm === 'ES256K' ? 'EdDSA' : 'ES256K');

async function observeCell(library: VerifierLibrary, algorithm: CanisterAlgorithm, run: MatrixRun): Promise<Cell> {
  const own = run.tokens[algorithm];
  const tokens = [own.valid.token, run.tokens[otherAlgorithm(algorithm)].valid.token, own.expired, own.otherAudience];
  const [valid, other, expired, otherAudience] = await library.verifyAll(tokens, algorithm, run.target);
  return { valid: valid!, otherAlgorithm: other!, expired: expired!, otherAudience: otherAudience! };
}

export async function observeRow(library: VerifierLibrary, run: MatrixRun): Promise<Row> {
  const [es256k, eddsa] = await Promise.all(CANISTER_ALGORITHMS.map((algorithm) => observeCell(library, algorithm, run)));
  return { library: library.name, cells: { ES256K: es256k!, EdDSA: eddsa! } };
}

export async function observeMatrix(run: MatrixRun): Promise<Row[]> {
  return Promise.all(LIBRARIES.map((library) => observeRow(library, run)));
}

/**
 * "yes" only when the library verified the token, returned its claims, and refused the same
 * algorithm's expired and wrong-audience tokens and the other algorithm's token. Otherwise
 * "no" with the library's own error for the valid token, or what it wrongly accepted.
 */
export function verdict(cell: Cell, subject: string): string {
  if (!cell.valid.ok) {
    // A bare Error says nothing; its message does.
    const { error, message } = cell.valid;
    return `no (\`${error === 'Error' ? message : error}\`)`;
  }
  const accepted = (['otherAlgorithm', 'expired', 'otherAudience'] as const).filter((name) => cell[name].ok);
  if (cell.valid.claims?.['sub'] !== subject) return 'no (wrong `sub`)';
  return accepted.length === 0 ? 'yes' : `unsafe (accepts ${accepted.join(', ')})`;
}

export function renderTable(rows: readonly Row[], tokens: MatrixTokens): string {
  const lines = ['| verifier | ES256K | EdDSA |', '| --- | --- | --- |'];
  for (const row of rows) {
    const cells = CANISTER_ALGORITHMS.map((algorithm) => verdict(row.cells[algorithm], tokens[algorithm].valid.subject));
    lines.push(`| ${row.library} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const TABLE_START = '<!-- verifier-matrix:start (npm run matrix) -->';
const TABLE_END = '<!-- verifier-matrix:end -->';

/** The table between the README's verifier-matrix markers. */
export function readmeTable(readme = readFileSync(README, 'utf8')): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${TABLE_START} … ${TABLE_END} section`);
  return readme.slice(start + TABLE_START.length, end).trim();
}
