// Calls jwt_issuer with the caller's agent, or with an agent made for the caller's identity. The
// types below are what the agents and identities of @dfinity/agent 3.4 and @icp-sdk/core 5/6 have
// in common.
import { Actor, HttpAgent, type Agent, type Identity } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';

import { idlFactory, type IssueOptions, type IssueResult, type _SERVICE as JwtIssuerService } from './candid/jwt_issuer.did.js';

export interface PrincipalLike {
  toText(): string;
}

/** An HttpAgent of @dfinity/agent 3.4 or of @icp-sdk/core 6, with the user's identity. */
export interface AgentLike {
  readonly rootKey: Uint8Array | null;
  getPrincipal(): Promise<PrincipalLike>;
  call(...args: never[]): Promise<unknown>;
  query(...args: never[]): Promise<unknown>;
  readState(...args: never[]): Promise<unknown>;
}

/** An identity of @dfinity/agent 3.4 or @icp-sdk/core 6 (e.g. AuthClient's getIdentity()). */
export interface IdentityLike {
  getPrincipal(): PrincipalLike;
  transformRequest(request: never): Promise<unknown>;
}

export interface Caller {
  /** Exactly one of agent and identity. */
  agent?: AgentLike;
  identity?: IdentityLike;
  /** With identity: the IC's HTTP interface. Default https://icp-api.io. */
  host?: string;
  /**
   * With identity: fetch the network's root key from `host` instead of using the IC's. Default:
   * only for local hosts (localhost, 127.0.0.1, [::1], *.localhost). Security: never on mainnet,
   * where a man in the middle could hand over a key of its own.
   */
  fetchRootKey?: boolean;
}

export const MAINNET_HOST = 'https://icp-api.io';

export function isLocalHost(host: string): boolean {
  const { hostname } = new URL(host);
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]' || hostname.endsWith('.localhost');
}

const agentsByIdentity = new WeakMap<IdentityLike, Map<string, Promise<AgentLike>>>();

/** The caller's agent: the one given, or one made (once per identity and host) for the identity given. */
export function callerAgent(caller: Caller): Promise<AgentLike> {
  if ((caller.agent === undefined) === (caller.identity === undefined)) {
    throw new TypeError('@ic-jwt/client: pass exactly one of agent and identity');
  }
  if (caller.agent !== undefined) return Promise.resolve(caller.agent);
  const identity = caller.identity!;
  const host = caller.host ?? MAINNET_HOST;
  const shouldFetchRootKey = caller.fetchRootKey ?? isLocalHost(host);
  const byHost = agentsByIdentity.get(identity) ?? new Map<string, Promise<AgentLike>>();
  agentsByIdentity.set(identity, byHost);
  const key = `${host} ${shouldFetchRootKey}`;
  let agent = byHost.get(key);
  if (agent === undefined) {
    agent = HttpAgent.create({ identity: identity as unknown as Identity, host, shouldFetchRootKey });
    // A failed creation (host unreachable) is not kept: the next call tries again.
    agent.catch(() => byHost.delete(key));
    byHost.set(key, agent);
  }
  return agent;
}

/** An agent of @icp-sdk/core 5 or later: it sends an update call and checks its certificate itself. */
interface UpdatingAgent extends AgentLike {
  update(
    canisterId: string,
    fields: { methodName: string; arg: Uint8Array; effectiveCanisterId: string; effectiveTarget: { canisterId: string } }
  ): Promise<{ reply: Uint8Array }>;
}

function isUpdatingAgent(agent: AgentLike): agent is UpdatingAgent {
  return typeof (agent as Partial<UpdatingAgent>).update === 'function';
}

const issueJwtMethod = (() => {
  const method = idlFactory({ IDL })._fields.find(([name]) => name === 'issue_jwt')?.[1];
  if (method === undefined) throw new Error('@ic-jwt/client: the bundled Candid interface has no issue_jwt');
  return method;
})();

/**
 * Calls `issue_jwt` through the agent's own library. Security: an @icp-sdk/core agent's update
 * call is left to that agent, which verifies the reply's certificate with its own rules (v4 sync
 * calls, delegations with sharded canister ranges). @dfinity/agent 3.4's Actor would re-verify it
 * with 3.4's rules and refuse a certificate delegated to an application subnet.
 */
export async function callIssueJwt(agent: AgentLike, canisterId: string, options: [] | [IssueOptions]): Promise<IssueResult> {
  if (!isUpdatingAgent(agent)) {
    const actor = Actor.createActor<JwtIssuerService>(idlFactory, { agent: agent as unknown as Agent, canisterId });
    return actor.issue_jwt(options);
  }
  const { reply } = await agent.update(canisterId, {
    methodName: 'issue_jwt',
    arg: new Uint8Array(IDL.encode(issueJwtMethod.argTypes, [options])),
    effectiveCanisterId: canisterId,
    effectiveTarget: { canisterId }
  });
  return IDL.decode(issueJwtMethod.retTypes, reply)[0] as unknown as IssueResult;
}
