// The OpenID provider as `npm start` runs it: a local network serving the dev identity provider,
// jwt_issuer deployed on it, plus relying-party clients registered by its controller.
import { IDL } from '@dfinity/candid';

import {
  ClientResultType,
  ConfigInputType,
  configInputToCandid,
  MetricsType,
  OidcClientType,
  oidcClientToCandid,
  UpdateConfigResultType
} from '../../../src/backend/core/candid';
import type { ConfigInput } from '../../../src/backend/core/config';
import type { OidcClient } from '../../../src/backend/core/oidc/clients';
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
  network.addSite(await devIdentityProviderSite());

  async function asController(method: string, arg: Uint8Array): Promise<Uint8Array> {
    const result = await network.ic.updateCall(deployment.canisterId, method, arg, { sender: deployment.controller });
    if (result.kind !== 'replied') throw new Error(`${method} was rejected: ${result.message}`);
    return result.reply;
  }

  return {
    deployed,
    issuer: deployment.issuer,
    async configure(input) {
      const reply = await asController('update_config', IDL.encode([ConfigInputType], [configInputToCandid(input)]));
      const [outcome] = IDL.decode([UpdateConfigResultType], reply) as [Record<string, unknown>];
      if (!('Ok' in outcome)) throw new Error(`update_config refused ${JSON.stringify(input)}`);
    },
    async registerClient(client) {
      const reply = await asController('register_client', IDL.encode([OidcClientType], [oidcClientToCandid(client)]));
      const [outcome] = IDL.decode([ClientResultType], reply) as [Record<string, unknown>];
      if (!('Ok' in outcome)) throw new Error(`register_client refused ${client.clientId}: ${JSON.stringify(outcome['Err'])}`);
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
    clientId,
    kind: 'Native',
    redirectUris: ['http://127.0.0.1/callback'],
    idTokenAlgorithm: 'EdDSA',
    accessTokenAudience,
    subjectType: 'Public'
  };
}
