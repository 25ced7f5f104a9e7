/**
 * Quotes a string the way Rust's `{:?}` does, because the IC builds some
 * reject messages by Debug-printing a Rust value that wraps a string.
 * Non-ASCII characters are kept as they are (Rust escapes only the few it
 * considers unprintable).
 */
export function rustDebugString(text: string): string {
  let quoted = '"';
  for (const char of text) {
    quoted += escapeChar(char);
  }
  return `${quoted}"`;
}

function escapeChar(char: string): string {
  switch (char) {
    case '"':
      return '\\"';
    case '\\':
      return '\\\\';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    case '\0':
      return '\\0';
  }
  const codePoint = char.codePointAt(0) ?? 0;
  if (codePoint < 0x20 || codePoint === 0x7f) {
    return `\\u{${codePoint.toString(16)}}`;
  }
  return char;
}
