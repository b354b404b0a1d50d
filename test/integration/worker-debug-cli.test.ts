/**
 * @file `shoebox debug preprocess` and `shoebox debug tokens` through commander and a real worker.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { registerDebugCommands } from '../../main/cli/debug';
import { decodeNpyFloat32 } from '../../native/preprocess/normalize';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'shoebox-debug-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(args: string[]): Promise<string> {
  const program = new Command();
  program.exitOverride();
  registerDebugCommands(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  try {
    await program.parseAsync(['node', 'shoebox', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('shoebox debug', () => {
  it('preprocess writes [tiles,3,448,448] float32 and prints the grid', async () => {
    const out = path.join(tmp, 'tall.npy');
    const printed = await run(['debug', 'preprocess', 'test/fixtures/images/ml/tall.png', '--max-tiles', '6', '--out', out]);
    const r = JSON.parse(printed) as { grid: { cols: number; rows: number }; shape: number[] };
    expect(r.grid).toEqual({ cols: 1, rows: 3 });
    const npy = decodeNpyFloat32(readFileSync(out));
    expect(npy.shape).toEqual([4, 3, 448, 448]);
    expect(r.shape).toEqual(npy.shape);
  }, 30_000);

  it('tokens prints the ids of the bundle tokenizer', async () => {
    const printed = await run(['debug', 'tokens', '--model', 'test/fixtures/models/tiny-internvl', 'hi<|im_end|>']);
    expect(JSON.parse(printed)).toEqual([104, 105, 258]);
  }, 30_000);
});
