// The OpenID provider as `npm start` runs it: a local network serving the dev identity provider,
// jwt_issuer deployed on it, plus relying-party clients registered by its controller.
import { IDL } from '@dfinity/candid';

import { ConfigInputType, configInputToCandid, MetricsType, UpdateConfigResultType } from '../../../src/backend/core/candid';
import type { ConfigInput } from '../../../src/backend/core/config';
import type { OidcClient } from '../../../src/backend/core/oidc/clients';
import { registerClient } from '../../../src/dev_network/deploy_jwt_issuer';
import { devIdentityProviderSite } from '../../../src/dev_network/sites';
import { startDeployedIssuer, type DeployedIssuer } from '../../network/support/deployed_issuer';

export interface OidcProvider {
  readonly deployed: DeployedIssuer;
  /** http://<canister-id>.localhost:<port>: the tokens' iss, reachable by browsers (and by Node through localhost_names). */
  readonly issuer: string;
  registerClient(client: OidcClient): Promise<void>;
  /** update_config as the controller. */
  configure(input: ConfigInput): Promise<void>;
  /** What the canister reports having signed: unchanged by any request that must not issue a token. */
  signingCounters(): Promise<{ tokens_issued: bigint; signatures_requested: bigint }>;
  close(): Promise<void>;
}

export async function startOidcProvider(folderPrefix: string): Promise<OidcProvider> {
  const deployed = await startDeployedIssuer(folderPrefix);
  const { network, deployment } = deployed;
  try {
    network.addSite(await devIdentityProviderSite());
  } catch (error) {
    await deployed.close();
    throw error;
  }

  return {
    deployed,
    issuer: deployment.issuer,
    async configure(input) {
      const arg = IDL.encode([ConfigInputType], [configInputToCandid(input)]);
      const result = await network.ic.updateCall(deployment.canisterId, 'update_config', arg, { sender: deployment.controller });
      if (result.kind !== 'replied') throw new Error(`update_config was rejected: ${result.message}`);
      const [outcome] = IDL.decode([UpdateConfigResultType], result.reply) as [Record<string, unknown>];
      if (!('Ok' in outcome)) throw new Error(`update_config refused ${JSON.stringify(input)}`);
    },
    registerClient: (client) => registerClient(network, deployment.canisterId, deployment.controller, client),
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
    clientId,
    kind: 'Native',
    redirectUris: ['http://127.0.0.1/callback'],
    idTokenAlgorithm: 'EdDSA',
    accessTokenAudience,
    subjectType: 'Public'
  };
}
