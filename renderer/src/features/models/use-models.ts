/**
 * @file The model list for the whole window: `models:list` once, patched by `models:progress` events
 * and by each action's answer. Runs in the renderer; one instance in the app shell feeds the Models page
 * and the "no real model" banner.
 */
import { useCallback } from 'react';
import type { ModelDto } from '../../../../preload/contract';
import { useEvent, useRequest } from '../../hooks';

export interface ModelsState {
  models: ModelDto[] | undefined;
  error: string | null;
  reload: () => void;
  /** Replaces one model (by id) or adds it. */
  upsert: (model: ModelDto) => void;
  replace: (models: ModelDto[]) => void;
}

export function useModels(): ModelsState {
  const request = useRequest('models:list', {});
  const { update } = request;
  // Functional updates: two events in one tick (two downloads) must both land.
  const upsert = useCallback(
    (model: ModelDto) =>
      update((list = []) => {
        const at = list.findIndex((m) => m.id === model.id);
        // Only one model is active: a newly active one clears the flag on the others.
        return (at >= 0 ? list.map((m) => (m.id === model.id ? model : m)) : [...list, model]).map((m) =>
          model.active && m.id !== model.id && m.active ? { ...m, active: false } : m,
        );
      }),
    [update],
  );
  useEvent('models:progress', upsert);
  return { models: request.data, error: request.error, reload: request.reload, upsert, replace: request.set };
}

/** Whether some installed model has real (trained) weights. */
export function hasRealModel(models: ModelDto[] | undefined): boolean {
  return !!models?.some((m) => m.installed && !m.randomWeights);
}
