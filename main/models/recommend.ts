/**
 * @file The first-run offer: which catalog model suits this machine (by memory, cores, the GPU and the
 * CPU's int8 kernels the inference worker found), which variant to build, what installing it costs
 * (download, disk at the peak, disk kept) and about how long it will take per photo here; plus the text
 * embedder search uses. {@link recommendModels} is a pure function of a {@link MachineProfile};
 * {@link probeMachine} gathers one.
 *
 * Runs in main (and the headless host / CLI). Plain Node; no Electron.
 *
 * [Note: Speed estimates] The seconds per photo are estimates, derived from figures measured with
 * `npm run bench:vlm` on the full-size InternVL3-1B bundle with 2 threads (design notes,
 * environment.md "CPUs differ between machines"): a one-tile caption of 30 tokens with int8 takes
 * 2.1 s with AVX-512 VNNI (or AVX-VNNI) and 9.7 s with AVX2 only. Fewer threads are assumed to scale
 * linearly (1 thread: twice the time); more threads by the square root of the ratio at best, up to 8
 * (decoding is bound by memory bandwidth, so extra cores give less than they promise). Nothing was
 * measured on a GPU, on ARM or for the 2B model, so those get no estimate (null) rather than a guess.
 */
import os from 'node:os';
import type { ModelOffer, ModelRecommendation, ModelVariant } from '../../preload/contract';
import type { WorkerInfo } from '../../native/protocol';
import { catalogEntry, textEmbedderEntry, type CatalogEntry } from './catalog';

/** What the recommendation is made from. */
export interface MachineProfile {
  /** Total memory (os.totalmem()). */
  memBytes: number;
  /** Logical cores (os.cpus().length). */
  cores: number;
  /** Threads the worker runs a model with (its `info`), or null when unknown (then min(cores, 4)). */
  threads: number | null;
  /** The first usable GPU execution provider the worker found (cuda, dml), or null. */
  gpu: string | null;
  /** The int8 kernel family of the CPU (the worker's `info`); 'other' also when unknown. */
  int8Kernels: 'vnni' | 'avx2' | 'other';
}

const GIB = 1024 ** 3;
/** Measured one-tile int8 caption seconds at 2 threads ([Note: Speed estimates]). */
const CAPTION_S_2_THREADS = { vnni: 2.1, avx2: 9.7 } as const;
/** Below this much memory the 2B model is not offered even with a GPU (its fp32 reference is ~8 GB on disk and the build maps it). */
const MIN_MEM_FOR_2B = 16 * GIB;
/** InternVL3-1B int8 runs in about 2 GB (vision 2.3 GB RSS in fp32, environment.md); below 4 GB the machine will swap. */
const TIGHT_MEM = 4 * GIB;
/**
 * Providers whose availability means a GPU, preferred first. Not webgpu: the worker calls it available
 * when a Vulkan loader is installed, which a CPU-only machine with a software adapter also has; not
 * coreml: it is available on every Mac, Intel ones too. Both still run models when chosen.
 */
const GPU_PROVIDERS = ['cuda', 'dml'] as const;
const EMBEDDER_ID = 'granite-embedding-97m-multilingual-r2';

/** Estimated seconds per photo for InternVL3-1B int8 on CPU, or null when nothing measured applies. */
export function estimateSecondsPerPhoto(kernels: MachineProfile['int8Kernels'], threads: number): number | null {
  if (kernels === 'other') return null;
  const n = Math.max(1, Math.min(8, Math.floor(threads)));
  const base = CAPTION_S_2_THREADS[kernels];
  const s = n <= 2 ? (base * 2) / n : base / Math.sqrt(n / 2);
  return Math.round(s * 10) / 10;
}

