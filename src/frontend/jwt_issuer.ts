// The jwt_issuer canister through @dfinity/agent, as the logged-in user.
import { Actor, HttpAgent, type ActorSubclass, type Identity } from '@dfinity/agent';

import type { IssueError } from '../backend/core/issue_error';
import { idlFactory, type IssueOptions, type _SERVICE as JwtIssuerService } from '../declarations/jwt_issuer/jwt_issuer.did';
import type { IssuerAlgorithms } from './algorithm_choice';
import { shouldFetchRootKey, type FrontendConfig } from './config';
import { issueErrorFromCandid } from './issue_error';

/** The canister's interface, generated from src/backend/jwt_issuer.did (`npm run bindgen`). */
export { idlFactory };

/** expires_at is the token's exp: seconds since 1970. */
export type IssueOutcome = { ok: true; token: string; expiresAtSeconds: number; kid: string } | { ok: false; error: IssueError };

/** What the page needs of get_config: the tokens' iss and the algorithms it may offer. */
export interface IssuerSettings extends IssuerAlgorithms {
  issuer: string;
}

export interface JwtIssuer {
  /** issue_jwt with the canister's default audience and lifetime; its default algorithm unless one is named. */
  issueJwt(algorithm?: string): Promise<IssueOutcome>;
  /** get_config, a query. */
  settings(): Promise<IssuerSettings>;
}

/** Throws @dfinity/agent's errors (e.g. TransportError when the replica is unreachable). */
export async function connectJwtIssuer(identity: Identity, config: FrontendConfig): Promise<JwtIssuer> {
  const agent = await HttpAgent.create({ identity, host: config.host, shouldFetchRootKey: shouldFetchRootKey(config.host) });
  const actor: ActorSubclass<JwtIssuerService> = Actor.createActor<JwtIssuerService>(idlFactory, { agent, canisterId: config.canisterId });
  return {
    async issueJwt(algorithm) {
      const options: [] | [IssueOptions] = algorithm === undefined ? [] : [{ algorithm: [algorithm], audience: [], ttl_seconds: [], extra_claims: [] }];
      const result = await actor.issue_jwt(options);
      if ('Err' in result) return { ok: false, error: issueErrorFromCandid(result.Err) };
      return { ok: true, token: result.Ok.token, expiresAtSeconds: Number(result.Ok.expires_at), kid: result.Ok.kid };
    },
    async settings() {
      const config = await actor.get_config();
      return { issuer: config.issuer, enabled: config.algorithms, defaultAlgorithm: config.default_algorithm };
    }
  };
}
