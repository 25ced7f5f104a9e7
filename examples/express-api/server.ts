// Run: ISSUER=https://<canister-id>.icp0.io AUDIENCE=<audience> npx tsx examples/express-api/server.ts [port]
// or:  CANISTER_ID=<canister-id> GATEWAY=http://localhost:4943 npx tsx examples/express-api/server.ts
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

import { createVerifier, verifierOptionsFromEnv, type Env } from '@ic-jwt/verifier';
import { createApiApp } from './app';

export const DEFAULT_PORT = 4944;

export interface ServerConfig {
  host: string;
  port: number;
  corsOrigins: string[];
}

/** PORT (or the first argument; default 4944), HOST (default 127.0.0.1), CORS_ORIGINS (comma-separated; default *). */
export function serverConfigFromEnv(env: Env, argv: readonly string[]): ServerConfig {
  const rawPort = argv[0] ?? env['PORT'] ?? String(DEFAULT_PORT);
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`not a port: ${JSON.stringify(rawPort)}`);
  const corsOrigins = (env['CORS_ORIGINS'] ?? '*').split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
  return { host: env['HOST'] ?? '127.0.0.1', port, corsOrigins };
}

async function main(): Promise<void> {
  const { host, port, corsOrigins } = serverConfigFromEnv(process.env, process.argv.slice(2));
  const verifier = createVerifier(verifierOptionsFromEnv(process.env));
  await verifier.warmUp().catch((error: Error) => console.warn(`JWK Set not fetched yet (${error.message}); will retry on demand`));
  const server = createApiApp({ verifier, corsOrigins }).listen(port, host, () => {
    const { port: bound } = server.address() as AddressInfo;
    console.log(`express-api on http://${host}:${bound}  issuer ${verifier.issuer}  keys ${verifier.keySource}  audience ${verifier.audiences.join(',')}`);
    console.log(`try: curl -H "Authorization: Bearer $TOKEN" http://${host}:${bound}/api/whoami`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
