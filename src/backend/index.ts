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
  performanceCounter,
  postUpgrade,
  query,
  setTimer,
  setTimerInterval,
  time,
  trap,
  update
} from 'azle';
// Before anything encodes text: see text_codec.ts.
import './text_codec';

import {
  ConfigInputType,
  ConfigType,
  configInputFromCandid,
  configToCandid,
  decodeHttpRequest,
  decodeOptionalArgument,
  AuthorizationRequestType,
  authorizationErrorToCandid,
  authorizationRequestFromCandid,
  AuthorizeResultType,
  CheckAuthorizationResultType,
  ClientResultType,
  encodeIssueResult,
  encodeIssuedJwtReply,
  encodeMetrics,
  HttpRequestType,
  httpRequestFromCandid,
  HttpUpdateRequestType,
  OidcClientType,
  oidcClientFromCandid,
  oidcClientToCandid,
  HttpResponseType,
  httpResponseToCandid,
  IssueOptionsType,
  issueOptionsFromCandid,
  IssueResultType,
  issueErrorToCandid,
  signingKeyStatusToCandid,
  MetricsType,
  RotateKeysResultType,
  UpdateConfigResultType,
  type CandidAuthorizationRequest,
  type CandidConfigInput,
  type CandidOidcClient
} from './core/candid';
import { authorizationErrorRedirect, codeRedirect, validateAuthorization, type AuthorizationError, type AuthorizationErrorCode } from './core/oidc/authorization';
import { CLIENT_BOUNDS, ClientError, isClientId, validateClient, type OidcClient } from './core/oidc/clients';
import { codeStorageKey, encodeCode, MAX_LIVE_CODES, storedCode } from './core/oidc/codes';
import { TOKEN_PATH } from './core/oidc/endpoints';
import { JWKS_PATH } from './core/well_known';
import { completeLogin, planLogin } from './core/oidc/login_tokens';
import { checkRedemption, parseTokenRequest, type TokenError } from './core/oidc/token_request';
import { NOT_AN_UPDATE_ENDPOINT, tokenErrorResponse, tokenResponse } from './core/oidc/token_responses';
import { canonicalRequestPath } from './core/certification';
import { decodeIssueOptions } from './core/issue_options_candid';
import { CODE_ENTROPY_POOL_MAX } from './core/stable_schema';
import { applyConfigInput, ConfigError, defaultConfig, type Config } from './core/config';
// The replies' types come from the contract, src/backend/jwt_issuer.did (types only: nothing of it is bundled).
import type {
  ActiveKey,
  Config as CandidConfigReply,
  HttpRequest as CandidHttpRequest,
  HttpUpdateRequest as CandidHttpUpdateRequest,
  HttpResponse as CandidHttpResponse,
  AuthorizeResult,
  CheckAuthorizationResult,
  ClientResult,
  Metrics,
  RotateKeysResult,
  UpdateConfigResult
} from '../declarations/jwt_issuer/jwt_issuer.did';
import { InstructionStats } from './core/instruction_stats';
import { markPhase, printPhases } from './phase_marks';
import { buildHttpResources, decodeAuthorizePage, encodeHttpReply, type HttpResources } from './core/http';
import { nativeCandidBlobBytes } from './native_bytes';
import { ANONYMOUS_PRINCIPAL, completeIssuanceBytes, planIssuance } from './core/issuance';
import type { JwsAlgorithm } from './core/algorithms';
import type { IssueError } from './core/issue_error';
import {
  activeKey,
  advanceKeyRing,
  derivationPath,
  introduceKey,
  newestKey,
  nextKeyRingEventSeconds,
  recordSignedExpiry,
  retireDisabled,
  signingKey,
  type KeyRing,
  type SigningKey
} from './core/key_ring';
import type { KeyName } from './core/fees';
import { isLeaseHeld, newLease } from './core/rotation_lease';
import { statusOf, type SigningKeyStatus } from './core/signing_key_status';
import { describeCallFailure, ecdsaPublicKey, ed25519PublicKey, rawRand, signWithEcdsa, signWithEd25519 } from './management';
import {
  addCodeEntropy,
  clientCount,
  codeEntropyCount,
  liveCodeCount,
  pruneCodePage,
  removeClient,
  removeCode,
  storeClient,
  storeCode,
  storedClient,
  storedClients,
  storedCodeAt,
  storedPairwiseSalt,
  storePairwiseSaltOnce,
  takeCodeEntropy,
  migrateStableSchema,
  pruneBucketPage,
  releaseRotationLease,
  storeBucket,
  storeConfig,
  storeCounters,
  storedBucket,
  storedConfig,
  storedCounters,
  storedGlobalWindow,
  storedJtiSeed,
  storeJtiSeed,
  storedKeyRing,
  storedKeyVersion,
  storedRotationLease,
  storeGlobalWindow,
  storeKeyRing,
  storeKeyVersion,
  storeRotationLease,
  storeSchemaVersion
} from './storage';

