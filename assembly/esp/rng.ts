// IVs for CBC (RFC 3602 §2: unpredictable, never reused): a ChaCha20 generator with fast key
// erasure. Each refill computes five blocks of key stream under the current key; the first 32
// bytes replace the key at once, so earlier output cannot be recomputed from a captured state, and
// the rest is handed out. The host seeds it from the operating system's CSPRNG when the instance
// starts and reseeds it from time to time (rngSeed); output before the first seed aborts.
import { chacha20Xor } from "../crypto/chacha20";
import { RNG_AT, scratch } from "../scratch";

const KEY: usize = 0; // 32 bytes
const POOL: usize = 32; // POOL_SIZE bytes: the key stream of a refill, bytes 0..31 become the key
const POS: usize = 352; // u32: next unused byte of the pool
const SEEDED: usize = 356; // u32
const POOL_SIZE: u32 = 320;
export const RNG_SIZE: i32 = 360;

const ZERO_NONCE: usize = memory.data(16, 16); // never written: each key is used for one refill

// @ts-ignore: decorator
@inline function state(): usize {
  return scratch() + RNG_AT;
}

function refill(s: usize): void {
  memory.fill(s + POOL, 0, POOL_SIZE);
  chacha20Xor(s + KEY, ZERO_NONCE, 0, s + POOL, POOL_SIZE, s + POOL);
  memory.copy(s + KEY, s + POOL, 32);
  memory.fill(s + POOL, 0, 32);
  store<u32>(s + POS, 32);
}

/** Mixes 32 bytes of fresh entropy at `seed` into the key and starts a new pool. */
export function rngSeed(seed: usize): void {
  const s = state();
  for (let i: usize = 0; i < 32; i += 8) store<u64>(s + KEY + i, load<u64>(s + KEY + i) ^ load<u64>(seed + i));
  store<u32>(s + SEEDED, 1);
  refill(s);
}

/** Writes n ≤ 32 random bytes to out. */
export function rngBytes(out: usize, n: u32): void {
  const s = state();
  if (!load<u32>(s + SEEDED)) abort("rngBytes: the generator was never seeded");
  if (load<u32>(s + POS) + n > POOL_SIZE) refill(s);
  const at = s + POOL + <usize>load<u32>(s + POS);
  memory.copy(out, at, n);
  memory.fill(at, 0, n); // handed out: not kept
  store<u32>(s + POS, load<u32>(s + POS) + n);
}
