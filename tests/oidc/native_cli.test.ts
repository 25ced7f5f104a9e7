// examples/native-cli run as a user runs it (with --no-open: Chromium stands in for the system
// browser): it prints the authorization URL, the login happens in the browser, and it prints
// the verified id_token's claims.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { cliOptions, DEFAULT_CLIENT_ID } from '../../examples/native-cli/cli';
import { launchChromium } from '../browser/support/chromium';
import { approveAsUser } from './support/authorization_page';
import { startOidcProvider, type OidcProvider } from './support/provider';
import { redirectUriOf, startRelyingParty } from './support/relying_party_process';

let provider: OidcProvider;
let browser: Browser;

beforeAll(async () => {
  provider = await startOidcProvider('ic-jwt-native-cli-');
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await provider?.close();
});

const runCli = (...args: string[]) =>
  startRelyingParty(process.execPath, ['--import', 'tsx', 'examples/native-cli/cli.ts', '--issuer', provider.issuer, ...args]);

describe('examples/native-cli options', () => {
  it('take the issuer and client id from options or env, open the browser unless told not to', () => {
    expect(cliOptions(['--issuer', 'https://a.icp0.io'], {})).toEqual({ issuer: new URL('https://a.icp0.io'), clientId: DEFAULT_CLIENT_ID, open: true, timeoutMs: 300_000 });
    expect(cliOptions(['--client-id', 'x', '--timeout', '5'], { ISSUER: 'https://b.icp0.io', IC_JWT_NO_OPEN: '1' })).toEqual({
      issuer: new URL('https://b.icp0.io'),
      clientId: 'x',
      open: false,
      timeoutMs: 5000
    });
    expect(cliOptions(['--issuer', 'https://a.icp0.io', '--no-open'], { CLIENT_ID: 'y' })).toMatchObject({ clientId: 'y', open: false });
  });

  it('refuse a missing issuer and a timeout out of bounds', () => {
    expect(() => cliOptions([], {})).toThrow(/--issuer/);
    expect(() => cliOptions(['--issuer', 'not a url'], {})).toThrow(/--issuer/);
    expect(() => cliOptions(['--issuer', 'https://a.icp0.io', '--timeout', '0'], {})).toThrow(/--timeout/);
  });
});

describe('examples/native-cli', () => {
  it('signs the user in as the demo client npm start registers (its default) and prints the id_token claims', async () => {
    const cli = runCli('--no-open', '--timeout', '90');
    try {
      const authorizationUrl = await cli.authorizationUrl;
      const redirectUri = redirectUriOf(authorizationUrl);
      expect(redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      const { principal } = await approveAsUser(browser, authorizationUrl, redirectUri);
      const { code, stdout, stderr } = await cli.exited;
      expect(code, stderr).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ iss: provider.issuer, sub: principal, aud: DEFAULT_CLIENT_ID, nonce: authorizationUrl.searchParams.get('nonce') });
    } finally {
      cli.kill();
    }
  });

  it('gives up with a clear message, exit status 1, when the browser never comes back', async () => {
    const cli = runCli('--no-open', '--timeout', '2');
    await cli.authorizationUrl;
    const { code, stdout, stderr } = await cli.exited;
    expect([code, stdout]).toEqual([1, '']);
    expect(stderr).toMatch(/sign-in failed: no authorization response within 2 s/);
  });
});
