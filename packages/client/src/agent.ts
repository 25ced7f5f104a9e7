// The jwt_issuer actor for the caller's agent or identity. @dfinity/agent 3.4's Actor drives both
// its own HttpAgent and @icp-sdk/core 6's (whose Actor needs the v6 agent's own API), so one
// Actor serves both; the types below are what each library's agent and identity have in common.
import { Actor, HttpAgent, type ActorSubclass, type Agent, type Identity } from '@dfinity/agent';

import { idlFactory, type _SERVICE as JwtIssuerService } from './candid/jwt_issuer.did.js';

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

export function jwtIssuerActor(agent: AgentLike, canisterId: string): ActorSubclass<JwtIssuerService> {
  return Actor.createActor<JwtIssuerService>(idlFactory, { agent: agent as unknown as Agent, canisterId });
}
