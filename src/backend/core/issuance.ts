// One token, in its steps: admit the caller, build the claims, pick the key,
// check the cycles, take a rate-limit token; then (in the adapter) sign the
// signing input (ES256K: its digest) with the algorithm's threshold key; then assemble the compact JWT.
import { base64UrlEncode } from './base64url';
import { bigIntToBytes, concatBytes, utf8 } from './bytes';
import { buildClaims, type IssueOptions } from './claims';
import type { Config } from './config';
import { signingFee } from './fees';
import { err, ok, type IssueError, type Result } from './issue_error';
import { activeKey, derivationPath, type KeyRing, type SigningKey } from './key_ring';
import { statusOf, type SigningKeyStatuses } from './signing_key_status';
import { admit, type Bucket, type GlobalWindow } from './rate_limit';
import { compactJws, jwtHeader, signatureSegment, signedMessage, signingInput } from './jwt';
import { sha256 } from './sha256';

export const ANONYMOUS_PRINCIPAL = '2vxsx-fae';

export interface IssuanceContext {
  config: Config;
  keyRing: KeyRing;
  /** The caller's principal, as text. */
  caller: string;
  options: IssueOptions;
  nowNanos: bigint;
  cycleBalance: bigint;
  callerBucket: Bucket | undefined;
  globalWindow: GlobalWindow | undefined;
  /** How many signatures were requested before this one; makes every jti unique. */
  sequence: bigint;
  /** 32 bytes from raw_rand; undefined until the first fetch completed. */
  jtiSeed: Uint8Array | undefined;
  /** Why an algorithm has no key yet, for SigningKeyNotReady (default: still fetching). */
  signingKeyStatuses?: SigningKeyStatuses;
}

export interface IssuancePlan {
  key: SigningKey;
  derivationPath: Uint8Array[];
  fee: bigint;
  signingInput: string;
  /** The signing input as bytes (ASCII), from which the reply's token is assembled. */
  signingInputBytes: Uint8Array;
  /** What the threshold key signs: SHA-256 of the signing input (sign_with_ecdsa's message_hash) or the input itself (sign_with_schnorr's message). */
  message: Uint8Array;
  expiresAt: number;
  /** State to store before signing, so that the spend is counted even if the call fails. */
  callerBucket: Bucket;
  globalWindow: GlobalWindow;
  sequence: bigint;
}

export interface IssuedJwt {
  token: string;
  expiresAt: number;
  kid: string;
}

export function planIssuance(context: IssuanceContext): Result<IssuancePlan, IssueError> {
  // Security: the anonymous principal is shared by everyone; a token for it would identify no one.
  if (context.caller === ANONYMOUS_PRINCIPAL) return err({ kind: 'AnonymousCaller' });

  const issuedAtSeconds = Number(context.nowNanos / 1_000_000_000n);
  const claims = buildClaims({
    config: context.config,
    subject: context.caller,
    options: context.options,
    issuedAtSeconds,
    // Without a seed nothing is signed (below); the claims are still checked first.
    jti: context.jtiSeed === undefined ? '' : jwtId(context.jtiSeed, context.sequence)
  });
  if (!claims.ok) return claims;

  // Security: only enabled algorithms are signed with; the header's alg always matches the key's.
  const algorithm = context.options.algorithm ?? context.config.defaultAlgorithm;
  const enabled = context.config.algorithms.find((name) => name === algorithm);
  if (enabled === undefined) return err({ kind: 'AlgorithmNotEnabled', algorithm, enabled: [...context.config.algorithms] });
  const key = activeKey(context.keyRing, enabled);
  if (key === undefined) {
    return err({ kind: 'SigningKeyNotReady', algorithm: enabled, status: statusOf(context.signingKeyStatuses ?? new Map(), enabled) });
  }
  // The jti seed comes from raw_rand like the key from the threshold key: without it nothing is signed yet.
  if (context.jtiSeed === undefined) return err({ kind: 'SigningKeyNotReady', algorithm: enabled, status: { kind: 'Fetching' } });

  // Security: stop before the balance would fall under the floor, so issuing can never
  // freeze the canister or eat the cycles its other duties need.
  const fee = signingFee(key.keyName);
  if (context.cycleBalance < context.config.cycleFloor + fee) {
    return err({ kind: 'CyclesBelowFloor', balance: context.cycleBalance, floor: context.config.cycleFloor, fee });
  }

  const nowMs = Number(context.nowNanos / 1_000_000n);
  const admission = admit(
    context.callerBucket,
    context.globalWindow,
    context.config.rateLimit,
    context.config.globalLimitPerMinute,
    nowMs
  );
  if (!admission.admitted) {
    return err({ kind: 'RateLimited', scope: admission.scope, retryAfterSeconds: admission.retryAfterSeconds });
  }

  const input = signingInput(jwtHeader(key.alg, key.jwk.kid), claims.value);
  const inputBytes = utf8(input);
  return ok({
    key,
    derivationPath: derivationPath(key.alg, key.keyVersion),
    fee,
    signingInput: input,
    signingInputBytes: inputBytes,
    message: signedMessage(key.alg, inputBytes),
    expiresAt: claims.value.exp,
    callerBucket: admission.bucket,
    globalWindow: admission.window,
    sequence: context.sequence + 1n
  });
}

export function completeIssuance(plan: IssuancePlan, rawSignature: Uint8Array): IssuedJwt {
  return { token: compactJws(plan.signingInput, rawSignature, plan.key.alg), expiresAt: plan.expiresAt, kid: plan.key.jwk.kid };
}

/**
 * The same token as completeIssuance's, as ASCII bytes, for the reply: made from the signing
 * input's bytes, where encoding the token's text again costs the interpreter about 3,500
 * instructions per character.
 */
export function completeIssuanceBytes(plan: IssuancePlan, rawSignature: Uint8Array): IssuedJwtBytes {
  const token = concatBytes(plan.signingInputBytes, DOT, utf8(signatureSegment(rawSignature, plan.key.alg)));
  return { token, expiresAt: plan.expiresAt, kid: plan.key.jwk.kid };
}

export interface IssuedJwtBytes {
  token: Uint8Array;
  expiresAt: number;
  kid: string;
}

const DOT = Uint8Array.of(0x2e);

/** 128 bits: a jti guessed at random matches one of 2^40 issued tokens with probability 2^-88. */
const JTI_BYTES = 16;

/**
 * Unique and unpredictable per token: SHA-256 of the seed and the sequence number, truncated.
 * The sequence never repeats; two jti values collide only by chance (about 2^-49 after 2^40
 * tokens). Without the seed, a jti reveals neither how many tokens came before it nor when.
 * Security: the seed is no secret in the sense of invariant 4: node providers can read canister
 * memory. It only hides the issue count and time from token holders and relying parties.
 */
export function jwtId(seed: Uint8Array, sequence: bigint): string {
  return base64UrlEncode(sha256(concatBytes(seed, bigIntToBytes(sequence, 8))).slice(0, JTI_BYTES));
}
