// Words for how long a token (or a wait) lasts, e.g. "1 h 2 min 5 s". Pure.

/** Whole seconds as "1 h 2 min 5 s", "3 min", "45 s", "0 s". */
export function formatSeconds(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  const parts = [hours > 0 ? `${hours} h` : '', minutes > 0 ? `${minutes} min` : '', rest > 0 || seconds === 0 ? `${rest} s` : ''];
  return parts.filter((part) => part !== '').join(' ');
}

/** "Expires in 59 min 58 s" / "Expired 3 s ago", for a token whose exp is `expiresAtSeconds`. */
export function describeExpiry(expiresAtSeconds: number, nowMillis: number): string {
  const remaining = expiresAtSeconds - nowMillis / 1000;
  return remaining > 0 ? `Expires in ${formatSeconds(Math.ceil(remaining))}` : `Expired ${formatSeconds(-remaining)} ago`;
}

export function isExpired(expiresAtSeconds: number, nowMillis: number): boolean {
  return expiresAtSeconds * 1000 <= nowMillis;
}

/** The instant `exp` as the browser shows dates (its locale and time zone unless given), e.g. "1 Dec 2026, 03:30:12 UTC". */
export function formatExpiryDate(expiresAtSeconds: number, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'long', ...(timeZone === undefined ? {} : { timeZone }) }).format(new Date(expiresAtSeconds * 1000));
}

/** A NumericDate as an ISO 8601 instant in UTC, e.g. "2026-12-01T03:30:12Z" (also for `<time datetime>`). */
export function utcInstant(secondsSince1970: number): string {
  return new Date(secondsSince1970 * 1000).toISOString().replace('.000Z', 'Z');
}

/** While the issuer refuses new tokens: "New token in 42 s", or null once `retryAtMillis` has passed. */
export function describeRetryWait(retryAtMillis: number, nowMillis: number): string | null {
  const remaining = retryAtMillis - nowMillis;
  return remaining > 0 ? `New token possible in ${formatSeconds(Math.ceil(remaining / 1000))}` : null;
}
