/**
 * @file The CLI's hints on messages written for the app (main/cli/models.ts `withCliHint`): a message
 * naming the Models page's token section or import form gets the terminal command appended, keeping
 * its class and code; any other error passes through unchanged.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../preload/api-error';
import { withCliHint } from '../../main/cli/models';

describe('withCliHint', () => {
  it('appends `shoebox models token set` to a message naming the token section, keeping the ApiError code', () => {
    const err = new ApiError(
      'unauthorized',
      'x is gated (HTTP 401). Accept its terms, then enter a token under Models → Hugging Face access token',
    );
    const hinted = withCliHint(err);
    expect(hinted).toBeInstanceOf(ApiError);
    expect(hinted).toMatchObject({ code: 'unauthorized' });
    expect((hinted as Error).message).toBe(`${err.message}. Here: shoebox models token set (reads the token from stdin).`);
  });

  it('appends `shoebox models import PATH` to a message naming the import form', () => {
    const hinted = withCliHint(new Error('Import a bundle folder under "Import a model bundle" on the Models page, or …'));
    expect((hinted as Error).message).toMatch(/Here: shoebox models import PATH\.$/);
  });

  it('leaves other errors alone', () => {
    const err = new ApiError('conflict', 'model a is already installed');
    expect(withCliHint(err)).toBe(err);
    expect(withCliHint('not an error')).toBe('not an error');
  });
});
