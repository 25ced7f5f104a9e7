// Where the issuer's documents live, from either an issuer URL or a canister id and gateway.
import { UncertifiedKeySourceError, VerifierConfigError } from './errors.js';
import { isLocalHost, keySourceProblem, parseUrl } from './url_policy.js';

export const JWKS_PATH = '/.well-known/jwks.json';
export const DISCOVERY_PATH = '/.well-known/openid-configuration';
export const DEFAULT_GATEWAY_HOST = 'icp0.io';

const CANISTER_ID = /^[a-z2-7]{5}(-[a-z2-7]{5})*(-[a-z2-7]{1,5})?$/;
const BARE_HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?$/;

/** The canister's default issuer, whatever gateway its documents are fetched through. */
export function canisterIssuer(canisterId: string): string {
  return `https://${canisterId}.${DEFAULT_GATEWAY_HOST}`;
}

export function checkCanisterId(canisterId: string): void {
  if (canisterId.length > 63 || !CANISTER_ID.test(canisterId)) {
    throw new VerifierConfigError('canisterId', `expected a principal in text form like "bkyz2-fmaaa-aaaaa-qaaaq-cai"; got ${JSON.stringify(canisterId.slice(0, 70))}`);
  }
}

/**
 * The URL of a canister's document through a gateway:
 * - a host such as "icp0.io" or "ic0.app": https://<id>.<host><path>
 * - "http://localhost:<port>" or "http://<id>.localhost:<port>": http://<id>.localhost:<port><path>
 * - "http://127.0.0.1:<port>" (optionally with "/?canisterId=<id>"): http://127.0.0.1:<port><path>?canisterId=<id>
 * - "https://<host>": https://<id>.<host><path>
 */
export function canisterDocumentUrl(canisterId: string, gatewayHost: string, path: string): string {
  if (!gatewayHost.includes('://')) {
    if (!BARE_HOST.test(gatewayHost)) throw gatewayError(gatewayHost, 'is not a lowercase host name');
    return `https://${canisterId}.${gatewayHost}${path}`;
  }
  let url: URL;
  try {
    url = new URL(gatewayHost);
  } catch {
    throw gatewayError(gatewayHost, 'is not a URL');
  }
  const queryId = url.searchParams.get('canisterId');
  if (url.pathname !== '/' || url.hash !== '' || [...url.searchParams.keys()].some((key) => key !== 'canisterId')) {
    throw gatewayError(gatewayHost, 'may have no path, fragment or query other than ?canisterId=');
  }
  if (queryId !== null && queryId !== canisterId) throw gatewayError(gatewayHost, `names canister ${queryId}, not ${canisterId}`);
  const port = url.port === '' ? '' : `:${url.port}`;
  if (url.protocol === 'http:' && !isLocalHost(url.hostname)) {
    throw gatewayError(gatewayHost, 'may use plain http only for localhost, 127.0.0.1 and *.localhost');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw gatewayError(gatewayHost, 'must be http or https');
  if (url.hostname === '127.0.0.1' || url.hostname === '[::1]') {
    return `${url.protocol}//${url.hostname}${port}${path}?canisterId=${canisterId}`;
  }
  const host = url.hostname.startsWith(`${canisterId}.`) ? url.hostname.slice(canisterId.length + 1) : url.hostname;
  return `${url.protocol}//${canisterId}.${host}${port}${path}`;
}

/**
 * Security: keys fetched over plain http from a non-local host could be swapped in transit,
 * and keys fetched through a raw (uncertified) gateway could be swapped by one replica.
 */
export function checkFetchableUrl(option: string, value: string): void {
  const url = parseUrl(value);
  if (url === undefined) throw new VerifierConfigError(option, `is not an absolute URL: ${JSON.stringify(value.slice(0, 80))}`);
  const problem = keySourceProblem(url);
  if (problem === undefined) return;
  const cause = problem.uncertified ? new UncertifiedKeySourceError(`${url.href}: ${problem.reason}`) : undefined;
  throw new VerifierConfigError(option, `${JSON.stringify(value.slice(0, 80))} ${problem.reason}`, { cause });
}

function gatewayError(gatewayHost: string, reason: string): VerifierConfigError {
  return new VerifierConfigError('gatewayHost', `${JSON.stringify(gatewayHost.slice(0, 80))} ${reason}`);
}
