/**
 * @file End-to-end: the Models page's "Hugging Face access token" section ([Note: Hub token in the app]
 * in preload/contract/models.ts) in the headless host: Save shows "Stored" and empties the field, the
 * token is in a 0600 file and nowhere in the page (nor in its inputs), a reload still says "Stored",
 * Clear removes it.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, startHost, test } from './fixtures';

const TOKEN = 'hf_e2eTOKENzyxw9876543210';

/** Axe's WCAG 2.1 A/AA violations inside the token section, in the light and the dark theme. */
async function sectionViolations(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const result = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .include('[data-testid=hub-token]')
      .analyze();
    found.push(...result.violations.flatMap((v) => v.nodes.map((n) => `${colorScheme} ${v.id}: ${n.target.join(' ')}`)));
  }
  return found;
}

test('the Models page stores, keeps and clears the access token without showing it', async ({ page }) => {
  const host = await startHost();
  try {
    await page.goto(host.url);
    await page.getByTestId('nav-models').click();
    const section = page.getByTestId('hub-token');
    await expect(section).toContainText('gated or private');
    const status = section.getByTestId('hub-token-status');
    await expect(status).toHaveText('Not stored');
    await expect(section.getByTestId('hub-token-clear')).toBeDisabled();
    expect(await sectionViolations(page)).toEqual([]);

    // A token with a space inside is refused with a message that does not quote it.
    const input = section.getByLabel('Access token');
    await expect(input).toHaveAttribute('type', 'password');
    await input.fill('hf_two words');
    await section.getByTestId('hub-token-save').click();
    await expect(section.getByTestId('hub-token-error')).toContainText('no spaces or line breaks');
    await expect(section.getByTestId('hub-token-error')).not.toContainText('two words');
    await expect(status).toHaveText('Not stored');

    await input.fill(`  ${TOKEN} `);
    await section.getByTestId('hub-token-save').click();
    await expect(status).toHaveText('Stored');
    await expect(input).toHaveValue('');
    await expect(section.getByTestId('hub-token-error')).toHaveCount(0);
    const file = join(host.dataDir, 'secrets', 'hub-token');
    expect(readFileSync(file, 'utf8').trim()).toBe(TOKEN);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    const shown = async () =>
      (await page.content()) + (await page.locator('input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value).join('\n')));
    expect(await shown()).not.toContain(TOKEN);
    expect(await sectionViolations(page)).toEqual([]);

    await page.reload();
    await page.getByTestId('nav-models').click();
    await expect(page.getByTestId('hub-token-status')).toHaveText('Stored');
    expect(await shown()).not.toContain(TOKEN);

    await page.getByTestId('hub-token-clear').click();
    await expect(page.getByTestId('hub-token-status')).toHaveText('Not stored');
    expect(existsSync(file)).toBe(false);
    expect(host.stderr()).not.toContain(TOKEN);
  } finally {
    await host.stop();
  }
});
