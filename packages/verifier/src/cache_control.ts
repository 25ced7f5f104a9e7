// How long a fetched JWK Set or discovery document may be used (RFC 9111 §4.2.1),
// clamped to bounds so that neither an issuer nor a proxy can make us fetch on every
// request (max-age=0, no-store) or keep a key set for days.

export interface FreshnessBounds {
  readonly minSeconds: number;
  readonly maxSeconds: number;
}

export function freshnessLifetimeSeconds(
  cacheControl: string | null,
  age: string | null,
  bounds: FreshnessBounds
): number {
  const lifetime = maxAgeSeconds(cacheControl ?? '') ?? 0;
  const ageSeconds = age !== null && /^\d+$/.test(age.trim()) ? Number(age.trim()) : 0;
  return Math.min(bounds.maxSeconds, Math.max(bounds.minSeconds, lifetime - ageSeconds));
}

/** The max-age directive, or undefined when absent; no-store and no-cache count as 0. */
function maxAgeSeconds(cacheControl: string): number | undefined {
  let maxAge: number | undefined;
  for (const directive of cacheControl.split(',')) {
    const [rawName = '', rawValue] = directive.split('=', 2);
    const name = rawName.trim().toLowerCase();
    if (name === 'no-store' || name === 'no-cache') return 0;
    if (name === 'max-age' && maxAge === undefined && rawValue !== undefined) {
      const value = rawValue.trim().replace(/^"(.*)"$/, '$1');
      if (/^\d+$/.test(value)) maxAge = Number(value);
    }
  }
  return maxAge;
}
