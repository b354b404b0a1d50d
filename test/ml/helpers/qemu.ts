/**
 * @file Finds QEMU's x86-64 user-mode emulator, which the int8 tests use to run onnxruntime on an emulated
 * AVX2-only CPU ([Note: int8 on CPUs without VNNI] in int8-cpus.test.ts); null off linux-x64 or when
 * Debian's `qemu-user` is not installed.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export function findQemu(): string | null {
  if (os.platform() !== 'linux' || os.arch() !== 'x64') return null;
  try {
    return execFileSync('sh', ['-c', 'command -v qemu-x86_64'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}
