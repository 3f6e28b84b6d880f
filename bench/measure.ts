// Timing: run a function in growing batches until a time budget is spent; operations per second.
// Every figure the bench reports is compared with a baseline measured in the same run, because the
// machines it runs on are shared and noisy.

export interface Rate {
  opsPerSec: number;
  /** Bytes per second, for an operation over `bytes` bytes. */
  bytesPerSec: number;
}

export function measure(op: () => void, bytes: number, seconds: number): Rate {
  // Warm-up: lets V8 tier the code up (Liftoff → TurboFan) before timing.
  const warmEnd = performance.now() + Math.min(200, seconds * 300);
  while (performance.now() < warmEnd) for (let i = 0; i < 64; i++) op();
  let ops = 0;
  let batch = 16;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  while (now < end) {
    for (let i = 0; i < batch; i++) op();
    ops += batch;
    now = performance.now();
    if (now - start < 50) batch *= 2;
  }
  const opsPerSec = (ops * 1000) / (now - start);
  return { opsPerSec, bytesPerSec: opsPerSec * bytes };
}

/** Median, min and max of repeated measurements. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(xs: number[]): Spread {
  const s = xs.slice().sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { median, min: s[0], max: s[s.length - 1] };
}

/** "median (min–max)", or the value alone when there was one measurement. */
export function formatSpread(x: Spread, digits: number): string {
  return x.min === x.max ? x.median.toFixed(digits) : `${x.median.toFixed(digits)} (${x.min.toFixed(digits)}–${x.max.toFixed(digits)})`;
}
