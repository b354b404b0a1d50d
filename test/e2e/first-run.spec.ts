/**
 * @file End-to-end: the first run with no model installed. The no-model banner offers the model that
 * suits this machine (`models:recommend`) with its download size, disk need and speed, and the text
 * embedder beside it; one click downloads the checkpoint from a local hub-shaped server (the tiny
 * original-layout checkpoint served as OpenGVLab/InternVL3-1B at its pinned revision), builds the
 * bundle and makes it the active model, while the Models page follows it. (The build cannot tell that
 * the tiny checkpoint's weights are random, so it counts as a real model and the banner goes away.)
 */
import { join } from 'node:path';
import { catalogEntry } from '../../main/models/catalog';
import { repoFromDir, startFakeHub } from '../integration/helpers/hub-fixture';
import { expect, root, startHost, test } from './fixtures';

const ONE_B = catalogEntry('internvl3-1b')!.hub![0]!;

test('the banner offers the model for this machine and one click installs and selects it', async ({ page }) => {
  const hub = await startFakeHub([repoFromDir(ONE_B.repo, ONE_B.revision!, join(root, 'test/fixtures/checkpoints/tiny-internvl'))]);
  const host = await startHost({
    env: { HF_ENDPOINT: hub.endpoint, SHOEBOX_GRAPHS_DIR: join(root, 'test/fixtures/graphs') },
  });
  try {
    await page.goto(host.url);
    const offer = page.getByTestId('no-model-banner').getByTestId('first-run-offer');
    await expect(offer).toBeVisible({ timeout: 30_000 });
    await expect(offer).toHaveAttribute('data-model-id', 'internvl3-1b');
    const install = offer.getByTestId('first-run-install');
    await expect(install).toHaveText('Download and set up InternVL3-1B');
    // Download size, disk need and the speed (an estimate, or why there is none) next to the button.
    await expect(offer).toContainText(
      /1\.9 GB download, \d+(\.\d)? GB free disk needed, (about \d+(\.\d)? s per photo on this machine \(an estimate|speed on this machine not measured)/,
    );
    await expect(offer.getByTestId('first-run-embedder')).toHaveText('Also install Granite Embedding 97M Multilingual R2');

    await install.click();
    // The user keeps browsing: the library is still there while it installs.
    await expect(page.getByTestId('nav-library')).toBeVisible();
    await page.getByTestId('nav-models').click();
    const card = page.locator('[data-testid=model-item][data-model-id="internvl3-1b"]');
    await expect(card).toContainText('Installed', { timeout: 45_000 });
    await expect(card).toContainText('Active');
    await expect(card).toContainText('fp32, int8');
    // The build measured int8 against fp32 on the bundle itself; the card says so.
    await expect(card.getByTestId('variant-notes').locator('[data-variant=int8]')).toContainText(
      /first-token agreement with fp32 0\.9\d\d/,
    );
    await expect(card.getByTestId('variant-notes').locator('[data-variant=int8]')).toHaveAttribute('data-ok', 'true');
    // What each variant costs: its size, a memory floor labelled as an estimate, and a speed that is
    // measured only once it has described photos here (an estimate, or none, until then).
    const int8Costs = card.getByTestId('variant-costs').locator('tr[data-variant=int8]');
    await expect(int8Costs).toContainText(/at least [\d.]+ (KB|MB) \(its weights; an estimate, not measured\)/);
    await expect(int8Costs).toHaveAttribute('data-speed', /^(estimate|none)$/);
    // Installed: the banner is gone; the Models page's offer no longer offers it, but still the embedder.
    await expect(page.getByTestId('no-model-banner')).toHaveCount(0);
    const pageOffer = page.getByTestId('models-page').getByTestId('first-run-offer');
    await expect(pageOffer.getByTestId('first-run-install')).toHaveCount(0);
    await expect(pageOffer.getByTestId('first-run-embedder')).toBeVisible();
  } finally {
    await host.stop();
    await hub.close();
  }
});
