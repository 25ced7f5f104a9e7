// The jwt_issuer canister through @dfinity/agent, as the logged-in user.
import { Actor, HttpAgent, type ActorSubclass, type Identity } from '@dfinity/agent';
import type { IDL } from '@dfinity/candid';

import type { IssueError } from '../backend/core/issue_error';
import { IssueOptionsType, IssueResultType } from '../backend/core/candid';
import { shouldFetchRootKey, type FrontendConfig } from './config';
import { issueErrorFromCandid, type CandidIssueError } from './issue_error';

type CandidIssueResult = { Ok: { token: string; expires_at: bigint; kid: string } } | { Err: CandidIssueError };

interface JwtIssuerService {
  issue_jwt: (options: [] | [{ audience: [] | [string]; ttl_seconds: [] | [number]; extra_claims: [] | [string] }]) => Promise<CandidIssueResult>;
}

/** The part of src/backend/jwt_issuer.did this page calls, built from the canister's own Candid types. */
export const idlFactory: IDL.InterfaceFactory = ({ IDL }) =>
  IDL.Service({ issue_jwt: IDL.Func([IDL.Opt(IssueOptionsType)], [IssueResultType], []) });

/** expires_at is the token's exp: seconds since 1970. */
export type IssueOutcome = { ok: true; token: string; expiresAtSeconds: number; kid: string } | { ok: false; error: IssueError };

export interface JwtIssuer {
  /** issue_jwt with no options: the canister's default audience and lifetime. */
  issueJwt(): Promise<IssueOutcome>;
}

/** Throws @dfinity/agent's errors (e.g. TransportError when the replica is unreachable). */
export async function connectJwtIssuer(identity: Identity, config: FrontendConfig): Promise<JwtIssuer> {
  const agent = await HttpAgent.create({ identity, host: config.host, shouldFetchRootKey: shouldFetchRootKey(config.host) });
  const actor: ActorSubclass<JwtIssuerService> = Actor.createActor<JwtIssuerService>(idlFactory, { agent, canisterId: config.canisterId });
  return {
    async issueJwt() {
      const result = await actor.issue_jwt([]);
      if ('Err' in result) return { ok: false, error: issueErrorFromCandid(result.Err) };
      return { ok: true, token: result.Ok.token, expiresAtSeconds: Number(result.Ok.expires_at), kid: result.Ok.kid };
    }
  };
}
