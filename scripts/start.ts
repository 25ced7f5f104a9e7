// npm start: builds the canister, starts the local IC on 127.0.0.1, deploys jwt_issuer, serves the
// frontend, the dev identity provider and the demo API, then issues one demo token and verifies it.
//   npm start -- [--port 4943] [--api-port 4944] [--state .localnet] [--clean] [--json]
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Ed25519KeyIdentity } from '@dfinity/identity';

import { createApiApp } from '../examples/express-api/app';
import { connectJwtIssuer } from '../src/frontend/jwt_issuer';
import { deployJwtIssuer } from '../src/localnet/network/deploy_jwt_issuer';
import { startLocalNetwork } from '../src/localnet/network/local_network';
import { devIdentityProviderSite, DEV_IDENTITY_PROVIDER_PATH, frontendSite } from '../src/localnet/network/sites';
import { createVerifier } from '../src/verifier';

const root = join(import.meta.dirname, '..');
const started = performance.now();

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '4943' },
    'api-port': { type: 'string', default: '4944' },
    state: { type: 'string', default: join(root, '.localnet') },
    clean: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false }
  }
});
const stateDirectory = args.state;
const port = portArgument('--port', args.port);
const apiPort = portArgument('--api-port', args['api-port']);
const say = args.json ? (_: string) => undefined : (line: string) => console.log(line);

if (args.clean) rmSync(stateDirectory, { recursive: true, force: true });

say('building jwt_issuer ...');
const build = spawnSync(process.execPath, [join(root, 'scripts', 'build-canister.mjs'), '--if-stale'], { cwd: root, encoding: 'utf8' });
if (build.status !== 0) fail(`the canister build failed:\n${build.stdout}${build.stderr}`);
const wasm = readFileSync(join(root, '.azle', 'jwt_issuer', 'jwt_issuer.wasm'));

const network = await startLocalNetwork({
  port,
  stateDirectory,
  sites: [await devIdentityProviderSite()]
});
const deployment = await deployJwtIssuer(network, wasm, stateDirectory);
const canisterId = deployment.canisterId.toText();
const jwksUrl = network.canisterUrl(deployment.canisterId, '/.well-known/jwks.json');
const discoveryUrl = network.canisterUrl(deployment.canisterId, '/.well-known/openid-configuration');
const frontendUrl = `http://localhost:${network.port}/`;
const identityProviderUrl = `${network.url}${DEV_IDENTITY_PROVIDER_PATH}`;

const verifier = createVerifier({ issuer: deployment.issuer, jwksUri: jwksUrl, audience: canisterId });
const api: Server = await new Promise((resolve, reject) => {
  const server = createApiApp({ verifier, corsOrigins: ['*'] }).listen(apiPort, '127.0.0.1', () => resolve(server));
  server.once('error', reject);
});
const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

network.addSite(await frontendSite({ canisterId, host: `http://localhost:${network.port}`, identityProvider: identityProviderUrl, apiUrl }));
await network.save();

say(`local IC     ${network.url}  (jwt_issuer ${canisterId}, ${deployment.action})`);
say(`frontend     ${frontendUrl}`);
say(`JWKS         ${jwksUrl}`);
say(`             ${network.canisterHostUrl(deployment.canisterId, '/.well-known/jwks.json')} (browsers, curl)`);
say(`discovery    ${discoveryUrl}`);
say(`identity     ${identityProviderUrl} (dev identity provider: no security, local use only)`);
say(`demo API     ${apiUrl}/api/whoami`);

const demo = await demoToken(network.url, canisterId);
const elapsed = ((performance.now() - started) / 1000).toFixed(1);
say(`demo token   issued to ${demo.sub}, verified against the JWKS (kid ${demo.kid}) in ${elapsed} s since start`);
if (args.json) {
  console.log(JSON.stringify({ replicaUrl: network.url, canisterId, jwksUrl, discoveryUrl, frontendUrl, identityProviderUrl, apiUrl, issuer: deployment.issuer, deployment: deployment.action, startupSeconds: Number(elapsed) }));
}
say('press Ctrl-C to stop');

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  api.close();
  await network.save();
  await network.close();
  process.exit(0);
}
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());

async function demoToken(replicaUrl: string, id: string): Promise<{ sub: string; kid: string }> {
  const identity = Ed25519KeyIdentity.generate();
  const issuer = await connectJwtIssuer(identity, { canisterId: id, host: replicaUrl, identityProvider: identityProviderUrl, apiUrl, derivationOrigin: null });
  const issued = await issuer.issueJwt();
  if (!issued.ok) fail(`issue_jwt failed: ${JSON.stringify(issued.error)}`);
  const claims = await verifier.verify(issued.token);
  if (claims.sub !== identity.getPrincipal().toText()) fail(`the demo token's sub ${claims.sub} is not the caller`);
  return { sub: claims.sub, kid: issued.kid };
}

function portArgument(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) fail(`${name} takes a port number (0-65535), not ${JSON.stringify(text)}`);
  return value;
}

function fail(message: string): never {
  console.error(`npm start: ${message}`);
  process.exit(1);
}
