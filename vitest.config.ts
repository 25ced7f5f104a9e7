import { defaultClientConditions, defaultServerConditions } from 'vite';
import { configDefaults, defineConfig } from 'vitest/config';

/** Tests that assert a latency bound the issue demands: they run after all others, alone, so that parallel test files do not eat their time. */
const LATENCY_TESTS = ['tests/network/hostile_requests.test.ts'];

/** Workspace packages resolve to their TypeScript sources (an export condition of their own), so tests need no prior build. */
const SOURCE_CONDITION = 'ic-jwt-source';

export default defineConfig({
  resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        // The PocketIC server the integration suite drives through @dfinity/pic, one for the run.
        test: { name: 'main', include: ['tests/**/*.test.ts'], exclude: [...configDefaults.exclude, ...LATENCY_TESTS], globalSetup: ['tests/integration/harness/pocket_ic_server.ts'] }
      },
      { extends: true, test: { name: 'latency', include: LATENCY_TESTS, sequence: { groupOrder: 1 } } }
    ]
  }
});
