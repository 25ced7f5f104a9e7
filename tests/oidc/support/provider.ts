// The OpenID provider as `npm start` runs it: a local network serving the dev identity provider,
// jwt_issuer deployed on it, plus relying-party clients registered by its controller.
import { IDL } from '@dfinity/candid';

import { MetricsType } from '../../../src/backend/core/candid';
import { devIdentityProviderSite } from '../../../src/localnet/network/sites';
import { startDeployedIssuer, type DeployedIssuer } from '../../network/support/deployed_issuer';
import { clientToCandid, OidcClientType, RegisterClientResultType, type OidcClient } from './oidc_candid';

export interface OidcProvider {
  readonly deployed: DeployedIssuer;
  /** http://<canister-id>.localhost:<port>: the tokens' iss, reachable by browsers (and by Node through localhost_names). */
  readonly issuer: string;
  registerClient(client: OidcClient): Promise<void>;
  /** What the canister reports having signed: unchanged by any request that must not issue a token. */
  signingCounters(): Promise<{ tokens_issued: bigint; signatures_requested: bigint }>;
  close(): Promise<void>;
}

export async function startOidcProvider(folderPrefix: string): Promise<OidcProvider> {
  const deployed = await startDeployedIssuer(folderPrefix);
  const { network, deployment } = deployed;
  network.addSite(await devIdentityProviderSite());

  return {
    deployed,
    issuer: deployment.issuer,
    async registerClient(client) {
      const arg = IDL.encode([OidcClientType], [clientToCandid(client)]);
      const result = await network.ic.updateCall(deployment.canisterId, 'register_client', arg, { sender: deployment.controller });
      if (result.kind !== 'replied') throw new Error(`register_client was rejected: ${result.message}`);
      const [outcome] = IDL.decode([RegisterClientResultType], result.reply) as [Record<string, unknown>];
      if (!('Ok' in outcome)) throw new Error(`register_client refused ${client.client_id}`);
    },
    async signingCounters() {
      const result = await network.ic.queryCall(deployment.canisterId, 'metrics', IDL.encode([], []));
      if (result.kind !== 'replied') throw new Error(`metrics was rejected: ${result.message}`);
      const [metrics] = IDL.decode([MetricsType], result.reply) as unknown as [{ tokens_issued: bigint; signatures_requested: bigint }];
      return { tokens_issued: metrics.tokens_issued, signatures_requested: metrics.signatures_requested };
    },
    close: () => deployed.close()
  };
}

/** A native client with the loopback redirect any port may use (RFC 8252 §7.3), EdDSA id_tokens. */
export function nativeClient(clientId: string, accessTokenAudience: string): OidcClient {
  return {
    client_id: clientId,
    kind: 'Native',
    redirect_uris: ['http://127.0.0.1/callback'],
    id_token_algorithm: 'EdDSA',
    access_token_audience: accessTokenAudience,
    subject_type: 'Public'
  };
}
