// A tiny static HTTP server on 127.0.0.1 (a free port), serving files from memory.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { StaticAsset } from '../../../packages/local-ic/src/dev_identity_provider/in_memory_build';

export interface RunningServer {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  close(): Promise<void>;
}

/** Serves `files` by path ("/" and "/dir/" map to their index.html); anything else is 404. */
export async function serveStatic(files: ReadonlyMap<string, StaticAsset>): Promise<RunningServer> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const key = (path.endsWith('/') ? `${path}index.html` : path).slice(1);
    const file = files.get(key);
    if (request.method !== 'GET' || file === undefined) {
      response.writeHead(request.method === 'GET' ? 404 : 405, { 'content-type': 'text/plain' }).end('not here');
      return;
    }
    response.writeHead(200, { 'content-type': file.contentType, 'cache-control': 'no-store' }).end(file.body);
  });
  // Browsers keep connections alive; without this, close() would wait for them to time out.
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      })
  };
}

export function jsonAsset(value: unknown): StaticAsset {
  return { contentType: 'application/json', body: new TextEncoder().encode(JSON.stringify(value)) };
}