decodeAuthorizePage(nativeCandidBlobBytes);

const KEY_FETCH_MAX_BACKOFF_SECONDS = 300;
const BUCKET_PRUNE_INTERVAL_SECONDS = 600;
/** Each pruning message looks at this many buckets at most; the next page follows a second later. */
const BUCKET_PRUNE_PAGE_SIZE = 500;
const JTI_SEED_REFRESH_SECONDS = 3600;
const CODE_PRUNE_INTERVAL_SECONDS = 60;
const CODE_PRUNE_PAGE_SIZE = 500;

/** Per algorithm, how fetching the configured key went. Heap: every upgrade starts a fetch again. */
const signingKeyStatuses = new Map<JwsAlgorithm, SigningKeyStatus>();

/** The served documents, rebuilt whenever config or keys change (never lazily in a query: query heap changes are discarded). */
let httpResources: HttpResources | undefined;

/** What messages cost, for `metrics` (heap: counts since the last install or upgrade). */
const instructionStats = new InstructionStats();

export default class JwtIssuer {
  @init([IDL.Opt(ConfigInputType)], { manual: true })
  init(): void {
    markPhase('entered');
    storeSchemaVersion();
    configure(defaultConfig(canisterSelf().toText()));
    instructionStats.record('canister_init', performanceCounter(0));
    printPhases('canister_init');
  }

  @postUpgrade([IDL.Opt(ConfigInputType)], { manual: true })
  postUpgrade(): void {
    markPhase('entered');
    // First: validate and migrate what the previous release stored; a value it cannot read traps here.
    migrateStableSchema(nowSeconds());
    // No reply handler of the previous code can run any more, so its rotation (if any) is over.
    releaseRotationLease();
    markPhase('migrated');
    configure(storedConfig() ?? defaultConfig(canisterSelf().toText()));
    instructionStats.record('canister_post_upgrade', performanceCounter(0));
    printPhases('canister_post_upgrade');
  }

