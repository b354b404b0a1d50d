/**
 * @file [Note: Which variant runs]: the variant 'auto' picks for each bundle, provider and recorded
 * accuracy; a chosen variant the bundle has; the expected provider from SHOEBOX_EP and the platform.
 */
import { describe, expect, it } from 'vitest';
import { chooseVariant, expectedProvider, type VariantFacts } from '../../main/inference/variant-choice';

const ALL = ['fp32', 'int8', 'q4', 'fp16'];
const facts = (over: Partial<VariantFacts>): VariantFacts => ({
  setting: 'auto',
  variants: ALL,
  demo: false,
  accuracy: null,
  provider: 'cpu',
  ...over,
});
const pick = (over: Partial<VariantFacts>) => chooseVariant(facts(over)).variant;

describe('chooseVariant', () => {
  it.each([
    // [variants, provider, demo, int8 cosine (null: never measured), expected]
    [ALL, 'cpu', false, null, 'int8'],
    [ALL, 'cpu', false, 0.995, 'int8'],
    [ALL, 'cpu', false, 0.95, 'int8'],
    [ALL, 'cpu', false, 0.914, 'fp32'],
    [['fp32'], 'cpu', false, null, 'fp32'],
    [['int8'], 'cpu', false, null, 'int8'],
    [['q4', 'int8'], 'cpu', false, 0.5, 'q4'],
    [ALL, 'gpu', false, null, 'fp16'],
    [['fp32', 'int8'], 'gpu', false, null, 'fp32'],
    [ALL, 'other', false, null, 'fp32'],
    [ALL, 'cpu', true, null, 'fp32'],
    [ALL, 'gpu', true, null, 'fp32'],
    [['int8', 'fp16'], 'cpu', true, null, 'int8'],
  ] as const)('auto with %j on %s (demo %s, int8 cosine %s) → %s', (variants, provider, demo, cosine, expected) => {
    const accuracy = cosine === null ? null : { bar: 0.95, cosine: { fp32: 1, int8: cosine } };
    expect(pick({ variants, provider, demo, accuracy })).toBe(expected);
  });

  it('uses the bar the check recorded', () => {
    expect(pick({ accuracy: { bar: 0.99, cosine: { int8: 0.98 } } })).toBe('fp32');
    expect(pick({ accuracy: { bar: 0.95, cosine: { q4: 0.5 } } })).toBe('int8'); // int8 was not measured
  });

  it('runs a chosen variant the bundle has, even where auto would not', () => {
    expect(pick({ setting: 'fp32' })).toBe('fp32');
    expect(pick({ setting: 'q4', demo: true })).toBe('q4');
    expect(pick({ setting: 'fp16', provider: 'cpu' })).toBe('fp16');
    expect(chooseVariant(facts({ setting: 'int8', accuracy: { bar: 0.95, cosine: { int8: 0.9 } } }))).toEqual({
      variant: 'int8',
      why: 'chosen in settings (understanding.variant = int8)',
    });
  });

  it("falls back to auto's pick, saying why, when the bundle lacks the chosen variant", () => {
    const c = chooseVariant(facts({ setting: 'fp16', variants: ['fp32', 'int8'] }));
    expect(c.variant).toBe('int8');
    expect(c.why).toMatch(/^the bundle has no fp16 \(understanding.variant\): int8 on the CPU/);
  });

  it('says why auto passed int8 over', () => {
    expect(chooseVariant(facts({ accuracy: { bar: 0.95, cosine: { int8: 0.914 } } })).why).toBe(
      'int8 is below the accuracy bar (0.914 < 0.95)',
    );
  });
});

describe('expectedProvider', () => {
  it("follows SHOEBOX_EP's first provider", () => {
    expect(expectedProvider({ SHOEBOX_EP: 'cuda,cpu' }, 'linux')).toBe('gpu');
    expect(expectedProvider({ SHOEBOX_EP: ' DML ' }, 'win32')).toBe('gpu');
    expect(expectedProvider({ SHOEBOX_EP: 'cpu' }, 'win32')).toBe('cpu');
    expect(expectedProvider({ SHOEBOX_EP: 'webgpu,cpu' }, 'linux')).toBe('other');
  });

  it("else the platform's first candidate", () => {
    expect(expectedProvider({}, 'linux')).toBe('cpu');
    expect(expectedProvider({ SHOEBOX_EP: '' }, 'win32')).toBe('gpu');
    expect(expectedProvider({}, 'darwin')).toBe('other');
  });
});
