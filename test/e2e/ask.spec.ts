/**
 * @file End-to-end: the Ask page (library chat) with the tiny random-weight InternVL (demo mode): a
 * question about the animals folder shows the database's count, streams its answer (long here: its end
 * token is held back, SHOEBOX_CHAT_MIN_NEW_TOKENS — by itself the tiny model ends this one after ~300
 * tokens, which a loaded machine can reach before Stop lands), is stopped with Stop, and shows the photos it was given as
 * thumbnails; a thumbnail opens the viewer on that photo; after a reload the conversation is there.
 * A question with no match is answered at once without the model.
 */
import { expect, importAndSelectTinyModel, startHost, test } from './fixtures';

test('asks the library, streams, stops, opens a cited photo, and finds the conversation after a reload', async ({
  page,
  photos,
}, testInfo) => {
  const host = await startHost({
    env: { SHOEBOX_DEMO_MODEL: '1', SHOEBOX_CHAT_MAX_NEW_TOKENS: '20000', SHOEBOX_CHAT_MIN_NEW_TOKENS: '20000' },
    library: photos,
  });
  try {
    await page.goto(host.url);
    await page.getByTestId('nav-models').click();
    await importAndSelectTinyModel(page);
    await page.getByTestId('nav-ask').click();
    const ask = page.getByTestId('ask-page');
    const input = ask.getByTestId('ask-input');

    await input.fill('How many photos of animals?');
    await input.press('Enter');
    const turn = ask.getByTestId('ask-turn').first();
    // The count comes from the database (baboon and butterfly are in the animals folder).
    await expect(turn.getByTestId('ask-facts')).toContainText(': 2.');
    const answer = turn.getByTestId('ask-answer');
    await expect(answer).not.toHaveText('', { timeout: 60_000 });
    const before = (await answer.textContent())!.length;
    await expect.poll(async () => (await answer.textContent())!.length).toBeGreaterThan(before + 20);
    await expect(turn).toHaveAttribute('data-state', 'answering');
    await ask.getByTestId('ask-stop').click();
    await expect(turn).toHaveAttribute('data-state', 'stopped');

    // The photos it was given open in the viewer.
    const sources = turn.getByTestId('ask-source');
    await expect(sources).toHaveCount(2);
    const title = (await sources.first().getAttribute('title'))!;
    await sources.first().click();
    await expect(page.getByTestId('viewer')).toBeVisible();
    await expect(page.getByTestId('viewer-name')).toHaveText(title.replace(/^\[\d+\] /, '').replace(/ \(cited\)$/, ''));
    await page.getByTestId('viewer-close').click();

    // Nothing matches: said at once, no model.
    await input.fill('Any photos of giraffes?');
    await input.press('Enter');
    await expect(ask.getByTestId('ask-turn').nth(1).getByTestId('ask-answer')).toContainText('no photos');

    await page.reload();
    await page.getByTestId('nav-ask').click();
    await expect(page.getByTestId('ask-turn')).toHaveCount(2);
    await expect(page.getByTestId('ask-turn').first()).toHaveAttribute('data-state', 'stopped');
  } finally {
    if (testInfo.status !== testInfo.expectedStatus)
      await testInfo.attach('host-stderr', { body: host.stderr(), contentType: 'text/plain' });
    await host.stop();
  }
});
