// The native app's redirect endpoint (RFC 8252 §7.3): an HTTP listener on the loopback
// interface, on a port the OS picks, that takes exactly one authorization response.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackReceiver {
  /** http://127.0.0.1:<port><path>: what the app sends as redirect_uri. */
  readonly redirectUri: string;
  /** The full URL of the first request to the redirect path (code, state, iss, or error). */
  readonly response: Promise<URL>;
  close(): Promise<void>;
}

const PAGE_STYLE = 'font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem';

function page(title: string, text: string): string {
  return `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="${PAGE_STYLE}"><h1>${title}</h1><p>${text}</p>`;
}

/**
 * Listens on 127.0.0.1 (an IP literal, not "localhost", which might resolve elsewhere: RFC 8252 §8.3)
 * until the browser is redirected to `path`, or `timeoutMs` passes.
 */
export async function startLoopbackReceiver(path: string, timeoutMs: number): Promise<LoopbackReceiver> {
  let settle: { resolve(url: URL): void; reject(error: Error): void } | undefined;
  const response = new Promise<URL>((resolve, reject) => (settle = { resolve, reject }));
  // Closing before any response rejects it; whoever awaits it sees that, nobody else has to.
  response.catch(() => undefined);
  let origin = '';
  const server = createServer((request, reply) => {
    // Against our own origin, not the Host header: the app sends this URL's origin and path as redirect_uri again.
    const url = new URL(request.url ?? '/', origin);
    if (request.method !== 'GET' || url.origin !== origin || url.pathname !== path || settle === undefined) {
      reply.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found.');
      return;
    }
    const failed = url.searchParams.has('error');
    // Only the app reads the parameters; the page shows none of them, so nothing is reflected.
    const body = failed
      ? page('Sign-in failed', 'The app reports what went wrong. You can close this window.')
      : page('Signed in', 'You can close this window and return to the app.');
    reply.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
    settle.resolve(url);
    settle = undefined;
  });
  // Browsers keep connections alive; without this, close() would wait for them.
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  const timer = setTimeout(() => {
    settle?.reject(new Error(`no authorization response within ${Math.round(timeoutMs / 1000)} s`));
    settle = undefined;
  }, timeoutMs);
  return {
    redirectUri: `${origin}${path}`,
    response,
    close: () =>
      new Promise<void>((resolve) => {
        clearTimeout(timer);
        settle?.reject(new Error('the sign-in was abandoned'));
        settle = undefined;
        server.close(() => resolve());
        server.closeAllConnections();
      })
  };
}
