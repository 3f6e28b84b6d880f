// How many packets each batch through the engine carried, per lane: a histogram in the engine's
// shared memory. The lane's thread (a datapath worker) adds to it once per batch, without a message;
// the main thread reads it when the metrics endpoint is scraped. Buckets are powers of two up to the
// largest batch a lane runs (EngineOptions.batch, 128 in the gateway), the way Prometheus histograms
// count: `le` 1, 2, 4 … 128, then +Inf.
//
// Each cell is a 64-bit counter written with Atomics by its one writer, so a reader in another
// thread never sees half of one. Cells are not read all at once: a scrape during a batch may see
// its bucket counted and its size not yet in the sum — off by one batch, never torn.

export const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128] as const;

/** Cells: one per bucket (not cumulative), one for larger batches, then the sum of all sizes. */
const CELLS = BATCH_BUCKETS.length + 2;
const SUM = CELLS - 1;

/** Bytes a lane reserves for its histogram (8-byte aligned). */
export const BATCH_HISTOGRAM_BYTES = CELLS * 8;

export interface BatchSnapshot {
  /** Cumulative counts, one per BATCH_BUCKETS bound: batches of at most that many packets. */
  readonly buckets: readonly bigint[];
  /** Every batch (the +Inf bucket). */
  readonly count: bigint;
  /** Packets in all batches together. */
  readonly sum: bigint;
}

export class BatchHistogram {
  private readonly cells: BigUint64Array;

  /** Over `bytes` at `offset` (8-byte aligned, BATCH_HISTOGRAM_BYTES long) of a (shared) buffer. */
  constructor(buffer: ArrayBufferLike, offset: number) {
    this.cells = new BigUint64Array(buffer, offset, CELLS);
  }

  /** One batch of n packets: bucket ⌈log2 n⌉ (1 → le 1, 2 → le 2, 3 and 4 → le 4, …). */
  record(n: number): void {
    const i = n <= 1 ? 0 : Math.min(32 - Math.clz32(n - 1), BATCH_BUCKETS.length);
    Atomics.add(this.cells, i, 1n);
    Atomics.add(this.cells, SUM, BigInt(n));
  }

  snapshot(): BatchSnapshot {
    const buckets: bigint[] = [];
    let count = 0n;
    for (let i = 0; i < SUM; i++) {
      count += Atomics.load(this.cells, i);
      if (i < BATCH_BUCKETS.length) buckets.push(count);
    }
    return { buckets, count, sum: Atomics.load(this.cells, SUM) };
  }
}
