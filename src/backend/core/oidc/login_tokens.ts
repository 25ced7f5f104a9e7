// The tokens of one login (authorization code exchange): an ID token for the client (OpenID
// Connect Core §2) and an RFC 9068 access token for the client's resource, each one threshold
// signature. The same admission as issue_jwt guards them: key ready, cycle floor, rate limits.
import { utf8 } from '../bytes';
import type { Config } from '../config';
import { signingFee } from '../fees';
import { ANONYMOUS_PRINCIPAL, jwtId } from '../issuance';
import { err, ok, type Result } from '../issue_error';
import { compactJws, jwtHeader, signedMessage, signingInput } from '../jwt';
import { activeKey, derivationPath, type KeyRing, type SigningKey } from '../key_ring';
import { admit, type Bucket, type GlobalWindow } from '../rate_limit';
import { sectorIdentifier, type OidcClient } from './clients';
import type { StoredCode } from './codes';
import { pairwiseSubject } from './pairwise';
import type { TokenError } from './token_request';

export interface LoginContext {
  config: Config;
  keyRing: KeyRing;
  client: OidcClient;
  code: StoredCode;
  nowNanos: bigint;
  cycleBalance: bigint;
  /** The bucket of the user the code was issued to: a login counts against their rate limit. */
  userBucket: Bucket | undefined;
  globalWindow: GlobalWindow | undefined;
  sequence: bigint;
  jtiSeed: Uint8Array | undefined;
  pairwiseSalt: Uint8Array | undefined;
}

export interface SignedPart {
  signingInput: string;
  message: Uint8Array;
}

export interface LoginPlan {
  key: SigningKey;
  derivationPath: Uint8Array[];
  /** Per signature; a login pays it twice. */
  fee: bigint;
  idToken: SignedPart;
  accessToken: SignedPart;
  expiresAt: number;
  expiresIn: number;
  userBucket: Bucket;
  globalWindow: GlobalWindow;
  sequence: bigint;
}

export interface LoginTokens {
  idToken: string;
  accessToken: string;
  expiresIn: number;
}

export const SIGNATURES_PER_LOGIN = 2;

const unavailable = (status: number, description: string, retryAfterSeconds?: number) =>
  err<TokenError>({ error: 'temporarily_unavailable', description, status, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) });

/** Checks everything that could refuse the login before anything is paid or stored. */
export function planLogin(context: LoginContext): Result<LoginPlan, TokenError> {
  const { config, client, code } = context;
  // Security: authorize never binds a code to the anonymous principal; checked again where it counts.
  if (code.principal === ANONYMOUS_PRINCIPAL) return err({ error: 'invalid_grant', description: 'the code belongs to no user', status: 400 });

  const algorithm = client.idTokenAlgorithm;
  if (!config.algorithms.includes(algorithm)) return err({ error: 'server_error', description: `the client's algorithm ${algorithm} is no longer enabled`, status: 500 });
  const key = activeKey(context.keyRing, algorithm);
  if (key === undefined || context.jtiSeed === undefined || context.pairwiseSalt === undefined) {
    return unavailable(503, `the ${algorithm} signing key is not ready yet; try again shortly`, 5);
  }

  // Security: both signatures must fit above the floor, as for issue_jwt.
  const fee = signingFee(key.keyName);
  if (context.cycleBalance < config.cycleFloor + BigInt(SIGNATURES_PER_LOGIN) * fee) {
    return unavailable(503, 'the issuer is low on cycles; try again later');
  }

  // One admission per signature, against the user's bucket and the global window.
  const nowMs = Number(context.nowNanos / 1_000_000n);
  let bucket = context.userBucket;
  let window = context.globalWindow;
  for (let i = 0; i < SIGNATURES_PER_LOGIN; i++) {
    const admission = admit(bucket, window, config.rateLimit, config.globalLimitPerMinute, nowMs);
    if (!admission.admitted) return unavailable(429, `rate limited (${admission.scope === 'Caller' ? 'this user' : 'all users'}); retry after ${admission.retryAfterSeconds} s`, admission.retryAfterSeconds);
    bucket = admission.bucket;
    window = admission.window;
  }

  const issuedAt = Number(context.nowNanos / 1_000_000_000n);
  const expiresIn = config.defaultTtlSeconds;
  const expiresAt = issuedAt + expiresIn;
  const subject = client.subjectType === 'Public' ? code.principal : pairwiseSubject(context.pairwiseSalt, sectorIdentifier(client), code.principal);
  // nbf and jti too: our verifier (and many others) require them of every token.
  const idClaims = {
    iss: config.issuer,
    sub: subject,
    aud: client.clientId,
    exp: expiresAt,
    iat: issuedAt,
    nbf: issuedAt,
    jti: jwtId(context.jtiSeed, context.sequence),
    auth_time: code.authTimeSeconds,
    nonce: code.nonce,
    azp: client.clientId
  };
  const accessClaims = {
    iss: config.issuer,
    sub: subject,
    aud: client.accessTokenAudience,
    exp: expiresAt,
    iat: issuedAt,
    nbf: issuedAt,
    jti: jwtId(context.jtiSeed, context.sequence + 1n),
    client_id: client.clientId,
    scope: code.scope,
    auth_time: code.authTimeSeconds
  };
  const part = (input: string): SignedPart => ({ signingInput: input, message: signedMessage(key.alg, utf8(input)) });
  return ok({
    key,
    derivationPath: derivationPath(key.alg, key.keyVersion),
    fee,
    idToken: part(signingInput(jwtHeader(key.alg, key.jwk.kid), idClaims)),
    accessToken: part(signingInput(jwtHeader(key.alg, key.jwk.kid, 'at+jwt'), accessClaims)),
    expiresAt,
    expiresIn,
    userBucket: bucket!,
    globalWindow: window!,
    sequence: context.sequence + BigInt(SIGNATURES_PER_LOGIN)
  });
}

export function completeLogin(plan: LoginPlan, idTokenSignature: Uint8Array, accessTokenSignature: Uint8Array): LoginTokens {
  return {
    idToken: compactJws(plan.idToken.signingInput, idTokenSignature, plan.key.alg),
    accessToken: compactJws(plan.accessToken.signingInput, accessTokenSignature, plan.key.alg),
    expiresIn: plan.expiresIn
  };
}
