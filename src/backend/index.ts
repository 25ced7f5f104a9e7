// The jwt_issuer canister: a thin Azle adapter over the pure core in ./core.
import {
  canisterCycleBalance,
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
  UpdateConfigResultType,
  type CandidConfig,
  type CandidConfigInput,
  type CandidIssueOptions
} from './core/candid';
import { applyConfigInput, ConfigError, defaultConfig, type Config } from './core/config';
import { buildHttpResources, certifiedResponse, routeHttpRequest, type HttpResources } from './core/http';
import { completeIssuance, planIssuance } from './core/issuance';
import type { IssueError } from './core/issue_error';
import { activateKey, derivationPath, es256kSigningKey, nextRetirementSeconds, pruneRetired } from './core/key_ring';
import { describeCallFailure, ecdsaPublicKey, signWithEcdsa } from './management';
import {
  CURRENT_KEY_VERSION,
  pruneFullBuckets,
  storeBucket,
  storeConfig,
  storeCounters,
  storedBucket,
  storedConfig,
  storedCounters,
  storedGlobalWindow,
  storedKeyRing,
  storeGlobalWindow,
  storeKeyRing
} from './storage';

const KEY_FETCH_MAX_BACKOFF_SECONDS = 300;
const BUCKET_PRUNE_INTERVAL_SECONDS = 600;

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
      const signature = await signWithEcdsa(plan.key.keyName, plan.derivationPath, plan.digest, plan.fee);
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
  get_config(): CandidConfig {
    return configToCandid(currentConfig());
  }

  /** Controllers only. Fields left out keep their value. */
  @update([ConfigInputType], UpdateConfigResultType)
  update_config(input: CandidConfigInput): unknown {
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
    rebuildHttpResources();
    if (config.keyName !== before.keyName) setTimer(0, () => refreshSigningKey(0));
    return { Ok: configToCandid(config) };
  }

  @query([], MetricsType)
  metrics(): unknown {
    const counters = storedCounters();
    const active = storedKeyRing().active;
    return {
      tokens_issued: counters.tokensIssued,
      signatures_requested: counters.signaturesRequested,
      rejections: Object.entries(counters.rejections).map(([reason, count]) => ({ reason, count })),
      cycle_balance: canisterCycleBalance(),
      active_kid: active === null ? [] : [active.jwk.kid]
    };
  }

  @query([HttpRequestType], HttpResponseType)
  http_request(request: Parameters<typeof httpRequestFromCandid>[0]): unknown {
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
  setTimer(0, () => refreshSigningKey(0));
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

/** Fetches the public key for the configured key name, retrying with exponential back-off until it succeeds. */
async function refreshSigningKey(attempt: number): Promise<void> {
  const keyName = currentConfig().keyName;
  let publicKey: Uint8Array;
  try {
    publicKey = await ecdsaPublicKey(keyName, derivationPath('ES256K', CURRENT_KEY_VERSION));
  } catch (failure) {
    const delay = Math.min(2 ** attempt, KEY_FETCH_MAX_BACKOFF_SECONDS);
    const { rejectCode, message } = describeCallFailure(failure);
    console.log(`ecdsa_public_key for ${keyName} failed (reject code ${rejectCode}: ${message}); retrying in ${delay} s`);
    setTimer(delay, () => refreshSigningKey(attempt + 1));
    return;
  }
  const config = currentConfig();
  // The key name changed while we waited: a newer fetch is already scheduled.
  if (config.keyName !== keyName) return;
  const now = nowSeconds();
  const key = es256kSigningKey(keyName, CURRENT_KEY_VERSION, publicKey);
  storeKeyRing(pruneRetired(activateKey(storedKeyRing(), key, now, config.maxTtlSeconds), now));
  rebuildHttpResources();
  scheduleRetirement();
}

/** Removes retired keys from the JWKS once every token they signed has expired. */
function scheduleRetirement(): void {
  const next = nextRetirementSeconds(storedKeyRing());
  if (next === undefined) return;
  setTimer(Math.max(0, next - nowSeconds()), () => {
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
