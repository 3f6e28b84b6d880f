// The Internet checksum's ones' complement sum (RFC 1071) sixteen bytes at a time, alone or while
// copying: splitting a 64 KB GSO super-packet (gso.ts) copies and sums every payload byte once.
//
// Like csum() in ip.ts, the sum is of 16-bit words as little-endian loads see them, kept in a
// 64-bit accumulator and folded at the end by csumFinish(): since 2^16 ≡ 1 (mod 2^16 − 1), adding
// the two halves of a 32-bit lane, or the 32-bit lanes of a vector, gives the same folded result
// as adding 16-bit words one by one (RFC 1071 §2 (B), (C)). The results mix freely with csum()'s.
import { csum } from "./ip";

// A 32-bit lane gains at most 2 × 0xffff per 16 bytes: drain the lanes before 2^15 vectors.
const BLOCK: usize = 16 << 14;

// @ts-ignore: decorator
@inline function lanes(v: v128): u64 {
  return <u64><u32>i32x4.extract_lane(v, 0) + <u64><u32>i32x4.extract_lane(v, 1) +
    <u64><u32>i32x4.extract_lane(v, 2) + <u64><u32>i32x4.extract_lane(v, 3);
}

/** csum() of [p, p + len), added to `sum`; sixteen bytes per step. */
export function sum128(p: usize, len: usize, sum: u64): u64 {
  let i: usize = 0;
  const whole = len & ~15;
  while (i < whole) {
    const end = min(whole, i + BLOCK);
    let a = i32x4.splat(0), b = i32x4.splat(0);
    for (; i + 32 <= end; i += 32) {
      a = i32x4.add(a, i32x4.extadd_pairwise_i16x8_u(v128.load(p + i)));
      b = i32x4.add(b, i32x4.extadd_pairwise_i16x8_u(v128.load(p + i + 16)));
    }
    if (i < end) {
      a = i32x4.add(a, i32x4.extadd_pairwise_i16x8_u(v128.load(p + i)));
      i += 16;
    }
    sum += lanes(a) + lanes(b);
  }
  return csum(p + i, len - i, sum); // the last 0–15 bytes (at an even offset: i is a multiple of 16)
}

/**
 * Copies len bytes from src to dst and returns csum() of them added to `sum`. The two ranges must
 * not overlap.
 */
export function copySum(dst: usize, src: usize, len: usize, sum: u64): u64 {
  let i: usize = 0;
  const whole = len & ~15;
  while (i < whole) {
    const end = min(whole, i + BLOCK);
    let a = i32x4.splat(0), b = i32x4.splat(0);
    for (; i + 32 <= end; i += 32) {
      const x = v128.load(src + i), y = v128.load(src + i + 16);
      v128.store(dst + i, x);
      v128.store(dst + i + 16, y);
      a = i32x4.add(a, i32x4.extadd_pairwise_i16x8_u(x));
      b = i32x4.add(b, i32x4.extadd_pairwise_i16x8_u(y));
    }
    if (i < end) {
      const x = v128.load(src + i);
      v128.store(dst + i, x);
      a = i32x4.add(a, i32x4.extadd_pairwise_i16x8_u(x));
      i += 16;
    }
    sum += lanes(a) + lanes(b);
  }
  memory.copy(dst + i, src + i, len - i);
  return csum(dst + i, len - i, sum);
}
