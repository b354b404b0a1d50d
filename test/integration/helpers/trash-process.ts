/**
 * @file A process that moves one photo to the trash and is killed with SIGKILL in the middle: the victim
 * of the trash crash test (test/integration/collections-trash.test.ts).
 *
 * Run: node --import tsx test/integration/helpers/trash-process.ts <dataDir> <photoId> <before-move|after-move>
 * `before-move`: killed as the file would be moved; `after-move`: killed once it is in the trash, before
 * Shoebox records that. XDG_DATA_HOME comes from the environment (a temp folder in the test).
 */
import { silentLog } from '../../../main/log';
import { createServices } from '../../../main/services';
import { trashWithPackage } from '../../../main/library/trash-host';

const [dataDir, photoId, when] = process.argv.slice(2);
if (!dataDir || !photoId || (when !== 'before-move' && when !== 'after-move')) {
  console.error('usage: trash-process.ts <dataDir> <photoId> <before-move|after-move>');
  process.exit(2);
}
const services = await createServices({
  dataDir,
  shell: 'cli',
  log: silentLog,
  startLibrary: false,
  trashItem: async (path) => {
    if (when === 'after-move') await trashWithPackage(path);
    process.kill(process.pid, 'SIGKILL');
    await new Promise(() => undefined);
  },
});
await services.router.call('trash:move', { selection: { ids: [Number(photoId)] } });
console.error('not killed');
process.exit(1);
