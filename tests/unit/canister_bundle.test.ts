// The canister bundle's TextEncoder/TextDecoder (Azle's @sinonjs/text-encoding polyfill) without
// its legacy-encoding tables (scripts/without_legacy_encodings.ts): UTF-8 as Node's, and a clear
// error for an encoding whose tables are gone.
import { runInNewContext } from 'node:vm';

import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

import { withoutLegacyEncodingTables } from '../../scripts/without_legacy_encodings';

const ENTRY = `
import { TextDecoder, TextEncoder } from '@sinonjs/text-encoding';
globalThis.encodeUtf8 = (text) => Array.from(new TextEncoder().encode(text));
globalThis.decode = (label, bytes, fatal) => new TextDecoder(label, { fatal }).decode(new Uint8Array(bytes));
`;

async function polyfill(plugins: typeof withoutLegacyEncodingTables[]) {
  const result = await build({ stdin: { contents: ENTRY, resolveDir: process.cwd() }, bundle: true, format: 'iife', write: false, plugins });
  const context: Record<string, (...args: never[]) => unknown> = {};
  runInNewContext(result.outputFiles[0]!.text, context);
  return { code: result.outputFiles[0]!.text, context } as const;
}

describe('the polyfill without legacy-encoding tables', () => {
  it('leaves the tables out of the bundle', async () => {
    const full = await polyfill([]);
    const trimmed = await polyfill([withoutLegacyEncodingTables]);
    expect(full.code.length - trimmed.code.length).toBeGreaterThan(400_000);
  });

  it('encodes and decodes UTF-8 as Node does, fatal errors included', async () => {
    const { context } = await polyfill([withoutLegacyEncodingTables]);
    const encodeUtf8 = context.encodeUtf8 as (text: string) => number[];
    const decode = context.decode as (label: string, bytes: number[], fatal: boolean) => string;
    for (const text of ['', 'ascii', 'Checking the request\u2026', '\u03bc \u2192 \ud834\udd1e', '\ud800 lone']) {
      expect(encodeUtf8(text)).toEqual([...new TextEncoder().encode(text)]);
      const bytes = [...Buffer.from(text, 'utf8')];
      expect(decode('utf-8', bytes, false)).toBe(new TextDecoder().decode(Uint8Array.from(bytes)));
    }
    expect(() => decode('utf-8', [0xff], true)).toThrow('Decoder error');
  });

  it.each(['gbk', 'big5', 'windows-1252', 'euc-kr'])('refuses to decode %s with an error that says the tables are not there', async (label) => {
    const { context } = await polyfill([withoutLegacyEncodingTables]);
    const decode = context.decode as (label: string, bytes: number[], fatal: boolean) => string;
    expect(() => decode(label, [0xb0, 0xa1], false)).toThrow(/encoding tables are not in this canister: it encodes and decodes UTF-8 only/);
  });
});
