// Both packages as users get them: packed with npm pack, installed from the tarballs into a
// blank project outside the repository (dependencies from the npm registry, no install scripts),
// then run there with plain node against the built canister on the local IC: the client asks for
// tokens, the verifier checks them against the canister's JWK Set over HTTP. And npm publish
// --dry-run for both.
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startIssuerNetwork, type IssuerNetwork } from './support/issuer_network';
import { REPO_ROOT, stagePackages, type PackageName, type StagedPackages } from './support/staged_packages';

const BLANK_PROJECT_FILES = fileURLToPath(new URL('./blank_project/', import.meta.url));
const PACKAGES: readonly PackageName[] = ['verifier', 'client'];
const run = promisify(execFile);
/** npm with the registry and nothing of the repo's configuration. */
const npm = (args: string[], cwd: string) => run('npm', args, { cwd, env: { ...process.env, npm_config_userconfig: join(cwd, '.npmrc-none') }, maxBuffer: 16 << 20 });

interface PackResult {
  filename: string;
  files: { path: string }[];
}

let net: IssuerNetwork;
let staged: StagedPackages;
let project: string;
const packed = new Map<PackageName, PackResult>();

beforeAll(async () => {
  [net, staged] = await Promise.all([startIssuerNetwork(), stagePackages(PACKAGES)]);
  project = await mkdtemp(join(tmpdir(), 'ic-jwt-blank-project-'));
  for (const name of PACKAGES) {
    const { stdout } = await npm(['pack', staged.dir(name), '--json', '--pack-destination', project], project);
    packed.set(name, (JSON.parse(stdout) as PackResult[])[0]!);
  }
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'blank-project', private: true, type: 'module' }, null, 2));
  await npm(
    ['install', '--ignore-scripts', '--no-audit', '--no-fund', ...PACKAGES.map((name) => `./${packed.get(name)!.filename}`), '@dfinity/identity@^3.4.3', '@icp-sdk/core@^6.1.0'],
    project
  );
  for (const file of ['check.mjs', 'check_types.ts']) await copyFile(join(BLANK_PROJECT_FILES, file), join(project, file));
}, 300_000);

afterAll(async () => {
  await Promise.all([net?.close(), staged?.remove(), project === undefined ? undefined : rm(project, { recursive: true, force: true })]);
});

describe('the packed tarballs', () => {
  it.each(PACKAGES)('@ic-jwt/%s holds the build, its README and package.json, and no sources', (name) => {
    const files = packed.get(name)!.files.map((file) => file.path).sort();
    expect(files).toContain('package.json');
    expect(files).toContain('README.md');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files.filter((file) => !file.startsWith('dist/') && file !== 'package.json' && file !== 'README.md')).toEqual([]);
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
  });

  it.each(PACKAGES)('@ic-jwt/%s declares its metadata: license, engines, types, exports with types and import', async (name) => {
    const manifest = JSON.parse(await readFile(join(project, 'node_modules', '@ic-jwt', name, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ version: '0.1.0', type: 'module', sideEffects: false, engines: { node: '>=20.19' }, publishConfig: { access: 'public' } });
    expect(typeof manifest['license']).toBe('string');
    expect(typeof manifest['description']).toBe('string');
    for (const [subpath, target] of Object.entries(manifest['exports'] as Record<string, unknown>)) {
      if (subpath === './package.json') continue;
      expect(target, subpath).toMatchObject({ types: expect.stringMatching(/^\.\/dist\/.*\.d\.ts$/), import: expect.stringMatching(/^\.\/dist\/.*\.js$/) });
    }
  });

  it('installed in a blank project, the client gets tokens from the canister and the verifier checks them, with plain node', async () => {
    const { stdout } = await run(process.execPath, [join(project, 'check.mjs'), net.host, net.canisterId, net.issuer, net.jwksUrl], { cwd: project });
    const result = JSON.parse(stdout) as Record<string, unknown> & { principal: string; resolved: string[] };
    expect(result).toMatchObject({
      subjects: [result.principal, result.principal],
      reused: true,
      coreAgentSubject: true,
      refusal: { isIcJwtError: true, code: 'AudienceNotAllowed' },
      tampered: 'ERR_JWT_SIGNATURE_INVALID',
      adapters: ['function', 'function', 'function']
    });
    // From the project's own node_modules: the installed build, nothing of the repository.
    for (const url of result.resolved) {
      expect(url).toMatch(new RegExp(`^file://${project}/node_modules/@ic-jwt/(verifier|client)/dist/index\\.js$`));
      expect(url).not.toContain(REPO_ROOT);
    }
  });

  it('their type declarations compile in the blank project (strict, NodeNext)', async () => {
    const tsconfig = { compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, skipLibCheck: true, types: [] }, files: ['check_types.ts'] };
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
    // The repository's compiler, run on the project's files, which resolve only the project's node_modules.
    await run(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(project, 'tsconfig.json')], { cwd: project });
  });

  it.each(PACKAGES)('npm publish --dry-run of @ic-jwt/%s is clean', async (name) => {
    const { stdout, stderr } = await npm(['publish', '--dry-run'], staged.dir(name));
    expect(stdout).toContain(`+ @ic-jwt/${name}@0.1.0`);
    expect(stderr).toContain('public access (dry-run)');
    // The one warning an unauthenticated dry run always prints; anything else is the package's.
    const warnings = stderr.split('\n').filter((line) => /npm (warn|error)/i.test(line) && !/requires you to be logged in/.test(line));
    expect(warnings).toEqual([]);
  });
});
