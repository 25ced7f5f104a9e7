// The gateway and the canister agree on every path: what the gateway serves for a URL is what
// the canister answers to a raw http_request query for that URL, certified.
import { request } from 'node:http';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HttpRequestType, HttpResponseType } from '../../src/backend/core/candid';
import type { Deployment } from '../../src/dev_network/deploy_jwt_issuer';
import type { LocalNetwork } from '../../packages/local-ic/src/network/local_network';
import { startDeployedIssuer } from './support/deployed_issuer';

interface Answer {
  status: number;
  body: string;
}

let network: LocalNetwork;
let deployment: Deployment;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ network, deployment, close } = await startDeployedIssuer('ic-jwt-paths-'));
});

afterAll(async () => {
  await close?.();
});

async function rawQuery(url: string): Promise<Answer> {
  const arg = IDL.encode([HttpRequestType], [{ method: 'GET', url, headers: [], body: new Uint8Array(), certificate_version: [2] }]);
  const result = await network.ic.queryCall(deployment.canisterId, 'http_request', arg, { sender: Principal.anonymous() });
  if (result.kind === 'rejected') throw new Error(result.message);
  const [response] = IDL.decode([HttpResponseType], result.reply) as unknown as [{ status_code: number; body: Uint8Array }];
  return { status: response.status_code, body: new TextDecoder().decode(Uint8Array.from(response.body)) };
}

/** Through the gateway, addressed by host so that the request target reaches it byte for byte. */
function throughGateway(target: string): Promise<Answer & { rewrittenUrl: string | undefined }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({
      host: '127.0.0.1',
      port: network.port,
      path: target,
      headers: { host: `${deployment.canisterId.toText()}.localhost:${network.port}` }
    });
    outgoing.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      const rewritten = response.headers['x-local-ic-rewritten-url'];
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, rewrittenUrl: typeof rewritten === 'string' ? rewritten : undefined }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

const PATHS = [
  '/.well-known/jwks.json',
  '/.well-known/openid-configuration',
  '/.well-known/jwks.json?x=%C0%AF',
  '/%C0%AF',
  '/%c0%af',
  '/%FF',
  '/%ED%A0%80',
  '/%E0%80%AF',
  '/.well-known/jwks.json%C0',
  '/%2F',
  '/%2e%2e/%2e%2e/',
  '/.well-known%2Fjwks.json',
  '/%2Ewell-known/jwks.json',
  '/.well-known/jwks%2Ejson',
  '/%00',
  '/.well-known/jwks.json%00',
  '/%',
  '/%%',
  '/%zz',
  '/%2',
  '/.well-known/jwks.json%',
  '//.well-known/jwks.json',
  '/.well-known//jwks.json',
  '/.well-known/jwks.json/',
  '/./.well-known/jwks.json',
  '/.well-known/./jwks.json',
  '/x/../.well-known/jwks.json',
  '/.well-known/jwks.json/..',
  '/..',
  '/',
  '/%20',
  '/%3C%24%3E',
  '/%3C*%3E',
  '/<$>',
  '/http_expr',
  '/%E2%82%AC',
  '/caf%C3%A9%C0%AF%F0%9F%98%80',
  '/.WELL-KNOWN/JWKS.JSON'
];

describe('gateway and raw query agree on paths', () => {
  it.each(PATHS)('GET %s', async (target) => {
    const [raw, { rewrittenUrl, ...gateway }] = await Promise.all([rawQuery(target), throughGateway(target)]);
    expect(gateway).toEqual(raw);
    if (rewrittenUrl !== undefined) expect(await rawQuery(rewrittenUrl)).toEqual(raw);
  });

  it('says when it rewrote a target that icp0.io would refuse', async () => {
    expect((await throughGateway('/%C0%AF')).rewrittenUrl).toBe('/%25C0%25AF');
    expect((await throughGateway('/<$>?a=<')).rewrittenUrl).toBe('/%3C$%3E?a=%3C');
    expect((await throughGateway('/.well-known/jwks.json?a=%C0')).rewrittenUrl).toBeUndefined();
  });
});
