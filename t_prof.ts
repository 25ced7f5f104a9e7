import { PocketIc } from '@dfinity/pic';
import { Principal } from '@dfinity/principal';
import { startPocketIcServer } from './packages/local-ic/src/pocket_ic/server';
import { jwtIssuerWasm, initArgument } from './tests/integration/harness/jwt_issuer';
import { parseJson } from './packages/local-ic/src/pocket_ic/json';
const t = (l: string, s: number) => console.log(l, (performance.now() - s).toFixed(0), 'ms');
const big = JSON.stringify({ payload: Buffer.alloc(1_000_000, 7).toString('base64'), sender: 'AQ==' });
let s = performance.now(); parseJson(big); t('parse 1.3MB', s);
s = performance.now(); JSON.parse(big); t('JSON.parse 1.3MB', s);
const server = (await startPocketIcServer({}))!;
for (let i = 0; i < 3; i++) {
  s = performance.now(); const pic = await PocketIc.create(server.url); t('create', s);
  const c = Principal.selfAuthenticating(new Uint8Array(32).fill(1)) as never;
  const id = await pic.createCanister({ sender: c });
  s = performance.now(); await pic.installCode({ canisterId: id, wasm: jwtIssuerWasm(), arg: initArgument(), sender: c }); t('install', s);
  await pic.tearDown();
}
await server.stop();
