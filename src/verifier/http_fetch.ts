// Fetches one JSON document with a timeout and a size limit. The only network I/O of the library.
import { JwksInvalidError, JwksUnreachableError } from './errors';
import type { FetchLike } from './options';

export interface FetchedDocument {
  readonly json: unknown;
  readonly cacheControl: string | null;
  readonly age: string | null;
}

/** A JWK Set of a few keys is about 1 KiB; anything near this is not one. */
export const MAX_DOCUMENT_BYTES = 256 * 1024;

export async function fetchJsonDocument(fetch: FetchLike, url: string, timeoutMs: number): Promise<FetchedDocument> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new JwksUnreachableError(`${url} answered HTTP ${response.status}`);
    }
    text = await readLimited(response, url);
  } catch (cause) {
    if (cause instanceof JwksUnreachableError || cause instanceof JwksInvalidError) throw cause;
    const reason = cause instanceof Error && cause.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : describe(cause);
    throw new JwksUnreachableError(`cannot fetch ${url}: ${reason}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new JwksInvalidError(`${url} did not answer with JSON`);
  }
  return { json, cacheControl: response.headers.get('cache-control'), age: response.headers.get('age') };
}

async function readLimited(response: Response, url: string): Promise<string> {
  const tooLarge = () => new JwksInvalidError(`${url} answered with more than ${MAX_DOCUMENT_BYTES} bytes`);
  if (Number(response.headers.get('content-length') ?? 0) > MAX_DOCUMENT_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    // Throwing out of for-await cancels the stream.
    if (size > MAX_DOCUMENT_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describe(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
  return `${cause.message}${inner}`;
}
