/**
 * @file Moving a file to the operating system's trash outside Electron (headless host, CLI, tests): the
 * maintained `trash` package, which follows the freedesktop.org spec on Linux (the same places
 * [Note: Finding files in the OS trash] in trash-locate.ts reads), uses the system's own tools on macOS
 * and the Recycle Bin on Windows. Electron uses `shell.trashItem` instead (main/index.ts).
 *
 * Runs in main (plain Node). Loaded on first use: the package reads XDG_DATA_HOME when it loads.
 */

/** Moves one file to the OS trash; rejects when it cannot. Never a permanent delete. */
export type TrashItem = (absPath: string) => Promise<void>;

/** `trash` with globbing off: a file named `[1].jpg` is that file, never a pattern. */
export const trashWithPackage: TrashItem = async (absPath) => {
  const { default: trash } = await import('trash');
  await trash([absPath], { glob: false });
};
