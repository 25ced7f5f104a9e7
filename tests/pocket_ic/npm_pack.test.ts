// `npm pack` of @ic-jwt/local-ic installs into an empty project (with @dfinity/pic 0.23.0 from the
// registry) and works there: pic starts the package's `pocket-ic` bin, creates an instance,
// installs, calls, ticks, sets time and deletes; the library entry runs a LocalIc.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

import { serverBundleIsFresh } from '../../packages/local-ic/bin/bundle.js';
import { clockCanisterWasm } from './support/clock_canister';

const root = join(import.meta.dirname, '..', '..');
const project = mkdtempSync(join(tmpdir(), 'local-ic-pack-'));

afterAll(() => rmSync(project, { recursive: true, force: true }));

const CHECK = `
import { readFileSync } from 'node:fs';
import { PocketIc, PocketIcServer } from '@dfinity/pic';
import { LocalIc } from '@ic-jwt/local-ic';

const wasm = readFileSync(new URL('./clock.wasm', import.meta.url));
const timeOf = (reply) => Buffer.from(reply).readBigUInt64LE(0).toString();
const server = await PocketIcServer.start({ binPath: new URL('./node_modules/.bin/pocket-ic', import.meta.url).pathname });
const pic = await PocketIc.create(server.getUrl());
const canisterId = await pic.createCanister();
await pic.installCode({ canisterId, wasm });
const later = Date.now() + 3_600_000;
await pic.setTime(later);
const queryBeforeTick = timeOf(await pic.queryCall({ canisterId, method: 'time' }));
await pic.tick();
const queryAfterTick = timeOf(await pic.queryCall({ canisterId, method: 'time' }));
const update = timeOf(await pic.updateCall({ canisterId, method: 'time_in_round' }));
await pic.tearDown();
await server.stop();

const ic = await LocalIc.create({ startTime: 5_000_000_000n });
const id = await ic.createCanister();
await ic.installCode(id, wasm);
const local = await ic.queryCall(id, 'time');
ic.close();
console.log(JSON.stringify({ later: String(BigInt(later) * 1_000_000n), queryBeforeTick, queryAfterTick, update, local: timeOf(local.reply) }));
`;

const run = (command: string, args: string[], cwd: string): string => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

it('installs from its npm pack tarball into an empty project, where @dfinity/pic runs its pocket-ic bin', async () => {
  // Rebuilt only when stale: other test files may be starting the bin from this bundle right now.
  if (!serverBundleIsFresh()) run('npm', ['run', 'build', '--workspace', '@ic-jwt/local-ic'], root);
  run('npm', ['run', 'build:types', '--workspace', '@ic-jwt/local-ic'], root);
  run('npm', ['pack', '--ignore-scripts', '--pack-destination', project], join(root, 'packages', 'local-ic'));
  const tarball = readdirSync(project).find((name) => name.endsWith('.tgz'))!;
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'pack-check', private: true, type: 'module', dependencies: { '@ic-jwt/local-ic': `file:./${tarball}`, '@dfinity/pic': '0.23.0' } })
  );
  // --ignore-scripts: pic's postinstall would download the real server binary.
  run('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], project);
  expect(readdirSync(join(project, 'node_modules', '@ic-jwt', 'local-ic')).sort()).toEqual(['README.md', 'bin', 'dist', 'package.json']);

  writeFileSync(join(project, 'clock.wasm'), clockCanisterWasm());
  writeFileSync(join(project, 'check.mjs'), CHECK);
  const result = JSON.parse(run('node', ['check.mjs'], project).trim().split('\n').at(-1)!) as Record<string, string>;
  expect(BigInt(result['queryBeforeTick']!)).toBeLessThan(BigInt(result['later']!));
  expect(result['queryAfterTick']).toBe(result['later']);
  expect(result['update']).toBe(result['later']);
  expect(result['local']).toBe('5000000000');
}, 600_000);
