// The jwt_issuer canister as the logged-in user: tokens through @ic-jwt/client, the issuer's
// settings through get_config. One agent for both.
import { Actor, HttpAgent, type Identity } from '@dfinity/agent';
import { defaultTokenCache, getJwt, isIcJwtError, refreshJwt, type IcJwtError, type JwtAlgorithm } from '@ic-jwt/client';
import { idlFactory, type _SERVICE as JwtIssuerService } from '@ic-jwt/client/candid';

import type { IssuerAlgorithms } from './algorithm_choice';
import { shouldFetchRootKey, type FrontendConfig } from './config';

/** expiresAtSeconds is the token's exp: seconds since 1970. */
export type IssueOutcome = { ok: true; token: string; expiresAtSeconds: number; kid: string } | { ok: false; error: IcJwtError };

/** What the page needs of get_config: the tokens' iss and the algorithms it may offer. */
export interface IssuerSettings extends IssuerAlgorithms {
  issuer: string;
}

export interface IssueRequest {
  /** Default: the issuer's default algorithm. */
  algorithm?: JwtAlgorithm;
  /** A newly signed token even while the cached one is still good (the "New token" button). */
  fresh?: boolean;
}

export interface JwtIssuer {
  /** A token for the default audience and lifetime. Throws @dfinity/agent's errors when the call fails. */
  issueJwt(request?: IssueRequest): Promise<IssueOutcome>;
  /** get_config, a query. */
  settings(): Promise<IssuerSettings>;
}

/** Throws @dfinity/agent's errors (e.g. TransportError when the replica is unreachable). */
export async function connectJwtIssuer(identity: Identity, config: FrontendConfig): Promise<JwtIssuer> {
  const agent = await HttpAgent.create({ identity, host: config.host, shouldFetchRootKey: shouldFetchRootKey(config.host) });
  const actor = Actor.createActor<JwtIssuerService>(idlFactory, { agent, canisterId: config.canisterId });
  return {
    async issueJwt({ algorithm, fresh = false } = {}) {
      const options = { agent, canisterId: config.canisterId, ...(algorithm === undefined ? {} : { algorithm }) };
      try {
        const issued = await (fresh ? refreshJwt : getJwt)(options);
        return { ok: true, token: issued.token, expiresAtSeconds: issued.expiresAt, kid: issued.kid };
      } catch (error) {
        if (isIcJwtError(error)) return { ok: false, error };
        throw error;
      }
    },
    async settings() {
      const settings = await actor.get_config();
      return { issuer: settings.issuer, enabled: settings.algorithms, defaultAlgorithm: settings.default_algorithm };
    }
  };
}

/**
 * Security: at logout the tokens @ic-jwt/client holds in memory for this page go too, so the next
 * user of the browser tab cannot be handed them.
 */
export function forgetTokens(): void {
  defaultTokenCache.clear();
}
