// Builds the test pages (tests/browser/pages) with Vite, in memory.
import { fileURLToPath } from 'node:url';

import { buildToMemory, type StaticAsset } from '../../../packages/local-ic/src/dev_identity_provider/in_memory_build';

const PAGES_DIR = fileURLToPath(new URL('../pages/', import.meta.url));

/** Files by path: auth_client/index.html, raw_client/index.html and their assets. */
export function buildTestPages(): Promise<Map<string, StaticAsset>> {
  return buildToMemory({
    root: PAGES_DIR,
    base: '/',
    configFile: false,
    publicDir: false,
    envDir: false,
    build: {
      outDir: 'dist',
      target: 'es2022',
      rolldownOptions: {
        input: { auth_client: `${PAGES_DIR}auth_client/index.html`, raw_client: `${PAGES_DIR}raw_client/index.html` }
      }
    }
  });
}
