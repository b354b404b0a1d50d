/**
 * @file A process that builds a bundle in its worker thread, as the app does, and prints each progress
 * report as a line (`weights 1234 5678`), so models-build-worker.test.ts can kill -9 it mid-build.
 *
 * Runs under tsx as a child of the test: `node --import tsx build-child.ts CHECKPOINT MODELS GRAPHS ID`.
 */
import { silentLog } from '../../../main/log';
import { buildBundleInWorker } from '../../../main/models/build/build-in-worker';

const [checkpointDir, modelsDir, graphsDir, id] = process.argv.slice(2) as [string, string, string, string];
await buildBundleInWorker({
  id,
  name: id,
  source: `OpenGVLab/${id}@${'a'.repeat(40)}`,
  checkpointDir,
  modelsDir,
  graphsDir,
  variants: ['fp32', 'int8', 'q4', 'fp16'],
  keepCheckpoint: true,
  log: silentLog,
  onProgress: (p) => process.stdout.write(`${p.phase} ${p.done} ${p.total}\n`),
});
process.stdout.write('done\n');
