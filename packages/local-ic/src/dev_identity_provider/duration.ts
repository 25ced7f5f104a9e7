// Words for a delegation's lifetime, e.g. "8 hours" or "1 day 2 hours". Pure.
const UNITS: [name: string, nanos: bigint][] = [
  ['day', 86_400_000_000_000n],
  ['hour', 3_600_000_000_000n],
  ['minute', 60_000_000_000n],
  ['second', 1_000_000_000n]
];

/** The two largest non-zero units, rounded down; "less than a second" below that. */
export function describeDuration(nanos: bigint): string {
  const parts: string[] = [];
  let rest = nanos;
  for (const [name, size] of UNITS) {
    const count = rest / size;
    rest -= count * size;
    if (count > 0n) parts.push(`${count} ${name}${count === 1n ? '' : 's'}`);
    if (parts.length === 2) break;
    if (parts.length === 1 && count === 0n) break;
  }
  return parts.length === 0 ? 'less than a second' : parts.join(' ');
}
