// The jwt_issuer canister: a thin Azle adapter over the pure core in ./core.
import {
  canisterCycleBalance,
  clearTimer,
  canisterSelf,
  certifiedDataSet,
  dataCertificate,
  IDL,
  init,
  isController,
  msgArgData,
  msgCaller,
  msgReply,
  postUpgrade,
  query,
  setTimer,
  setTimerInterval,
  time,
  trap,
  update
} from 'azle';

import {
  ConfigInputType,
  ConfigType,
  configInputFromCandid,
  configToCandid,
  decodeOptionalArgument,
  HttpRequestType,
  httpRequestFromCandid,
  HttpResponseType,
  httpResponseToCandid,
  IssueOptionsType,
  issueOptionsFromCandid,
  IssueResultType,
  issueErrorToCandid,
  issuedJwtToCandid,
  MetricsType,
  RotateKeysResultType,
  UpdateConfigResultType,
  type CandidConfigInput,
  type CandidIssueOptions
} from './core/candid';
import { applyConfigInput, ConfigError, defaultConfig, type Config } from './core/config';
// The replies' types come from the contract, src/backend/jwt_issuer.did (types only: nothing of it is bundled).
import type {
  ActiveKey,
  Config as CandidConfigReply,
  HttpRequest as CandidHttpRequest,
  HttpResponse as CandidHttpResponse,
  Metrics,
  RotateKeysResult,
  UpdateConfigResult
} from '../declarations/jwt_issuer/jwt_issuer.did';
import { buildHttpResources, certifiedResponse, routeHttpRequest, type HttpResources } from './core/http';
import { completeIssuance, planIssuance } from './core/issuance';
import type { JwsAlgorithm } from './core/algorithms';
import type { IssueError } from './core/issue_error';
import {
  activateKey,
  activeKey,
  derivationPath,
  nextRetirementSeconds,
  pruneRetired,
  retireDisabled,
  signingKey,
  type KeyRing,
  type SigningKey
} from './core/key_ring';
import type { KeyName } from './core/fees';
import { describeCallFailure, ecdsaPublicKey, ed25519PublicKey, signWithEcdsa, signWithEd25519 } from './management';
import {
  pruneFullBuckets,
  storeBucket,
  storeConfig,
  storeCounters,
  storedBucket,
  storedConfig,
  storedCounters,
  storedGlobalWindow,
  storedKeyRing,
  storedKeyVersion,
  storeGlobalWindow,
  storeKeyRing,
  storeKeyVersion
} from './storage';

const KEY_FETCH_MAX_BACKOFF_SECONDS = 300;
const BUCKET_PRUNE_INTERVAL_SECONDS = 600;

/** Set while rotate_keys awaits the new public keys, so two rotations never interleave. */
let rotating = false;

/** The served documents, rebuilt whenever config or keys change (never lazily in a query: query heap changes are discarded). */
let httpResources: HttpResources | undefined;

export default class JwtIssuer {
  @init([IDL.Opt(ConfigInputType)], { manual: true })
  init(): void {
    configure(defaultConfig(canisterSelf().toText()));
  }

  @postUpgrade([IDL.Opt(ConfigInputType)], { manual: true })
  postUpgrade(): void {
    configure(storedConfig() ?? defaultConfig(canisterSelf().toText()));
  }

  /** Issues a JWT for the caller. Callable with no argument at all. */
  @update([IDL.Opt(IssueOptionsType)], IssueResultType, { manual: true })
  async issue_jwt(): Promise<void> {
    const caller = msgCaller().toText();
    const options = issueOptionsFromCandid(
      decodeOrTrap(() => decodeOptionalArgument<CandidIssueOptions>(IssueOptionsType, msgArgData(), 'issue_jwt'))
    );
    const counters = storedCounters();
    const planned = planIssuance({
      config: currentConfig(),
      keyRing: storedKeyRing(),
      caller,
      options,
      nowNanos: time(),
      cycleBalance: canisterCycleBalance(),
      callerBucket: storedBucket(caller),
      globalWindow: storedGlobalWindow(),
      sequence: counters.signaturesRequested
    });
    if (!planned.ok) return replyIssueError(planned.error);
    const plan = planned.value;

    // Committed before the paid call: the spend counts even if signing fails.
    storeBucket(caller, plan.callerBucket);
    storeGlobalWindow(plan.globalWindow);
    storeCounters({ ...counters, signaturesRequested: plan.sequence });

    let issued;
    try {
      const sign = plan.key.alg === 'ES256K' ? signWithEcdsa : signWithEd25519;
      const signature = await sign(plan.key.keyName, plan.derivationPath, plan.message, plan.fee);
      issued = completeIssuance(plan, signature);
    } catch (failure) {
      const { rejectCode, message } = describeCallFailure(failure);
      return replyIssueError({ kind: 'SigningFailed', rejectCode, message });
    }
    const after = storedCounters();
    storeCounters({ ...after, tokensIssued: after.tokensIssued + 1n });
    msgReply(IDL.encode([IssueResultType], [{ Ok: issuedJwtToCandid(issued) }]));
  }

