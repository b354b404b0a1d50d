/**
 * @file End-to-end: the Ask page's saved conversations. Two conversations (questions the database
 * answers at once, no model) are both listed, newest first; the older reopens; one is deleted after a
 * confirmation and stays deleted after a reload; under 900 px the list is a drawer. And the thumbnails of
 * an answer on screen follow the library: a photo hidden in another window leaves them.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { cellNamed, expectPhotoCount, selectionBar, tick } from './collections-helpers';
import { expect, importAndSelectTinyModel, SAMPLE_FILES, startHost, test } from './fixtures';

const GIRAFFES = 'Any photos of giraffes?';
const ZEBRAS = 'How many photos of zebras?';

/** Axe's WCAG A/AA findings on the Ask page in both themes (none expected), one line per rule. */
async function axeInBothThemes(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    const result = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .include('[data-testid=ask-page]')
      .analyze();
    found.push(...result.violations.map((v) => `${colorScheme} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
  }
  return found;
}

/** Asks `question` and waits until turn `nth` is answered; `timeout` for an answer the model writes. */
async function ask(page: Page, question: string, nth: number, timeout?: number) {
  const ask = page.getByTestId('ask-page');
  await ask.getByTestId('ask-input').fill(question);
  await ask.getByTestId('ask-input').press('Enter');
  await expect(ask.getByTestId('ask-turn').nth(nth)).not.toHaveAttribute('data-state', 'answering', timeout ? { timeout } : {});
}

test('lists past conversations, reopens the older, deletes one, and keeps that after a reload', async ({ page, photos }, testInfo) => {
  const host = await startHost({ library: photos });
  try {
    await page.goto(host.url);
    await page.getByTestId('nav-ask').click();
    const list = page.getByTestId('ask-list');
    const items = list.getByTestId('ask-conversation');
    await expect(list.getByRole('heading', { name: 'Conversations' })).toBeVisible();
    await expect(items).toHaveCount(0);

    await ask(page, GIRAFFES, 0);
    await expect(items).toHaveCount(1);
    await page.getByTestId('ask-new').click();
    await expect(page.getByTestId('ask-turn')).toHaveCount(0);
    await expect(page.getByTestId('ask-input')).toBeFocused();
    await ask(page, ZEBRAS, 0);

    // Both, newest first, the open one marked.
    await expect(items).toHaveCount(2);
    await expect(items.nth(0)).toContainText(ZEBRAS);
    await expect(items.nth(0)).toContainText('1 question');
    await expect(items.nth(1)).toContainText(GIRAFFES);
    await expect(items.nth(0).getByTestId('ask-conversation-open')).toHaveAttribute('aria-current', 'true');
    expect(await axeInBothThemes(page)).toEqual([]);

    // The older one reopens.
    await items.nth(1).getByTestId('ask-conversation-open').click();
    await expect(page.getByTestId('ask-turn')).toHaveCount(1);
    await expect(page.getByTestId('ask-turn').first()).toContainText(GIRAFFES);
    await expect(items.nth(1).getByTestId('ask-conversation-open')).toHaveAttribute('aria-current', 'true');

    // Delete the newer one, by keyboard, after a confirmation (Cancel first keeps it).
    const del = list.getByRole('button', { name: `Delete the conversation “${ZEBRAS}”` });
    await del.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Cancel' }).click();
    await expect(items).toHaveCount(2);
    await del.click();
    await page.getByTestId('confirm-ok').click();
    await expect(items).toHaveCount(1);
    await expect(items.first()).toContainText(GIRAFFES);
    // The keyboard stays in the list; the open conversation was not the one deleted.
    await expect(items.first().getByTestId('ask-conversation-open')).toBeFocused();
    await expect(page.getByTestId('ask-turn').first()).toContainText(GIRAFFES);

    await page.reload();
    await page.getByTestId('nav-ask').click();
    await expect(items).toHaveCount(1);
    await expect(items.first()).toContainText(GIRAFFES);
    await expect(page.getByTestId('ask-turn').first()).toContainText(GIRAFFES);

    // Under 900 px the list is a drawer behind the "Conversations" button; Esc closes it.
    await page.setViewportSize({ width: 760, height: 700 });
    const toggle = page.getByTestId('ask-list-toggle');
    await expect(list).toBeHidden();
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await expect(list).toBeVisible();
    await expect(items.first().getByTestId('ask-conversation-open')).toBeFocused();
    expect(await axeInBothThemes(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await expect(list).toBeHidden();
    await expect(toggle).toBeFocused();
  } finally {
    if (testInfo.status !== testInfo.expectedStatus)
      await testInfo.attach('host-stderr', { body: host.stderr(), contentType: 'text/plain' });
    await host.stop();
  }
});

test("an answer's photos follow the library: one hidden in another window leaves them", async ({ page, photos }, testInfo) => {
  // A short answer: this test is about the thumbnails, not the text.
  const host = await startHost({ env: { SHOEBOX_DEMO_MODEL: '1', SHOEBOX_CHAT_MAX_NEW_TOKENS: '4' }, library: photos });
  try {
    await page.goto(host.url);
    await page.getByTestId('nav-models').click();
    await importAndSelectTinyModel(page);
    await page.getByTestId('nav-ask').click();
    // The model loads and answers after the current phase of the understanding step, which started
    // with the model (as in ask.spec.ts, a minute for it).
    await ask(page, 'How many photos of animals?', 0, 60_000);
    const sources = page.getByTestId('ask-turn').first().getByTestId('ask-source');
    await expect(sources).toHaveCount(2);
    const answer = await page.getByTestId('ask-answer').first().textContent();

    const other = await page.context().newPage();
    await other.goto(host.url);
    await expectPhotoCount(other, SAMPLE_FILES.length);
    await tick(other, cellNamed(other, 'baboon.jpg'));
    await (await selectionBar(other, 1)).getByTestId('action-hide').click();
    await expectPhotoCount(other, SAMPLE_FILES.length - 1);

    await expect(sources).toHaveCount(1);
    await expect(sources.first()).toHaveAttribute('title', /butterfly\.jpg/);
    await expect(page.getByTestId('ask-answer').first()).toHaveText(answer!);
    await other.close();
  } finally {
    if (testInfo.status !== testInfo.expectedStatus)
      await testInfo.attach('host-stderr', { body: host.stderr(), contentType: 'text/plain' });
    await host.stop();
  }
});
