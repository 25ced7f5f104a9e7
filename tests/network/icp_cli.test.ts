// icp-cli 1.5 (npm @icp-sdk/icp-cli-linux-x64, a Rust ic-agent client), unmodified, through the
// repo's icp.yaml against the in-process local network and against `npm start`: in each project
// copy the `local` network is pointed at that network's URL (the only change), its root key
// fetched as the file says. `npm start --controller <principal>` makes the icp identity a
// controller, so the controller-only commands run against it too, and still after a restart.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Principal } from '@dfinity/principal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { deployJwtIssuer } from '../../src/dev_network/deploy_jwt_issuer';
import { startLocalNetwork, type LocalNetwork } from '../../packages/local-ic/src/network/local_network';
import { JWT_ISSUER_WASM, jwtIssuerWasm } from '../integration/harness/jwt_issuer';
import { killAllProducts, startProduct, type RunningProduct } from '../support/npm_start';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const ICP = join(root, 'node_modules', '@icp-sdk', 'icp-cli-linux-x64', 'bin', 'icp');
const LOCAL_URL_IN_ICP_YAML = 'url: http://127.0.0.1:4943';

let scratch: string;
/** Project folders (copies of the repo's icp.yaml) for the in-process network and for npm start. */
let project: string;
let npmStartProject: string;
let network: LocalNetwork;
let canisterId: Principal;
let controller: string;
let product: RunningProduct | undefined;

/** Runs icp in the project folder with its own HOME; rejects with stdout and stderr on a non-zero exit. */
function icp(...args: string[]): Promise<string> {
  return icpIn(project, ...args);
}

async function icpIn(cwd: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(ICP, args, {
      cwd,
      env: { PATH: process.env['PATH'] ?? '', HOME: join(scratch, 'home'), DO_NOT_TRACK: '1', NO_COLOR: '1' },
      timeout: 60_000
    });
    return stdout;
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`icp ${args.join(' ')} failed: ${failure.message}\n${failure.stdout ?? ''}\n${failure.stderr ?? ''}`);
  }
}

/** A copy of the repo's icp.yaml whose `local` network is `url`. */
function projectFor(folder: string, url: string): string {
  const icpYaml = readFileSync(join(root, 'icp.yaml'), 'utf8');
  expect(icpYaml).toContain(LOCAL_URL_IN_ICP_YAML);
  mkdirSync(folder);
  writeFileSync(join(folder, 'icp.yaml'), icpYaml.replace(LOCAL_URL_IN_ICP_YAML, `url: ${url}`));
  return folder;
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'ic-jwt-icp-cli-'));
  mkdirSync(join(scratch, 'home'));
  mkdirSync(join(scratch, 'state'));
  mkdirSync(join(scratch, 'npm-start'));
  // Identities live in HOME; any folder will do to make them.
  project = scratch;
  await icp('identity', 'new', 'controller', '--storage', 'plaintext', '--quiet');
  await icp('identity', 'new', 'stranger', '--storage', 'plaintext', '--quiet');
  controller = (await icp('identity', 'principal', '--identity', 'controller')).trim();

  const started = await Promise.all([
    startLocalNetwork({ port: 0 }),
    startProduct(join(scratch, 'npm-start'), ['--controller', controller])
  ]);
  network = started[0];
  product = started[1];
  project = projectFor(join(scratch, 'project'), network.url);
  npmStartProject = projectFor(join(scratch, 'npm-start-project'), product.ready.replicaUrl);

  // Deployed as `npm start` deploys it, then handed to the icp-cli identity as a second controller.
  const deployment = await deployJwtIssuer(network, jwtIssuerWasm(), join(scratch, 'state'));
  canisterId = deployment.canisterId;
  await network.ic.updateSettings(
    canisterId,
    { controllers: [deployment.controller, Principal.fromText(controller)] },
    { sender: deployment.controller }
  );
  await icp('canister', 'link', 'jwt_issuer', canisterId.toText(), '-e', 'local');
}, 120_000);

