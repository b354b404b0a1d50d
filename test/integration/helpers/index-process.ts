/**
 * @file A process that indexes a folder and exits: the victim of the SIGKILL crash test.
 *
 * Run: node --import tsx test/integration/helpers/index-process.ts <dataDir> <folder> [concurrency]
 * Prints `idle <photos>` when every job is done. Exits 0.
 */
import { openDatabase } from '../../../main/db/open';
import { createLibrary } from '../../../main/library/library';
import { silentLog } from '../../../main/log';
import { resolvePaths } from '../../../main/paths';

const [dataDir, folder, concurrency] = process.argv.slice(2);
if (!dataDir || !folder) {
  console.error('usage: index-process.ts <dataDir> <folder> [concurrency]');
  process.exit(2);
}
const paths = resolvePaths(dataDir);
const db = openDatabase(paths.database);
const lib = createLibrary({ db, paths, log: silentLog, emit: () => {}, options: { watch: false, concurrency: Number(concurrency ?? 1) } });
await lib.start();
if (!lib.listFolders().some((f) => f.path === folder)) await lib.addFolder(folder);
console.log('started');
await lib.whenIdle();
console.log(`idle ${lib.jobsStatus().photos}`);
await lib.close();
db.close();
