// The PocketIC server process: the REST API on 127.0.0.1, started the way @dfinity/pic starts the
// real one. The port file is the lock: a second server given the same file finds it taken and exits
// quietly (its client reads the first server's port from it).
import { randomBytes } from 'node:crypto';
import { link, unlink, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen, LOOPBACK_HOST } from '../http_interface/server.js';
import { PocketIcApi, type PocketIcApiOptions } from './routes.js';

export interface PocketIcServerOptions extends PocketIcApiOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Written with the port and a newline once the server listens; removed when it stops. */
  readonly portFile?: string;
  /** Stop after this many seconds without a request in progress (the real server's default is 60). */
  readonly ttlSeconds?: number;
  /**
   * A full garbage collection (the process's `gc`, where it was exposed). When given, the server
   * runs it once it has been idle for IDLE_COLLECTION_MS after deleting instances, so that their
   * canisters' memory goes back to the operating system then rather than at V8's next full
   * collection, which a server making small instances may not reach for a hundred of them.
   */
  readonly collectGarbage?: () => void;
}

export interface RunningPocketIcServer {
  readonly url: string;
  readonly port: number;
  /** Resolves once the server has stopped (TTL, signal or stop()). */
  readonly stopped: Promise<void>;
  stop(): Promise<void>;
}

/**
 * SECURITY: binds the loopback interface only; instances run arbitrary canister code and
 * management calls are unauthenticated test hooks (set time, cycles, stable memory).
 */
export { LOOPBACK_HOST };
const DEFAULT_TTL_SECONDS = 60;
const TTL_CHECK_INTERVAL_MS = 1_000;
const IDLE_COLLECTION_MS = 100;

/** Starts the server, or returns undefined when another server already holds `portFile`. */
export async function startPocketIcServer(options: PocketIcServerOptions = {}): Promise<RunningPocketIcServer | undefined> {
  const api = new PocketIcApi(options);
  let inFlight = 0;
  let lastActivity = Date.now();
  let deletionsCollected = 0;
  let idleCollection: NodeJS.Timeout | undefined;
  const collectWhenIdle = (): void => {
    clearTimeout(idleCollection);
    const { collectGarbage } = options;
    if (collectGarbage === undefined || inFlight > 0 || api.deletedInstanceCount === deletionsCollected) return;
    idleCollection = setTimeout(() => {
      idleCollection = undefined;
      deletionsCollected = api.deletedInstanceCount;
      collectGarbage();
    }, IDLE_COLLECTION_MS);
  };
  // Idle keep-alive connections stay open, as with the real server (hyper has no idle timeout): Node's
  // default closes them after 5 s, and a client whose event loop was busy for that long (a test
  // running a long computation between two calls) sends its next request into the closing socket and
  // gets "other side closed". Connections still end with the server (closeAllConnections).
  const server = createServer({ keepAliveTimeout: 0 }, (request, response) => {
    inFlight += 1;
    clearTimeout(idleCollection);
    void serve(api, request, response).finally(() => {
      inFlight -= 1;
      lastActivity = Date.now();
      collectWhenIdle();
    });
  });
  await api.warmUp();
  await listen(server, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  if (options.portFile !== undefined && !(await claimPortFile(options.portFile, port))) {
    await closeServer(server);
    return undefined;
  }

  // The idle time counts from when clients can connect.
  lastActivity = Date.now();

  let stopping: Promise<void> | undefined;
  let markStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      clearInterval(ttlTimer);
      clearTimeout(idleCollection);
      await closeServer(server);
      await api.close();
      if (options.portFile !== undefined) await unlink(options.portFile).catch(() => undefined);
      markStopped();
    })());
  const ttlMs = (options.ttlSeconds ?? DEFAULT_TTL_SECONDS) * 1_000;
  const ttlTimer = setInterval(() => {
    if (inFlight === 0 && Date.now() - lastActivity > ttlMs) void stop();
  }, Math.min(TTL_CHECK_INTERVAL_MS, Math.max(ttlMs, 10)));
  return { url: `http://${LOOPBACK_HOST}:${port}`, port, stopped, stop };
}

/** Writes "<port>\n" to a fresh file and links it into place: readers never see a partial file, and only one server wins. */
async function claimPortFile(portFile: string, port: number): Promise<boolean> {
  const draft = `${portFile}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(draft, `${port}\n`, { flag: 'wx' });
  try {
    await link(draft, portFile);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

async function serve(api: PocketIcApi, request: IncomingMessage, response: ServerResponse): Promise<void> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const reply = await api.handle({
      method: request.method ?? 'GET',
      path: (request.url ?? '/').split('?', 1)[0] ?? '/',
      headers: request.headers,
      body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
    });
    response.statusCode = reply.status;
    if (reply.contentType !== undefined) response.setHeader('content-type', reply.contentType);
    response.end(typeof reply.body === 'string' ? reply.body : Buffer.from(reply.body));
  } catch (error) {
    if (response.headersSent) response.destroy();
    else {
      response.statusCode = 500;
      response.end(JSON.stringify({ message: error instanceof Error ? error.message : String(error) }));
    }
  }
}


function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
