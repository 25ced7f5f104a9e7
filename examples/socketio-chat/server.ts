// Run: CANISTER_ID=<canister-id> npx tsx examples/socketio-chat/server.ts [port]
// (or ISSUER=... AUDIENCE=...; see verifierOptionsFromEnv in @ic-jwt/verifier)
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

import { createVerifier, verifierOptionsFromEnv } from '@ic-jwt/verifier';
import { createChatServer } from './chat';

export const DEFAULT_PORT = 4945;

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? process.env['PORT'] ?? DEFAULT_PORT);
  const host = process.env['HOST'] ?? '127.0.0.1';
  const corsOrigins = (process.env['CORS_ORIGINS'] ?? '*').split(',').map((origin) => origin.trim());
  const verifier = createVerifier(verifierOptionsFromEnv(process.env));
  await verifier.warmUp().catch((error: Error) => console.warn(`JWK Set not fetched yet (${error.message}); will retry on demand`));
  const { httpServer, io } = createChatServer({ verifier, corsOrigins });
  httpServer.listen(port, host, () => {
    const { port: bound } = httpServer.address() as AddressInfo;
    console.log(`socketio-chat on http://${host}:${bound}  issuer ${verifier.issuer}  audience ${verifier.audiences.join(',')}`);
    console.log(`try: npx tsx examples/socketio-chat/client.ts http://${host}:${bound} "$TOKEN" whoami`);
  });
  const stop = () => io.close(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
