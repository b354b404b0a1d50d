/**
 * @file The dense-search index of one text embedder: every stored description vector of that model
 * (main/db/embeddings.repo.ts), held in memory as int8, searched exactly with the SIMD kernel of
 * ./vector-kernel.ts, the best candidates rescored with their float32 vectors read back from SQLite.
 * Loaded lazily, in chunks that yield; kept current from the database's write feed; dropped whole when
 * the embedder changes.
 *
 * Runs in main (and tests, the benchmark). Synchronous search: at 1M photos the scan takes ~26 ms.
 *
 * [Note: Dense index] Why this design (measured with 384-d vectors on these 2 cores; environment.md
 * has sqlite-vec at 541 ms for 1M × 512 float32):
 * - float32 in memory is 1.5 GB at 1M photos (over the 1 GB budget) and 330 ms per JS scan; int8 is
 *   384 MB and 26 ms with SIMD. Quantisation is per vector (scale = max |x| / 127), so the error of a
 *   dot product is about 1e-3, far below the gaps that matter between a query's hits; the best
 *   `k + RESCORE_MARGIN` by int8 are rescored with the exact float vectors (one indexed read each), so
 *   the scores shown are exact and only near-ties at the edge of the top k can differ from a float scan.
 * - Search is exhaustive (no HNSW: 100–200 s to build at 100k here, approximate, and another structure
 *   to keep in sync). Filters restrict the scan: the ids that pass them (the one filter builder,
 *   main/db/photo-filter.ts) are mapped to slots and only those are scanned.
 * - Catching up is cheap and crash-proof: rows carry growing ids ([Note: Stored embeddings]), so the
 *   index reads `id > watermark` of its model, and the removal log's entries since its own mark, before
 *   each search; a write made by another process (the CLI) is found the same way as one made here.
 * - Memory: one growable WebAssembly.Memory (vectors from `VEC_BASE`, scratch for scores after them);
 *   `close()` drops it, so a model switch frees it for the garbage collector (a wasm memory cannot shrink).
 * - Calibration: where a query's similarity to photos unrelated to it lies, from a fixed sample (up to
 *   SAMPLE slots): the mean (`center`) and standard deviation (`spread`) of a normal background, read
 *   as the sample's median and its distance to the 16th percentile. Unrelated photos fill that lower
 *   half while fewer than half of the library is like the query, where a plain mean and deviation
 *   would already call the related photos ordinary (a library of beaches searched for "seaside"); so a
 *   score can say how unusual a similarity is for this query (main/search/fusion.ts). Lower percentiles
 *   would hold for more related photos but are too noisy on small libraries.
 */
import type { EmbeddingsRepo } from '../db/embeddings.repo';
import { createKernel, LANES, type Int8Kernel } from './vector-kernel';

/** Vectors rescored with float32 beyond the k asked for. */
const RESCORE_MARGIN = 64;
/** Slots in the calibration sample. */
const SAMPLE = 2048;
/** Rows read per chunk while loading (one chunk between yields, ~10 ms). */
const LOAD_CHUNK = 8192;
/** Rows applied per search before the rest is caught up in the background. */
const CATCH_UP_SYNC = 8192;
/** Bytes before the vectors: the query. */
const VEC_BASE = 16_384;
const PAGE = 65_536;

export interface VectorHit {
  photoId: number;
  /** Cosine similarity (vectors are L2-normalised by the worker). */
  similarity: number;
}

export interface VectorSearchResult {
  hits: VectorHit[];
  /** The query's mean similarity to unrelated photos, from the calibration sample's lower part. */
  center: number;
  /** Its standard deviation, likewise. */
  spread: number;
  /**
   * The (int8) similarity of the weakest photo the scan kept before rescoring, or -Infinity when it kept
   * every photo it scanned: no photo left out is closer than this.
   */
  floor: number;
}

export interface VectorIndexState {
  ready: boolean;
  /** Vectors held. */
  size: number;
  /** Vectors to hold when loading finishes (known once loading starts). */
  total: number;
}

