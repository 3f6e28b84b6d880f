// A seeded xorshift32 generator (Marsaglia 2003) for tests: deterministic, so a failure reproduces
// from its seed. Not for anything that needs real randomness.
export interface Rng {
  next(): number;
  /** 0 ≤ int(n) < n. */
  int(n: number): number;
  byte(): number;
  pick<T>(a: readonly T[]): T;
  bytes(n: number): Uint8Array;
}

export function rng(seed: number): Rng {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
  return {
    next,
    int: (n) => next() % n,
    byte: () => next() & 0xff,
    pick: (a) => a[next() % a.length],
    bytes: (n) => Uint8Array.from({ length: n }, () => next() & 0xff),
  };
}
