/**
 * @file Migration 2: each folder remembers the warnings of its last full scan (unreadable or too-deep
 * sub-folders, symlink loops), so `shoebox status` and the app show them after the scan's events are
 * gone, and in another process than the one that scanned. A JSON array of strings; NULL when the last
 * scan met no problem. Set by main/library/library.ts after every full scan.
 */
export const sql = /* sql */ `
ALTER TABLE folders ADD COLUMN scan_warnings TEXT;
`;
