// examples/django-drf on Django's development server, against canister tokens from the built Wasm
// on the local IC (JWK Set over HTTP): real tokens get their principal, bad ones DRF's 401.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CanisterJwks, type IssuedToken } from '../support/canister_jwks';

const EXAMPLE = fileURLToPath(new URL('../../examples/django-drf/', import.meta.url));
const AUDIENCE = 'django-api';

let canister: CanisterJwks;
let django: ChildProcess;
let djangoOutput = '';
let apiUrl: string;
const tokens = {} as Record<'es256k' | 'eddsa', IssuedToken> & Record<'expired' | 'otherAudience', string>;

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function waitUntilServing(url: string): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt++) {
    if (django.exitCode !== null) throw new Error(`Django exited (${django.exitCode}): ${djangoOutput}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`Django did not answer at ${url}: ${djangoOutput}`);
}

beforeAll(async () => {
  canister = await CanisterJwks.start([AUDIENCE, 'other-api']);
  tokens.expired = (await canister.issue({ algorithm: 'ES256K', ttlSeconds: 3600 })).token;
  canister.catchUpWithWallClock();
  tokens.es256k = await canister.issue({ algorithm: 'ES256K' });
  tokens.eddsa = await canister.issue({ algorithm: 'EdDSA' });
  tokens.otherAudience = (await canister.issue({ algorithm: 'EdDSA', audience: 'other-api' })).token;

  const port = await freePort();
  django = spawn('/usr/bin/python3', ['manage.py', 'runserver', '--noreload', `127.0.0.1:${port}`], {
    cwd: EXAMPLE,
    env: { ...process.env, JWKS_URI: canister.jwksUrl, ISSUER: canister.issuerUrl, AUDIENCE, PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  django.stdout!.on('data', (chunk: Buffer) => (djangoOutput += chunk.toString()));
  django.stderr!.on('data', (chunk: Buffer) => (djangoOutput += chunk.toString()));
  apiUrl = `http://127.0.0.1:${port}/api/whoami`;
  await waitUntilServing(apiUrl);
});

afterAll(async () => {
  if (django && django.exitCode === null) {
    django.kill('SIGTERM');
    await once(django, 'exit');
  }
  await canister?.close();
});

const whoami = (authorization?: string) => fetch(apiUrl, authorization === undefined ? {} : { headers: { authorization } });

async function expectRefused(response: Response, detail: string, challenge: string): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe(challenge);
  expect(await response.json()).toEqual({ detail });
}

/** The same token with one character of its payload changed (still valid base64url and JSON). */
function tampered(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'aaaaa-aa' })).toString('base64url');
  return `${header}.${forged}.${signature}`;
}

describe('examples/django-drf', () => {
  it.each(['es256k', 'eddsa'] as const)('a real %s token gets 200 with its principal and claims', async (which) => {
    const { token, subject } = tokens[which];
    const response = await whoami(`Bearer ${token}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      principal: subject,
      algorithm: which === 'es256k' ? 'ES256K' : 'EdDSA',
      issuer: canister.issuerUrl,
      audience: AUDIENCE,
      expires_at: expect.any(Number)
    });
  });

  const invalidToken = 'Bearer realm="api", error="invalid_token"';

  it('a tampered token gets 401', async () => {
    await expectRefused(await whoami(`Bearer ${tampered(tokens.eddsa.token)}`), 'The token is invalid.', invalidToken);
  });

  it('an expired token gets 401', async () => {
    await expectRefused(await whoami(`Bearer ${tokens.expired}`), 'The token has expired.', invalidToken);
  });

  it('a token for another audience gets 401', async () => {
    await expectRefused(await whoami(`Bearer ${tokens.otherAudience}`), 'The token is for another audience.', invalidToken);
  });

  it('a request without a token gets 401 with a bare Bearer challenge', async () => {
    await expectRefused(await whoami(), 'Authentication credentials were not provided.', 'Bearer realm="api"');
    await expectRefused(await whoami('Basic dXNlcjpwYXNz'), 'Authentication credentials were not provided.', 'Bearer realm="api"');
  });

  it('fetched the JWK Set once for all these requests (PyJWKClient cache)', async () => {
    await whoami(`Bearer ${tokens.es256k.token}`);
    expect(canister.jwksFetches).toBe(1);
  });
});