  @query([], ConfigType)
  get_config(): CandidConfigReply {
    return configToCandid(currentConfig());
  }

  /** Controllers only. Fields left out keep their value. */
  @update([ConfigInputType], UpdateConfigResultType)
  update_config(input: CandidConfigInput): UpdateConfigResult {
    const caller = msgCaller();
    if (!isController(caller)) return { Err: { NotController: { caller } } };
    const before = currentConfig();
    let config: Config;
    try {
      config = applyConfigInput(before, configInputFromCandid(input));
    } catch (error) {
      if (error instanceof ConfigError) return { Err: { InvalidConfig: { field: error.field, reason: error.reason } } };
      throw error;
    }
    storeConfig(config);
    // A disabled algorithm's key leaves the active set now; its tokens stay verifiable until they expire.
    storeKeyRing(retireDisabled(storedKeyRing(), config.algorithms, nowSeconds(), Math.max(before.maxTtlSeconds, config.maxTtlSeconds)));
    rebuildHttpResources();
    scheduleRetirement();
    setTimer(0, () => refreshSigningKeys(0));
    return { Ok: configToCandid(config) };
  }

  /**
   * Controllers only. Moves every enabled algorithm to a new key (the next key version,
   * so a new derivation path and kid). The new keys sign from now on; the previous ones
   * stay in the JWKS until every token they signed has expired. Nothing changes unless
   * every new public key was fetched.
   */
  @update([], RotateKeysResultType)
  async rotate_keys(): Promise<RotateKeysResult> {
    const caller = msgCaller();
    if (!isController(caller)) return { Err: { NotController: { caller } } };
    if (rotating) return { Err: { RotationInProgress: null } };
    rotating = true;
    try {
      const version = storedKeyVersion() + 1;
      const config = currentConfig();
      const fetched: SigningKey[] = [];
      for (const alg of config.algorithms) {
        try {
          fetched.push(signingKey(alg, config.keyName, version, await fetchPublicKey(alg, config.keyName, version)));
        } catch (failure) {
          const { rejectCode, message } = describeCallFailure(failure);
          return { Err: { KeyFetchFailed: { algorithm: alg, reject_code: rejectCode, message } } };
        }
      }
      // The config changed while we waited: its own refresh will fetch the right keys; try again after it.
      if (currentConfig().keyName !== config.keyName || storedKeyVersion() !== version - 1) {
        return { Err: { RotationInProgress: null } };
      }
      storeKeyVersion(version);
      activateKeys(fetched);
      return { Ok: { key_version: version, active_keys: activeKeysToCandid(storedKeyRing()) } };
    } finally {
      rotating = false;
    }
  }

  @query([], MetricsType)
  metrics(): Metrics {
    const counters = storedCounters();
    const ring = storedKeyRing();
    const active = activeKey(ring, currentConfig().defaultAlgorithm) ?? null;
    return {
      tokens_issued: counters.tokensIssued,
      signatures_requested: counters.signaturesRequested,
      rejections: Object.entries(counters.rejections).map(([reason, count]) => ({ reason, count })),
      cycle_balance: canisterCycleBalance(),
      active_kid: active === null ? [] : [active.jwk.kid],
      key_version: storedKeyVersion(),
      active_keys: activeKeysToCandid(ring)
    };
  }

  @query([HttpRequestType], HttpResponseType)
  http_request(request: CandidHttpRequest): CandidHttpResponse {
    const served = resources();
    const { url, method } = httpRequestFromCandid(request);
    const response = routeHttpRequest(served, { url, method });
    // The data certificate exists in non-replicated queries only (not when http_request is called as an update).
    const certificate = dataCertificate();
    return httpResponseToCandid(certificate === undefined ? response : certifiedResponse(served, url, response, certificate));
  }
}

/** Install and upgrade: apply the (optional) config argument on top of `base`; an invalid one traps, naming the field. */
function configure(base: Config): void {
  const input = configInputFromCandid(
    decodeOrTrap(() => decodeOptionalArgument<CandidConfigInput>(ConfigInputType, msgArgData(), 'init argument'))
  );
  let config: Config;
  try {
    config = applyConfigInput(base, input);
  } catch (error) {
    trap(error instanceof Error ? error.message : String(error));
  }
  storeConfig(config);
  rebuildHttpResources();
  // Timers do not survive upgrades: start them again.
  setTimer(0, () => refreshSigningKeys(0));
  scheduleRetirement();
  setTimerInterval(BUCKET_PRUNE_INTERVAL_SECONDS, () => {
    pruneFullBuckets(currentConfig(), nowMs());
  });
}

