// Poly1305 (RFC 8439 §2.5): h = ((h + block) · r) mod p, p = 2^130 − 5, tag = (h + s) mod 2^128.
//
// Numbers mod p are kept as five 26-bit limbs (radix 2^26) in 64-bit integers: products of limbs
// stay below 2^56, so the ten that make one limb of a two-block step sum without overflow, and
// wasm has no 64 × 64 → 128-bit multiply that a wider radix would need. The reduction uses
// 2^130 ≡ 5 (mod p): a product term that lands at limb 5 + k is folded into limb k times 5.
//
// A two-lane SIMD variant (even and odd blocks in the two i64x2 lanes, i64x2.extmul_low_i32x4_u
// products) was measured too: about 8% slower than this scalar loop on an idle core under V8,
// which spends three instructions (two unpacks and a pmuludq) on each lane product.
//
// The one-time key and the accumulator live in the instance's scratch (poly(), assembly/scratch.ts)
// between calls; polyFinish() wipes them. Nothing branches on or indexes memory by key, message or
// tag.

import { POLY_AT, POLY_BLOCK_AT, scratch } from "../scratch";

// @ts-ignore: decorator
@inline function poly(): usize { return scratch() + POLY_AT; }
// Offsets in poly() (u32 each). r and r² are both kept, with 5·limb for the terms that wrap, so two
// blocks can be absorbed with one reduction: ((h + m₁)·r + m₂)·r = (h + m₁)·r² + m₂·r.
const R: usize = 0; // r0..r4
const R5: usize = 20; // 5·r1 .. 5·r4
const Q: usize = 36; // (r²)0 .. (r²)4
const Q5: usize = 56; // 5·(r²)1 .. 5·(r²)4
const H: usize = 72; // h0..h4
const S: usize = 92; // s as four little-endian words
/** A 16-byte block for padded tails (§2.5 last block, §2.8 pad16) and the lengths block. */
// @ts-ignore: decorator
@inline export function polyBlock(): usize { return scratch() + POLY_BLOCK_AT; }
/** Sixteen zero bytes that are never written: the absent second block of a single-block step. */
const ZERO_BLOCK: usize = memory.data(16, 16);

const M26: u64 = 0x3ffffff;
/** The 2^128 bit each full 16-byte block gets (§2.5 "add one bit beyond the number of octets"). */
export const HIBIT_FULL: u64 = 1 << 24;

/** §2.5: takes r (clamped) and s from the 32-byte one-time key, precomputes r², sets h = 0. */
export function polyInit(key: usize): void {
  // Clamp (§2.5.1): r &= 0x0ffffffc0ffffffc0ffffffc0fffffff, i.e. the top four bits of every
  // 32-bit word and the low two bits of words 1..3 cleared.
  const t0 = load<u32>(key, 0) & 0x0fffffff;
  const t1 = load<u32>(key, 4) & 0x0ffffffc;
  const t2 = load<u32>(key, 8) & 0x0ffffffc;
  const t3 = load<u32>(key, 12) & 0x0ffffffc;
  // Split the 124 bits into 26-bit limbs: limb k holds bits 26k .. 26k+25.
  const r0 = t0 & 0x3ffffff;
  const r1 = ((t0 >> 26) | (t1 << 6)) & 0x3ffffff;
  const r2 = ((t1 >> 20) | (t2 << 12)) & 0x3ffffff;
  const r3 = ((t2 >> 14) | (t3 << 18)) & 0x3ffffff;
  const r4 = t3 >> 8;
  storeLimbs(poly() + R, poly() + R5, r0, r1, r2, r3, r4);
  v128.store(poly() + S, v128.load(key, 16));
  // r² = (r + 0)·r: one single-block step with h = r and an all-zero block without its 2^128 bit.
  storeLimbs(poly() + H, 0, r0, r1, r2, r3, r4);
  absorbSteps(ZERO_BLOCK, 1, 0, false);
  storeLimbs(poly() + Q, poly() + Q5, load<u32>(poly() + H, 0), load<u32>(poly() + H, 4),
    load<u32>(poly() + H, 8), load<u32>(poly() + H, 12), load<u32>(poly() + H, 16));
  memory.fill(poly() + H, 0, 20);
}

// Stores five limbs at `at` and, unless times5 is 0, 5·limb 1..4 at times5.
function storeLimbs(at: usize, times5: usize, l0: u32, l1: u32, l2: u32, l3: u32, l4: u32): void {
  store<u32>(at, l0, 0);
  store<u32>(at, l1, 4);
  store<u32>(at, l2, 8);
  store<u32>(at, l3, 12);
  store<u32>(at, l4, 16);
  if (times5 != 0) {
    store<u32>(times5, l1 * 5, 0);
    store<u32>(times5, l2 * 5, 4);
    store<u32>(times5, l3 * 5, 8);
    store<u32>(times5, l4 * 5, 12);
  }
}