  /** Issues a JWT for the caller. Callable with no argument at all. */
  @update([IDL.Opt(IssueOptionsType)], IssueResultType, { manual: true })
  async issue_jwt(): Promise<void> {
    markPhase('entered');
    const caller = msgCaller().toText();
    const options = issueOptionsFromCandid(decodeOrTrap(() => decodeIssueOptions(msgArgData())));
    markPhase('decoded');
    // The seed is fetched at install, upgrade and hourly; only a call racing the first fetch waits here.
    const jtiSeed = storedJtiSeed() ?? (await refreshJtiSeed());
    const counters = storedCounters();
    const keyRing = keyRingNow();
    const config = currentConfig();
    const callerBucket = storedBucket(caller);
    const globalWindow = storedGlobalWindow();
    markPhase('read');
    const planned = planIssuance({
      config,
      keyRing,
      caller,
      options,
      nowNanos: time(),
      cycleBalance: canisterCycleBalance(),
      callerBucket,
      globalWindow,
      sequence: counters.signaturesRequested,
      jtiSeed,
      signingKeyStatuses
    });
    if (!planned.ok) return replyIssueError(planned.error);
    const plan = planned.value;
    markPhase('planned');

    // Committed before the paid call: the spend counts even if signing fails.
    storeBucket(caller, plan.callerBucket);
    storeGlobalWindow(plan.globalWindow);
    storeCounters({ ...counters, signaturesRequested: plan.sequence });
    // Also before the call: the key stays in the JWKS until this token has expired, whatever the ring does meanwhile.
    if (plan.expiresAt > plan.key.latestExpSeconds) storeKeyRing(recordSignedExpiry(keyRing, plan.key.jwk.kid, plan.expiresAt));

    let issued;
    try {
      const sign = plan.key.alg === 'ES256K' ? signWithEcdsa : signWithEd25519;
      markPhase('stored');
      const signing = sign(plan.key.keyName, plan.derivationPath, plan.message, plan.fee);
      markPhase('sent');
      printPhases(`issue_jwt ${plan.key.alg} request`);
      const signature = await signing;
      markPhase('resumed');
      issued = completeIssuanceBytes(plan, signature);
      markPhase('completed');
    } catch (failure) {
      const { rejectCode, message } = describeCallFailure(failure);
      return replyIssueError({ kind: 'SigningFailed', rejectCode, message });
    }
    const after = storedCounters();
    storeCounters({ ...after, tokensIssued: after.tokensIssued + 1n });
    markPhase('stored');
    const reply = encodeIssuedJwtReply(issued);
    markPhase('encoded');
    msgReply(reply);
    markPhase('replied');
    instructionStats.record(`issue_jwt ${plan.key.alg}`, performanceCounter(1));
    printPhases(`issue_jwt ${plan.key.alg} reply`);
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
    let config: Config;
    try {
      config = applyConfigInput(currentConfig(), configInputFromCandid(input));
    } catch (error) {
      if (error instanceof ConfigError) return { Err: { InvalidConfig: { field: error.field, reason: error.reason } } };
      throw error;
    }
    storeConfig(config);
    // A disabled algorithm's key leaves the active set now; its tokens stay verifiable until they expire.
    commitKeyRing(retireDisabled(keyRingNow(), config.algorithms));
    setTimer(0, () => refreshSigningKeys(0));
    instructionStats.record('update_config', performanceCounter(0));
    return { Ok: configToCandid(config) };
  }

