// icp-cli 1.5 (npm @icp-sdk/icp-cli-linux-x64, a Rust ic-agent client), unmodified, against the
// in-process local network through the repo's icp.yaml: the project file's `local` network is
// pointed at this network's URL (the only change), its root key fetched as the file says.
// Calls anyone may make are also run against `npm start` by URL.
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
let project: string;
let network: LocalNetwork;
let canisterId: Principal;
let controller: string;
let product: RunningProduct | undefined;

/** Runs icp in the project folder with its own HOME; rejects with stdout and stderr on a non-zero exit. */
async function icp(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(ICP, args, {
      cwd: project,
      env: { PATH: process.env['PATH'] ?? '', HOME: join(scratch, 'home'), DO_NOT_TRACK: '1', NO_COLOR: '1' },
      timeout: 60_000
    });
    return stdout;
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`icp ${args.join(' ')} failed: ${failure.message}\n${failure.stdout ?? ''}\n${failure.stderr ?? ''}`);
  }
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'ic-jwt-icp-cli-'));
  project = join(scratch, 'project');
  mkdirSync(join(scratch, 'home'));
  mkdirSync(join(scratch, 'state'));
  mkdirSync(project);
  mkdirSync(join(scratch, 'npm-start'));
  const started = await Promise.all([startLocalNetwork({ port: 0 }), startProduct(join(scratch, 'npm-start'))]);
  network = started[0];
  product = started[1];

  const icpYaml = readFileSync(join(root, 'icp.yaml'), 'utf8');
  expect(icpYaml).toContain(LOCAL_URL_IN_ICP_YAML);
  writeFileSync(join(project, 'icp.yaml'), icpYaml.replace(LOCAL_URL_IN_ICP_YAML, `url: ${network.url}`));

  await icp('identity', 'new', 'controller', '--storage', 'plaintext', '--quiet');
  await icp('identity', 'new', 'stranger', '--storage', 'plaintext', '--quiet');
  controller = (await icp('identity', 'principal', '--identity', 'controller')).trim();

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
  it('makes an update call and a query by URL with the fetched root key, without --candid', async () => {
    if (product === undefined) throw new Error('npm start did not start');
    const { replicaUrl, canisterId: id } = product.ready;
    const issued = await icp('canister', 'call', id, 'issue_jwt', '(null)', '-n', replicaUrl, '-k', 'fetch', '--identity', 'stranger');
    expect(issued).toMatch(/token = "eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+"/);
    const metrics = await icp('canister', 'call', id, 'metrics', '()', '--query', '-n', replicaUrl, '-k', 'fetch');
    expect(metrics).toMatch(/tokens_issued = [1-9]/);
  });
});
