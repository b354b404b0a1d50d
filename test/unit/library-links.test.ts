/**
 * @file Which symlinks the indexer follows ([Note: Symlinks stay inside their folder] in
 * main/library/links.ts): the verdict for links out of the folder, aliases, loops and links to folders
 * the walk does not reach by name.
 */
import { describe, expect, it } from 'vitest';
import { isInside, judgeLink, outsideLinkMessage } from '../../main/library/links';

describe('judgeLink', () => {
  const root = '/photos';
  it('refuses links that leave the folder, including to a sibling with a common prefix', () => {
    expect(judgeLink(root, 'etc', '/etc', true)).toEqual({ follow: false, why: 'outside', target: '/etc' });
    expect(judgeLink(root, 'a.jpg', '/photos2/a.jpg', false)).toMatchObject({ follow: false, why: 'outside' });
    expect(judgeLink(root, 'up', '/', true)).toMatchObject({ follow: false, why: 'outside' });
  });
  it('follows file links inside, and folder links only to folders the walk does not reach by name', () => {
    expect(judgeLink(root, 'link.jpg', '/photos/sub/a.jpg', false)).toEqual({ follow: true });
    expect(judgeLink(root, 'shown', '/photos/.hidden', true)).toEqual({ follow: true });
    expect(judgeLink(root, 'alias', '/photos/2019/best', true)).toEqual({ follow: false, why: 'walked', target: '2019/best' });
  });
  it('calls a link to the root or to a folder above the link a loop', () => {
    expect(judgeLink(root, 'sub/loop', '/photos', true)).toEqual({ follow: false, why: 'loop', target: '' });
    expect(judgeLink(root, 'a/b/up', '/photos/a', true)).toMatchObject({ follow: false, why: 'loop' });
  });
  it('says how to include what a link leads to', () => {
    expect(outsideLinkMessage('/etc', true)).toBe('link leads outside this folder (/etc); add /etc as a folder of its own to include it');
    expect(outsideLinkMessage('/mnt/usb/a.jpg', false)).toMatch(/add \/mnt\/usb as a folder of its own/);
    expect(isInside('/photos', '/photos')).toBe(true);
    expect(isInside('/photos', '/photos-old/x')).toBe(false);
  });
});
