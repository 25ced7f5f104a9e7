// Every setting of the issuer, with its default and bounds, in one place.
import { isJwsAlgorithm, JWS_ALGORITHMS, type JwsAlgorithm } from './algorithms';
import { ALLOWED_EXTRA_CLAIMS_BOUNDS, describeAllowedClaimProblem } from './claim_names';
import { isKeyName, KEY_NAMES, type KeyName } from './fees';

export interface RateLimit {
  /** Tokens a caller may get in a burst. */
  capacity: number;
  /** One more token becomes available every this many seconds, up to capacity. */
  refillIntervalSeconds: number;
}

export interface Config {
  keyName: KeyName;
  issuer: string;
  audiences: string[];
  defaultAudience: string;
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  rateLimit: RateLimit;
  globalLimitPerMinute: number;
  cycleFloor: bigint;
  /** The algorithms callers may ask for; each has its own threshold key. */
  algorithms: JwsAlgorithm[];
  /** Used when a caller names no algorithm. */
  defaultAlgorithm: JwsAlgorithm;
  /** Top-level claim names callers may set through extra_claims; every other name is refused. */
  allowedExtraClaims: string[];
}

/** What install, upgrade and update_config accept: every field optional. */
export type ConfigInput = Partial<Config>;

export const CONFIG_BOUNDS = {
  issuerMaxLength: 256,
  audiencesMax: 16,
  audienceMaxLength: 128,
  ttlSecondsMin: 60,
  ttlSecondsMax: 30 * 24 * 3600,
  rateLimitCapacityMax: 1_000,
  refillIntervalSecondsMax: 24 * 3600,
  globalLimitPerMinuteMax: 10_000,
  cycleFloorMax: 10n ** 16n
} as const;

export function defaultConfig(canisterId: string): Config {
  return {
    keyName: 'dfx_test_key',
    issuer: `https://${canisterId}.icp0.io`,
    audiences: [canisterId],
    defaultAudience: canisterId,
    defaultTtlSeconds: 3600,
    maxTtlSeconds: 24 * 3600,
    rateLimit: { capacity: 5, refillIntervalSeconds: 60 },
    globalLimitPerMinute: 30,
    cycleFloor: 1_000_000_000_000n,
    algorithms: [...JWS_ALGORITHMS],
    defaultAlgorithm: 'ES256K',
    allowedExtraClaims: []
  };
}

/** A config stored by an earlier release lacks the fields added since: they take their defaults. */
export function configFromStored(
  stored: Partial<Config> & Omit<Config, 'algorithms' | 'defaultAlgorithm' | 'allowedExtraClaims'>
): Config {
  const defaults = defaultConfig('');
  return {
    ...stored,
    algorithms: stored.algorithms ?? defaults.algorithms,
    defaultAlgorithm: stored.defaultAlgorithm ?? defaults.defaultAlgorithm,
    allowedExtraClaims: stored.allowedExtraClaims ?? defaults.allowedExtraClaims
  };
}

export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG';
  constructor(
    readonly field: string,
    readonly reason: string
  ) {
    super(`invalid config: ${field}: ${reason}`);
  }
}

/**
 * Applies `input` on top of `base` and validates the result. When the audiences
 * change and no default audience is given, the current default is kept if it is
 * still allowed, else the first audience becomes the default.
 */
export function applyConfigInput(base: Config, input: ConfigInput): Config {
  const audiences = input.audiences ?? base.audiences;
  const keptDefault = audiences.includes(base.defaultAudience) ? base.defaultAudience : audiences[0];
  const algorithms = input.algorithms ?? base.algorithms;
  const keptAlgorithm = algorithms.includes(base.defaultAlgorithm) ? base.defaultAlgorithm : algorithms[0];
  const config: Config = {
    keyName: input.keyName ?? base.keyName,
    issuer: input.issuer ?? base.issuer,
    audiences: [...audiences],
    defaultAudience: input.defaultAudience ?? keptDefault ?? '',
    defaultTtlSeconds: input.defaultTtlSeconds ?? base.defaultTtlSeconds,
    maxTtlSeconds: input.maxTtlSeconds ?? base.maxTtlSeconds,
    rateLimit: { ...(input.rateLimit ?? base.rateLimit) },
    globalLimitPerMinute: input.globalLimitPerMinute ?? base.globalLimitPerMinute,
    cycleFloor: input.cycleFloor ?? base.cycleFloor,
    algorithms: [...algorithms],
    defaultAlgorithm: input.defaultAlgorithm ?? keptAlgorithm ?? base.defaultAlgorithm,
    allowedExtraClaims: [...(input.allowedExtraClaims ?? base.allowedExtraClaims)]
  };
  validateConfig(config);
  return config;
}