  /**
   * Controllers only. Moves every enabled algorithm to a new key (the next key version, so a
   * new derivation path and kid). The new keys are published at once and sign from
   * KEY_PREPUBLICATION_SECONDS later (see key_ring.ts); the previous ones stay in the JWKS
   * until every token they signed has expired. Nothing changes unless every new public key
   * was fetched.
   */
  @update([], RotateKeysResultType)
  async rotate_keys(): Promise<RotateKeysResult> {
    const caller = msgCaller();
    if (!isController(caller)) return { Err: { NotController: { caller } } };
    const now = nowSeconds();
    if (isLeaseHeld(storedRotationLease(), now) || keyRingNow().pending.length > 0) return { Err: { RotationInProgress: null } };
    const lease = newLease(now);
    storeRotationLease(lease);
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
      // The config changed, or a rotation that took over an expired lease finished, while we waited.
      if (currentConfig().keyName !== config.keyName || storedKeyVersion() !== version - 1) {
        return { Err: { RotationInProgress: null } };
      }
      storeKeyVersion(version);
      const ring = introduceKeys(fetched);
      return { Ok: { key_version: version, active_keys: activeKeysToCandid(ring), pending_keys: pendingKeysToCandid(ring) } };
    } finally {
      // Only our own lease: after it expired another rotation may hold a new one.
      if (storedRotationLease()?.expiresAtSeconds === lease.expiresAtSeconds) releaseRotationLease();
      instructionStats.record('rotate_keys', performanceCounter(1));
    }
  }

  /** Replied by hand with a prebuilt type table (see candidReplyEncoder): the encoding was most of this query's cost. */
  @query([], MetricsType, { manual: true })
  metrics(): void {
    decodeOrTrap(() => IDL.decode([], msgArgData()));
    const counters = storedCounters();
    const config = currentConfig();
    // A query cannot store the ring; it shows it as the next update will find it.
    const ring = advanceKeyRing(storedKeyRing(), nowSeconds());
    const active = activeKey(ring, config.defaultAlgorithm) ?? null;
    const metrics: Metrics = {
      tokens_issued: counters.tokensIssued,
      signatures_requested: counters.signaturesRequested,
      rejections: Object.entries(counters.rejections).map(([reason, count]) => ({ reason, count })),
      cycle_balance: canisterCycleBalance(),
      active_kid: active === null ? [] : [active.jwk.kid],
      key_version: storedKeyVersion(),
      active_keys: activeKeysToCandid(ring),
      pending_keys: pendingKeysToCandid(ring),
      signing_keys: config.algorithms.map((alg) => ({ algorithm: alg, status: signingKeyStatusToCandid(statusOf(signingKeyStatuses, alg)) })),
      authorization_codes: BigInt(liveCodeCount()),
      instructions: [...instructionStats.entries().map(([message, stat]) => ({ message, ...stat })), jwksReplyInstructions()]
    };
    msgReply(encodeMetrics(metrics));
  }

  /**
   * The token endpoint, reached through the gateway's upgrade of POST /token. Security: the code
   * is removed from stable memory before the first signature is requested, and stays removed
   * whatever happens next. While the signatures are awaited other messages run; a code still
   * stored then could be exchanged a second time. A login whose signing fails starts over.
   */
  @update([HttpUpdateRequestType], HttpResponseType)
  async http_request_update(request: CandidHttpUpdateRequest): Promise<CandidHttpResponse> {
    const { url, method, headers, body } = httpRequestFromCandid(request);
    if (method !== 'POST' || canonicalRequestPath(url) !== TOKEN_PATH) return httpResponseToCandid(tokenErrorResponse(NOT_AN_UPDATE_ENDPOINT));
    const contentType = headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1];
    const parsed = parseTokenRequest(contentType, body);
    if (!parsed.ok) return refuseToken(parsed.error);
    const tokenRequest = parsed.value;

    // Fetched at install and upgrade; only a request racing the first fetch waits here.
    const jtiSeed = storedJtiSeed() ?? (await refreshJtiSeed());
    const pairwiseSalt = storedPairwiseSalt() ?? (await fetchPairwiseSalt());

    const client = isClientId(tokenRequest.clientId) ? storedClient(tokenRequest.clientId) : undefined;
    const key = codeStorageKey(tokenRequest.code);
    const redeemed = checkRedemption(tokenRequest, client, storedCodeAt(key), nowMs());
    if (!redeemed.ok) {
      // Security: a code shown with the wrong client, redirect URI or verifier is in the wrong
      // hands (or a broken client's): it is spent, so it cannot be tried again.
      removeCode(key);
      return refuseToken(redeemed.error);
    }
    const code = redeemed.value;
    const counters = storedCounters();
    const keyRing = keyRingNow();
    const planned = planLogin({
      config: currentConfig(),
      keyRing,
      client: client!,
      code,
      nowNanos: time(),
      cycleBalance: canisterCycleBalance(),
      userBucket: storedBucket(code.principal),
      globalWindow: storedGlobalWindow(),
      sequence: counters.signaturesRequested,
      jtiSeed,
      pairwiseSalt
    });
    // Refused by the issuer (key not ready, cycles, rate limits): nothing was spent, the code stays valid until it expires.
    if (!planned.ok) return refuseToken(planned.error);
    const plan = planned.value;

    removeCode(key);
    storeBucket(code.principal, plan.userBucket);
    storeGlobalWindow(plan.globalWindow);
    storeCounters({ ...counters, signaturesRequested: plan.sequence });
    if (plan.expiresAt > plan.key.latestExpSeconds) storeKeyRing(recordSignedExpiry(keyRing, plan.key.jwk.kid, plan.expiresAt));

    let signatures: Uint8Array[];
    try {
      const sign = plan.key.alg === 'ES256K' ? signWithEcdsa : signWithEd25519;
      signatures = await Promise.all([plan.idToken, plan.accessToken].map((part) => sign(plan.key.keyName, plan.derivationPath, part.message, plan.fee)));
    } catch (failure) {
      const { rejectCode, message } = describeCallFailure(failure);
      return refuseToken({ error: 'server_error', description: `signing failed (reject code ${rejectCode}: ${message}); start the login again`, status: 500 });
    }
    const tokens = completeLogin(plan, signatures[0]!, signatures[1]!);
    const after = storedCounters();
    storeCounters({ ...after, tokensIssued: after.tokensIssued + 2n });
    return httpResponseToCandid(tokenResponse(tokens));
  }

  /** Controllers only. Registers a client, or replaces the one with its client_id. */
  @update([OidcClientType], ClientResultType)
  register_client(input: CandidOidcClient): ClientResult {
    const caller = msgCaller();
    if (!isController(caller)) return { Err: { NotController: { caller } } };
    let client: OidcClient;
    try {
      client = validateClient(oidcClientFromCandid(input), currentConfig().algorithms);
    } catch (error) {
      if (error instanceof ClientError) return { Err: { InvalidClient: { field: error.field, reason: error.reason } } };
      throw error;
    }
    if (storedClient(client.clientId) === undefined && clientCount() >= CLIENT_BOUNDS.clientsMax) {
      return { Err: { TooManyClients: { max: CLIENT_BOUNDS.clientsMax } } };
    }
    storeClient(client);
    return { Ok: null };
  }

  /** Controllers only. Codes already given to the client fail at the token endpoint (unknown client). */
  @update([IDL.Text], ClientResultType)
  remove_client(clientId: string): ClientResult {
    const caller = msgCaller();
    if (!isController(caller)) return { Err: { NotController: { caller } } };
    if (!isClientId(clientId) || !removeClient(clientId)) return { Err: { UnknownClient: { client_id: clientId.slice(0, 64) } } };
    return { Ok: null };
  }

  @query([], IDL.Vec(OidcClientType))
  list_clients(): CandidOidcClient[] {
    return storedClients().map(oidcClientToCandid);
  }

  /** The authorization page checks the request with this before the user logs in. */
  @query([AuthorizationRequestType], CheckAuthorizationResultType)
  check_authorization(input: CandidAuthorizationRequest): CheckAuthorizationResult {
    const checked = validateAuthorization(authorizationRequestFromCandid(input), findClient, currentConfig().issuer);
    if (!checked.ok) return { Err: authorizationErrorToCandid(checked.error) };
    return { Ok: { client_id: checked.value.client.clientId } };
  }

  /** As the logged-in user: a one-time code for the client, in the redirect to take the user back. */
  @update([AuthorizationRequestType], AuthorizeResultType)
  async authorize(input: CandidAuthorizationRequest): Promise<AuthorizeResult> {
    const caller = msgCaller().toText();
    const issuer = currentConfig().issuer;
    const checked = validateAuthorization(authorizationRequestFromCandid(input), findClient, issuer);
    if (!checked.ok) return refuseAuthorization(checked.error);
    const authorization = checked.value;
    const refuse = (error: AuthorizationErrorCode, description: string) =>
      refuseAuthorization(authorizationErrorRedirect(authorization.redirectUri, issuer, error, description, authorization.state));
    // Security: the anonymous principal is everyone; a code for it would log in no one in particular.
    if (caller === ANONYMOUS_PRINCIPAL) return refuse('access_denied', 'log in first: the anonymous principal cannot sign in');
    if (liveCodeCount() >= MAX_LIVE_CODES) return refuse('temporarily_unavailable', 'too many logins under way; try again in a minute');

    // Usually from the pool (no extra round); when it is empty, this call waits for raw_rand.
    let entropy = takeCodeEntropy();
    if (entropy === undefined) {
      try {
        entropy = await rawRand();
      } catch (failure) {
        const { rejectCode, message } = describeCallFailure(failure);
        return refuse('temporarily_unavailable', `no randomness for the code (reject code ${rejectCode}: ${message})`);
      }
    }
    setTimer(0, () => void refillCodeEntropy());
    const code = encodeCode(entropy);
    storeCode(codeStorageKey(code), storedCode(authorization, caller, nowMs()));
    return { Ok: { redirect_to: codeRedirect(authorization, code, issuer) } };
  }

  /** Decoded and replied by hand: the reply is mostly prebuilt (see core/http_reply.ts). */
  @query([HttpRequestType], HttpResponseType, { manual: true })
  http_request(): void {
    markPhase('entered');
    const { url, method } = decodeOrTrap(() => decodeHttpRequest(msgArgData()));
    markPhase('decoded');
    // The data certificate exists in non-replicated queries only (not when http_request is called as an update).
    const reply = encodeHttpReply(resources(), { url, method }, dataCertificate());
    markPhase('encoded');
    msgReply(reply);
    markPhase('replied');
    printPhases('http_request');
  }

}