function currentConfig(): Config {
  const config = storedConfig();
  if (config === undefined) trap('jwt_issuer: config missing from stable memory');
  return config;
}

function resources(): HttpResources {
  return httpResources ?? buildHttpResources(currentConfig(), storedKeyRing());
}

/** Rebuilds the served documents and certifies them: the tree's root becomes the canister's certified data. */
function rebuildHttpResources(): void {
  httpResources = buildHttpResources(currentConfig(), storedKeyRing());
  certifiedDataSet(httpResources.certification.rootHash);
}

function fetchPublicKey(alg: JwsAlgorithm, keyName: KeyName, keyVersion: number): Promise<Uint8Array> {
  const path = derivationPath(alg, keyVersion);
  return alg === 'ES256K' ? ecdsaPublicKey(keyName, path) : ed25519PublicKey(keyName, path);
}

/**
 * Fetches the public key of every enabled algorithm that lacks an active key for the
 * configured key name and current key version, retrying with exponential back-off.
 */
async function refreshSigningKeys(attempt: number): Promise<void> {
  const { keyName, algorithms } = currentConfig();
  const version = storedKeyVersion();
  const ring = storedKeyRing();
  const missing = algorithms.filter((alg) => {
    const key = activeKey(ring, alg);
    return key === undefined || key.keyName !== keyName || key.keyVersion !== version;
  });
  const fetched: SigningKey[] = [];
  for (const alg of missing) {
    try {
      fetched.push(signingKey(alg, keyName, version, await fetchPublicKey(alg, keyName, version)));
    } catch (failure) {
      const delay = Math.min(2 ** attempt, KEY_FETCH_MAX_BACKOFF_SECONDS);
      const { rejectCode, message } = describeCallFailure(failure);
      console.log(`public key for ${alg} under ${keyName} failed (reject code ${rejectCode}: ${message}); retrying in ${delay} s`);
      setTimer(delay, () => refreshSigningKeys(attempt + 1));
      return;
    }
  }
  // The key name or version changed while we waited: a newer fetch is already under way.
  if (currentConfig().keyName !== keyName || storedKeyVersion() !== version) return;
  activateKeys(fetched);
}

/** Makes `keys` active (retiring the keys they replace), retires disabled algorithms, prunes, and re-certifies. */
function activateKeys(keys: SigningKey[]): void {
  const config = currentConfig();
  const now = nowSeconds();
  let ring: KeyRing = storedKeyRing();
  for (const key of keys) ring = activateKey(ring, key, now, config.maxTtlSeconds);
  ring = retireDisabled(ring, config.algorithms, now, config.maxTtlSeconds);
  storeKeyRing(pruneRetired(ring, now));
  rebuildHttpResources();
  scheduleRetirement();
}

function activeKeysToCandid(ring: KeyRing): ActiveKey[] {
  return ring.active.map((key) => ({ algorithm: key.alg, kid: key.jwk.kid }));
}

/** The one pending retirement timer: rescheduling replaces it rather than piling timers up. */
let retirementTimer: bigint | undefined;

/** Removes retired keys from the JWKS once every token they signed has expired. */
function scheduleRetirement(): void {
  if (retirementTimer !== undefined) clearTimer(retirementTimer);
  retirementTimer = undefined;
  const next = nextRetirementSeconds(storedKeyRing());
  if (next === undefined) return;
  retirementTimer = setTimer(Math.max(0, next - nowSeconds()), () => {
    retirementTimer = undefined;
    storeKeyRing(pruneRetired(storedKeyRing(), nowSeconds()));
    rebuildHttpResources();
    scheduleRetirement();
  });
}

function replyIssueError(error: IssueError): void {
  const counters = storedCounters();
  const rejections = { ...counters.rejections, [error.kind]: (counters.rejections[error.kind] ?? 0n) + 1n };
  storeCounters({ ...counters, rejections });
  msgReply(IDL.encode([IssueResultType], [{ Err: issueErrorToCandid(error) }]));
}

function decodeOrTrap<T>(decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    trap(error instanceof Error ? error.message : String(error));
  }
}

function nowMs(): number {
  return Number(time() / 1_000_000n);
}

function nowSeconds(): number {
  return Number(time() / 1_000_000_000n);
}
