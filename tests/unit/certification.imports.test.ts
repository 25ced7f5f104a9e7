// The certification modules run in the canister's QuickJS: no azle, no Node, only hashing.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const folder = join(import.meta.dirname, '..', '..', 'src', 'backend', 'core', 'certification');

describe('src/backend/core/certification', () => {
  it.each(readdirSync(folder).filter((file) => file.endsWith('.ts')))('%s imports only the core and @noble/hashes', (file) => {
    const source = readFileSync(join(folder, file), 'utf8');
    const imports = [...source.matchAll(/^(?:import|export)[^'"]*from\s*['"]([^'"]+)['"]/gm)].map((match) => match[1]!);
    for (const specifier of imports) expect(specifier).toMatch(/^(\.\/|\.\.\/(?!\.\.)|@noble\/hashes\/)/);
    expect(source).not.toMatch(/\b(Buffer\.|process\.|require\()/);
  });
});
