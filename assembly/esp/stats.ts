// Counters of one engine instance: drops by reason and packets passed, read by the host for
// metrics. Per-SA counters live in the SA records (layout.ts).
import { STATS_AT, scratch } from "../scratch";
import { DROP_REASONS, SA_DROPS } from "./layout";

export const STATS_DROPS: i32 = 0; // u64 × DROP_REASONS
export const STATS_ENCAP: i32 = DROP_REASONS * 8; // u64: packets protected
export const STATS_DECAP: i32 = STATS_ENCAP + 8; // u64: packets accepted
export const STATS_SIZE: i32 = STATS_DECAP + 8;

/** Where this instance's counters are. */
export function espStats(): usize {
  return scratch() + STATS_AT;
}

/** Counts a drop, on the instance and, when there is one, on the SA. */
export function countDrop(reason: u32, sa: usize): void {
  const p = espStats() + (<usize>reason << 3);
  store<u64>(p, load<u64>(p) + 1);
  if (sa) {
    const q = sa + SA_DROPS + (<usize>reason << 2);
    store<u32>(q, load<u32>(q) + 1);
  }
}

export function countPassed(offset: i32): void {
  const p = espStats() + offset;
  store<u64>(p, load<u64>(p) + 1);
}
