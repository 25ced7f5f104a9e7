import { PocketIc } from '@dfinity/pic';
import { Principal } from '@dfinity/principal';
import { PocketIcApi } from './packages/local-ic/src/pocket_ic/routes';
import { startPocketIcServer } from './packages/local-ic/src/pocket_ic/server';
import { jwtIssuerWasm, initArgument } from './tests/integration/harness/jwt_issuer';
const orig = PocketIcApi.prototype.handle;
PocketIcApi.prototype.handle = async function (req) { const s = performance.now(); const r = await orig.call(this, req); console.log(req.path, req.body.length, (performance.now() - s).toFixed(0), 'ms'); return r; };
const server = (await startPocketIcServer({}))!;
for (let i = 0; i < 2; i++) {
  const pic = await PocketIc.create(server.url);
  const c = Principal.selfAuthenticating(new Uint8Array(32).fill(1)) as never;
  const id = await pic.createCanister({ sender: c });
  const s = performance.now(); await pic.installCode({ canisterId: id, wasm: jwtIssuerWasm(), arg: initArgument(), sender: c }); console.log('install total', (performance.now() - s).toFixed(0));
  await pic.tearDown();
}
await server.stop();
