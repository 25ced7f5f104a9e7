// What a long request path costs http_request on the local IC, as a certified (non-replicated)
// query: before issue 11 the 404's absence proof grew with the square of the segments (800
// segments took 94 s); now paths over 32 segments get one pre-built certified 414.
// Run after `npm run build`: npx tsx --conditions=ic-jwt-source bench/http_paths.ts [path/to/jwt_issuer.wasm or .wasm.gz]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';

import { HttpRequestType, HttpResponseType } from '../src/backend/core/candid';
import { deployJwtIssuer } from '../src/dev_network/deploy_jwt_issuer';
import { startLocalNetwork } from '../packages/local-ic/src/network/local_network';
import { JWT_ISSUER_WASM } from '../tests/integration/harness/jwt_issuer';

const wasmPath = process.argv[2] ?? JWT_ISSUER_WASM;
const wasm = wasmPath.endsWith('.gz') ? gunzipSync(readFileSync(wasmPath)) : readFileSync(wasmPath);
const state = mkdtempSync(join(tmpdir(), 'ic-jwt-bench-paths-'));
const network = await startLocalNetwork({ port: 0 });
try {
  const { canisterId } = await deployJwtIssuer(network, wasm, state);
  console.log(`http_request GET, certified query, ${wasmPath}`);
  const cases: [string, string][] = [1, 32, 33, 200, 1_600, 100_000].map((n) => [`${n} segments`, '/a'.repeat(n)]);
  // The same 200 KB, as a query string: what handling a URL of that size costs at all.
  cases.push(['1 segment + 200 KB query', '/a?' + 'q'.repeat(199_997)]);
  for (const [what, url] of cases) {
    const arg = IDL.encode([HttpRequestType], [{ method: 'GET', url, headers: [], body: new Uint8Array(), certificate_version: [2] }]);
    const started = performance.now();
    const result = await network.ic.queryCall(canisterId, 'http_request', arg, { sender: Principal.anonymous() });
    const ms = performance.now() - started;
    if (result.kind === 'rejected') throw new Error(result.message);
    const [response] = IDL.decode([HttpResponseType], result.reply) as unknown as [{ status_code: number; headers: [string, string][] }];
    const certificate = response.headers.find(([name]) => name === 'ic-certificate')?.[1] ?? '';
    console.log(`  ${what.padStart(24)}: ${response.status_code}, IC-Certificate ${certificate.length} chars, ${ms.toFixed(0)} ms`);
  }
} finally {
  await network.close();
  rmSync(state, { recursive: true, force: true });
}
