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
