/**
 * @file The Hugging Face access token requests (`models:token`, `models:setToken`, `models:clearToken`,
 * [Note: Hub token in the app] in preload/contract/models.ts) on top of the model manager's secret
 * store. Thin: the manager checks the token and keeps it; these answer only whether one is stored.
 *
 * Runs in main.
 */
import type { Handlers } from '../../preload/contract';
import type { modelsRequestSchemas } from '../../preload/contract/models';
import type { ModelManager } from '../models/manager';

type TokenHandlers = Pick<Handlers, Extract<keyof typeof modelsRequestSchemas, 'models:token' | 'models:setToken' | 'models:clearToken'>>;

export function createModelsTokenHandlers({ models }: { models: Pick<ModelManager, 'hubToken' | 'setHubToken'> }): TokenHandlers {
  return {
    // A stored token that cannot be read (a loose file, a keychain that changed) still counts as stored:
    // Clear removes it and Save replaces it.
    'models:token': async () => ({ stored: (await models.hubToken()).stored }),
    'models:setToken': async ({ token }) => {
      await models.setHubToken(token);
      return { stored: true };
    },
    'models:clearToken': async () => {
      await models.setHubToken(null);
      return { stored: false };
    },
  };
}
