// JSON with integers beyond 2^53 (cycles are u128, times u64), as the PocketIC server reads and
// writes them: plain JSON numbers, which JSON.parse would round.

/** Longest integer literal JSON.parse reads exactly (2^53 has 16 digits, so 15 is safe). */
const SAFE_DIGITS = 15;
const BIG_MARK = '\u0000bigint:';

/** JSON.parse, except that integer literals too long for a double come back as strings of digits. */
export function parseJson(text: string): unknown {
  let out = '';
  let start = 0;
  let inString = false;
  const stringEnd = /["\\]/g;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      else {
        // Skip to the next quote or backslash (blobs are long base64 strings).
        stringEnd.lastIndex = i;
        const next = stringEnd.exec(text);
        i = (next === null ? text.length : next.index) - 1;
      }
    } else if (c === 0x22) {
      inString = true;
    } else if ((c >= 0x30 && c <= 0x39) || c === 0x2d) {
      let end = i + 1;
      while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
      const literal = text.slice(i, end);
      if (/^-?\d+$/.test(literal) && literal.replace('-', '').length > SAFE_DIGITS) {
        out += text.slice(start, i) + JSON.stringify(literal);
        start = end;
      }
      i = end - 1;
    }
  }
  return JSON.parse(out + text.slice(start));
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
}

/** JSON.stringify, writing bigints as plain JSON numbers. */
export function stringifyJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${BIG_MARK}${v.toString()}` : v));
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}
