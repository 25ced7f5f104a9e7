// Fetches one JSON document with a timeout and a size limit. The only network I/O of the library.
import { JwksInvalidError, JwksUnreachableError, JwtVerifierError, RedirectRefusedError } from './errors.js';
import type { FetchLike } from './options.js';
import { redirectTarget } from './url_policy.js';

export interface FetchedDocument {
  readonly json: unknown;
  readonly cacheControl: string | null;
  readonly age: string | null;
}

/** A JWK Set of a few keys is about 1 KiB; anything near this is not one. */
export const MAX_DOCUMENT_BYTES = 256 * 1024;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Security: redirects are followed by hand (redirect: 'manual'), within the first URL's
 * origin only (url_policy.ts), so a redirect cannot take us to plain http or to keys elsewhere.
 * One timeout covers all hops.
 */
export async function fetchJsonDocument(fetch: FetchLike, url: string, timeoutMs: number): Promise<FetchedDocument> {
  let response: Response;
  let text: string;
  try {
    const signal = AbortSignal.timeout(timeoutMs);
    let current = url;
    for (let hops = 0; ; hops++) {
      response = await fetch(current, { headers: { accept: 'application/json' }, redirect: 'manual', signal });
      if (!REDIRECT_STATUSES.has(response.status) && response.type !== 'opaqueredirect') break;
      await discardBody(response);
      if (response.type === 'opaqueredirect') throw new RedirectRefusedError(`${current} redirected, and this fetch hides where to`);
      current = redirectTarget(url, current, response.headers.get('location'), hops);
    }
    // A fetch that follows redirects itself, whatever we ask, is held to the same rule.
    if (response.redirected && response.url !== '') redirectTarget(url, url, response.url, 0);
    if (!response.ok) {
      await discardBody(response);
      throw new JwksUnreachableError(`${current} answered HTTP ${response.status}`);
    }
    text = await readLimited(response, current);
  } catch (cause) {
    if (cause instanceof JwtVerifierError) throw cause;
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

async function discardBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

async function readLimited(response: Response, url: string): Promise<string> {
  const tooLarge = () => new JwksInvalidError(`${url} answered with more than ${MAX_DOCUMENT_BYTES} bytes`);
  if (Number(response.headers.get('content-length') ?? 0) > MAX_DOCUMENT_BYTES) {
    await discardBody(response);
    throw tooLarge();
  }
  if (response.body === null) return '';
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  let text = '';
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      size += value.length;
      if (size > MAX_DOCUMENT_BYTES) throw tooLarge();
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    // Stops the download when we give up early; a no-op once the body is read.
    await reader.cancel().catch(() => undefined);
  }
}

function describe(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
  return `${cause.message}${inner}`;
}
