// Redirect URIs of registered clients (RFC 6749 §3.1.2, RFC 8252 for native apps), parsed by
// hand with strict patterns: a URL parser normalises (case, ports, dots), and a redirect URI
// must be compared exactly as the client wrote it.
import type { ClientKind } from './clients';

export const REDIRECT_URI_MAX_LENGTH = 512;

/** RFC 3986 path characters (pchar and "/"), percent-encodings included. */
const PATH = "/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*";

/**
 * Security (RFC 8252 §7.3, §8.3): only the loopback IP literals. `localhost` may resolve to any
 * address (a hosts file, a resolver), so a code sent there may leave the device.
 */
const LOOPBACK = new RegExp(`^http://(127\\.0\\.0\\.1|\\[::1\\])(?::([0-9]{1,5}))?(${PATH})$`);

/** RFC 8252 §7.1: a reverse domain name scheme (at least one dot), then ":/" and a path. */
const PRIVATE_USE = new RegExp(`^([a-z][a-z0-9+-]*(?:\\.[a-z0-9+-]+)+):(${PATH})$`);

const HTTPS = new RegExp(`^https://([a-z0-9-]+(?:\\.[a-z0-9-]+)*)(?::([0-9]{1,5}))?(${PATH})$`);

export interface LoopbackUri {
  kind: 'loopback';
  host: '127.0.0.1' | '[::1]';
  port: number | undefined;
  path: string;
}

export type ParsedRedirectUri = LoopbackUri | { kind: 'private-use'; scheme: string } | { kind: 'https'; host: string };

function portOf(text: string | undefined): number | undefined | null {
  if (text === undefined) return undefined;
  // No leading zeros: one port, one spelling.
  if (!/^[1-9][0-9]*$/.test(text)) return null;
  const port = Number(text);
  return port <= 65535 ? port : null;
}

/** The redirect URI's form, or undefined when it is none this issuer accepts (query and fragment never are). */
export function parseRedirectUri(uri: string): ParsedRedirectUri | undefined {
  if (uri.length > REDIRECT_URI_MAX_LENGTH) return undefined;
  const loopback = LOOPBACK.exec(uri);
  if (loopback !== null) {
    const port = portOf(loopback[2]);
    if (port === null) return undefined;
    return { kind: 'loopback', host: loopback[1] as LoopbackUri['host'], port, path: loopback[3]! };
  }
  const privateUse = PRIVATE_USE.exec(uri);
  if (privateUse !== null) return { kind: 'private-use', scheme: privateUse[1]! };
  const https = HTTPS.exec(uri);
  if (https !== null && portOf(https[2]) !== null) return { kind: 'https', host: https[1]! };
  return undefined;
}

/** Why `uri` cannot be registered for a client of `kind`; undefined when it can. */
export function describeRedirectUriProblem(kind: ClientKind, uri: string): string | undefined {
  if (uri.length > REDIRECT_URI_MAX_LENGTH) return `must be at most ${REDIRECT_URI_MAX_LENGTH} characters`;
  const parsed = parseRedirectUri(uri);
  if (kind === 'Native') {
    if (parsed?.kind === 'loopback' || parsed?.kind === 'private-use') return undefined;
    if (/^http:\/\/localhost[:/]/i.test(uri)) return 'localhost is not a loopback redirect (RFC 8252 §8.3): use http://127.0.0.1/… or http://[::1]/…';
    return `a native client redirects to http://127.0.0.1/path, http://[::1]/path or a private-use scheme like com.example.app:/callback, without query or fragment; got ${JSON.stringify(uri.slice(0, 80))}`;
  }
  if (parsed?.kind === 'https') return undefined;
  return `a web client redirects to an https URI with a lowercase host, without query or fragment; got ${JSON.stringify(uri.slice(0, 80))}`;
}

/**
 * Whether a redirect URI of an authorization or token request matches a registered one: exactly,
 * except that a registered loopback URI matches the same host and path on any port (RFC 8252 §7.3:
 * the app picks a free port at the time of the request).
 */
export function matchesRegisteredUri(registered: string, requested: string): boolean {
  if (registered === requested) return true;
  const want = parseRedirectUri(registered);
  if (want?.kind !== 'loopback') return false;
  const got = parseRedirectUri(requested);
  return got?.kind === 'loopback' && got.host === want.host && got.path === want.path;
}
