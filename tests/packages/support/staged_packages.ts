// Our packages built from the current sources into a folder of their own, as npm would pack
// them (package.json, README.md, dist), so that tests run the built artifacts without touching
// packages/*/dist (test files run in parallel). The folder lies under the repo's node_modules,
// so the packages' dependencies resolve from there, as they would in an installed project.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export type PackageName = 'verifier' | 'client';

export interface StagedPackages {
  /** Holds node_modules/@ic-jwt/<name>: a module here imports the staged packages by name. */
  readonly root: string;
  dir(name: PackageName): string;
  remove(): Promise<void>;
}

const run = promisify(execFile);

export async function stagePackages(names: readonly PackageName[]): Promise<StagedPackages> {
  const cache = join(REPO_ROOT, 'node_modules', '.cache');
  await mkdir(cache, { recursive: true });
  const root = await mkdtemp(join(cache, 'ic-jwt-staged-'));
  const dir = (name: PackageName) => join(root, 'node_modules', '@ic-jwt', name);
  await Promise.all(
    names.map(async (name) => {
      const source = join(REPO_ROOT, 'packages', name);
      for (const entry of ['package.json', 'README.md', 'tsconfig.build.json', 'src']) {
        await cp(join(source, entry), join(dir(name), entry), { recursive: true });
      }
      await run(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir(name), 'tsconfig.build.json')]);
    })
  );
  return { root, dir, remove: () => rm(root, { recursive: true, force: true }) };
}