export interface SearchOpts {
  k: number;
  candidates?: readonly number[] | null;
  pool?: number;
  keep?: (photoIds: number[]) => number[];
}

export interface VectorIndex {
  readonly modelId: string;
  state(): VectorIndexState;
  /** Loads every vector of the model (once; later calls wait for the same load). Yields between chunks. */
  load(): Promise<void>;
  /** Applies what was written and removed since the last look (part of every search). */
  catchUp(): void;
  /**
   * The `k` most similar photos to `query` (L2-normalised), among `candidates` when given (photo ids;
   * those without a vector are skipped). With `keep`, the best `pool` by int8 are passed through it
   * (photo ids, best first; it returns those to keep, in order) before the rescoring. Null until loaded.
   */
  search(query: Float32Array, opts: SearchOpts): VectorSearchResult | null;
  /** Frees the memory; the index is unusable afterwards. */
  close(): void;
}

export interface VectorIndexDeps {
  repo: Pick<EmbeddingsRepo, 'rowsAfter' | 'removalsAfter' | 'lastRemoval' | 'vectors' | 'count'>;
  modelId: string;
  /** Tests: run the JS kernel instead of SIMD. */
  forceJs?: boolean;
}

const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Keeps the best `size` (value, index) pairs seen: a min-heap on value. */
class TopK {
  readonly values: Float64Array;
  readonly items: Int32Array;
  length = 0;
  constructor(readonly size: number) {
    this.values = new Float64Array(size);
    this.items = new Int32Array(size);
  }
  /** The smallest value kept once full (anything below it is not kept). */
  floor(): number {
    return this.length < this.size ? -Infinity : this.values[0]!;
  }
  push(value: number, item: number): void {
    const { values, items } = this;
    let i: number;
    if (this.length < this.size) i = this.length++;
    else if (value <= values[0]!) return;
    else {
      // Replace the root and sift down.
      i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= this.length) break;
        const r = l + 1;
        const c = r < this.length && values[r]! < values[l]! ? r : l;
        if (values[c]! >= value) break;
        values[i] = values[c]!;
        items[i] = items[c]!;
        i = c;
      }
      values[i] = value;
      items[i] = item;
      return;
    }
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (values[parent]! <= value) break;
      values[i] = values[parent]!;
      items[i] = items[parent]!;
      i = parent;
    }
    values[i] = value;
    items[i] = item;
  }
  /** The kept items, best first. */
  sorted(): number[] {
    const order = Array.from({ length: this.length }, (_, i) => i).sort((a, b) => this.values[b]! - this.values[a]!);
    return order.map((i) => this.items[i]!);
  }
}

