// An esbuild plugin for the canister bundle (scripts/azle_build.ts). @sinonjs/text-encoding, Azle's
// TextEncoder/TextDecoder polyfill, requires its 530 KB of legacy-encoding tables (Big5, GBK,
// EUC-KR, the single-byte code pages) when it loads, and the canister evaluated all of them at
// every install and upgrade (0.86 B instructions). The canister only encodes and decodes UTF-8,
// which needs none of them: the tables are left out, and encoding or decoding a legacy encoding
// throws a RangeError that says so.
import { join } from 'node:path';

import type { Plugin } from 'esbuild';

const LEGACY_ENCODING_TABLES = /^\.\/encoding-indexes\.js$/;

/** Stands in for encoding-indexes.js: every table is there by name, and reading any entry of one throws. */
const NO_TABLES = `
const absent = (name) => new Proxy({}, { get() { throw new RangeError('The ' + name + ' encoding tables are not in this canister: it encodes and decodes UTF-8 only (scripts/without_legacy_encodings.ts)'); } });
module.exports = { 'encoding-indexes': new Proxy({}, { get: (_, name) => absent(String(name)) }) };
`;

export const withoutLegacyEncodingTables: Plugin = {
  name: 'without legacy encoding tables',
  setup(build) {
    build.onResolve({ filter: LEGACY_ENCODING_TABLES }, (args) =>
      args.importer.includes(join('@sinonjs', 'text-encoding')) ? { path: 'encoding-indexes', namespace: 'no-legacy-encodings' } : undefined
    );
    build.onLoad({ filter: /.*/, namespace: 'no-legacy-encodings' }, () => ({ contents: NO_TABLES, loader: 'js' }));
  }
};

