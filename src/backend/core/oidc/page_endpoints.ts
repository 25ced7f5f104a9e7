// Where the authorization page finds the IC and the identity provider, from the origin it is
// served on. The page uses it to connect; the canister uses it for the page's CSP connect-src.

export interface PageEndpoints {
  canisterId: string;
  /** Where the agent sends its calls. */
  icHost: string;
  identityProvider: string;
  /** The local network's root key is fetched; mainnet's is built into the agent. */
  fetchRootKey: boolean;
}

const PRINCIPAL_TEXT = /^[a-z0-9]{5}(-[a-z0-9]{5}){3,9}(-[a-z0-9]{1,5})?$/;

export const MAINNET_IC_HOST = 'https://icp-api.io';
export const MAINNET_IDENTITY_PROVIDER = 'https://identity.internetcomputer.org';
const DEV_IDENTITY_PROVIDER_PATH = '/_/identity/';

/**
 * From the page's own origin (the issuer canister serves it at <canister-id>.<domain>):
 * - local network, http://<id>.localhost:<port>: the IC API and the dev identity provider live
 *   on http://localhost:<port> (the canister's own host sends every path to the canister);
 * - anywhere else: mainnet's API and Internet Identity.
 * Nothing comes from the query string: a link cannot send the user to another identity provider.
 */
export function endpointsFor(origin: string): PageEndpoints | undefined {
  // Parsed by hand: the canister (Azle's stable mode) has no URL class.
  const match = /^(https?):\/\/([a-z0-9-]+)((?:\.[a-z0-9-]+)*)(?::([0-9]{1,5}))?$/.exec(origin.toLowerCase());
  if (match === null) return undefined;
  const [, scheme, label, domain, port] = match;
  if (!PRINCIPAL_TEXT.test(label!)) return undefined;
  if (scheme === 'http' && domain === '.localhost') {
    const local = `http://localhost${port === undefined ? '' : `:${port}`}`;
    return { canisterId: label!, icHost: local, identityProvider: `${local}${DEV_IDENTITY_PROVIDER_PATH}`, fetchRootKey: true };
  }
  if (scheme !== 'https') return undefined;
  return { canisterId: label!, icHost: MAINNET_IC_HOST, identityProvider: MAINNET_IDENTITY_PROVIDER, fetchRootKey: false };
}

/** The scheme, host and port of a URL (which the config's issuer check keeps plain). */
export function originOf(url: string): string {
  return /^[a-z]+:\/\/[^/?#]*/i.exec(url)?.[0] ?? url;
}
