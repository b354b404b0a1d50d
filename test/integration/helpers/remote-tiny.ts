/**
 * @file How issue 13's integration tests with real processes start: services on a temp data folder with
 * a remote backend (the OpenAI-compatible stand-in, ./openai-test-server.ts) enabled and the committed
 * tiny random-weight bundle imported and selected as the local model (demo mode, CPU); and a poll for
 * the queue to reach a state.
 */
import { join } from 'node:path';
import { forkSpawner } from '../../../main/inference/worker-client';
import { silentLog } from '../../../main/log';
import { createBackends } from '../../../main/remote/backends.service';
import { createServices, type Services } from '../../../main/services';
import { startOpenAITestServer, type TestServer } from './openai-test-server';

const TINY = join(import.meta.dirname, '../../fixtures/models/tiny-internvl');

/** Starts the backend serving `model` and the services, with `before` applied to the settings before the model is selected. */
export async function startRemoteAndTiny(
  dataDir: string,
  model: string,
  before: (services: Services) => void = () => {},
): Promise<{ services: Services; server: TestServer }> {
  process.env['SHOEBOX_DEMO_MODEL'] = '1';
  const server = await startOpenAITestServer({ models: [model] });
  const services = await createServices({
    dataDir,
    shell: 'headless',
    log: silentLog,
    spawnWorker: forkSpawner({ ...process.env, SHOEBOX_EP: 'cpu' }),
  });
  const backends = createBackends({ settings: services.settings, secrets: services.secrets });
  await backends.add({ url: server.url, model });
  backends.setEnabled(true);
  before(services);
  await services.models.import(TINY);
  const r = await services.router.call('models:select', { id: 'tiny-internvl' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return { services, server };
}

/** Polls `ok` every 50 ms; throws naming `what` after `ms`. */
export async function until(what: string, ok: () => boolean, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
