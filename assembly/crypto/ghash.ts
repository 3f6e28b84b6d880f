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
// reduction by x^128 + x^7 + x^2 + x + 1 becomes right shifts by 0, 1, 2 and 7 (see finish()).
//
// Up to eight blocks share one reduction: Y' = (Y+X1)·H^n + X2·H^(n-1) + … + Xn·H, with the
// products summed before the (linear) reversal, shift and reduction.

// Per-key data, for each power H^1..H^8: the six 64-bit Karatsuba operands h0, h1, h0+h1 and their
// bit reversals, each stored as its four bit classes, ready for bmul64.
const OPERAND: usize = 32;
export const POWER: usize = 6 * OPERAND;
export const POWERS: usize = 8;
export const GHASH_KEY_SIZE: i32 = <i32>(POWERS * POWER);
export const LO: usize = 0 * OPERAND; // h0
export const HI: usize = 1 * OPERAND; // h1
export const MID: usize = 2 * OPERAND; // h0 + h1
export const LO_R: usize = 3 * OPERAND; // rev(h0)
export const HI_R: usize = 4 * OPERAND; // rev(h1)
export const MID_R: usize = 5 * OPERAND; // rev(h0 + h1)

const M0: u64 = 0x1111111111111111;
const M1: u64 = 0x2222222222222222;
const M2: u64 = 0x4444444444444444;
const M3: u64 = 0x8888888888888888;