/** A query cannot record what it cost: this one serves the JWKS reply to itself and measures that. */
function jwksReplyInstructions(): Metrics['instructions'][number] {
  const before = performanceCounter(0);
  encodeHttpReply(resources(), { method: 'GET', url: JWKS_PATH }, dataCertificate());
  const spent = performanceCounter(0) - before;
  return { message: 'http_request jwks reply', count: 1n, last: spent, max: spent, total: spent };
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
  markPhase('configured');
  storeConfig(config);
  markPhase('stored');
  rebuildHttpResources();
  markPhase('certified');
  // Timers do not survive upgrades: start them again.
  setTimer(0, () => refreshSigningKeys(0));
  scheduleKeyRingEvent();
  setTimerInterval(BUCKET_PRUNE_INTERVAL_SECONDS, () => {
    if (!pruningRound) pruneBuckets();
  });
  setTimer(0, () => void refreshJtiSeed());
  setTimerInterval(JTI_SEED_REFRESH_SECONDS, () => void refreshJtiSeed());
  setTimer(0, () => void fetchPairwiseSalt());
  setTimer(0, () => void refillCodeEntropy());
  setTimerInterval(CODE_PRUNE_INTERVAL_SECONDS, () => {
    if (!codePruningRound) pruneCodes();
  });
}

