// examples/django-drf on Django's development server, against canister tokens from the built Wasm
// on the local IC (JWK Set over HTTP): real tokens get their principal, bad ones DRF's 401.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CanisterJwks, type IssuedToken } from '../support/canister_jwks';

const EXAMPLE = fileURLToPath(new URL('../../examples/django-drf/', import.meta.url));
const AUDIENCE = 'django-api';

let canister: CanisterJwks;
let django: RunningDjango;
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

interface RunningDjango {
  apiUrl: string;
  stop(): Promise<void>;
}

/** `manage.py runserver` on a free port of 127.0.0.1, once it answers. */
async function startDjango(environment: Record<string, string>): Promise<RunningDjango> {
  const port = await freePort();
  const child = spawn('/usr/bin/python3', ['manage.py', 'runserver', '--noreload', `127.0.0.1:${port}`], {
    cwd: EXAMPLE,
    env: { ...process.env, ...environment, PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const running: RunningDjango = {
    apiUrl: `http://127.0.0.1:${port}/api/whoami`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  };
  for (let attempt = 0; attempt < 150; attempt++) {
    if (child.exitCode !== null) throw new Error(`Django exited (${child.exitCode}): ${output}`);
    try {
      await fetch(running.apiUrl);
      return running;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await running.stop();
  throw new Error(`Django did not answer at ${running.apiUrl}: ${output}`);
}

beforeAll(async () => {
  canister = await CanisterJwks.start([AUDIENCE, 'other-api']);
  tokens.expired = (await canister.issue({ algorithm: 'ES256K', ttlSeconds: 3600 })).token;
  canister.catchUpWithWallClock();
  tokens.es256k = await canister.issue({ algorithm: 'ES256K' });
  tokens.eddsa = await canister.issue({ algorithm: 'EdDSA' });
  tokens.otherAudience = (await canister.issue({ algorithm: 'EdDSA', audience: 'other-api' })).token;

  django = await startDjango({ JWKS_URI: canister.jwksUrl, ISSUER: canister.issuerUrl, AUDIENCE });
});

afterAll(async () => {
  await django?.stop();
  await canister?.close();
});

const whoami = (authorization?: string) => fetch(django.apiUrl, authorization === undefined ? {} : { headers: { authorization } });

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

describe('examples/django-drf without its JWK Set', () => {
  it('answers 503, not 401, while the JWK Set cannot be fetched', async () => {
    const unreachable = `http://127.0.0.1:${await freePort()}/.well-known/jwks.json`;
    const offline = await startDjango({ JWKS_URI: unreachable, ISSUER: canister.issuerUrl, AUDIENCE });
    try {
      const response = await fetch(offline.apiUrl, { headers: { authorization: `Bearer ${tokens.es256k.token}` } });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ detail: "The token issuer's keys cannot be fetched right now." });
    } finally {
      await offline.stop();
    }
  });
});
