// npm start: builds the canister, starts the local IC on 127.0.0.1, deploys jwt_issuer, serves the
// frontend, the dev identity provider and the demo API, then issues one demo token and verifies it.
//   npm start -- [--port 4943] [--api-port 4944] [--state .localnet] [--clean] [--json]
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Ed25519KeyIdentity } from '@dfinity/identity';

import { createApiApp } from '../examples/express-api/app';
import { describeIssueError } from '../src/frontend/issue_error';
import { connectJwtIssuer } from '../src/frontend/jwt_issuer';
import { StateStoreError } from '../packages/local-ic/src/errors';
import { deployJwtIssuer } from '../src/dev_network/deploy_jwt_issuer';
import { startLocalNetwork, type LocalNetwork } from '../packages/local-ic/src/network/local_network';
import { devIdentityProviderSite, DEV_IDENTITY_PROVIDER_PATH, frontendSite } from '../src/dev_network/sites';
import { createVerifier } from '../src/verifier';

const root = join(import.meta.dirname, '..');
const started = performance.now();

// Stopping: the first SIGINT/SIGTERM/SIGHUP saves once and exits; signals during the save are
// ignored (the handlers stay installed, so no default action or tsx hook ends the process
// mid-save). Ctrl-C in a terminal delivers two SIGINTs: the terminal's and the one npm relays.
let network: LocalNetwork | undefined;
let api: Server | undefined;
let stopping: Promise<void> | undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => requestStop(signal));
// A closed terminal must not end a save with EPIPE.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

function requestStop(signal: NodeJS.Signals): void {
  if (stopping !== undefined) return;
  // Before the network exists nothing needs saving: every file written so far is replaced atomically.
  if (network === undefined) process.exit(128 + constants.signals[signal]);
  const running = network;
  stopping = (async () => {
    api?.close();
    await running.close();
  })().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`npm start: the final save failed: ${(error as Error).message}`);
      process.exit(1);
    }
  );
}

class StartFailure extends Error {}

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
const say = args.json ? (_: string) => undefined : (line: string) => console.log(line);

try {
  await main();
} catch (error) {
  // A failure caused by the stop in progress (the IC closed under the start-up) is not one.
  if (stopping === undefined) {
    console.error(`npm start: ${describeFailure(error)}`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const port = portArgument('--port', args.port);
  const apiPort = portArgument('--api-port', args['api-port']);
  if (args.clean) rmSync(stateDirectory, { recursive: true, force: true });

  say('building jwt_issuer ...');
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build-canister.mjs'), '--if-stale'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new StartFailure(`the canister build failed:\n${build.stdout}${build.stderr}`);
  const wasm = readFileSync(join(root, '.azle', 'jwt_issuer', 'jwt_issuer.wasm'));

  network = await startLocalNetwork({
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
  api = await new Promise<Server>((resolve, reject) => {
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

  const identity = Ed25519KeyIdentity.generate();
  const issuer = await connectJwtIssuer(identity, { canisterId, host: network.url, identityProvider: identityProviderUrl, apiUrl, derivationOrigin: null });
  const issued = await issuer.issueJwt();
  if (issued.ok) {
    const claims = await verifier.verify(issued.token);
    if (claims.sub !== identity.getPrincipal().toText()) throw new StartFailure(`the demo token's sub ${claims.sub} is not the caller`);
    say(`demo token   issued to ${claims.sub}, verified against the JWKS (kid ${issued.kid}) in ${elapsedSeconds(started)} s since start`);
  } else if (issued.error.kind === 'RateLimited') {
    // The canister is working: callers (before a restart, too) used up its limits. Not a start-up failure.
    say(`demo token   not issued: ${describeIssueError(issued.error)}`);
  } else {
    throw new StartFailure(`issue_jwt failed: ${JSON.stringify(issued.error)}`);
  }
  if (args.json) {
    console.log(JSON.stringify({ replicaUrl: network.url, canisterId, jwksUrl, discoveryUrl, frontendUrl, identityProviderUrl, apiUrl, issuer: deployment.issuer, deployment: deployment.action, startupSeconds: Number(elapsedSeconds(started)) }));
  }
  say('press Ctrl-C to stop');
}

function describeFailure(error: unknown): string {
  if (error instanceof StartFailure) return error.message;
  // One line, no stack: the state folder is what the user can act on.
  if (error instanceof StateStoreError) return `cannot read the saved local IC in ${stateDirectory} (${error.message}); start afresh with: npm start -- --clean`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function portArgument(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new StartFailure(`${name} takes a port number (0-65535), not ${JSON.stringify(text)}`);
  return value;
}

function elapsedSeconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
