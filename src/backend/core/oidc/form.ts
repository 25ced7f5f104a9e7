// application/x-www-form-urlencoded bodies of the token endpoint, read strictly (RFC 6749 §3.2,
// Appendix B): every parameter at most once, valid percent-encoding and UTF-8, a bounded size.
import { err, ok, type Result } from '../issue_error';

export const FORM_MAX_BYTES = 4096;
export const FORM_MAX_PARAMETERS = 16;

export type Form = ReadonlyMap<string, string>;

const decoder = new TextDecoder('utf-8', { fatal: true });

function decodeComponent(text: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '+') bytes.push(0x20);
    else if (char === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      const code = char.charCodeAt(0);
      // Unencoded bytes must be printable ASCII: the body was checked to be ASCII already.
      if (code < 0x21 || code > 0x7e) return undefined;
      bytes.push(code);
    }
  }
  try {
    return decoder.decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}

/**
 * The parameters of a form body. A parameter sent without a value counts as absent (RFC 6749
 * §3.1); a repeated one is refused, even with equal values, since which one a reader takes is
 * exactly what an attacker would play on.
 */
export function parseForm(body: Uint8Array): Result<Form, string> {
  if (body.length > FORM_MAX_BYTES) return err(`the body is ${body.length} bytes; the limit is ${FORM_MAX_BYTES}`);
  let text = '';
  for (const byte of body) {
    if (byte > 0x7e || byte < 0x20) return err('the body is not URL-encoded ASCII');
    text += String.fromCharCode(byte);
  }
  const form = new Map<string, string>();
  const seen = new Set<string>();
  if (text === '') return ok(form);
  const pairs = text.split('&');
  if (pairs.length > FORM_MAX_PARAMETERS) return err(`the body has ${pairs.length} parameters; the limit is ${FORM_MAX_PARAMETERS}`);
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    const name = decodeComponent(equals === -1 ? pair : pair.slice(0, equals));
    const value = decodeComponent(equals === -1 ? '' : pair.slice(equals + 1));
    if (name === undefined || value === undefined) return err('the body is not valid application/x-www-form-urlencoded UTF-8');
    if (name === '') return err('the body has a parameter without a name');
    if (seen.has(name)) return err(`the parameter ${JSON.stringify(name.slice(0, 40))} appears more than once`);
    seen.add(name);
    if (value !== '') form.set(name, value);
  }
  return ok(form);
}

/** Whether a Content-Type header value names a form body (parameters such as charset allowed). */
export function isFormContentType(value: string | undefined): boolean {
  return value !== undefined && /^application\/x-www-form-urlencoded\s*(;.*)?$/i.test(value.trim());
}
