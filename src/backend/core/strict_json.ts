// A strict JSON reader for text a caller wants signed. JSON.parse silently changes what it
// reads (duplicate keys collapse, 1e400 becomes Infinity and is then written as null, large
// integers lose digits, lone surrogates pass through), so a signed token could say something
// the caller never wrote. This reader refuses every such input, with the reason, so that
// JSON.stringify of what it returns means exactly what the text meant.
//
// The rules, beyond RFC 8259's grammar:
// - no two members of one object share a name;
// - a number is accepted only if JSON.stringify writes it back exactly as it was written (the
//   shortest round-trip form: no "1.0", "1e2", "-0", "9e20", "0.10"), and a whole number only
//   if it is a safe integer (|n| ≤ 2^53 − 1), so every JSON library reads the same value;
// - strings and names are well-formed UTF-16 (no lone surrogate, raw or escaped);
// - nesting is bounded, and `__proto__`, `constructor` and `prototype` are refused as names at
//   every depth (a consumer's deep merge must not be able to reach a prototype).
import { err, ok, type Result } from './issue_error';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [name: string]: JsonValue };
export type JsonObject = { [name: string]: JsonValue };

export const PROTOTYPE_NAMES: readonly string[] = ['__proto__', 'constructor', 'prototype'];

export interface StrictJsonLimits {
  /** Objects and arrays nested deeper than this are refused (the top-level object is depth 1). */
  maxDepth: number;
}

class JsonRefusal extends Error {}

/** Parses `text`, which must hold one JSON object, or says why it is refused. */
export function parseStrictJsonObject(text: string, limits: StrictJsonLimits): Result<JsonObject, string> {
  const reader = new Reader(text, limits.maxDepth);
  try {
    reader.skipWhitespace();
    if (reader.peek() !== '{') return err('must be a JSON object');
    const value = reader.readObject(1);
    reader.skipWhitespace();
    if (!reader.atEnd()) reader.fail('unexpected text after the object');
    return ok(value);
  } catch (refusal) {
    if (refusal instanceof JsonRefusal) return err(refusal.message);
    throw refusal;
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Reader {
  private position = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number
  ) {}

  atEnd(): boolean {
    return this.position >= this.text.length;
  }

  peek(): string | undefined {
    return this.text[this.position];
  }

  fail(reason: string): never {
    throw new JsonRefusal(`${reason} at offset ${this.position}`);
  }

  skipWhitespace(): void {
    while (this.position < this.text.length && ' \t\n\r'.includes(this.text[this.position]!)) this.position++;
  }

  private expect(char: string): void {
    if (this.text[this.position] !== char) this.fail(`expected ${JSON.stringify(char)}`);
    this.position++;
  }

  private readValue(depth: number): JsonValue {
    this.skipWhitespace();
    const char = this.peek();
    if (char === '{') return this.readObject(depth + 1);
    if (char === '[') return this.readArray(depth + 1);
    if (char === '"') return this.readString('a string');
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return this.readNumber();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.position)) {
        this.position += word.length;
        return value;
      }
    }
    return this.fail(char === undefined ? 'unexpected end of the text' : `unexpected ${JSON.stringify(char)}`);
  }

  private checkDepth(depth: number): void {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth} levels`);
  }

  readObject(depth: number): JsonObject {
    this.checkDepth(depth);
    this.expect('{');
    const members = new Map<string, JsonValue>();
    this.skipWhitespace();
    if (this.peek() === '}') {
      this.position++;
      return {};
    }
    for (;;) {
      this.skipWhitespace();
      if (this.peek() !== '"') this.fail('expected a member name');
      const nameAt = this.position;
      const name = this.readString('a member name');
      if (members.has(name)) throw new JsonRefusal(`duplicate member name ${JSON.stringify(name)} at offset ${nameAt}`);
      if (PROTOTYPE_NAMES.includes(name)) throw new JsonRefusal(`the member name ${JSON.stringify(name)} is not allowed (offset ${nameAt})`);
      this.skipWhitespace();
      this.expect(':');
      members.set(name, this.readValue(depth));
      this.skipWhitespace();
      if (this.peek() === '}') {
        this.position++;
        // fromEntries defines own data properties: no name reaches a setter.
        return Object.fromEntries(members);
      }
      this.expect(',');
    }
  }

  private readArray(depth: number): JsonValue[] {
    this.checkDepth(depth);
    this.expect('[');
    const items: JsonValue[] = [];
    this.skipWhitespace();
    if (this.peek() === ']') {
      this.position++;
      return items;
    }
    for (;;) {
      items.push(this.readValue(depth));
      this.skipWhitespace();
      if (this.peek() === ']') {
        this.position++;
        return items;
      }
      this.expect(',');
    }
  }

  private readNumber(): number {
    NUMBER.lastIndex = this.position;
    const match = NUMBER.exec(this.text);
    if (match === null) return this.fail('malformed number');
    const lexeme = match[0];
    const value = Number(lexeme);
    if (!Number.isFinite(value)) this.fail(`the number ${lexeme} is out of range`);
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      this.fail(`the number ${lexeme} is not a safe integer (|n| ≤ ${Number.MAX_SAFE_INTEGER})`);
    }
    if (JSON.stringify(value) !== lexeme) {
      this.fail(`the number ${lexeme} would be signed as ${JSON.stringify(value)}; write it that way`);
    }
    this.position += lexeme.length;
    return value;
  }

  private readString(what: string): string {
    this.expect('"');
    const parts: string[] = [];
    let runStart = this.position;
    for (;;) {
      if (this.atEnd()) this.fail(`unterminated ${what}`);
      const code = this.text.charCodeAt(this.position);
      if (code !== 0x22 && code !== 0x5c) {
        if (code < 0x20) this.fail(`${what} holds an unescaped control character`);
        this.position++;
        continue;
      }
      parts.push(this.text.slice(runStart, this.position));
      if (code === 0x22) {
        this.position++;
        const value = parts.join('');
        if (!isWellFormed(value)) this.fail(`${what} holds a lone surrogate`);
        return value;
      }
      parts.push(this.readEscape());
      runStart = this.position;
    }
  }

  private readEscape(): string {
    const escape = this.text[this.position + 1];
    if (escape === 'u') {
      const hex = this.text.slice(this.position + 2, this.position + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('malformed \\u escape');
      this.position += 6;
      return String.fromCharCode(parseInt(hex, 16));
    }
    const decoded = escape === undefined ? undefined : ESCAPES[escape];
    if (decoded === undefined) this.fail('malformed escape');
    this.position += 2;
    return decoded;
  }
}

/** Every high surrogate is followed by a low one, and every low one preceded by a high one. */
function isWellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return false;
    }
  }
  return true;
}