/** The model (and embedder) to offer on `m`, with what each costs. */
export function recommendModels(m: MachineProfile): ModelRecommendation {
  const threads = m.threads ?? Math.min(m.cores, 4);
  const memGiB = `${(m.memBytes / GIB).toFixed(0)} GB of memory`;
  const cores = `${m.cores} core${m.cores === 1 ? '' : 's'}`;
  let model: ModelOffer;
  if (m.gpu !== null && m.memBytes >= MIN_MEM_FOR_2B) {
    model = offer(entry('internvl3-2b'), ['fp16'], {
      secondsPerPhoto: null,
      why: `A GPU (${m.gpu}) and ${memGiB} were found: the 2B model gives better captions and reads text better, in fp16 for the GPU. No speed was measured on a GPU yet.`,
    });
  } else {
    const seconds = estimateSecondsPerPhoto(m.int8Kernels, threads);
    const cpu =
      m.int8Kernels === 'vnni'
        ? 'a CPU with VNNI (fast int8)'
        : m.int8Kernels === 'avx2'
          ? 'a CPU with AVX2 but no VNNI (int8 about 3x slower than with VNNI)'
          : 'a CPU whose int8 speed was not measured';
    const gpuNote = m.gpu !== null ? ` A GPU (${m.gpu}) was found, but ${memGiB} is too little for the 2B model.` : ' No GPU was found.';
    const tight = m.memBytes < TIGHT_MEM ? ` With ${memGiB} it will be slow: it needs about 2 GB while it runs.` : '';
    model = offer(entry('internvl3-1b'), ['int8'], {
      secondsPerPhoto: seconds,
      why: `${cores}, ${memGiB} and ${cpu}: the 1B model in int8 suits it.${gpuNote}${tight}`,
    });
  }
  const emb = textEmbedderEntry(EMBEDDER_ID);
  const embedder = emb ? offer(emb, ['int8'], { secondsPerPhoto: null, why: 'Small; search uses it to find photos by meaning.' }) : null;
  return { machine: { memBytes: m.memBytes, cores: m.cores, gpu: m.gpu, int8Kernels: m.int8Kernels }, model, embedder };
}

function entry(id: string): CatalogEntry {
  const e = catalogEntry(id);
  if (!e) throw new Error(`catalog has no ${id}`);
  return e;
}

/**
 * Sizes of installing `variants` of `e` from the hub. An InternVL model comes as its bf16 checkpoint
 * (2 bytes a parameter, the size of the fp16 variant) and is built into fp32 (always: the engine's
 * reference) plus `variants`; the checkpoint is removed after the build, so the peak is both at once.
 * A text embedder's files are the bundle.
 */
function offer(e: CatalogEntry, variants: ModelVariant[], rest: Pick<ModelOffer, 'secondsPerPhoto' | 'why'>): ModelOffer {
  const size = (v: string) => e.approxBytes[v] ?? 0;
  if (e.family === 'text-embedder') {
    const bytes = variants.reduce((a, v) => a + size(v), 0);
    return { id: e.id, name: e.name, variants, downloadBytes: bytes, diskBytes: bytes, installedBytes: bytes, ...rest };
  }
  const built = [...new Set(['fp32', ...variants])];
  // Each variant's approxBytes counts the tokenizer once; the bundle has one.
  const tokenizer = 2 * size('fp16') - size('fp32');
  const installedBytes = built.reduce((a, v) => a + size(v), 0) - (built.length - 1) * tokenizer;
  const downloadBytes = size('fp16');
  return { id: e.id, name: e.name, variants, downloadBytes, diskBytes: downloadBytes + installedBytes, installedBytes, ...rest };
}

/** The machine as the worker's `info` (when it answers) and Node see it. */
export function machineProfile(info: Pick<WorkerInfo, 'cpu' | 'providers' | 'threads'> | null): MachineProfile {
  const gpu = info ? (GPU_PROVIDERS.find((p) => info.providers.some((s) => s.name === p && s.available)) ?? null) : null;
  return {
    memBytes: os.totalmem(),
    cores: os.cpus().length,
    threads: info?.threads.intraOp ?? null,
    gpu,
    int8Kernels: info?.cpu.int8Kernels ?? 'other',
  };
}

/** Asks the worker for its `info` (bounded by its own timeout); without an answer, Node's view alone. */
export async function probeMachine(workerInfo: () => Promise<WorkerInfo>, log?: { warn: (m: string) => void }): Promise<MachineProfile> {
  try {
    return machineProfile(await workerInfo());
  } catch (err) {
    log?.warn(`model recommendation without the worker's info: ${(err as Error).message}`);
    return machineProfile(null);
  }
}