let codePruningRound = false;

function pruneCodes(): void {
  codePruningRound = !pruneCodePage(nowMs(), CODE_PRUNE_PAGE_SIZE).done;
  if (codePruningRound) setTimer(1, pruneCodes);
}

/** Set while raw_rand calls for the code entropy pool are under way. */
let refillingCodeEntropy = false;

/** Fills the pool of raw_rand outputs that authorize turns into codes, one call per missing output, in parallel. */
async function refillCodeEntropy(): Promise<void> {
  if (refillingCodeEntropy) return;
  refillingCodeEntropy = true;
  try {
    const missing = CODE_ENTROPY_POOL_MAX - codeEntropyCount();
    if (missing > 0) addCodeEntropy(await Promise.all(Array.from({ length: missing }, () => rawRand())));
  } catch (failure) {
    const { rejectCode, message } = describeCallFailure(failure);
    console.log(`raw_rand for authorization codes failed (reject code ${rejectCode}: ${message})`);
  } finally {
    refillingCodeEntropy = false;
  }
}

/** The pairwise salt: drawn once from raw_rand, then kept for good (see core/oidc/pairwise.ts). */
async function fetchPairwiseSalt(): Promise<Uint8Array | undefined> {
  const stored = storedPairwiseSalt();
  if (stored !== undefined) return stored;
  try {
    return storePairwiseSaltOnce(await rawRand());
  } catch (failure) {
    const { rejectCode, message } = describeCallFailure(failure);
    console.log(`raw_rand for the pairwise salt failed (reject code ${rejectCode}: ${message})`);
    return storedPairwiseSalt();
  }
}

