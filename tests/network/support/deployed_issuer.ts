// A local network with the JWT issuer deployed as `npm start` deploys it, its state in a fresh
// temporary folder; close() stops the network and removes the folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { deployJwtIssuer, type Deployment } from '../../../src/dev_network/deploy_jwt_issuer';
import { startLocalNetwork, type LocalNetwork } from '../../../packages/local-ic/src/network/local_network';
import { jwtIssuerWasm } from '../../integration/harness/jwt_issuer';

export interface DeployedIssuer {
  readonly network: LocalNetwork;
  readonly deployment: Deployment;
  close(): Promise<void>;
}

export async function startDeployedIssuer(folderPrefix: string): Promise<DeployedIssuer> {
  const stateDirectory = mkdtempSync(join(tmpdir(), folderPrefix));
  let network: LocalNetwork | undefined;
  const close = async (): Promise<void> => {
    await network?.close();
    rmSync(stateDirectory, { recursive: true, force: true });
  };
  try {
    network = await startLocalNetwork({ port: 0 });
    const deployment = await deployJwtIssuer(network, jwtIssuerWasm(), stateDirectory);
    return { network, deployment, close };
  } catch (error) {
    await close();
    throw error;
  }
}
