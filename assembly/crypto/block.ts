// Small helpers on 16-byte blocks shared by the modes (CTR, GCM).

/** inc32 (SP 800-38D §6.2): add n to the last four bytes, big-endian, modulo 2^32. */
// @ts-ignore: decorator
@inline export function inc32(ctr: v128, n: u32): v128 {
  const last = bswap<u32>(i32x4.extract_lane(ctr, 3)) + n;
  return i32x4.replace_lane(ctr, 3, bswap<u32>(last));
}

/** out[0..n) = src[0..n) ⊕ the first n bytes of k, for n < 16 (the tail of a stream). */
// @ts-ignore: decorator
@inline export function xorTail(src: usize, out: usize, k: v128, n: usize): void {
  let w = i64x2.extract_lane(k, 0);
  if (n & 8) {
    store<u64>(out, load<u64>(src) ^ w);
    w = i64x2.extract_lane(k, 1);
    src += 8;
    out += 8;
  }
  if (n & 4) {
    store<u32>(out, load<u32>(src) ^ <u32>w);
    w >>= 32;
    src += 4;
    out += 4;
  }
  if (n & 2) {
    store<u16>(out, load<u16>(src) ^ <u16>w);
    w >>= 16;
    src += 2;
    out += 2;
  }
  if (n & 1) store<u8>(out, load<u8>(src) ^ <u8>w);
}
