/**
 * @file Playwright configuration for the end-to-end tests (test/e2e): Debian's Chromium, headless,
 * against a real headless host (`shoebox serve`) that each test starts with its own data folder.
 *
 * [Note: E2E browser] `npx playwright install` cannot download browsers here, so the tests drive the
 * system Chromium (`apt-get install chromium`) with flags that keep it from calling home. The global
 * setup builds the app first (a few seconds) so the tests never run a stale bundle.
 */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '*.spec.ts',
  outputDir: 'test-results',
  globalSetup: './test/e2e/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  // Two cores here: two workers keep the suite well under two minutes without starving the hosts.
  workers: 2,
  fullyParallel: true,
  forbidOnly: !!process.env['CI'],
  retries: 0,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: process.env['SHOEBOX_CHROMIUM'] ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});
