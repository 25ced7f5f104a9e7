// The claims policy: what a caller may ask for, and the claims it gets.
import { CONFIG_BOUNDS, type Config } from './config';
import { err, ok, type IssueError, type Result } from './issue_error';

export interface IssueOptions {
  audience?: string | undefined;
  ttlSeconds?: number | undefined;
  /** A JSON object, as text, merged after the registered claims. */
  extraClaims?: string | undefined;
  /** One of the config's enabled algorithms; the default algorithm when absent. */
  algorithm?: string | undefined;
}

export const REGISTERED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'] as const;

export const EXTRA_CLAIMS_LIMITS = { maxBytes: 2048, maxDepth: 8 } as const;

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
 * from the config, the caller and the clock: no option can set them, and extra
 * claims may not name any registered claim.
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

  const extras = options.extraClaims === undefined ? ok({}) : parseExtraClaims(options.extraClaims);
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
  // fromEntries defines each claim as an own property: a "__proto__" claim stays a plain claim.
  return ok(Object.fromEntries([...Object.entries(registered), ...Object.entries(extras.value)]) as Claims);
}

export function parseExtraClaims(text: string): Result<Record<string, unknown>, string> {
  const size = new TextEncoder().encode(text).length;
  if (size > EXTRA_CLAIMS_LIMITS.maxBytes) {
    return err(`extra claims are ${size} bytes; the limit is ${EXTRA_CLAIMS_LIMITS.maxBytes}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    return err(`extra claims are not valid JSON: ${(cause as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return err('extra claims must be a JSON object');
  }
  const reserved = Object.keys(value).filter((name) => (REGISTERED_CLAIMS as readonly string[]).includes(name));
  if (reserved.length > 0) {
    return err(`extra claims may not set registered claims: ${reserved.join(', ')}`);
  }
  if (Object.keys(value).some((name) => name.length === 0)) {
    return err('extra claims may not have an empty name');
  }
  if (depthOf(value) > EXTRA_CLAIMS_LIMITS.maxDepth) {
    return err(`extra claims nest deeper than ${EXTRA_CLAIMS_LIMITS.maxDepth} levels`);
  }
  return ok(value as Record<string, unknown>);
}

function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child));
  return deepest + 1;
}