afterAll(async () => {
  await product?.stop();
  killAllProducts();
  await network?.close();
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
});

describe('icp-cli 1.5 with the repo icp.yaml against the local IC', () => {
  it('makes an update call (v4) without --candid: the interface comes from the candid:service metadata', async () => {
    const output = await icp('canister', 'call', 'jwt_issuer', 'issue_jwt', '(null)', '-e', 'local', '--identity', 'stranger');
    expect(output).toMatch(/token = "eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+"/);
  });

  it('makes a query call (v3) without --candid', async () => {
    const output = await icp('canister', 'call', 'jwt_issuer', 'metrics', '()', '--query', '-e', 'local');
    expect(output).toMatch(/tokens_issued = [1-9]/);
    // The same by URL and canister id, without the project's network entry.
    const byUrl = await icp('canister', 'call', canisterId.toText(), 'metrics', '()', '--query', '-n', network.url, '-k', 'fetch');
    expect(byUrl).toMatch(/tokens_issued = [1-9]/);
  });

  it('shows the canister status to its controller', async () => {
    const status = JSON.parse(await icp('canister', 'status', 'jwt_issuer', '--json', '-e', 'local', '--identity', 'controller')) as unknown;
    const text = JSON.stringify(status);
    expect(text).toMatch(/running/i);
    expect(text).toContain(controller);
    expect(text).toContain(createHash('sha256').update(jwtIssuerWasm()).digest('hex'));
  });

  it('upgrades the running canister with the fresh build, keeping its state', async () => {
    const before = await icp('canister', 'call', 'jwt_issuer', 'metrics', '()', '--query', '-e', 'local');
    const issued = /tokens_issued = ([\d_]+)/.exec(before)?.[1];
    expect(issued).toBeDefined();
    const versionBefore = network.ic.canisterStatus(canisterId).version;
    await icp('canister', 'install', 'jwt_issuer', '--mode', 'upgrade', '--wasm', JWT_ISSUER_WASM, '--yes', '-e', 'local', '--identity', 'controller');
    const after = await icp('canister', 'call', 'jwt_issuer', 'metrics', '()', '--query', '-e', 'local');
    expect(/tokens_issued = ([\d_]+)/.exec(after)?.[1]).toBe(issued);
    expect(network.ic.canisterStatus(canisterId).version).toBeGreaterThan(versionBefore);
  });

  it('updates settings as the controller and refuses a stranger', async () => {
    await icp('canister', 'settings', 'update', 'jwt_issuer', '--freezing-threshold', '4321000', '-e', 'local', '--identity', 'controller');
    expect(network.ic.canisterStatus(canisterId).settings.freezing_threshold).toBe(4_321_000n);
    await expect(
      icp('canister', 'settings', 'update', 'jwt_issuer', '--freezing-threshold', '1', '-e', 'local', '--identity', 'stranger')
    ).rejects.toThrow(/controller/i);
    expect(network.ic.canisterStatus(canisterId).settings.freezing_threshold).toBe(4_321_000n);
  });
});

