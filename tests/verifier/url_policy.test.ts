import { describe, expect, it } from 'vitest';

import { RedirectRefusedError, UncertifiedKeySourceError } from '@ic-jwt/verifier';
import { keySourceProblem, MAX_REDIRECTS, redirectTarget } from '../../packages/verifier/src/url_policy';

const FIRST = 'https://issuer.example/.well-known/jwks.json';

describe('key source URLs', () => {
  it.each([
    'https://bkyz2-fmaaa-aaaaa-qaaaq-cai.icp0.io/.well-known/jwks.json',
    'https://bkyz2-fmaaa-aaaaa-qaaaq-cai.ic0.app/.well-known/jwks.json',
    'https://raw.example.com/jwks',
    'http://127.0.0.1:4943/.well-known/jwks.json?canisterId=bkyz2-fmaaa-aaaaa-qaaaq-cai',
    'http://bkyz2-fmaaa-aaaaa-qaaaq-cai.localhost:4943/.well-known/jwks.json'
  ])('%s is fine', (url) => {
    expect(keySourceProblem(new URL(url))).toBeUndefined();
  });

  it.each([
    ['https://bkyz2-fmaaa-aaaaa-qaaaq-cai.raw.icp0.io/.well-known/jwks.json', true],
    ['https://raw.icp0.io/?canisterId=bkyz2-fmaaa-aaaaa-qaaaq-cai', true],
    ['https://X.Raw.Ic0.App./jwks', true],
    ['http://bkyz2-fmaaa-aaaaa-qaaaq-cai.raw.icp0.io/jwks', true],
    ['http://issuer.example/jwks', false],
    ['ftp://issuer.example/jwks', false]
  ])('%s is refused (uncertified: %s)', (url, uncertified) => {
    expect(keySourceProblem(new URL(url))?.uncertified).toBe(uncertified);
  });
});

describe('redirect targets', () => {
  it.each([
    ['/keys', 'https://issuer.example/keys'],
    ['keys?v=2', 'https://issuer.example/.well-known/keys?v=2'],
    ['https://issuer.example:443/keys', 'https://issuer.example/keys'],
    ['HTTPS://ISSUER.EXAMPLE/keys', 'https://issuer.example/keys']
  ])('%s within the origin is followed to %s', (location, target) => {
    expect(redirectTarget(FIRST, FIRST, location, 0)).toBe(target);
  });

  it.each([
    ['//evil.example/keys', /another origin/],
    ['https://issuer.example.evil.example/keys', /another origin/],
    ['https://issuer.example:8443/keys', /another origin/],
    ['http://issuer.example/keys', /plain http/],
    ['javascript:alert(1)', /another origin/],
    ['', /without a usable Location/],
    [null, /without a usable Location/],
    ['https://[not-a-host/', /without a usable Location/]
  ])('%s is refused', (location, message) => {
    expect(() => redirectTarget(FIRST, FIRST, location, 0)).toThrow(RedirectRefusedError);
    expect(() => redirectTarget(FIRST, FIRST, location, 0)).toThrow(message);
  });

  it('to a raw gateway is refused as uncertified', () => {
    expect(() => redirectTarget(FIRST, FIRST, 'https://bkyz2-fmaaa-aaaaa-qaaaq-cai.raw.icp0.io/.well-known/jwks.json', 0)).toThrow(UncertifiedKeySourceError);
  });

  it(`stops after ${MAX_REDIRECTS} hops`, () => {
    expect(redirectTarget(FIRST, 'https://issuer.example/b', '/c', MAX_REDIRECTS - 1)).toBe('https://issuer.example/c');
    expect(() => redirectTarget(FIRST, 'https://issuer.example/c', '/d', MAX_REDIRECTS)).toThrow(/more than 3 times/);
  });
});
