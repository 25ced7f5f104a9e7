// @ic-jwt/verifier in Web-API runtimes: the built package's web entry runs one suite (both
// algorithms on canister tokens, the JWK Set fetched from the local IC with fetch, claims checks,
// forged tokens refused) in headless Chromium, as a bundler resolves it for a browser, and in a
// Node where node:crypto cannot be imported, as a Workers-style runtime resolves it ("worker").
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { getJwt } from '@ic-jwt/client';
import type { Browser } from 'playwright-core';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildToMemory } from '../../packages/local-ic/src/dev_identity_provider/in_memory_build';
import { launchChromium } from '../browser/support/chromium';
import { closedPort } from '../browser/support/free_port';
import { serveStatic, type RunningServer } from '../browser/support/static_server';
import { algNone, decodePart, flipBit, highSTwin, splitToken, withClaims, withHeader } from '../verifier/support/forge';
import { startIssuerNetwork, type IssuerNetwork } from './support/issuer_network';
import { stagePackages, type StagedPackages } from './support/staged_packages';
import type { SuiteInput, SuiteReport } from './web_runtime/suite';

const HERE = fileURLToPath(new URL('./web_runtime/', import.meta.url));
const run = promisify(execFile);

let net: IssuerNetwork;
let staged: StagedPackages;
let input: SuiteInput;

beforeAll(async () => {
  [net, staged] = await Promise.all([startIssuerNetwork(), stagePackages(['verifier'])]);
  const identity = Ed25519KeyIdentity.generate();
  const caller = { identity, host: net.host, canisterId: net.canisterId, cache: false as const };
  const [es256k, eddsa] = [(await getJwt({ ...caller, algorithm: 'ES256K' })).token, (await getJwt({ ...caller, algorithm: 'EdDSA' })).token];
  const es256kKid = decodePart(splitToken(es256k)[0])['kid'];
  input = {
    issuer: net.issuer,
    audience: net.canisterId,
    principal: identity.getPrincipal().toText(),
    jwksUrl: net.jwksUrl,
    unreachableJwksUrl: `http://127.0.0.1:${await closedPort()}/.well-known/jwks.json`,
    tokens: { ES256K: es256k, EdDSA: eddsa },
    hostile: [
      { name: 'an ES256K token with a flipped signature bit', token: flipBit(es256k, 2, 9), code: 'ERR_JWT_SIGNATURE_INVALID' },
      { name: 'an EdDSA token with a flipped signature bit', token: flipBit(eddsa, 2, 9), code: 'ERR_JWT_SIGNATURE_INVALID' },
      { name: 'an ES256K token with another sub', token: withClaims(es256k, (c) => ({ ...c, sub: '2vxsx-fae' })), code: 'ERR_JWT_SIGNATURE_INVALID' },
      { name: 'an EdDSA token with a later exp', token: withClaims(eddsa, (c) => ({ ...c, exp: Number(c['exp']) + 60 })), code: 'ERR_JWT_SIGNATURE_INVALID' },
      { name: 'the high-S twin of an ES256K token', token: highSTwin(es256k), code: 'ERR_JWT_SIGNATURE_INVALID' },
      { name: 'alg none', token: algNone(es256k), code: 'ERR_JWT_ALG_NOT_ALLOWED' },
      { name: 'an unknown kid', token: withHeader(es256k, (h) => ({ ...h, kid: 'no-such-key' })), code: 'ERR_JWT_UNKNOWN_KID' },
      { name: 'an EdDSA token naming the ES256K key', token: withHeader(eddsa, (h) => ({ ...h, kid: es256kKid })), code: 'ERR_JWT_KEY_MISMATCH' },
      { name: 'a crit header', token: withHeader(es256k, (h) => ({ ...h, crit: ['exp'] })), code: 'ERR_JWT_MALFORMED' }
    ]
  };
}, 180_000);

afterAll(async () => {
  await Promise.all([net?.close(), staged?.remove()]);
});

function expectAllPassed(report: SuiteReport): void {
  const failed = report.checks.filter((check) => !check.passed).map((check) => `${check.name}: ${check.detail}`);
  expect(failed).toEqual([]);
  // 2 algorithms × 5, one pinning check, the forged tokens, unreachable keys, a raw.icp0.io source.
  expect(report.checks).toHaveLength(10 + 1 + input.hostile.length + 2);
  expect(report.jwksFetches).toBe(1);
}

describe('the web entry of the built package', () => {
  it('passes the suite in Node resolving as a worker ("worker" condition, not "node") with node:crypto blocked', async () => {
    const suite = ts.transpileModule(await readFile(join(HERE, 'suite.ts'), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 }
    }).outputText;
    await writeFile(join(staged.root, 'suite.mjs'), suite);
    await writeFile(join(staged.root, 'input.json'), JSON.stringify(input));
    await copyFile(join(HERE, 'run_in_node.mjs'), join(staged.root, 'run_in_node.mjs'));
    const { stdout } = await run(process.execPath, [
      '--import',
      join(HERE, 'block_node_crypto.mjs'),
      join(staged.root, 'run_in_node.mjs'),
      join(staged.root, 'suite.mjs'),
      join(staged.root, 'input.json')
    ]);
    const report = JSON.parse(stdout) as SuiteReport & { nodeCrypto: string; nodeEntry: string };
    // The block holds: node:crypto itself and the Node entry (reached through ./express) fail to load.
    expect(report.nodeCrypto).toMatch(/node:crypto is blocked/);
    expect(report.nodeEntry).toMatch(/node:crypto is blocked in this run \(imported by .*\/dist\/crypto_node\.js\)/);
    expectAllPassed(report);
    // Node 20 has Ed25519 in WebCrypto: EdDSA went through it.
    expect(report.webCryptoEd25519Verifications).toBeGreaterThan(0);
  });

  describe('in headless Chromium', () => {
    let browser: Browser | undefined;
    let server: RunningServer | undefined;

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('passes the suite, bundled by Vite for the browser ("browser" condition), EdDSA through WebCrypto', async () => {
      // The page sits next to the staged package, so Vite resolves it as an installed dependency.
      const pageDir = join(staged.root, 'page');
      await mkdir(pageDir, { recursive: true });
      for (const file of ['index.html', 'main.ts']) await copyFile(join(HERE, 'page', file), join(pageDir, file));
      await copyFile(join(HERE, 'suite.ts'), join(staged.root, 'suite.ts'));
      const files = await buildToMemory({ root: pageDir, base: '/', configFile: false, publicDir: false, envDir: false, build: { outDir: 'dist', target: 'es2022' } });
      const bundle = [...files.entries()].filter(([name]) => name.endsWith('.js')).map(([, file]) => new TextDecoder().decode(file.body)).join('\n');
      expect(bundle).not.toMatch(/node:crypto|createPublicKey/);
      server = await serveStatic(files);
      browser = await launchChromium();
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(`${server.origin}/index.html`);
      await page.waitForFunction(() => window.verifierReady === true);
      const report = await page.evaluate((suiteInput) => window.runVerifierSuite(suiteInput), input);
      expect(pageErrors).toEqual([]);
      expectAllPassed(report);
      expect(report.webCryptoEd25519Verifications).toBeGreaterThan(0);
    });
  });
});