describe('icp-cli 1.5 against npm start', () => {
  /** icp in the project whose `local` network is npm start's URL. */
  const icpNpmStart = (...args: string[]): Promise<string> => icpIn(npmStartProject, ...args);
  const started = (): RunningProduct => {
    if (product === undefined) throw new Error('npm start did not start');
    return product;
  };

  it('makes an update call and a query by URL with the fetched root key, without --candid', async () => {
    const { replicaUrl, canisterId: id } = started().ready;
    const issued = await icp('canister', 'call', id, 'issue_jwt', '(null)', '-n', replicaUrl, '-k', 'fetch', '--identity', 'stranger');
    expect(issued).toMatch(/token = "eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+"/);
    const metrics = await icp('canister', 'call', id, 'metrics', '()', '--query', '-n', replicaUrl, '-k', 'fetch');
    expect(metrics).toMatch(/tokens_issued = [1-9]/);
  });

  it('deploys with the --controller identity as a controller, beside its own deployer', async () => {
    const { controllers, canisterId: id } = started().ready;
    expect(controllers).toHaveLength(2);
    expect(controllers[1]).toBe(controller);
    await icpNpmStart('canister', 'link', 'jwt_issuer', id, '-e', 'local');
    const status = JSON.stringify(JSON.parse(await icpNpmStart('canister', 'status', 'jwt_issuer', '--json', '-e', 'local', '--identity', 'controller')));
    expect(status).toMatch(/running/i);
    expect(status).toContain(controller);
    expect(status).toContain(controllers[0]);
    expect(status).toContain(createHash('sha256').update(jwtIssuerWasm()).digest('hex'));
  });

  it('upgrades the canister of npm start with the fresh build, keeping its state', async () => {
    const issuedBefore = /tokens_issued = ([\d_]+)/.exec(await icpNpmStart('canister', 'call', 'jwt_issuer', 'metrics', '()', '--query', '-e', 'local'))?.[1];
    expect(issuedBefore).toBeDefined();
    await icpNpmStart('canister', 'install', 'jwt_issuer', '--mode', 'upgrade', '--wasm', JWT_ISSUER_WASM, '--yes', '-e', 'local', '--identity', 'controller');
    const after = await icpNpmStart('canister', 'call', 'jwt_issuer', 'metrics', '()', '--query', '-e', 'local');
    expect(/tokens_issued = ([\d_]+)/.exec(after)?.[1]).toBe(issuedBefore);
    expect(after).toMatch(/active_kid = opt "/);
    await expect(
      icpNpmStart('canister', 'install', 'jwt_issuer', '--mode', 'upgrade', '--wasm', JWT_ISSUER_WASM, '--yes', '-e', 'local', '--identity', 'stranger')
    ).rejects.toThrow(/controller/i);
  });

  it('updates and shows settings as the controller: freezing threshold and a further controller', async () => {
    const extra = Principal.selfAuthenticating(new Uint8Array(32).fill(7)).toText();
    await icpNpmStart('canister', 'settings', 'update', 'jwt_issuer', '--freezing-threshold', '4321000', '--add-controller', extra, '-e', 'local', '--identity', 'controller');
    const shown = await icpNpmStart('canister', 'settings', 'show', 'jwt_issuer', '--json', '-e', 'local', '--identity', 'controller');
    expect(shown).toContain('4321000');
    expect(shown).toContain(extra);
    expect(shown).toContain(controller);
    await expect(
      icpNpmStart('canister', 'settings', 'update', 'jwt_issuer', '--freezing-threshold', '1', '-e', 'local', '--identity', 'stranger')
    ).rejects.toThrow(/controller/i);
    expect(await icpNpmStart('canister', 'settings', 'show', 'jwt_issuer', '--json', '-e', 'local', '--identity', 'controller')).toContain('4321000');
  });

  it('keeps the controllers across a restart without --controller', async () => {
    const before = started().ready;
    expect(await started().stop()).toBe(true);
    product = await startProduct(join(scratch, 'npm-start'));
    expect(product.ready.canisterId).toBe(before.canisterId);
    expect(product.ready.controllers).toContain(controller);
    writeFileSync(join(npmStartProject, 'icp.yaml'), readFileSync(join(npmStartProject, 'icp.yaml'), 'utf8').replace(/url: http:\/\/127\.0\.0\.1:\d+/, `url: ${product.ready.replicaUrl}`));
    const shown = await icpNpmStart('canister', 'settings', 'show', 'jwt_issuer', '--json', '-e', 'local', '--identity', 'controller');
    expect(shown).toContain(controller);
    expect(shown).toContain('4321000');
  }, 180_000); // a restart of npm start: ~5 s idle, 45 s measured under a load average of 22
});
