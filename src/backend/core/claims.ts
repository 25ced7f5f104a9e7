// The claims policy: what a caller may ask for, and the claims it gets.
import { utf8 } from './bytes';
import { NEVER_ALLOWED_CLAIMS } from './claim_names';
import { CONFIG_BOUNDS, type Config } from './config';
import { err, ok, type IssueError, type Result } from './issue_error';
import { parseStrictJsonObject, type JsonObject } from './strict_json';

export interface IssueOptions {
  audience?: string | undefined;
  ttlSeconds?: number | undefined;
  /** A JSON object, as text, whose members join the claims; each name must be in allowed_extra_claims. */
  extraClaims?: string | undefined;
  /** One of the config's enabled algorithms; the default algorithm when absent. */
  algorithm?: string | undefined;
}

export { REGISTERED_CLAIMS } from './claim_names';

/**
 * The claims JSON as signed is at most `maxSignedBytes` bytes of UTF-8, so every token fits
 * in the verifier's default maxTokenBytes of 8192 characters (worst case: tests/unit/token_size.test.ts).
 */
export const CLAIMS_LIMITS = { maxSignedBytes: 4096, maxDepth: 8 } as const;

export interface Claims {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
  [extra: string]: unknown;
}

export interface ClaimsRequest {
  config: Config;
  /** The caller's principal, as text. */
  subject: string;
  options: IssueOptions;
  issuedAtSeconds: number;
  jti: string;
}

/**
 * Builds the claims for one token. `sub`, `iss`, `iat`, `nbf` and `exp` come only
 * from the config, the caller and the clock: no option can set them. Extra claims are
 * caller-asserted: only names the config allows, never a registered or reserved one.
 */
export function buildClaims(request: ClaimsRequest): Result<Claims, IssueError> {
  const { config, options } = request;

  const audience = options.audience ?? config.defaultAudience;
  if (!config.audiences.includes(audience)) {
    return err({ kind: 'AudienceNotAllowed', audience, allowed: [...config.audiences] });
  }

  const ttl = options.ttlSeconds ?? config.defaultTtlSeconds;
  if (!Number.isInteger(ttl) || ttl < CONFIG_BOUNDS.ttlSecondsMin || ttl > config.maxTtlSeconds) {
    return err({ kind: 'TtlOutOfRange', requested: ttl, min: CONFIG_BOUNDS.ttlSecondsMin, max: config.maxTtlSeconds });
  }

  const extras = options.extraClaims === undefined ? ok({}) : parseExtraClaims(options.extraClaims, config.allowedExtraClaims);
  if (!extras.ok) return err({ kind: 'ClaimsInvalid', reason: extras.error });

  const registered = {
    iss: config.issuer,
    sub: request.subject,
    aud: audience,
    iat: request.issuedAtSeconds,
    nbf: request.issuedAtSeconds,
    exp: request.issuedAtSeconds + ttl,
    jti: request.jti
  };
  // fromEntries defines each claim as an own property; no extra claim can shadow a registered one (checked above).
  const claims = Object.fromEntries([...Object.entries(registered), ...Object.entries(extras.value)]) as Claims;
  const signedBytes = utf8(JSON.stringify(claims)).length;
  if (signedBytes > CLAIMS_LIMITS.maxSignedBytes) {
    return err({
      kind: 'ClaimsInvalid',
      reason: `the signed claims would be ${signedBytes} bytes; the limit is ${CLAIMS_LIMITS.maxSignedBytes}`
    });
  }
  return ok(claims);
}

/** The caller's extra claims, read strictly (see strict_json.ts), each top-level name checked against `allowed`. */
export function parseExtraClaims(text: string, allowed: readonly string[]): Result<JsonObject, string> {
  const parsed = parseStrictJsonObject(text, { maxDepth: CLAIMS_LIMITS.maxDepth });
  if (!parsed.ok) return err(`extra claims refused: ${parsed.error}`);
  for (const name of Object.keys(parsed.value)) {
    if (NEVER_ALLOWED_CLAIMS.includes(name)) {
      return err(`the claim ${JSON.stringify(name)} is set by the issuer or reserved; no caller may set it`);
    }
    if (!allowed.includes(name)) {
      return err(`the claim ${JSON.stringify(name)} is not in allowed_extra_claims (allowed: ${allowed.length === 0 ? 'none' : allowed.join(', ')})`);
    }
  }
  return parsed;
}
