// What a checkpoint of the jwt_issuer local network costs: the capture between two messages (the
// only part a request can wait behind), the whole save, and the bytes written or hard-linked.
// Run: npx tsx --conditions=ic-jwt-source bench/checkpoint.ts
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ed25519KeyIdentity } from '@dfinity/identity';

import { connectJwtIssuer } from '../src/frontend/jwt_issuer';
import { deployJwtIssuer } from '../src/dev_network/deploy_jwt_issuer';
import { startLocalNetwork } from '../packages/local-ic/src/network/local_network';

const root = join(import.meta.dirname, '..');
const state = mkdtempSync(join(tmpdir(), 'ic-jwt-bench-checkpoint-'));
const network = await startLocalNetwork({ port: 0, stateDirectory: state });
const deployment = await deployJwtIssuer(network, readFileSync(join(root, '.azle', 'jwt_issuer', 'jwt_issuer.wasm')), state);
const canisterId = deployment.canisterId.toText();

const rows: Array<Record<string, string>> = [];
const megabytes = (bytes: number): string => (bytes / 1024 / 1024).toFixed(2);
for (let round = 0; round < 8; round++) {
  const issuer = await connectJwtIssuer(Ed25519KeyIdentity.generate(), { canisterId, host: network.url, identityProvider: '', apiUrl: '', derivationOrigin: null });
  const issued = await issuer.issueJwt();
  if (!issued.ok) throw new Error(`issue_jwt failed: ${JSON.stringify(issued.error)}`);
  const captureStarted = performance.now();
  await network.ic.snapshotIfIdle();
  const captureMs = performance.now() - captureStarted;
  await network.save();
  const save = network.lastSave()!;
  rows.push({ after: 'one issue_jwt', 'capture ms': captureMs.toFixed(1), 'save ms (capture + write + fsync)': save.milliseconds.toFixed(1), 'MB written': megabytes(save.bytesWritten), 'MB linked': megabytes(save.bytesLinked) });
}
await network.close();
rmSync(state, { recursive: true, force: true });
console.table(rows);
process.exit(0);