// Limb k (26 bits) of the 16-byte little-endian block at p: unaligned 32-bit loads at bytes 0, 3,
// 6, 9, 12 and a shift put bit 26k at bit 0.
// @ts-ignore: decorator
@inline function limb(p: usize, k: i32): u64 {
  return k == 4 ? <u64>load<u32>(p + 12) >> 8 : (<u64>load<u32>(p + 3 * k) >> (2 * k)) & M26;
}

// @ts-ignore: decorator
@inline function ld(offset: usize): u64 {
  return <u64>load<u32>(poly() + offset);
}

/**
 * `steps` steps of the §2.5 loop from src, h kept in locals and written back to poly() at the end.
 * With pairs, a step absorbs two blocks with one reduction, h = (h + m₁)·r² + m₂·r, since
 * ((h + m₁)·r + m₂)·r is that; without, one block, h = (h + m₁)·r, as the same sums with the
 * second block all zero. Inlined with a constant `pairs`.
 *
 * Limb bounds: h enters with limbs below 2^26 + 2^10; adding a block keeps them below 2^27; r and
 * r² have limbs below 2^26 + 2^10, 5·limb below 2^28.4, so each product is below 2^55.4 and the
 * ten summed into one limb below 2^58.8.
 */
// @ts-ignore: decorator
@inline function absorbSteps(src: usize, steps: usize, hibit: u64, pairs: bool): void {
  // Multipliers: x for the first block (r² or r), r for the second; 5·limb for wrapped terms.
  const x0 = ld(pairs ? Q : R), x1 = ld(pairs ? Q + 4 : R + 4), x2 = ld(pairs ? Q + 8 : R + 8);
  const x3 = ld(pairs ? Q + 12 : R + 12), x4 = ld(pairs ? Q + 16 : R + 16);
  const y1 = ld(pairs ? Q5 : R5), y2 = ld(pairs ? Q5 + 4 : R5 + 4);
  const y3 = ld(pairs ? Q5 + 8 : R5 + 8), y4 = ld(pairs ? Q5 + 12 : R5 + 12);
  const r0 = ld(R), r1 = ld(R + 4), r2 = ld(R + 8), r3 = ld(R + 12), r4 = ld(R + 16);
  const s1 = ld(R5), s2 = ld(R5 + 4), s3 = ld(R5 + 8), s4 = ld(R5 + 12);
  const hibit2 = pairs ? hibit : 0;
  let h0 = ld(H), h1 = ld(H + 4), h2 = ld(H + 8), h3 = ld(H + 12), h4 = ld(H + 16);
  for (let i: usize = 0; i < steps; i++) {
    const m2 = pairs ? src + 16 : ZERO_BLOCK;
    const a0 = h0 + limb(src, 0), a1 = h1 + limb(src, 1), a2 = h2 + limb(src, 2);
    const a3 = h3 + limb(src, 3), a4 = h4 + (limb(src, 4) | hibit);
    const b0 = limb(m2, 0), b1 = limb(m2, 1), b2 = limb(m2, 2), b3 = limb(m2, 3), b4 = limb(m2, 4) | hibit2;
    // Limb k collects a_i·x_j and b_i·r_j with i + j ≡ k (mod 5); wrapped terms (i + j ≥ 5) use 5·.
    let d0 = a0 * x0 + a1 * y4 + a2 * y3 + a3 * y2 + a4 * y1 + b0 * r0 + b1 * s4 + b2 * s3 + b3 * s2 + b4 * s1;
    let d1 = a0 * x1 + a1 * x0 + a2 * y4 + a3 * y3 + a4 * y2 + b0 * r1 + b1 * r0 + b2 * s4 + b3 * s3 + b4 * s2;
    let d2 = a0 * x2 + a1 * x1 + a2 * x0 + a3 * y4 + a4 * y3 + b0 * r2 + b1 * r1 + b2 * r0 + b3 * s4 + b4 * s3;
    let d3 = a0 * x3 + a1 * x2 + a2 * x1 + a3 * x0 + a4 * y4 + b0 * r3 + b1 * r2 + b2 * r1 + b3 * r0 + b4 * s4;
    let d4 = a0 * x4 + a1 * x3 + a2 * x2 + a3 * x1 + a4 * x0 + b0 * r4 + b1 * r3 + b2 * r2 + b3 * r1 + b4 * r0;
    // Partial reduction, two carry chains side by side (limbs 0→1→2→3 and 3→4→0→1), so the
    // dependency chain is four steps long instead of seven.
    d1 += d0 >> 26; d0 &= M26; d4 += d3 >> 26; d3 &= M26;
    d2 += d1 >> 26; d1 &= M26; d0 += (d4 >> 26) * 5; d4 &= M26;
    d3 += d2 >> 26; d2 &= M26; d1 += d0 >> 26; d0 &= M26;
    d4 += d3 >> 26; d3 &= M26;
    h0 = d0; h1 = d1; h2 = d2; h3 = d3; h4 = d4;
    src += pairs ? 32 : 16;
  }
  store<u32>(poly() + H, <u32>h0, 0);
  store<u32>(poly() + H, <u32>h1, 4);
  store<u32>(poly() + H, <u32>h2, 8);
  store<u32>(poly() + H, <u32>h3, 12);
  store<u32>(poly() + H, <u32>h4, 16);
}

