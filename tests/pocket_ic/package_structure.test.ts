// The local-ic package's folders depend one way (layers, no cycles, nothing from the app or other
// packages, every npm import declared): packages/local-ic/.dependency-cruiser.cjs, run by
// dependency-cruiser. Its source files share one naming style, snake_case.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const packageDir = join(root, 'packages', 'local-ic');
const depcruise = join(root, 'node_modules', '.bin', 'depcruise');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

function violations(sourceDir: string): Violation[] {
  const output = execFileSync(depcruise, [sourceDir, '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
    cwd: packageDir,
    maxBuffer: 64 * 1024 * 1024,
  });
  return (JSON.parse(output.toString()) as { summary: { violations: Violation[] } }).summary.violations;
}

it('the folders of packages/local-ic/src depend one way, as the dependency-cruiser config declares', () => {
  expect(violations('src').map(({ rule, from, to }) => `${rule.name}: ${from} → ${to}`)).toEqual([]);
}, 120_000);

it('the rules catch an import cycle, an upward import (type-only ones too) and an import from the app', () => {
  // A scratch folder inside the lowest layer (a dot folder: tsc and npm pack ignore it).
  const scratch = mkdtempSync(join(packageDir, 'src', 'shared', '.depcruise-check-'));
  try {
    writeFileSync(join(scratch, 'a.ts'), "import { b } from './b.js';\nexport const a = () => b;\n");
    writeFileSync(join(scratch, 'b.ts'), "import { a } from './a.js';\nexport const b = () => a;\n");
    writeFileSync(join(scratch, 'c.ts'), "import type { D } from './d.js';\nexport interface C { d?: D }\n");
    writeFileSync(join(scratch, 'd.ts'), "import type { C } from './c.js';\nexport interface D { c?: C }\n");
    writeFileSync(join(scratch, 'upward.ts'), "export { hasWasmMagic } from '../../wasm/wasm_binary.js';\n");
    writeFileSync(join(scratch, 'upward_type.ts'), "import type { Subnet } from '../../subnet.js';\nexport type Held = Subnet;\n");
    writeFileSync(join(scratch, 'app.ts'), "export * from '../../../../../src/verifier/index.js';\n");
    const found = violations(relative(packageDir, scratch)).map(({ rule, from }) => `${rule.name}: ${from.split('/').pop()}`);
    expect(found).toEqual(expect.arrayContaining([
      'no-circular: a.ts',
      'no-circular: c.ts',
      'upward-from-shared-leaf-modules: upward.ts',
      'upward-from-shared-leaf-modules: upward_type.ts',
      'outside-the-package: app.ts',
    ]));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}, 120_000);

it('every source file of the package is named in snake_case', () => {
  const files = readdirSync(join(packageDir, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => entry.name);
  expect(files.length).toBeGreaterThan(50);
  expect(files.filter((name) => !/^[a-z][a-z0-9]*(_[a-z0-9]+)*\.ts$/.test(name))).toEqual([]);
});
