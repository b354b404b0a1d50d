/**
 * @file The worker's models by role, with fake models (no onnxruntime): a load fills one role only,
 * replacing a model releases the old one after the new one is in, a failed load keeps the old one,
 * and a missing role answers `model_not_loaded`.
 */
import { describe, expect, it } from 'vitest';
import { WorkerError } from '../../native/protocol';
import { ModelRegistry, type RoleModel } from '../../native/runtime/registry';

class FakeModel implements RoleModel {
  released = false;
  constructor(readonly dir: string) {}
  describe() {
    return { id: this.dir, name: this.dir, variant: 'fp32', randomWeights: true, providers: {}, loadMs: 1 };
  }
  async release(): Promise<void> {
    this.released = true;
  }
}

function setup() {
  return new ModelRegistry<{ vlm: FakeModel; 'text-embedder': FakeModel }>({
    vlm: async (dir) => {
      if (dir === 'broken') throw new WorkerError('model_invalid', 'broken bundle');
      return new FakeModel(dir);
    },
    'text-embedder': async (dir) => new FakeModel(dir),
  });
}

describe('model registry', () => {
  it('keeps one model per role and reports each with its role', async () => {
    const models = setup();
    expect(await models.load('text-embedder', 'e5')).toMatchObject({ role: 'text-embedder', id: 'e5' });
    expect(models.get('vlm')).toBeNull();
    expect(() => models.require('vlm')).toThrow(expect.objectContaining({ code: 'model_not_loaded' }) as Error);
    await models.load('vlm', 'internvl');
    expect(models.require('vlm').dir).toBe('internvl');
    expect(models.require('text-embedder').dir).toBe('e5');
    expect(models.describeAll().map((m) => [m.role, m.id])).toEqual([
      ['vlm', 'internvl'],
      ['text-embedder', 'e5'],
    ]);
  });

  it('releases a replaced model, keeps the old one when a load fails, and unloads by role', async () => {
    const models = setup();
    await models.load('vlm', 'a');
    const a = models.require('vlm');
    await models.load('vlm', 'b');
    expect(a.released).toBe(true);
    const b = models.require('vlm');
    await expect(models.load('vlm', 'broken')).rejects.toMatchObject({ code: 'model_invalid' });
    expect(models.require('vlm')).toBe(b);
    expect(b.released).toBe(false);
    expect(await models.unload('text-embedder')).toBe(false);
    expect(await models.unload('vlm')).toBe(true);
    expect(b.released).toBe(true);
    expect(models.describe('vlm')).toBeNull();
  });
});
