// Strict base64url (RFC 7515 §2): URL alphabet, no padding, no whitespace, canonical
// trailing bits. Security: lenient decoders map several strings to the same bytes, so a
// token's signature part could be rewritten without invalidating it; we accept only
// the one canonical spelling of each byte string.

/** The decoded bytes, or undefined when `text` is not canonical base64url. */
export function decodeBase64UrlStrict(text: string): Buffer | undefined {
  // Node's decoder is lenient (skips bad characters, accepts "=", "+" and "/"), but its
  // encoder is canonical: a string is strict base64url exactly when it survives the round trip.
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}
