import { describe, expect, it } from 'vitest';

import { defaultConfig } from '../../src/backend/core/config';
import { DISCOVERY_PATH as CORE_DISCOVERY_PATH, JWKS_PATH as CORE_JWKS_PATH } from '../../src/backend/core/well_known';
import { canisterDocumentUrl, canisterIssuer, DISCOVERY_PATH, JWKS_PATH } from '../../packages/verifier/src/endpoints';
import { verifierOptionsFromEnv } from '../../packages/verifier/src/env';
import { UncertifiedKeySourceError, VerifierConfigError } from '@ic-jwt/verifier';
import { resolveOptions, type VerifierOptions } from '../../packages/verifier/src/options';

const ID = 'bkyz2-fmaaa-aaaaa-qaaaq-cai';

function configError(options: unknown): VerifierConfigError {
  try {
    resolveOptions(options as VerifierOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(VerifierConfigError);
    expect((error as VerifierConfigError).code).toBe('ERR_VERIFIER_CONFIG');
    return error as VerifierConfigError;
  }
  throw new Error('accepted');
}

describe('where the documents are', () => {
  it("matches the canister's paths and default issuer", () => {
    expect(JWKS_PATH).toBe(CORE_JWKS_PATH);
    expect(DISCOVERY_PATH).toBe(CORE_DISCOVERY_PATH);
    expect(canisterIssuer(ID)).toBe(defaultConfig(ID).issuer);
  });

  it.each([
    ['icp0.io', `https://${ID}.icp0.io/.well-known/jwks.json`],
    ['ic0.app', `https://${ID}.ic0.app/.well-known/jwks.json`],
    ['https://ic0.app', `https://${ID}.ic0.app/.well-known/jwks.json`],
    ['http://localhost:4943', `http://${ID}.localhost:4943/.well-known/jwks.json`],
    [`http://${ID}.localhost:4943`, `http://${ID}.localhost:4943/.well-known/jwks.json`],
    ['http://127.0.0.1:4943', `http://127.0.0.1:4943/.well-known/jwks.json?canisterId=${ID}`],
    [`http://127.0.0.1:4943/?canisterId=${ID}`, `http://127.0.0.1:4943/.well-known/jwks.json?canisterId=${ID}`]
  ])('gateway %s gives %s', (gateway, url) => {
    expect(canisterDocumentUrl(ID, gateway, JWKS_PATH)).toBe(url);
  });

  it.each([
    'http://example.com',
    'ftp://icp0.io',
    'ICP0.IO',
    'icp0.io/path',
    'http://127.0.0.1:4943/api',
    'http://127.0.0.1:4943/?canisterId=aaaaa-aa',
    'http://127.0.0.1:4943/?x=1',
    'not a url://'
  ])('refuses gateway %s', (gateway) => {
    expect(() => canisterDocumentUrl(ID, gateway, JWKS_PATH)).toThrow(VerifierConfigError);
  });
});

describe('verifier options', () => {
  it('fills in the defaults', () => {
    const resolved = resolveOptions({ canisterId: ID, audience: ID });
    expect(resolved).toMatchObject({
      issuer: `https://${ID}.icp0.io`,
      audiences: [ID],
      algorithms: ['ES256K'],
      tokenType: 'jwt',
      clockToleranceSeconds: 30,
      maxTokenBytes: 8192,
      jwksUri: `https://${ID}.icp0.io/.well-known/jwks.json`,
      discoveryUri: undefined,
      cache: { minSeconds: 30, maxSeconds: 3600, maxStaleSeconds: 3600, refreshCooldownSeconds: 30 }
    });
  });

  it('takes the issuer, the JWK Set beside it, or discovery', () => {
    const issuer = `https://${ID}.icp0.io`;
    expect(resolveOptions({ issuer, audience: 'a' })).toMatchObject({ jwksUri: `${issuer}/.well-known/jwks.json`, discoveryUri: undefined });
    expect(resolveOptions({ issuer, audience: 'a', discovery: true })).toMatchObject({
      jwksUri: undefined,
      discoveryUri: `${issuer}/.well-known/openid-configuration`
    });
    expect(resolveOptions({ issuer, audience: 'a', jwksUri: 'https://keys.example/jwks' }).jwksUri).toBe('https://keys.example/jwks');
    expect(resolveOptions({ canisterId: ID, gatewayHost: 'http://localhost:8080', issuer: 'http://x.localhost:8080', audience: 'a' })).toMatchObject({
      issuer: 'http://x.localhost:8080',
      jwksUri: `http://${ID}.localhost:8080/.well-known/jwks.json`
    });
  });

  it.each([
    [{ audience: 'a' }, 'issuer'],
    [{ issuer: 'https://a.icp0.io/', audience: 'a' }, 'issuer'],
    [{ issuer: 'https://a.icp0.io?x', audience: 'a' }, 'issuer'],
    [{ issuer: 'a.icp0.io', audience: 'a' }, 'issuer'],
    [{ issuer: 'http://example.com', audience: 'a' }, 'issuer'],
    [{ issuer: 'https://a.icp0.io', audience: 'a', jwksUri: 'http://example.com/jwks' }, 'jwksUri'],
    [{ issuer: 'https://a.icp0.io', audience: 'a', jwksUri: 'https://k/jwks', discovery: true }, 'jwksUri'],
    [{ canisterId: ID, audience: 'a', discovery: true }, 'discovery'],
    [{ canisterId: 'https://evil.example/#', audience: 'a' }, 'canisterId'],
    [{ canisterId: 'BKYZ2-FMAAA-AAAAA-QAAAQ-CAI', audience: 'a' }, 'canisterId'],
    [{ canisterId: ID }, 'audience'],
    [{ canisterId: ID, audience: [] }, 'audience'],
    [{ canisterId: ID, audience: [''] }, 'audience'],
    [{ canisterId: ID, audience: 'a', algorithms: [] }, 'algorithms'],
    [{ canisterId: ID, audience: 'a', algorithms: ['none'] }, 'algorithms'],
    [{ canisterId: ID, audience: 'a', algorithms: ['HS256'] }, 'algorithms'],
    [{ canisterId: ID, audience: 'a', algorithms: ['ES256'] }, 'algorithms'],
    [{ canisterId: ID, audience: 'a', tokenType: 'JWT' }, 'tokenType'],
    [{ canisterId: ID, audience: 'a', tokenType: 'id_token' }, 'tokenType'],
    [{ canisterId: ID, audience: 'a', clockToleranceSeconds: 301 }, 'clockToleranceSeconds'],
    [{ canisterId: ID, audience: 'a', clockToleranceSeconds: -1 }, 'clockToleranceSeconds'],
    [{ canisterId: ID, audience: 'a', clockToleranceSeconds: Number.NaN }, 'clockToleranceSeconds'],
    [{ canisterId: ID, audience: 'a', maxTokenBytes: 10 ** 7 }, 'maxTokenBytes'],
    [{ canisterId: ID, audience: 'a', jwksCache: { minSeconds: 600, maxSeconds: 60 } }, 'jwksCache.maxSeconds'],
    [{ canisterId: ID, audience: 'a', jwksCache: { refreshCooldownSeconds: 0 } }, 'jwksCache.refreshCooldownSeconds'],
    [{ canisterId: ID, audience: 'a', jwksCache: { maxStaleSeconds: -1 } }, 'jwksCache.maxStaleSeconds'],
    [{ canisterId: ID, audience: 'a', jwksCache: { maxStaleSeconds: 86401 } }, 'jwksCache.maxStaleSeconds'],
    [{ canisterId: ID, audience: 'a', fetchTimeoutMs: 10 }, 'fetchTimeoutMs']
  ])('refuses %j (option %s)', (options, option) => {
    expect(configError(options).option).toBe(option);
  });
});

describe('uncertified gateways', () => {
  it.each([
    [{ canisterId: ID, audience: 'a', gatewayHost: 'raw.icp0.io' }, 'gatewayHost'],
    [{ canisterId: ID, audience: 'a', gatewayHost: 'raw.ic0.app' }, 'gatewayHost'],
    [{ canisterId: ID, audience: 'a', gatewayHost: 'https://raw.icp0.io' }, 'gatewayHost'],
    [{ canisterId: ID, audience: 'a', jwksUri: `https://${ID}.raw.icp0.io/.well-known/jwks.json` }, 'jwksUri'],
    [{ issuer: `https://${ID}.icp0.io`, audience: 'a', jwksUri: `https://${ID}.RAW.IC0.APP./.well-known/jwks.json` }, 'jwksUri'],
    [{ issuer: `https://${ID}.raw.icp0.io`, audience: 'a' }, 'issuer'],
    [{ issuer: `https://${ID}.raw.ic0.app`, audience: 'a', discovery: true }, 'issuer']
  ])('are refused: %j (option %s)', (options, option) => {
    const error = configError(options);
    expect(error.option).toBe(option);
    expect(error.message).toMatch(/without checking their certification/);
    expect(error.cause).toBeInstanceOf(UncertifiedKeySourceError);
    expect((error.cause as UncertifiedKeySourceError).code).toBe('ERR_JWKS_UNCERTIFIED');
  });

  it('are told apart from look-alike hosts, which https alone governs', () => {
    for (const jwksUri of ['https://rawicp0.io/jwks', 'https://raw.icp0.io.example.com/jwks', `https://${ID}.icp0.io/raw.icp0.io`]) {
      expect(resolveOptions({ issuer: `https://${ID}.icp0.io`, audience: 'a', jwksUri }).jwksUri).toBe(jwksUri);
    }
    expect(configError({ issuer: `https://${ID}.icp0.io`, audience: 'a', jwksUri: 'http://raw.example.com/jwks' }).cause).toBeUndefined();
  });
});

describe('options from the environment', () => {
  it('reads CANISTER_ID, GATEWAY and AUDIENCE', () => {
    expect(verifierOptionsFromEnv({ CANISTER_ID: ID, GATEWAY: 'http://localhost:4943' })).toEqual({
      canisterId: ID,
      gatewayHost: 'http://localhost:4943',
      audience: [ID]
    });
    expect(verifierOptionsFromEnv({ ISSUER: `https://${ID}.icp0.io`, AUDIENCE: 'api, chat', DISCOVERY: '1', ALGORITHMS: 'ES256K,EdDSA' })).toEqual({
      issuer: `https://${ID}.icp0.io`,
      audience: ['api', 'chat'],
      algorithms: ['ES256K', 'EdDSA'],
      discovery: true
    });
    const accessTokens = verifierOptionsFromEnv({ ISSUER: `https://${ID}.icp0.io`, AUDIENCE: 'https://api.example', ALGORITHMS: 'EdDSA', TOKEN_TYPE: 'at+jwt' });
    expect(accessTokens).toMatchObject({ tokenType: 'at+jwt', algorithms: ['EdDSA'] });
    expect(resolveOptions(accessTokens).tokenType).toBe('at+jwt');
    expect(() => resolveOptions(verifierOptionsFromEnv({ CANISTER_ID: ID, TOKEN_TYPE: 'access' }))).toThrow(VerifierConfigError);
  });

  it('says what is missing', () => {
    expect(() => verifierOptionsFromEnv({ ISSUER: `https://${ID}.icp0.io` })).toThrow(/AUDIENCE/);
    expect(() => verifierOptionsFromEnv({ AUDIENCE: 'api' })).toThrow(/ISSUER or CANISTER_ID/);
  });
});
