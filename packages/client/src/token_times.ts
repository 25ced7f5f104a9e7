// A token's iat and exp, read from its payload without verifying it: only to time its reuse.
// (Whoever receives the token verifies it; the caller just got it from the issuer.)

export function issuedAtOf(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const iat: unknown = (JSON.parse(new TextDecoder().decode(bytes)) as { iat?: unknown }).iat;
    return typeof iat === 'number' && Number.isFinite(iat) ? iat : undefined;
  } catch {
    return undefined;
  }
}
