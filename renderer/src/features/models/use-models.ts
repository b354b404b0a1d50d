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
  const { data, set } = request;
  const upsert = useCallback(
    (model: ModelDto) => {
      const list = data ?? [];
      const at = list.findIndex((m) => m.id === model.id);
      // Only one model is active: a newly active one clears the flag on the others.
      const next = (at >= 0 ? list.map((m) => (m.id === model.id ? model : m)) : [...list, model]).map((m) =>
        model.active && m.id !== model.id && m.active ? { ...m, active: false } : m,
      );
      set(next);
    },
    [data, set],
  );
  useEvent('models:progress', upsert);
  return { models: data, error: request.error, reload: request.reload, upsert, replace: set };
}

/** Whether some installed model has real (trained) weights. */
export function hasRealModel(models: ModelDto[] | undefined): boolean {
  return !!models?.some((m) => m.installed && !m.randomWeights);
}
