// Where the page finds the jwt_issuer canister, the replica, the identity provider and the demo
// API. Pure: the adapter hands in the query string, the served config.json and the build-time env.
import { Principal } from '@dfinity/principal';

export interface FrontendConfig {
  /** The jwt_issuer canister. */
  canisterId: string;
  /** The IC HTTP interface the agent talks to, e.g. https://icp-api.io or http://127.0.0.1:4943. */
  host: string;
  /** Where auth-client opens the login window (it appends #authorize). */
  identityProvider: string;
  /** The demo API's base URL (GET <apiUrl>/api/whoami), or null to hide the demo. */
  apiUrl: string | null;
  /** Passed to the identity provider to derive principals for another origin of the same dapp. */
  derivationOrigin: string | null;
}

/** The fields of config.json and of the query string; every one optional. */
export const CONFIG_FIELDS = ['canisterId', 'host', 'identityProvider', 'apiUrl', 'derivationOrigin'] as const;

type ConfigField = (typeof CONFIG_FIELDS)[number];
type PartialConfig = Partial<Record<ConfigField, string>>;

/** Build-time variables (Vite's import.meta.env) for each field. */
export const BUILD_ENV_NAMES: Record<ConfigField, string> = {
  canisterId: 'VITE_JWT_ISSUER_CANISTER_ID',
  host: 'VITE_IC_HOST',
  identityProvider: 'VITE_IDENTITY_PROVIDER',
  apiUrl: 'VITE_DEMO_API_URL',
  derivationOrigin: 'VITE_DERIVATION_ORIGIN'
};

export const MAINNET_HOST = 'https://icp-api.io';
export const INTERNET_IDENTITY = 'https://identity.internetcomputer.org';

export interface ConfigSources {
  /** The page's own URL. */
  pageUrl: string;
  /** The parsed config.json the server provides, or undefined when there is none. */
  served: unknown;
  /** Vite's import.meta.env. */
  buildEnv: Record<string, unknown>;
}

export type ConfigResult = { ok: true; config: FrontendConfig } | { ok: false; problems: string[] };

/** localhost, 127.0.0.1, [::1] and *.localhost: the machine itself, where a dev replica runs. */
export function isLocalHostname(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]' || hostname.endsWith('.localhost');
}

export function isLocalUrl(url: string): boolean {
  try {
    return isLocalHostname(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * Security: only a local replica's root key may be fetched from the replica itself. A page that
 * fetched it from a remote host would trust whatever key that host (or anyone on the path) sent,
 * and with it every forged certificate; mainnet agents use the IC root key built into the agent.
 */
export function shouldFetchRootKey(host: string): boolean {
  return isLocalUrl(host);
}

function pickStrings(source: unknown, what: string, problems: string[]): PartialConfig {
  if (source === undefined) return {};
  if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    problems.push(`${what} must be a JSON object`);
    return {};
  }
  const picked: PartialConfig = {};
  for (const field of CONFIG_FIELDS) {
    const value = (source as Record<string, unknown>)[field];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') problems.push(`${what}: ${field} must be a string`);
    else picked[field] = value;
  }
  return picked;
}

function fromQuery(pageUrl: URL): PartialConfig {
  const picked: PartialConfig = {};
  for (const field of CONFIG_FIELDS) {
    const value = pageUrl.searchParams.get(field);
    if (value !== null && value !== '') picked[field] = value;
  }
  return picked;
}

function fromBuildEnv(buildEnv: Record<string, unknown>): PartialConfig {
  const picked: PartialConfig = {};
  for (const field of CONFIG_FIELDS) {
    const value = buildEnv[BUILD_ENV_NAMES[field]];
    if (typeof value === 'string' && value !== '') picked[field] = value;
  }
  return picked;
}

/** Checks an http(s) URL; plain http only for local hosts, since anyone on the path could rewrite it. */
function checkUrl(field: ConfigField, value: string, problems: string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`${field} is not an absolute URL: ${value}`);
    return value;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLocalHostname(url.hostname))) {
    problems.push(`${field} must use https (plain http only for localhost): ${value}`);
  }
  return value;
}

/**
 * Resolves the configuration. Precedence, highest first: query parameters (only on a local page),
 * the served config.json, build-time variables, then defaults (the page's own origin as host on a
 * local page, else icp-api.io; the real Internet Identity).
 */
export function resolveConfig(sources: ConfigSources): ConfigResult {
  const problems: string[] = [];
  const pageUrl = new URL(sources.pageUrl);
  const localPage = isLocalHostname(pageUrl.hostname);
  // Security: on a deployed page, a link with ?identityProvider=… or ?host=… could send the user
  // to a look-alike provider or replica; so the query string only configures pages on this machine.
  const query = localPage ? fromQuery(pageUrl) : {};
  const merged: PartialConfig = {
    ...fromBuildEnv(sources.buildEnv),
    ...pickStrings(sources.served, 'config.json', problems),
    ...query
  };

  const canisterId = merged.canisterId;
  if (canisterId === undefined) {
    problems.push(`no jwt_issuer canister id: set canisterId in config.json, ?canisterId= (local pages) or ${BUILD_ENV_NAMES.canisterId} at build time`);
  } else {
    try {
      Principal.fromText(canisterId);
    } catch {
      problems.push(`canisterId is not a principal: ${canisterId}`);
    }
  }
  const host = checkUrl('host', merged.host ?? (localPage ? pageUrl.origin : MAINNET_HOST), problems);
  const identityProvider = checkUrl('identityProvider', merged.identityProvider ?? INTERNET_IDENTITY, problems);
  const apiUrl = merged.apiUrl === undefined ? null : checkUrl('apiUrl', merged.apiUrl, problems).replace(/\/+$/, '');
  const derivationOrigin = merged.derivationOrigin ?? null;
  if (derivationOrigin !== null) checkUrl('derivationOrigin', derivationOrigin, problems);

  if (problems.length > 0 || canisterId === undefined) return { ok: false, problems };
  return { ok: true, config: { canisterId, host, identityProvider, apiUrl, derivationOrigin } };
}