/** Builds the (empty, unloaded) index of one model. */
export function createVectorIndex(deps: VectorIndexDeps): VectorIndex {
  const { repo, modelId } = deps;
  let kernel: Int8Kernel | null = null;
  let dim = 0;
  let stride = 0;
  let capacity = 0;
  /** Slots in use or freed: the scan covers [0, high). */
  let high = 0;
  let ids = new Int32Array(0); // photo id per slot, 0 = free
  let scales = new Float32Array(0);
  let slotOf = new Int32Array(1024); // photo id → slot + 1
  const free: number[] = [];
  let rowMark = 0;
  let removalMark = 0;
  let total = 0;
  let loading: Promise<void> | null = null;
  let ready = false;
  let closed = false;
  let catchingUp = false;

  const scratch = () => VEC_BASE + capacity * stride;
  const bytesFor = (cap: number) => VEC_BASE + cap * stride + cap * 8 + SAMPLE * 8;

  /** Makes room for `cap` slots: grows the memory in place (vectors keep their offsets) and the slot arrays. */
  function reserve(cap: number): void {
    if (cap <= capacity) return;
    const need = Math.ceil(bytesFor(cap) / PAGE);
    if (!kernel) kernel = createKernel(need, deps.forceJs);
    else if (need > kernel.memory.buffer.byteLength / PAGE) kernel.memory.grow(need - kernel.memory.buffer.byteLength / PAGE);
    const grownIds = new Int32Array(cap);
    grownIds.set(ids);
    ids = grownIds;
    const grownScales = new Float32Array(cap);
    grownScales.set(scales);
    scales = grownScales;
    capacity = cap;
  }

  function setSlotOf(photoId: number, slot: number): void {
    if (photoId >= slotOf.length) {
      const grown = new Int32Array(Math.max(photoId + 1, slotOf.length * 2));
      grown.set(slotOf);
      slotOf = grown;
    }
    slotOf[photoId] = slot + 1;
  }

  function remove(photoId: number): void {
    const slot = (slotOf[photoId] ?? 0) - 1;
    if (slot < 0) return;
    slotOf[photoId] = 0;
    ids[slot] = 0;
    scales[slot] = 0;
    new Int8Array(kernel!.memory.buffer, VEC_BASE + slot * stride, stride).fill(0);
    free.push(slot);
  }

  /** Quantises `vector` into int8 at `at`; returns its scale. */
  function quantise(vector: Float32Array, at: number): number {
    let max = 0;
    for (let d = 0; d < vector.length; d++) max = Math.max(max, Math.abs(vector[d]!));
    const q = new Int8Array(kernel!.memory.buffer, at, stride);
    if (max === 0) {
      q.fill(0);
      return 0;
    }
    const inv = 127 / max;
    for (let d = 0; d < vector.length; d++) q[d] = Math.round(vector[d]! * inv);
    q.fill(0, vector.length);
    return max / 127;
  }

  function upsert(photoId: number, vector: Float32Array): void {
    if (dim === 0) {
      // The first vector sets the shape; room for every row the load expects.
      dim = vector.length;
      stride = Math.ceil(dim / LANES) * LANES;
      reserve(Math.ceil(total * 1.05) + 1024);
    }
    if (vector.length !== dim) return; // another shape from the same model id: not comparable, ignored
    let slot = (slotOf[photoId] ?? 0) - 1;
    if (slot < 0) {
      slot = free.pop() ?? high;
      if (slot === high) {
        if (high === capacity) reserve(Math.ceil(capacity * 1.25) + 1024);
        high++;
      }
      setSlotOf(photoId, slot);
      ids[slot] = photoId;
    }
    scales[slot] = quantise(vector, VEC_BASE + slot * stride);
  }

  /** The float32 values of a stored vector: a view when aligned (read at once, never kept), else a copy. */
  const floats = (b: Buffer) =>
    b.byteOffset % 4 === 0
      ? new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4)
      : new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

  /** Applies up to `limit` rows written since the mark; returns whether more remain. */
  function applyRows(limit: number): boolean {
    let applied = 0;
    while (applied < limit) {
      const want = Math.min(limit - applied, LOAD_CHUNK);
      if (closed) return false;
      const rows = repo.rowsAfter(modelId, rowMark, want);
      for (const r of rows) {
        upsert(r.photoId, floats(r.vector));
        rowMark = r.id;
      }
      applied += rows.length;
      if (rows.length < want) return false;
    }
    return true;
  }

  function catchUp(): void {
    if (!ready || closed) return;
    for (const r of repo.removalsAfter(modelId, removalMark)) {
      remove(r.photoId);
      removalMark = r.seq;
    }
    if (applyRows(CATCH_UP_SYNC) && !catchingUp) {
      // A backfill wrote more than a search should wait for: the rest in chunks that yield.
      catchingUp = true;
      void (async () => {
        while (!closed && applyRows(LOAD_CHUNK)) await yieldNow();
        catchingUp = false;
      })();
    }
  }

  async function loadAll(): Promise<void> {
    // The removal mark first: a row deleted while we read is then caught by the next catch-up.
    removalMark = repo.lastRemoval();
    total = repo.count(modelId);
    while (!closed && applyRows(LOAD_CHUNK)) await yieldNow();
    ready = !closed;
  }

  /** The calibration sample: evenly spaced used slots, chosen again when the size moved by 5 %. */
  let sample: { slots: number[]; size: number } | null = null;
  function sampleSlots(): number[] {
    const used = high - free.length;
    if (sample && Math.abs(sample.size - used) <= used * 0.05) return sample.slots;
    const step = Math.max(1, Math.floor(used / SAMPLE));
    const slots: number[] = [];
    for (let s = 0, seen = 0; s < high && slots.length < SAMPLE; s++) {
      if (ids[s] === 0) continue;
      if (seen++ % step === 0) slots.push(s);
    }
    sample = { slots, size: used };
    return slots;
  }

  /** Runs the kernel over `slots` (or all of [0, high) when null); the int32 dot products. */
  function scanSlots(slots: readonly number[] | null, region: 'main' | 'sample'): Int32Array {
    const k = kernel!;
    const base = region === 'main' ? scratch() : scratch() + capacity * 8;
    if (slots === null) {
      k.scan(0, VEC_BASE, high, stride, base);
      return new Int32Array(k.memory.buffer, base, high);
    }
    const listAt = base + (region === 'main' ? capacity * 4 : SAMPLE * 4);
    new Int32Array(k.memory.buffer, listAt, slots.length).set(slots);
    k.scanList(0, VEC_BASE, slots.length, stride, base, listAt);
    return new Int32Array(k.memory.buffer, base, slots.length);
  }

  return {
    modelId,
    state: () => ({ ready, size: high - free.length, total: Math.max(total, high - free.length) }),
    load() {
      loading ??= loadAll();
      return loading;
    },
    catchUp,
    search(query, opts) {
      if (!ready || closed) return null;
      catchUp();
      if (high === 0 || query.length !== dim) return { hits: [], center: 0, spread: 0, floor: -Infinity };
      const qScale = quantise(query, 0);
      let slots: number[] | null = null;
      if (opts.candidates != null) {
        slots = [];
        for (const id of opts.candidates) {
          const s = (slotOf[id] ?? 0) - 1;
          if (s >= 0) slots.push(s);
        }
      }
      const dots = scanSlots(slots, 'main');
      const top = new TopK(Math.max(1, opts.k + RESCORE_MARGIN, opts.keep ? (opts.pool ?? 0) : 0));
      for (let i = 0; i < dots.length; i++) {
        const slot = slots === null ? i : slots[i]!;
        if (ids[slot] === 0) continue;
        const v = dots[i]! * scales[slot]!;
        if (v > top.floor()) top.push(v, slot);
      }
      const sample = sampleSlots();
      const sampleDots = scanSlots(sample, 'sample');
      const sims: number[] = [];
      for (let i = 0; i < sample.length; i++) {
        if (ids[sample[i]!] === 0) continue; // removed since the sample was chosen
        sims.push(sampleDots[i]! * scales[sample[i]!]! * qScale);
      }
      sims.sort((a, b) => a - b);
      const at = (q: number) => sims[Math.min(sims.length - 1, Math.floor(q * sims.length))] ?? 0;
      // A normal background's mean and deviation, from the median and the 16th percentile (z = -1).
      const center = at(0.5);
      const spread = center - at(0.16);

      // Exact rescoring of the int8 candidates with their float32 vectors.
      let best = top.sorted().map((s) => ids[s]!);
      if (opts.keep) best = opts.keep(best);
      const candidates = best.slice(0, opts.k + RESCORE_MARGIN);
      const exact = repo.vectors(modelId, candidates).flatMap(({ photoId, vector }) => {
        const v = floats(vector);
        if (v.length !== dim) return [];
        let s = 0;
        for (let d = 0; d < dim; d++) s += v[d]! * query[d]!;
        return [{ photoId, similarity: s }];
      });
      exact.sort((a, b) => b.similarity - a.similarity || a.photoId - b.photoId);
      const floor = top.floor();
      return { hits: exact.slice(0, opts.k), center, spread, floor: floor === -Infinity ? floor : floor * qScale };
    },
    close() {
      closed = true;
      kernel = null;
      ids = new Int32Array(0);
      scales = new Float32Array(0);
      slotOf = new Int32Array(0);
      capacity = 0;
      high = 0;
    },
  };
}