/** The low 64 bits of the carry-less product x·h, h given by its four bit classes at hp. */
// @ts-ignore: decorator
@inline export function bmul64(x: u64, hp: usize): u64 {
  const x0 = x & M0, x1 = x & M1, x2 = x & M2, x3 = x & M3;
  const h0 = load<u64>(hp), h1 = load<u64>(hp, 8), h2 = load<u64>(hp, 16), h3 = load<u64>(hp, 24);
  // Partial products land in the bit class (mod 4) that is the sum of their operands' classes.
  const z0 = (x0 * h0) ^ (x1 * h3) ^ (x2 * h2) ^ (x3 * h1);
  const z1 = (x0 * h1) ^ (x1 * h0) ^ (x2 * h3) ^ (x3 * h2);
  const z2 = (x0 * h2) ^ (x1 * h1) ^ (x2 * h0) ^ (x3 * h3);
  const z3 = (x0 * h3) ^ (x1 * h2) ^ (x2 * h1) ^ (x3 * h0);
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

// Byte and bit reversals of whole blocks, on vectors: one swizzle reverses the bytes of both
// 64-bit halves; two nibble lookups reverse the bits within every byte. Together they give the
// reversed words that the high halves of the products need (rev64 = byte swap ∘ bits of bytes).
const REVERSALS: usize = memory.data<u8>([
  7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8, // bytes of each half, reversed
  0x0, 0x8, 0x4, 0xc, 0x2, 0xa, 0x6, 0xe, 0x1, 0x9, 0x5, 0xd, 0x3, 0xb, 0x7, 0xf, // bits of a nibble, reversed
  0x00, 0x80, 0x40, 0xc0, 0x20, 0xa0, 0x60, 0xe0, 0x10, 0x90, 0x50, 0xd0, 0x30, 0xb0, 0x70, 0xf0, // the same, << 4
], 16);

// @ts-ignore: decorator
@inline function swz(table: v128, idx: v128): v128 {
  // All indices are < 16: strict and relaxed swizzle agree.
  return ASC_FEATURE_RELAXED_SIMD ? i8x16.relaxed_swizzle(table, idx) : i8x16.swizzle(table, idx);
}

/** The block with the bytes of each 64-bit half reversed: lane 0 = b1, lane 1 = b0 (big-endian words). */
// @ts-ignore: decorator
@inline export function beWords(b: v128): v128 {
  return swz(b, v128.load(REVERSALS));
}

/** The block with the bits of every byte reversed: lane 0 = rev64(b1), lane 1 = rev64(b0). */
// @ts-ignore: decorator
@inline export function revWords(b: v128): v128 {
  const lo = v128.and(b, i8x16.splat(0x0f));
  const hi = v128.and(i16x8.shr_u(b, 4), i8x16.splat(0x0f));
  return v128.or(swz(v128.load(REVERSALS, 32), lo), swz(v128.load(REVERSALS, 16), hi));
}

/**
 * The product from its Karatsuba parts (low halves lo, hi, mid of y0·h0, y1·h1, (y0+y1)(h0+h1),
 * and the same products of the reversed operands, whose reversal is the high halves), reduced,
 * as a block in memory byte order.
 */
// @ts-ignore: decorator
@inline export function finish(lo: u64, hi: u64, mid: u64, loR: u64, hiR: u64, midR: u64): v128 {
  const loH = rev64(loR) >> 1;
  const hiH = rev64(hiR) >> 1;
  const midH = rev64(midR) >> 1;
  // y1·h0 + y0·h1 = mid + lo + hi; the 256-bit product is (w3 w2 w1 w0).
  const w0 = lo;
  const w1 = loH ^ lo ^ hi ^ mid;
  const w2 = hi ^ loH ^ hiH ^ midH;
  const w3 = hiH;
  // Shifted left by one bit (see the header).
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

/** Y·H^k, with p the operands of H^k. */
// @ts-ignore: decorator
@inline function mul(p: usize, y: v128): v128 {
  const w = beWords(y), r = revWords(y);
  const y1 = i64x2.extract_lane(w, 0), y0 = i64x2.extract_lane(w, 1);
  const r1 = i64x2.extract_lane(r, 0), r0 = i64x2.extract_lane(r, 1);
  return finish(
    bmul64(y0, p + LO), bmul64(y1, p + HI), bmul64(y0 ^ y1, p + MID),
    bmul64(r0, p + LO_R), bmul64(r1, p + HI_R), bmul64(r0 ^ r1, p + MID_R),
  );
}

function storeOperand(p: usize, h: u64): void {
  store<u64>(p, h & M0);
  store<u64>(p, h & M1, 8);
  store<u64>(p, h & M2, 16);
  store<u64>(p, h & M3, 24);
}

function storePower(p: usize, h: v128): void {
  const w = beWords(h);
  const h1 = i64x2.extract_lane(w, 0), h0 = i64x2.extract_lane(w, 1);
  storeOperand(p + LO, h0);
  storeOperand(p + HI, h1);
  storeOperand(p + MID, h0 ^ h1);
  storeOperand(p + LO_R, rev64(h0));
  storeOperand(p + HI_R, rev64(h1));
  storeOperand(p + MID_R, rev64(h0 ^ h1));
}

/** Stores the operands of H, H^2, …, H^8 (H^k at hk + (k - 1)·POWER), given H = E_K(0^128). */
// @ts-ignore: decorator
@inline export function ghashSetKey(hk: usize, h: v128): void {
  storePower(hk, h);
  let hn = h;
  for (let k: usize = 1; k < POWERS; k++) {
    hn = mul(hk, hn);
    storePower(hk + k * POWER, hn);
  }
}

/** Y ← (Y ⊕ X)·H for one block X. */
// @ts-ignore: decorator
@inline export function ghashBlock(hk: usize, y: v128, x: v128): v128 {
  return mul(hk, v128.xor(y, x));
}

/** Y ← (…((Y ⊕ X1)·H ⊕ X2)·H … ⊕ Xn)·H for the n ≤ 8 blocks at p, with one reduction. */
// @ts-ignore: decorator
@inline function ghashN(hk: usize, y: v128, p: usize, n: usize): v128 {
  let lo: u64 = 0, hi: u64 = 0, mid: u64 = 0, loR: u64 = 0, hiR: u64 = 0, midR: u64 = 0;
  // A loop, not straight-line code: it keeps V8 from hoisting every product at once and spilling.
  for (let k: usize = 0; k < n; k++) {
    const h = hk + (n - 1 - k) * POWER;
    const x = k ? v128.load(p + (k << 4)) : v128.xor(y, v128.load(p));
    const w = beWords(x), r = revWords(x);
    const x1 = i64x2.extract_lane(w, 0), x0 = i64x2.extract_lane(w, 1);
    const r1 = i64x2.extract_lane(r, 0), r0 = i64x2.extract_lane(r, 1);
    lo ^= bmul64(x0, h + LO);
    hi ^= bmul64(x1, h + HI);
    mid ^= bmul64(x0 ^ x1, h + MID);
    loR ^= bmul64(r0, h + LO_R);
    hiR ^= bmul64(r1, h + HI_R);
    midR ^= bmul64(r0 ^ r1, h + MID_R);
  }
  return finish(lo, hi, mid, loR, hiR, midR);
}

/** Absorbs len bytes, the last block padded with zeros (SP 800-38D §7.1, steps 5 and 6). */
// @ts-ignore: decorator
@inline export function ghashBytes(hk: usize, y: v128, data: usize, len: usize): v128 {
  let off: usize = 0;
  for (; off + 128 <= len; off += 128) y = ghashN(hk, y, data + off, 8);
  if (off + 64 <= len) {
    y = ghashN(hk, y, data + off, 4);
    off += 64;
  }
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
