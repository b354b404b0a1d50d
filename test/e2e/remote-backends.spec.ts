/**
 * @file End-to-end (issue 13): the Settings page's "Remote understanding" section against a real
 * headless host and a local OpenAI-compatible test server: a server added with its API key (the page
 * shows where photos go and that a key is stored, never the key), turned on, the library understood
 * through it (Activity names the backend), then removed.
 */
import { startOpenAITestServer } from '../integration/helpers/openai-test-server';
import { expect, scratchLibrary, startHost, test } from './fixtures';

test('add a remote backend on the Settings page and understand photos through it', async ({ page }, testInfo) => {
  const server = await startOpenAITestServer({ models: ['OpenGVLab/InternVL3-2B'], apiKey: 'sk-e2e-key-5150' });
  const lib = scratchLibrary(['food/orange.jpg', 'coffee.png']);
  const host = await startHost({ library: lib.dir });
  try {
    await page.goto(host.url);
    await page.getByTestId('nav-settings').click();
    const section = page.getByTestId('remote-settings');
    await expect(section).toContainText('Off: photos stay on this computer.');
    await section.getByTestId('remote-url').fill(server.url);
    await section.getByTestId('remote-key').fill('sk-e2e-key-5150');
    await section.getByTestId('remote-add').click();
    const backend = section.getByTestId('remote-backend');
    await expect(backend).toHaveCount(1);
    await expect(backend).toContainText('OpenGVLab/InternVL3-2B');
    await expect(backend).toContainText('API key stored');
    await expect(backend.getByTestId('remote-notice')).toContainText('Photos are sent to a server on this computer');
    await expect(backend).toContainText('Answers, serving OpenGVLab/InternVL3-2B');
    await expect(section.getByTestId('remote-key')).toHaveValue('');
    // The switch is the server's setting: it turns on when the host has stored it, not on the click itself
    // (`check()` wants the state to change synchronously, which it does not on a loaded machine).
    const enabled = section.getByTestId('setting-remote-enabled');
    await enabled.click();
    await expect(enabled).toBeChecked();
    await expect(section).toContainText('On: photos leave this computer.');
    await page.screenshot({ path: testInfo.outputPath('remote-settings.png') });
    expect(await page.content()).not.toContain('sk-e2e-key-5150');

    await page.getByTestId('nav-activity').click();
    const row = page.getByTestId('step-understand');
    await expect(row.getByTestId('step-done')).toHaveText('2 / 2', { timeout: 30_000 });
    await expect(row).toContainText(/remote · OpenGVLab\/InternVL3-2B@127\.0\.0\.1:\d+/);
    expect(server.log.filter((r) => r.path === '/v1/chat/completions').length).toBeGreaterThanOrEqual(4);

    await page.getByTestId('nav-settings').click();
    await page.getByTestId('remote-remove').click();
    await expect(page.getByTestId('remote-backend')).toHaveCount(0);
  } finally {
    await host.stop();
    lib.remove();
    await server.close();
  }
});