export function validateConfig(config: Config): void {
  const b = CONFIG_BOUNDS;
  if (!isKeyName(config.keyName)) {
    throw new ConfigError('key_name', `must be one of ${KEY_NAMES.join(', ')}; got ${JSON.stringify(config.keyName)}`);
  }
  const issuerProblem = describeIssuerProblem(config.issuer);
  if (issuerProblem !== undefined) throw new ConfigError('issuer', issuerProblem);

  if (config.audiences.length === 0 || config.audiences.length > b.audiencesMax) {
    throw new ConfigError('audiences', `must list 1 to ${b.audiencesMax} audiences; got ${config.audiences.length}`);
  }
  for (const audience of config.audiences) {
    if (!isPrintableToken(audience, b.audienceMaxLength)) {
      throw new ConfigError(
        'audiences',
        `each audience must be 1 to ${b.audienceMaxLength} printable ASCII characters without spaces; got ${JSON.stringify(audience.slice(0, 40))}`
      );
    }
  }
  if (new Set(config.audiences).size !== config.audiences.length) {
    throw new ConfigError('audiences', 'must not repeat an audience');
  }
  if (!config.audiences.includes(config.defaultAudience)) {
    throw new ConfigError('default_audience', `must be one of audiences; got ${JSON.stringify(config.defaultAudience)}`);
  }

  requireInteger('max_ttl_seconds', config.maxTtlSeconds, b.ttlSecondsMin, b.ttlSecondsMax);
  requireInteger('default_ttl_seconds', config.defaultTtlSeconds, b.ttlSecondsMin, config.maxTtlSeconds);
  requireInteger('rate_limit.capacity', config.rateLimit.capacity, 1, b.rateLimitCapacityMax);
  requireInteger('rate_limit.refill_interval_seconds', config.rateLimit.refillIntervalSeconds, 1, b.refillIntervalSecondsMax);
  requireInteger('global_limit_per_minute', config.globalLimitPerMinute, 1, b.globalLimitPerMinuteMax);
  if (config.cycleFloor < 0n || config.cycleFloor > b.cycleFloorMax) {
    throw new ConfigError('cycle_floor', `must be between 0 and ${b.cycleFloorMax}; got ${config.cycleFloor}`);
  }
  validateAlgorithms(config);
  validateAllowedExtraClaims(config.allowedExtraClaims);
}

function validateAllowedExtraClaims(names: readonly string[]): void {
  const { maxNames } = ALLOWED_EXTRA_CLAIMS_BOUNDS;
  if (names.length > maxNames) throw new ConfigError('allowed_extra_claims', `must list at most ${maxNames} names; got ${names.length}`);
  for (const name of names) {
    const problem = describeAllowedClaimProblem(name);
    if (problem !== undefined) throw new ConfigError('allowed_extra_claims', problem);
  }
  if (new Set(names).size !== names.length) throw new ConfigError('allowed_extra_claims', 'must not repeat a name');
}

function validateAlgorithms(config: Config): void {
  const known = JWS_ALGORITHMS.join(', ');
  if (config.algorithms.length === 0) throw new ConfigError('algorithms', `must list at least one of ${known}`);
  for (const algorithm of config.algorithms) {
    if (!isJwsAlgorithm(algorithm)) {
      throw new ConfigError('algorithms', `each must be one of ${known}; got ${JSON.stringify(String(algorithm).slice(0, 40))}`);
    }
  }
  if (new Set(config.algorithms).size !== config.algorithms.length) {
    throw new ConfigError('algorithms', 'must not repeat an algorithm');
  }
  if (!config.algorithms.includes(config.defaultAlgorithm)) {
    throw new ConfigError(
      'default_algorithm',
      `must be one of algorithms (${config.algorithms.join(', ')}); got ${JSON.stringify(String(config.defaultAlgorithm).slice(0, 40))}`
    );
  }
}

function requireInteger(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(field, `must be a whole number from ${min} to ${max}; got ${value}`);
  }
}

function isPrintableToken(text: string, maxLength: number): boolean {
  return text.length >= 1 && text.length <= maxLength && /^[\x21-\x7e]+$/.test(text);
}

const LOCAL_HOST = /^(localhost|127\.0\.0\.1|([a-z0-9-]+\.)+localhost)$/;

/**
 * The issuer is compared byte for byte by verifiers and prefixes the discovery
 * and JWKS URLs, so only a plain, canonical URL is accepted: lowercase host,
 * no credentials, query, fragment or trailing slash. Plain http only for local hosts.
 */
function describeIssuerProblem(issuer: string): string | undefined {
  if (issuer.length > CONFIG_BOUNDS.issuerMaxLength) {
    return `must be at most ${CONFIG_BOUNDS.issuerMaxLength} characters`;
  }
  const match = /^(https?):\/\/([a-z0-9.-]+)(:[0-9]{1,5})?((\/[A-Za-z0-9._~-]+)*)$/.exec(issuer);
  if (match === null) {
    return `must be an absolute URL like https://<canister-id>.icp0.io, with a lowercase host, no query, fragment or trailing slash; got ${JSON.stringify(issuer.slice(0, 80))}`;
  }
  const [, scheme, host] = match;
  if (scheme === 'http' && !LOCAL_HOST.test(host!)) {
    return 'must use https (plain http is accepted only for localhost, 127.0.0.1 and *.localhost)';
  }
  if (host!.startsWith('.') || host!.endsWith('.') || host!.includes('..')) {
    return `has a malformed host ${JSON.stringify(host)}`;
  }
  return undefined;
}
