/**
 * @file The sidebar's folder rows (renderer/src/features/folders/folders-sidebar.tsx), rendered to
 * markup: a folder's scan warnings are shown in its row (issue 7, item 4), and a folder without any
 * shows none.
 */
import { createElement, createRef } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { FolderDto } from '../../preload/contract';
import type { ShoeboxClient } from '../../renderer/src/api';
import { NoticeProvider } from '../../renderer/src/components/notices';
import { FoldersSidebar } from '../../renderer/src/features/folders/folders-sidebar';
import { ClientContext } from '../../renderer/src/hooks';

const folder = (over: Partial<FolderDto>): FolderDto => ({
  id: 1,
  path: '/photos',
  addedAt: '2024-01-01T00:00:00.000Z',
  status: 'ok',
  warning: null,
  scanWarnings: [],
  photoCount: 3,
  ...over,
});

function render(folders: FolderDto[]): string {
  const client = {} as ShoeboxClient; // never called while rendering
  const sidebar = createElement(FoldersSidebar, {
    folders,
    error: null,
    selected: null,
    onSelect: () => {},
    onChanged: () => {},
    addRef: createRef<HTMLInputElement>(),
  });
  return renderToStaticMarkup(createElement(ClientContext.Provider, { value: client }, createElement(NoticeProvider, null, sidebar)));
}

describe('folders sidebar', () => {
  it("shows the last scan's warnings in the folder's row", () => {
    const html = render([
      folder({ scanWarnings: ['cannot read folder locked: permission denied; its files keep their last known state'] }),
      folder({ id: 2, path: '/clean' }),
    ]);
    expect(html.match(/data-testid="folder-scan-warnings"/g)).toHaveLength(1);
    expect(html).toContain('1 problem in the last scan');
    expect(html).toContain('cannot read folder locked: permission denied');
  });
});
