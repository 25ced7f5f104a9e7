// The built jwt_issuer on an in-process local IC, over HTTP, as the package tests use it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Actor, HttpAgent } from '@dfinity/agent';
import { idlFactory, type _SERVICE as JwtIssuerService } from '@ic-jwt/client/candid';

import { startLocalNetwork } from '../../../packages/local-ic/src/network/local_network';
import { deployJwtIssuer } from '../../../src/dev_network/deploy_jwt_issuer';
import { jwtIssuerWasm } from '../../integration/harness/jwt_issuer';

export interface IssuerNetwork {
  /** The IC HTTP interface, http://127.0.0.1:<port>. */
  readonly host: string;
  readonly canisterId: string;
  readonly issuer: string;
  readonly jwksUrl: string;
  /** Tokens the canister has signed so far. */
  tokensIssued(): Promise<number>;
  close(): Promise<void>;
}

export async function startIssuerNetwork(): Promise<IssuerNetwork> {
  const stateDirectory = mkdtempSync(join(tmpdir(), 'ic-jwt-packages-'));
  const network = await startLocalNetwork({ port: 0 });
  const { canisterId, issuer } = await deployJwtIssuer(network, jwtIssuerWasm(), stateDirectory);
  const agent = await HttpAgent.create({ host: network.url, shouldFetchRootKey: true });
  const actor = Actor.createActor<JwtIssuerService>(idlFactory, { agent, canisterId });
  return {
    host: network.url,
    canisterId: canisterId.toText(),
    issuer,
    jwksUrl: network.canisterUrl(canisterId, '/.well-known/jwks.json'),
    tokensIssued: async () => Number((await actor.metrics()).tokens_issued),
    async close() {
      await network.close();
      rmSync(stateDirectory, { recursive: true, force: true });
    }
  };
}