/**
 * Absorbs n 16-byte blocks at src. hibit is HIBIT_FULL for whole blocks and 0 for a final
 * block that already carries its 0x01 byte (§2.5).
 */
export function polyBlocks(src: usize, n: usize, hibit: u64): void {
  absorbSteps(src, n >> 1, hibit, true);
  if (n & 1) absorbSteps(src + ((n >> 1) << 5), 1, hibit, false);
}

/** Absorbs len bytes zero-padded to a multiple of 16 (§2.8 pad16: padded blocks are full blocks). */
export function polyPadded(src: usize, len: usize): void {
  const whole = len >> 4;
  polyBlocks(src, whole, HIBIT_FULL);
  const rest = len & 15;
  if (rest != 0) {
    v128.store(polyBlock(), i64x2.splat(0));
    memory.copy(polyBlock(), src + (whole << 4), rest);
    polyBlocks(polyBlock(), 1, HIBIT_FULL);
  }
}

/** Absorbs a final partial block of len (1..15) bytes: the bytes, then 0x01, then zeros (§2.5). */
export function polyLast(src: usize, len: usize): void {
  v128.store(polyBlock(), i64x2.splat(0));
  memory.copy(polyBlock(), src, len);
  store<u8>(polyBlock() + len, 1);
  polyBlocks(polyBlock(), 1, 0);
}

/** Writes the 16-byte tag (h mod p) + s mod 2^128 to out (§2.5) and wipes the state. */
export function polyFinish(out: usize): void {
  const h0 = <u64>load<u32>(poly() + H, 0), h1 = <u64>load<u32>(poly() + H, 4);
  const h2 = <u64>load<u32>(poly() + H, 8), h3 = <u64>load<u32>(poly() + H, 12);
  const h4 = <u64>load<u32>(poly() + H, 16);
  // h as an exact integer in 32-bit words w0..w4. The limbs may exceed 26 bits (polyBlocks only
  // reduces partially), so they are added with carries, never ORed.
  let acc: u64 = h0 + (h1 << 26);
  let w0 = acc & 0xffffffff; acc = (acc >> 32) + (h2 << 20);
  let w1 = acc & 0xffffffff; acc = (acc >> 32) + (h3 << 14);
  let w2 = acc & 0xffffffff; acc = (acc >> 32) + (h4 << 8);
  let w3 = acc & 0xffffffff; let w4 = acc >> 32;
  // Fold the bits from 2^130 up back in as 5 per 2^130. Afterwards h < 2^130 + 2^40 < 2p.
  acc = w0 + (w4 >> 2) * 5; w4 &= 3;
  w0 = acc & 0xffffffff; acc = (acc >> 32) + w1;
  w1 = acc & 0xffffffff; acc = (acc >> 32) + w2;
  w2 = acc & 0xffffffff; acc = (acc >> 32) + w3;
  w3 = acc & 0xffffffff; w4 += acc >> 32;
  // h mod p is h − p when h ≥ p, i.e. when g = h + 5 reaches 2^130; then h − p = g − 2^130,
  // whose low 128 bits are g's. Select by mask, not by branch.
  acc = w0 + 5; const g0 = acc & 0xffffffff;
  acc = (acc >> 32) + w1; const g1 = acc & 0xffffffff;
  acc = (acc >> 32) + w2; const g2 = acc & 0xffffffff;
  acc = (acc >> 32) + w3; const g3 = acc & 0xffffffff;
  const g4 = w4 + (acc >> 32);
  const useG: u64 = 0 - (g4 >> 2); // g4 >> 2 is 0 or 1
  w0 = (w0 & ~useG) | (g0 & useG);
  w1 = (w1 & ~useG) | (g1 & useG);
  w2 = (w2 & ~useG) | (g2 & useG);
  w3 = (w3 & ~useG) | (g3 & useG);
  // tag = (h mod p) + s, keeping the low 128 bits, little-endian.
  acc = w0 + <u64>load<u32>(poly() + S, 0);
  store<u32>(out, <u32>acc, 0);
  acc = (acc >> 32) + w1 + <u64>load<u32>(poly() + S, 4);
  store<u32>(out, <u32>acc, 4);
  acc = (acc >> 32) + w2 + <u64>load<u32>(poly() + S, 8);
  store<u32>(out, <u32>acc, 8);
  acc = (acc >> 32) + w3 + <u64>load<u32>(poly() + S, 12);
  store<u32>(out, <u32>acc, 12);
  polyWipe();
}

/** Zeroes the one-time key, the accumulator and the padding block. */
export function polyWipe(): void {
  memory.fill(poly(), 0, 128);
  v128.store(polyBlock(), i64x2.splat(0));
}

/** RFC 8439 §2.5 Poly1305: the 16-byte tag of len bytes at data under the 32-byte one-time key. */
export function poly1305Mac(key32: usize, data: usize, len: usize, out16: usize): void {
  polyInit(key32);
  polyBlocks(data, len >> 4, HIBIT_FULL);
  const rest = len & 15;
  if (rest != 0) polyLast(data + (len & ~15), rest);
  polyFinish(out16);
}
