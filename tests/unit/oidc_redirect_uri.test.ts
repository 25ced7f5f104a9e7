// Redirect URIs of native and web clients: RFC 8252 (loopback IP literals on any port, private-use
// schemes, no localhost) and exact https URIs (RFC 6749 §3.1.2).
import { describe, expect, it } from 'vitest';

import { ClientError, sectorIdentifier, validateClient, type OidcClient } from '../../src/backend/core/oidc/clients';
import { describeRedirectUriProblem, matchesRegisteredUri, parseRedirectUri } from '../../src/backend/core/oidc/redirect_uri';

describe('loopback redirect matching (RFC 8252 §7.3)', () => {
  it.each([
    ['http://127.0.0.1/callback', 'http://127.0.0.1:51004/callback'],
    ['http://127.0.0.1/callback', 'http://127.0.0.1/callback'],
    ['http://127.0.0.1:8080/callback', 'http://127.0.0.1:9090/callback'],
    ['http://[::1]/oauth', 'http://[::1]:61000/oauth'],
    ['http://127.0.0.1/', 'http://127.0.0.1:1/']
  ])('%s matches %s (any port, same host and path)', (registered, requested) => {
    expect(matchesRegisteredUri(registered, requested)).toBe(true);
  });

  it.each([
    ['http://127.0.0.1/callback', 'http://[::1]:5000/callback', 'another loopback host'],
    ['http://127.0.0.1/callback', 'http://localhost:5000/callback', 'localhost (§8.3)'],
    ['http://127.0.0.1/callback', 'http://127.0.0.2:5000/callback', 'another address'],
    ['http://127.0.0.1/callback', 'http://127.0.0.1:5000/callback/', 'a longer path'],
    ['http://127.0.0.1/callback', 'http://127.0.0.1:5000/Callback', 'another case'],
    ['http://127.0.0.1/callback', 'http://127.0.0.1:5000/callback?next=x', 'a query'],
    ['http://127.0.0.1/callback', 'http://127.0.0.1:5000/callback#x', 'a fragment'],
    ['http://127.0.0.1/callback', 'http://127.0.0.1:0/callback', 'port 0'],
    ['http://127.0.0.1/callback', 'http://127.0.0.1:65536/callback', 'a port over 65535'],
    ['http://127.0.0.1/callback', 'http://127.0.0.1:0443/callback', 'a leading zero'],
    ['http://127.0.0.1/callback', 'https://127.0.0.1:5000/callback', 'https'],
    ['http://127.0.0.1/callback', 'http://user@127.0.0.1:5000/callback', 'credentials'],
    ['com.example.app:/cb', 'com.example.app:/cb/x', 'a private-use URI with another path'],
    ['https://app.example.com/cb', 'https://app.example.com:8443/cb', 'an https URI on another port']
  ])('%s does not match %s (%s)', (registered, requested) => {
    expect(matchesRegisteredUri(registered, requested)).toBe(false);
  });

  it('parses each accepted form', () => {
    expect(parseRedirectUri('http://[::1]:8080/a/b')).toEqual({ kind: 'loopback', host: '[::1]', port: 8080, path: '/a/b' });
    expect(parseRedirectUri('com.example.app:/oauth2redirect')).toEqual({ kind: 'private-use', scheme: 'com.example.app' });
    expect(parseRedirectUri('https://app.example.com/cb')).toEqual({ kind: 'https', host: 'app.example.com' });
    expect(parseRedirectUri(`http://127.0.0.1/${'a'.repeat(600)}`)).toBeUndefined();
  });
});

describe('registration', () => {
  it.each([
    ['Native', 'http://localhost/cb', /localhost is not a loopback redirect/],
    ['Native', 'http://127.0.0.1/cb?x=1', /without query or fragment/],
    ['Native', 'https://app.example.com/cb', /a native client redirects to/],
    ['Native', 'myapp:/cb', /private-use scheme/],
    ['Native', 'javascript:alert(1)', /a native client redirects to/],
    ['Web', 'http://app.example.com/cb', /https/],
    ['Web', 'https://App.example.com/cb', /lowercase host/],
    ['Web', 'https://app.example.com/cb#frag', /without query or fragment/],
    ['Web', 'com.example.app:/cb', /https/]
  ] as const)('refuses a %s client redirecting to %s', (kind, uri, reason) => {
    expect(describeRedirectUriProblem(kind, uri)).toMatch(reason);
  });

  const client = (change: Partial<OidcClient> = {}) => ({
    clientId: 'app',
    kind: 'Native' as const,
    redirectUris: ['http://127.0.0.1/cb'],
    idTokenAlgorithm: '',
    accessTokenAudience: 'api',
    subjectType: 'Public' as const,
    ...change
  });

  it('defaults the ID token algorithm to EdDSA and names the field of every refusal', () => {
    expect(validateClient(client(), ['ES256K', 'EdDSA']).idTokenAlgorithm).toBe('EdDSA');
    const fieldOf = (change: Partial<OidcClient>, enabled: ('ES256K' | 'EdDSA')[] = ['ES256K', 'EdDSA']) => {
      try {
        validateClient(client(change), enabled);
      } catch (error) {
        return (error as ClientError).field;
      }
      return undefined;
    };
    expect(fieldOf({ clientId: '' })).toBe('client_id');
    expect(fieldOf({ clientId: 'a/b' })).toBe('client_id');
    expect(fieldOf({ redirectUris: Array.from({ length: 11 }, (_, i) => `http://127.0.0.1/cb${i}`) })).toBe('redirect_uris');
    expect(fieldOf({}, ['ES256K'])).toBe('id_token_algorithm');
    expect(fieldOf({ accessTokenAudience: 'has space' })).toBe('access_token_audience');
  });

  it('puts a web client with one redirect host in that host’s sector, every other client in its own', () => {
    const web = (uris: string[]) => validateClient({ ...client(), kind: 'Web', redirectUris: uris }, ['EdDSA']);
    expect(sectorIdentifier(web(['https://a.example.com/cb', 'https://a.example.com/other']))).toBe('a.example.com');
    expect(sectorIdentifier(web(['https://a.example.com/cb', 'https://b.example.com/cb']))).toBe('app');
    expect(sectorIdentifier(validateClient(client(), ['EdDSA']))).toBe('app');
  });
});
