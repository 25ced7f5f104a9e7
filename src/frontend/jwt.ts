// Reads a compact JWS for display: its header and claims, without verifying anything (the page
// shows what it received; the off-chain API is what verifies). Pure.
import { utcInstant } from './countdown';

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

export interface ClaimRow {
  name: string;
  value: string;
  /** For NumericDate claims (iat, nbf, exp): the instant in UTC. */
  note?: string;
}

const NUMERIC_DATE_CLAIMS = new Set(['iat', 'nbf', 'exp']);

function base64UrlToBytes(part: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw new Error('not base64url');
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}

function jsonObject(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(base64UrlToBytes(part)));
  } catch (error) {
    throw new Error(`the token's ${what} is not base64url-encoded JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`the token's ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error(`a JWT has 3 dot-separated parts; this one has ${parts.length}`);
  return { header: jsonObject(parts[0]!, 'header'), claims: jsonObject(parts[1]!, 'claims') };
}

/** The claims in order, values as JSON text, with NumericDate claims also as UTC instants. */
export function claimRows(claims: Record<string, unknown>): ClaimRow[] {
  return Object.entries(claims).map(([name, value]) => {
    const row: ClaimRow = { name, value: typeof value === 'string' ? value : JSON.stringify(value) };
    if (NUMERIC_DATE_CLAIMS.has(name) && typeof value === 'number' && Number.isFinite(value)) {
      row.note = utcInstant(value);
    }
    return row;
  });
}
