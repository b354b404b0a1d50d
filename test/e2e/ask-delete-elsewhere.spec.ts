/**
 * @file End-to-end: deleting an Ask conversation that another window deleted first is no error. The
 * user asked for it to be gone and it is: the list drops it and no error shows. (A question the database
 * answers at once, no model; the first window's list is not re-read in between, as nothing it listens
 * to happens.)
 */
import { expect, startHost, test } from './fixtures';

const QUESTION = 'Any photos of giraffes?';

test('a conversation deleted in another window deletes quietly here too', async ({ page, photos }, testInfo) => {
  const host = await startHost({ library: photos });
  try {
    await page.goto(host.url);
    await page.getByTestId('nav-ask').click();
    const ask = page.getByTestId('ask-page');
    await ask.getByTestId('ask-input').fill(QUESTION);
    await ask.getByTestId('ask-input').press('Enter');
    await expect(ask.getByTestId('ask-turn').first()).not.toHaveAttribute('data-state', 'answering');
    const items = page.getByTestId('ask-list').getByTestId('ask-conversation');
    await expect(items).toHaveCount(1);

    const other = await page.context().newPage();
    await other.goto(host.url);
    await other.getByTestId('nav-ask').click();
    const otherItems = other.getByTestId('ask-list').getByTestId('ask-conversation');
    await expect(otherItems).toHaveCount(1);
    await other.getByRole('button', { name: `Delete the conversation “${QUESTION}”` }).click();
    await other.getByTestId('confirm-ok').click();
    await expect(otherItems).toHaveCount(0);

    // This window still lists it; deleting it here finds it gone, which is what was asked.
    await expect(items).toHaveCount(1);
    await page.getByRole('button', { name: `Delete the conversation “${QUESTION}”` }).click();
    await page.getByTestId('confirm-ok').click();
    await expect(items).toHaveCount(0);
    await expect(ask.getByTestId('ask-turn')).toHaveCount(0);
    await expect(page.getByTestId('ask-error')).toHaveCount(0);
  } finally {
    if (testInfo.status !== testInfo.expectedStatus)
      await testInfo.attach('host-stderr', { body: host.stderr(), contentType: 'text/plain' });
    await host.stop();
  }
});
