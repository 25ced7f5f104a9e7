// Properties of the repository and the build that keep the design honest.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const builtWasm = join(root, '.azle', 'jwt_issuer', 'jwt_issuer.wasm');

describe('the built canister', () => {
  it('exists (npm test runs npm run build first)', () => {
    expect(existsSync(builtWasm), 'run `npm run build`').toBe(true);
  });

  it('stays under the 5 MiB Wasm budget', () => {
    expect(statSync(builtWasm).size).toBeLessThan(5 * 1024 * 1024);
  });
});

describe('the pure core', () => {
  const coreDir = join(root, 'src', 'backend', 'core');
  const allowed = /^(\.\/|@noble\/hashes\/|@dfinity\/candid$)/;

  it.each(readdirSync(coreDir).filter((file) => file.endsWith('.ts')))('%s imports neither azle nor Node', (file) => {
    const source = readFileSync(join(coreDir, file), 'utf8');
    const imports = [...source.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((match) => match[1]!);
    for (const specifier of imports) expect(specifier).toMatch(allowed);
  });
});

describe('secrets', () => {
  it('no tracked file holds a private key (invariant 4)', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
    const pem = new RegExp(['-----BEGIN', '[A-Z ]*PRIVATE', 'KEY-----'].join(' ?'));
    const offenders = files.filter((file) => existsSync(join(root, file)) && pem.test(readFileSync(join(root, file), 'latin1')));
    expect(offenders).toEqual([]);
  });
});
