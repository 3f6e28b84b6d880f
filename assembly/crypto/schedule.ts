// The message schedule of sha256.ts and sha512.ts: W_t + K_t for one block (at most SHA-512's
// 80 × 8 bytes), in the instance's scratch (assembly/scratch.ts). These calls do not nest, so one
// area serves both.
import { SCHEDULE_AT, scratch } from "../scratch";

export const W_SIZE: usize = 640;

/** Where the schedule is: fetch once per compression call, into a local. */
// @ts-ignore: decorator
@inline export function schedule(): usize {
  return scratch() + SCHEDULE_AT;
}

/** Zeroes the schedule: after compressing a key block, it holds words derived from the key. */
export function wipeSchedule(): void {
  const w = schedule();
  const z = i64x2.splat(0);
  for (let i: usize = 0; i < W_SIZE; i += 16) v128.store(w + i, z);
}
