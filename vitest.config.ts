import { configDefaults, defineConfig } from 'vitest/config';

/** Tests that assert a latency bound the issue demands: they run after all others, alone, so that parallel test files do not eat their time. */
const LATENCY_TESTS = ['tests/network/hostile_requests.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'main', include: ['tests/**/*.test.ts'], exclude: [...configDefaults.exclude, ...LATENCY_TESTS] } },
      { extends: true, test: { name: 'latency', include: LATENCY_TESTS, sequence: { groupOrder: 1 } } }
    ]
  }
});