function findClient(clientId: string): OidcClient | undefined {
  return isClientId(clientId) ? storedClient(clientId) : undefined;
}

/** Counts a refusal by its RFC error code, per endpoint. */
function countRejection(reason: string): void {
  const counters = storedCounters();
  storeCounters({ ...counters, rejections: { ...counters.rejections, [reason]: (counters.rejections[reason] ?? 0n) + 1n } });
}

function refuseToken(error: TokenError): CandidHttpResponse {
  countRejection(`token:${error.error}`);
  return httpResponseToCandid(tokenErrorResponse(error));
}

function refuseAuthorization(error: AuthorizationError): AuthorizeResult {
  countRejection(`authorize:${error.error}`);
  return { Err: authorizationErrorToCandid(error) };
}

/** Set while a pruning round is under way, so the interval never starts a second one beside it. */
let pruningRound = false;

/** One bounded page per message, until every bucket was looked at once. */
function pruneBuckets(): void {
  const before = performanceCounter(0);
  pruningRound = !pruneBucketPage(currentConfig(), nowMs(), BUCKET_PRUNE_PAGE_SIZE).done;
  instructionStats.record('bucket_prune_page', performanceCounter(0) - before);
  if (pruningRound) setTimer(1, pruneBuckets);
}

/** A fresh jti seed from raw_rand; undefined (and the previous seed kept) when the call fails. */
async function refreshJtiSeed(): Promise<Uint8Array | undefined> {
  try {
    const seed = await rawRand();
    storeJtiSeed(seed);
    return seed;
  } catch (failure) {
    const { rejectCode, message } = describeCallFailure(failure);
    console.log(`raw_rand for the jti seed failed (reject code ${rejectCode}: ${message})`);
    return storedJtiSeed();
  }
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
function rebuildHttpResources(ring: KeyRing = storedKeyRing()): void {
  httpResources = buildHttpResources(currentConfig(), ring);
  certifiedDataSet(httpResources.certification.rootHash);
}

function fetchPublicKey(alg: JwsAlgorithm, keyName: KeyName, keyVersion: number): Promise<Uint8Array> {
  const path = derivationPath(alg, keyVersion);
  return alg === 'ES256K' ? ecdsaPublicKey(keyName, path) : ed25519PublicKey(keyName, path);
}

/**
 * Fetches the public key of every enabled algorithm whose configured key (key name, current
 * key version) is neither active nor pending, retrying failures with exponential back-off.
 */
async function refreshSigningKeys(attempt: number): Promise<void> {
  const { keyName, algorithms } = currentConfig();
  const version = storedKeyVersion();
  const ring = keyRingNow();
  const missing = algorithms.filter((alg) => {
    const key = newestKey(ring, alg);
    return key === undefined || key.keyName !== keyName || key.keyVersion !== version;
  });
  for (const alg of algorithms) {
    if (!missing.includes(alg)) signingKeyStatuses.set(alg, { kind: 'Ready' });
    else if (statusOf(signingKeyStatuses, alg).kind !== 'Failed') signingKeyStatuses.set(alg, { kind: 'Fetching' });
  }
  const delay = Math.min(2 ** attempt, KEY_FETCH_MAX_BACKOFF_SECONDS);
  const fetched: SigningKey[] = [];
  let failed = false;
  for (const alg of missing) {
    try {
      fetched.push(signingKey(alg, keyName, version, await fetchPublicKey(alg, keyName, version)));
    } catch (failure) {
      failed = true;
      const { rejectCode, message } = describeCallFailure(failure);
      signingKeyStatuses.set(alg, { kind: 'Failed', rejectCode, message, attempts: attempt + 1, nextRetryAtSeconds: nowSeconds() + delay });
      console.log(`public key for ${alg} under ${keyName} failed (reject code ${rejectCode}: ${message}); retrying in ${delay} s`);
    }
  }
  // The key name or version changed while we waited: a newer fetch is already under way.
  if (currentConfig().keyName !== keyName || storedKeyVersion() !== version) return;
  introduceKeys(fetched);
  for (const key of fetched) signingKeyStatuses.set(key.alg, { kind: 'Ready' });
  if (failed) setTimer(delay, () => refreshSigningKeys(attempt + 1));
}

/** Brings in fetched keys (see introduceKey), retires disabled algorithms, and re-certifies. Returns the stored ring. */
function introduceKeys(keys: SigningKey[]): KeyRing {
  const now = nowSeconds();
  let ring = keyRingNow();
  for (const key of keys) ring = introduceKey(ring, key, now);
  ring = retireDisabled(ring, currentConfig().algorithms);
  commitKeyRing(ring);
  return ring;
}

/** The stored ring with due activations and removals applied (a timer may not have run yet). */
function keyRingNow(): KeyRing {
  const ring = storedKeyRing();
  const advanced = advanceKeyRing(ring, nowSeconds());
  if (advanced === ring) return ring;
  commitKeyRing(advanced);
  return advanced;
}

/** Stores the ring, re-certifies the served documents and arms the timer for its next event. */
function commitKeyRing(ring: KeyRing): void {
  storeKeyRing(ring);
  rebuildHttpResources(ring);
  scheduleKeyRingEvent(ring);
}

function activeKeysToCandid(ring: KeyRing): ActiveKey[] {
  return ring.active.map((key) => ({ algorithm: key.alg, kid: key.jwk.kid }));
}

function pendingKeysToCandid(ring: KeyRing): { algorithm: string; kid: string; activates_at: bigint }[] {
  return ring.pending.map((entry) => ({ algorithm: entry.key.alg, kid: entry.key.jwk.kid, activates_at: BigInt(entry.activateAtSeconds) }));
}

/** When the earliest armed key-ring timer fires (heap: timers do not survive upgrades). */
let keyRingTimerAtSeconds: number | undefined;

/**
 * Arms a timer for the ring's next event (a pending key activates, a retired key leaves), from
 * what is stored: post_upgrade calls it too. Timers are never cleared (Azle 0.33's clearTimer
 * on an armed timer traps with "already borrowed: BorrowMutError"); a timer that finds nothing
 * due does nothing, and only an earlier event arms another one.
 */
function scheduleKeyRingEvent(ring: KeyRing = storedKeyRing()): void {
  const next = nextKeyRingEventSeconds(ring);
  if (next === undefined || (keyRingTimerAtSeconds !== undefined && keyRingTimerAtSeconds <= next)) return;
  keyRingTimerAtSeconds = next;
  setTimer(Math.max(0, next - nowSeconds()), () => {
    if (keyRingTimerAtSeconds === next) keyRingTimerAtSeconds = undefined;
    keyRingNow();
    scheduleKeyRingEvent();
  });
}

function replyIssueError(error: IssueError): void {
  const counters = storedCounters();
  const rejections = { ...counters.rejections, [error.kind]: (counters.rejections[error.kind] ?? 0n) + 1n };
  storeCounters({ ...counters, rejections });
  msgReply(encodeIssueResult({ Err: issueErrorToCandid(error) }));
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
