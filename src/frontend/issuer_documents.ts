// Where the issuer's public documents are, as links someone trying the page can open, curl or
// hand to a verifier. Pure.
import { isLocalUrl, type FrontendConfig } from './config';

/** The paths the canister serves (and the OpenID discovery spec fixes for the second one). */
export const JWKS_PATH = '/.well-known/jwks.json';
export const DISCOVERY_PATH = '/.well-known/openid-configuration';

export interface IssuerDocuments {
  /** The public keys (JWK Set) that verify the tokens. */
  jwksUrl: string;
  /** The OpenID discovery document: issuer, jwks_uri, algorithms. */
  discoveryUrl: string;
}

/**
 * On a local replica the gateway's `?canisterId=` form: `<id>.localhost` names resolve in
 * browsers and curl but not in Python or Node, and the snippets must run in all of them.
 * Elsewhere the issuer's own URLs, which are what its discovery document names.
 */
export function issuerDocuments(config: Pick<FrontendConfig, 'canisterId' | 'host'>, issuer: string): IssuerDocuments {
  if (isLocalUrl(config.host)) {
    const local = (path: string): string => {
      const url = new URL(path, config.host);
      url.searchParams.set('canisterId', config.canisterId);
      return url.toString();
    };
    return { jwksUrl: local(JWKS_PATH), discoveryUrl: local(DISCOVERY_PATH) };
  }
  return { jwksUrl: `${issuer}${JWKS_PATH}`, discoveryUrl: `${issuer}${DISCOVERY_PATH}` };
}
