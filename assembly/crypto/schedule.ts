// Static scratch for the message schedules of sha256.ts and sha512.ts: W_t + K_t for one block (at
// most SHA-512's 80 × 8 bytes). The module is single-threaded and these calls do not nest, so one
// area serves both.
export const W_SIZE: usize = 640;
export const W = memory.data(<i32>W_SIZE, 16);

/** Zeroes the schedule: after compressing a key block, it holds words derived from the key. */
export function wipeSchedule(): void {
  const z = i64x2.splat(0);
  for (let i: usize = 0; i < W_SIZE; i += 16) v128.store(W + i, z);
}
