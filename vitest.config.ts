/**
 * Unit, integration and ML tests (vitest). End-to-end tests run with Playwright (playwright.config.ts).
 * Integration and ML tests start real processes and models: they get longer timeouts, and run in forked
 * workers so native addons (better-sqlite3, sharp, onnxruntime) stay isolated per file.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.{ts,tsx}', 'test/integration/**/*.test.ts', 'test/ml/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // 2-core machines: two files at a time keeps the heavy ones from starving each other.
    maxWorkers: 2,
    env: { SHOEBOX_LOG: 'warn' },
  },
});
