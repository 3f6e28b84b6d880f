// GHASH (NIST SP 800-38D §6.4), constant time without a carry-less multiply instruction.
//
// WebAssembly has no carry-less multiply, and the classic 4-bit tables (Shoup) index memory with
// secret data. Instead, integer multiplication is made to compute carry-less products: keep only
// every fourth bit of each operand ("holes" of three zero bits), multiply, and keep every fourth
// bit of the result. A result bit below bit 60 sums at most 15 partial products, which fit in the
// four bits up to the next kept bit, so carries never reach a kept bit; at bits 60..63 a sum of 16
// would carry past bit 63, out of the word. Sixteen multiplications give the low 64 bits of a
// 64×64 carry-less product; the high 64 bits come from the same on bit-reversed operands.
//
// Representation: a block B is read as two big-endian 64-bit words (b1 = bytes 0..7, b0 = 8..15).
// GCM puts the coefficient of x^0 in the most significant bit of byte 0, so this integer is the
// field element with its bit order reversed. The integer product of two reversed 128-bit values is
// the reversed 255-bit product; shifted left by one it is the reversed 256-bit product, and the
// reduction by x^128 + x^7 + x^2 + x + 1 becomes right shifts by 0, 1, 2 and 7 (see reduce()).

/** Per-key data: H split into the operands of a Karatsuba multiplication, bit-reversed too. */
export const GHASH_KEY_SIZE: i32 = 48;

const M0: u64 = 0x1111111111111111;
const M1: u64 = 0x2222222222222222;
const M2: u64 = 0x4444444444444444;
const M3: u64 = 0x8888888888888888;

/** The low 64 bits of the carry-less product x·y. */
// @ts-ignore: decorator
@inline function bmul64(x: u64, y: u64): u64 {
  const x0 = x & M0, x1 = x & M1, x2 = x & M2, x3 = x & M3;
  const y0 = y & M0, y1 = y & M1, y2 = y & M2, y3 = y & M3;
  // Partial products land in the bit class (mod 4) that is the sum of their operands' classes.
  const z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
  const z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
  const z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
  const z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
  return (z0 & M0) | (z1 & M1) | (z2 & M2) | (z3 & M3);
}

/** Reverses the 64 bits of x. */
// @ts-ignore: decorator
@inline function rev64(x: u64): u64 {
  x = ((x >> 1) & 0x5555555555555555) | ((x & 0x5555555555555555) << 1);
  x = ((x >> 2) & 0x3333333333333333) | ((x & 0x3333333333333333) << 2);
  x = ((x >> 4) & 0x0f0f0f0f0f0f0f0f) | ((x & 0x0f0f0f0f0f0f0f0f) << 4);
  return bswap<u64>(x);
}

/** Stores H (a block, as read from memory) for mulH. */
// @ts-ignore: decorator
@inline export function ghashSetKey(hk: usize, h: v128): void {
  const h1 = bswap<u64>(i64x2.extract_lane(h, 0));
  const h0 = bswap<u64>(i64x2.extract_lane(h, 1));
  store<u64>(hk, h0);
  store<u64>(hk, h1, 8);
  store<u64>(hk, h0 ^ h1, 16);
  store<u64>(hk, rev64(h0), 24);
  store<u64>(hk, rev64(h1), 32);
  store<u64>(hk, rev64(h0 ^ h1), 40);
}

/**
 * Y·H in GF(2^128), Y = (y1, y0), returned as a block (memory byte order).
 * Karatsuba: three 64×64 products, each needing a low half and (from the reversed operands) a
 * high half.
 */
// @ts-ignore: decorator
@inline function mulH(hk: usize, y1: u64, y0: u64): v128 {
  const y2 = y0 ^ y1;
  const lo = bmul64(y0, load<u64>(hk));
  const hi = bmul64(y1, load<u64>(hk, 8));
  const mid = bmul64(y2, load<u64>(hk, 16));
  const loH = rev64(bmul64(rev64(y0), load<u64>(hk, 24))) >> 1;
  const hiH = rev64(bmul64(rev64(y1), load<u64>(hk, 32))) >> 1;
  const midH = rev64(bmul64(rev64(y2), load<u64>(hk, 40))) >> 1;
  // The 256-bit product (w3 w2 w1 w0), then shifted left by one bit (see the header).
  const w0 = lo;
  const w1 = loH ^ lo ^ hi ^ mid;
  const w2 = hi ^ loH ^ hiH ^ midH;
  const w3 = hiH;
  let v3 = (w3 << 1) | (w2 >> 63);
  let v2 = (w2 << 1) | (w1 >> 63);
  let v1 = (w1 << 1) | (w0 >> 63);
  const v0 = w0 << 1;
  // Reduction: v0 holds the coefficients of x^192..x^255; x^(192+i) = x^(64+i)·(1 + x + x^2 + x^7)
  // modulo the GCM polynomial. In the reversed order, multiplying by x^k is a right shift by k,
  // and what falls off the word lands in the next one. Then the same for v1 (x^128..x^191).
  v2 ^= v0 ^ (v0 >> 1) ^ (v0 >> 2) ^ (v0 >> 7);
  v1 ^= (v0 << 63) ^ (v0 << 62) ^ (v0 << 57);
  v3 ^= v1 ^ (v1 >> 1) ^ (v1 >> 2) ^ (v1 >> 7);
  v2 ^= (v1 << 63) ^ (v1 << 62) ^ (v1 << 57);
  return i64x2(bswap<u64>(v3), bswap<u64>(v2));
}

/** Y ← (Y ⊕ X)·H for X = one block. */
// @ts-ignore: decorator
@inline export function ghashBlock(hk: usize, y: v128, x: v128): v128 {
  const s = v128.xor(y, x);
  return mulH(hk, bswap<u64>(i64x2.extract_lane(s, 0)), bswap<u64>(i64x2.extract_lane(s, 1)));
}

/** Absorbs len bytes, the last block padded with zeros (SP 800-38D §7.1, steps 5 and 6). */
// @ts-ignore: decorator
@inline export function ghashBytes(hk: usize, y: v128, data: usize, len: usize): v128 {
  let off: usize = 0;
  for (; off + 16 <= len; off += 16) y = ghashBlock(hk, y, v128.load(data + off));
  const rest = len - off;
  if (rest) {
    // The tail, zero-padded, assembled in registers (little-endian words = memory order).
    const p = data + off;
    let lo: u64 = 0;
    let hi: u64 = 0;
    for (let i: usize = 0; i < rest; i++) {
      const b = <u64>load<u8>(p + i);
      if (i < 8) lo |= b << (<u64>i << 3);
      else hi |= b << (<u64>(i - 8) << 3);
    }
    y = ghashBlock(hk, y, i64x2(lo, hi));
  }
  return y;
}
