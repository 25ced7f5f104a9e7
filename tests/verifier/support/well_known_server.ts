// A tiny HTTP server (127.0.0.1, free port) that serves an issuer's well-known documents,
// counting requests, so the verifiers fetch over real HTTP as they would from a gateway.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { routeHttpRequest, type HttpResources, type HttpResponse } from '../../../src/backend/core/http';

export type Responder = (request: { method: string; url: string }) => HttpResponse | Promise<HttpResponse>;

export interface WellKnownServer {
  /** e.g. http://127.0.0.1:40123 */
  readonly origin: string;
  readonly jwksUrl: string;
  /** Request paths (with query) in arrival order. */
  readonly requests: string[];
  count(path: string): number;
  respondWith(responder: Responder): void;
  close(): Promise<void>;
}

/** Answers exactly as the canister's http_request does, from the resources of the moment. */
export function canisterResponder(resources: () => HttpResources): Responder {
  return (request) => routeHttpRequest(resources(), request);
}

export async function startWellKnownServer(responder: Responder): Promise<WellKnownServer> {
  let respond = responder;
  const requests: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    requests.push(url);
    Promise.resolve(respond({ method: req.method ?? 'GET', url }))
      .then((answer) => {
        res.writeHead(answer.statusCode, Object.fromEntries(answer.headers));
        res.end(Buffer.from(answer.body));
      })
      .catch(() => {
        res.writeHead(500);
        res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    jwksUrl: `${origin}/.well-known/jwks.json`,
    requests,
    count: (path) => requests.filter((url) => url.split('?')[0] === path).length,
    respondWith: (next) => {
      respond = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      })
  };
}

export function jsonResponse(statusCode: number, body: unknown, headers: [string, string][] = []): HttpResponse {
  return {
    statusCode,
    headers: [['content-type', 'application/json'], ...headers],
    body: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body))
  };
}
