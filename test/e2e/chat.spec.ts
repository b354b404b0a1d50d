/**
 * @file End-to-end: chat about a photo in the viewer with the tiny random-weight InternVL (demo mode).
 * Answers are long here (SHOEBOX_CHAT_MAX_NEW_TOKENS, with the end token held back by
 * SHOEBOX_CHAT_MIN_NEW_TOKENS: a random-weight model does end an answer by itself sometimes), so the
 * test watches the tokens stream, stops one answer with the Stop button and another with Esc (which does
 * not close the viewer), sends with Enter after a Shift+Enter new line, and after a reload finds the
 * conversation again, stopped answers and all. Without a model the panel says so and keeps the question.
 */
import { cellNamed } from './collections-helpers';
import { addFolderThroughBrowser, expect, importAndSelectTinyModel, SAMPLE_FILES, startHost, test } from './fixtures';
import { waitForSteps } from './host-api';

test('without a model, the chat says so, links to Models and keeps the question', async ({ page, host, photos }) => {
  await page.goto(host.url);
  await addFolderThroughBrowser(page, photos, 'empty-add-folder');
  await page.getByTestId('photo-cell').first().click();
  const panel = page.getByTestId('chat-panel');
  await panel.getByTestId('chat-input').fill('What is this?');
  await panel.getByTestId('chat-input').press('Enter');
  await expect(panel.getByTestId('chat-error')).toContainText('Models page');
  await expect(panel.getByTestId('chat-input')).toHaveValue('What is this?');
  await expect(panel.getByTestId('chat-turn')).toHaveCount(0);
});

test('asks in the viewer, streams, stops, and finds the conversation after a reload', async ({ page, photos }, testInfo) => {
  const host = await startHost({
    env: { SHOEBOX_DEMO_MODEL: '1', SHOEBOX_CHAT_MAX_NEW_TOKENS: '20000', SHOEBOX_CHAT_MIN_NEW_TOKENS: '20000' },
    library: photos,
  });
  try {
    await page.goto(host.url);
    await page.getByTestId('nav-models').click();
    await importAndSelectTinyModel(page);
    await page.getByTestId('nav-library').click();
    // The open viewer shows the photo at its position: a re-sort as capture dates are read would put
    // another photo under the chat ([Note: E2E waits on background work] in ./host-api.ts).
    await waitForSteps(host, ['metadata'], SAMPLE_FILES.length);
    await page.getByTestId('photo-cell').first().click();
    await expect(page.getByTestId('viewer-name')).toHaveText(/\.(jpg|png)$/);
    const name = await page.getByTestId('viewer-name').textContent();
    const panel = page.getByTestId('chat-panel');
    const input = panel.getByTestId('chat-input');

    await input.fill('Tell me everything about this photo.');
    await input.press('Enter');
    const first = panel.getByTestId('chat-turn').first();
    await expect(first.getByTestId('chat-question')).toHaveText('Tell me everything about this photo.');
    await expect(input).toHaveValue('');
    // Tokens stream in: the answer grows while the turn is still being answered.
    const answer = first.getByTestId('chat-answer');
    await expect(answer).not.toHaveText('', { timeout: 60_000 });
    const before = (await answer.textContent())!.length;
    await expect.poll(async () => (await answer.textContent())!.length).toBeGreaterThan(before + 20);
    await expect(first).toHaveAttribute('data-state', 'answering');
    await panel.getByTestId('chat-stop').click();
    await expect(first).toHaveAttribute('data-state', 'stopped');
    await expect(first.getByTestId('chat-turn-status')).toContainText('Stopped');
    await expect(first.getByTestId('chat-demo')).toBeVisible();
    const stopped = (await answer.textContent())!.trim();
    expect(stopped.length).toBeGreaterThan(0);

    // Shift+Enter is a new line, Enter sends, Esc stops the answer (not the viewer).
    await input.fill('Line one');
    await input.press('Shift+Enter');
    await input.pressSequentially('line two');
    await expect(input).toHaveValue('Line one\nline two');
    await input.press('Enter');
    const second = panel.getByTestId('chat-turn').nth(1);
    await expect(second.getByTestId('chat-question')).toHaveText('Line one\nline two');
    await expect(second.getByTestId('chat-answer')).not.toHaveText('', { timeout: 60_000 });
    await expect(input).toHaveAttribute('data-escape', 'field');
    await input.press('Escape');
    await expect(second).toHaveAttribute('data-state', 'stopped');
    await expect(page.getByTestId('viewer')).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath('chat-stopped.png') });

    // After a reload the conversation is there, with what was answered before each stop. The photo is
    // found by name: the first cell is another photo if capture dates were read (and the grid re-sorted)
    // after the first click.
    await page.reload();
    await cellNamed(page, name!).click();
    await expect(page.getByTestId('viewer-name')).toHaveText(name!);
    const again = page.getByTestId('chat-panel');
    await expect(again.getByTestId('chat-turn')).toHaveCount(2);
    await expect(again.getByTestId('chat-question').first()).toHaveText('Tell me everything about this photo.');
    await expect(again.getByTestId('chat-answer').first()).toHaveText(stopped);
    await expect(again.getByTestId('chat-turn').nth(1)).toHaveAttribute('data-state', 'stopped');
    await expect(again.getByTestId('chat-conversations')).toBeVisible();
  } finally {
    await host.stop();
  }
});
