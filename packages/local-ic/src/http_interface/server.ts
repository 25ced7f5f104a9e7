import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PayloadTooLargeError } from './errors';
import type { HttpReply, IcHttpInterface } from './ic_http_interface';
import { discardRestOfRefusedBody, readBoundedBody } from './request_body';
import { routeRequest } from './router';

/**
 * The HTTP server of a local network: node:http on 127.0.0.1.
 *
 * SECURITY: it binds to the loopback interface only. The local network has
 * no rate limits and its keys protect nothing real, so it must not be
 * reachable from other machines. Any web page the developer opens can still
 * reach it (CORS allows every origin, as the replica does, because agent-js
 * in the frontend and the dev identity provider need it), so every request is
 * answered in bounded time: headers and whole requests time out, bodies are
 * capped before they are read, and decoding is bounded (cbor.ts).
 */

export interface ReplicaServerOptions {
  readonly api: IcHttpInterface;
  /** 0 picks a free port. */
  readonly port: number;
  /** Largest request body accepted (413 above it); 4 MiB by default, enough for a 2 MiB Wasm chunk plus envelope. */
  readonly maxRequestBytes?: number;
  /** Serve /api/v3/canister/<id>/call (default true); without it agents use /api/v2/.../call and poll. */
  readonly syncCallEndpoint?: boolean;
  /** Serves what is not for the IC HTTP interface (the HTTP gateway, static pages); without it, only the interface is served. */
  readonly web?: WebHandler;
}

export interface WebRequest {
  readonly method: string;
  readonly url: string;
  readonly host: string | undefined;
  readonly headers: [string, string][];
  readonly body: Uint8Array;
}

export interface WebReply {
  readonly status: number;
  readonly headers: [string, string][];
  readonly body: Uint8Array | string;
}

export interface WebHandler {
  /** True when the request is for the web handler rather than the IC HTTP interface. */
  claims(host: string | undefined, url: string): boolean;
  handle(request: WebRequest): Promise<WebReply>;
}

export interface RunningReplicaServer {
  /** e.g. http://127.0.0.1:43117, for HttpAgent's `host`. */
  readonly url: string;
  readonly port: number;
  readonly api: IcHttpInterface;
  /** Stops accepting requests and drops open connections. */
  close(): Promise<void>;
}

export const LOOPBACK_HOST = '127.0.0.1';
/**
 * The replica takes ingress messages of up to 2 MiB on application subnets
 * (max_ingress_bytes_per_message) and its HTTP endpoint caps bodies above
 * that; 4 MiB holds a 2 MiB message with its envelope and signatures.
 */
const DEFAULT_MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/** Time to receive a request's headers, and the whole request with its body (Node answers 408 after it). */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** How often Node checks those timeouts (its default, 30 s, would let a slow client hold on much longer). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST',
  'access-control-allow-headers': 'Authorization, Accept, Content-Type'
} as const;

export async function startReplicaServer(options: ReplicaServerOptions): Promise<RunningReplicaServer> {
  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const syncCallEndpoint = options.syncCallEndpoint ?? true;
  const timeouts = { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS };
  const server = createServer(timeouts, (request, response) => {
    const web = options.web;
    if (web !== undefined && web.claims(request.headers.host, request.url ?? '/')) void serveWeb(request, response, web, maxRequestBytes);
    else void serve(request, response, options.api, maxRequestBytes, syncCallEndpoint);
  });
  await listen(server, options.port);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${LOOPBACK_HOST}:${port}`,
    port,
    api: options.api,
    close: () => close(server)
  };
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  api: IcHttpInterface,
  maxRequestBytes: number,
  syncCallEndpoint: boolean
): Promise<void> {
  try {
    if (request.method === 'OPTIONS') {
      send(response, { status: 204, body: '' });
      return;
    }
    const body = await readBoundedBody(request, maxRequestBytes);
    if (body instanceof PayloadTooLargeError) {
      discardRestOfRefusedBody(request);
      send(response, { status: body.httpStatus, contentType: 'text/plain; charset=utf-8', body: body.message });
      return;
    }
    const reply = await routeRequest(
      api,
      { method: request.method ?? 'GET', url: request.url ?? '/', contentType: request.headers['content-type'], body },
      { syncCallEndpoint }
    );
    send(response, reply);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (!response.headersSent) send(response, { status: 500, contentType: 'text/plain; charset=utf-8', body: reason });
    else response.destroy();
  }
}

async function serveWeb(request: IncomingMessage, response: ServerResponse, web: WebHandler, maxRequestBytes: number): Promise<void> {
  try {
    const body = await readBoundedBody(request, maxRequestBytes);
    if (body instanceof PayloadTooLargeError) discardRestOfRefusedBody(request);
    const reply: WebReply =
      body instanceof PayloadTooLargeError
        ? { status: body.httpStatus, headers: [['content-type', 'text/plain; charset=utf-8']], body: body.message }
        : await web.handle({
            method: request.method ?? 'GET',
            url: request.url ?? '/',
            host: request.headers.host,
            headers: headerPairs(request),
            body
          });
    response.statusCode = reply.status;
    for (const [name, value] of reply.headers) response.appendHeader(name, value);
    response.end(typeof reply.body === 'string' ? reply.body : Buffer.from(reply.body));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (!response.headersSent) send(response, { status: 500, contentType: 'text/plain; charset=utf-8', body: reason });
    else response.destroy();
  }
}

function headerPairs(request: IncomingMessage): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) pairs.push([request.rawHeaders[i]!.toLowerCase(), request.rawHeaders[i + 1]!]);
  return pairs;
}

function send(response: ServerResponse, reply: HttpReply): void {
  response.statusCode = reply.status;
  for (const [name, value] of Object.entries(CORS_HEADERS)) response.setHeader(name, value);
  if (reply.contentType !== undefined) response.setHeader('content-type', reply.contentType);
  response.end(typeof reply.body === 'string' ? reply.body : Buffer.from(reply.body));
}

/** Listens on 127.0.0.1 only; rejects if the port is taken. */
export function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)));
    server.closeAllConnections();
  });
}
