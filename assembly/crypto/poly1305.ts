// Poly1305 (RFC 8439 §2.5): h = ((h + block) · r) mod p, p = 2^130 − 5, tag = (h + s) mod 2^128.
//
// Numbers mod p are kept as five 26-bit limbs (radix 2^26) in 64-bit integers: a 26 × 28-bit
// product fits in 54 bits, so the five products of one limb of h·r sum without overflow, and wasm
// has no 64 × 64 → 128-bit multiply that a wider radix would need. The reduction uses
// 2^130 ≡ 5 (mod p): a product term that lands at limb 5 + k is folded into limb k times 5.
//
// The one-time key and the accumulator live in static memory (POLY) between calls; polyFinish()
// wipes them. Nothing branches on or indexes memory by key, message or tag.

const POLY: usize = memory.data(128, 16);
// Offsets in POLY (u32 each): r limbs, 5·r limbs 1..4, h limbs, s (the second key half).
const R: usize = 0; // r0..r4
const R5: usize = 20; // 5·r1 .. 5·r4
const H: usize = 36; // h0..h4
const S: usize = 56; // s as four little-endian words
/** A 16-byte block for padded tails (§2.5 last block, §2.8 pad16) and the lengths block. */
export const POLY_BLOCK: usize = memory.data(16, 16);

const M26: u64 = 0x3ffffff;
/** The 2^128 bit each full 16-byte block gets (§2.5 "add one bit beyond the number of octets"). */
export const HIBIT_FULL: u64 = 1 << 24;

/** §2.5: takes r (clamped) and s from the 32-byte one-time key and sets h = 0. */
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
  store<u32>(POLY + R, r0, 0);
  store<u32>(POLY + R, r1, 4);
  store<u32>(POLY + R, r2, 8);
  store<u32>(POLY + R, r3, 12);
  store<u32>(POLY + R, r4, 16);
  store<u32>(POLY + R5, r1 * 5, 0);
  store<u32>(POLY + R5, r2 * 5, 4);
  store<u32>(POLY + R5, r3 * 5, 8);
  store<u32>(POLY + R5, r4 * 5, 12);
  memory.fill(POLY + H, 0, 20);
  v128.store(POLY + S, v128.load(key, 16));
}

/**
 * Absorbs n 16-byte blocks at src. hibit is HIBIT_FULL for whole blocks and 0 for a final
 * block that already carries its 0x01 byte (§2.5).
 */
export function polyBlocks(src: usize, n: usize, hibit: u64): void {
  const r0 = <u64>load<u32>(POLY + R, 0), r1 = <u64>load<u32>(POLY + R, 4);
  const r2 = <u64>load<u32>(POLY + R, 8), r3 = <u64>load<u32>(POLY + R, 12);
  const r4 = <u64>load<u32>(POLY + R, 16);
  const s1 = <u64>load<u32>(POLY + R5, 0), s2 = <u64>load<u32>(POLY + R5, 4);
  const s3 = <u64>load<u32>(POLY + R5, 8), s4 = <u64>load<u32>(POLY + R5, 12);
  let h0 = <u64>load<u32>(POLY + H, 0), h1 = <u64>load<u32>(POLY + H, 4);
  let h2 = <u64>load<u32>(POLY + H, 8), h3 = <u64>load<u32>(POLY + H, 12);
  let h4 = <u64>load<u32>(POLY + H, 16);
  for (let end = src + (n << 4); src < end; src += 16) {
    // h += block, split into limbs by unaligned 32-bit loads at bytes 0, 3, 6, 9, 12.
    h0 += <u64>load<u32>(src, 0) & M26;
    h1 += (<u64>load<u32>(src, 3) >> 2) & M26;
    h2 += (<u64>load<u32>(src, 6) >> 4) & M26;
    h3 += (<u64>load<u32>(src, 9) >> 6) & M26;
    h4 += (<u64>load<u32>(src, 12) >> 8) | hibit;
    // h · r: limb k collects h_i · r_j with i + j ≡ k (mod 5); wrapped terms use 5·r_j.
    const d0 = h0 * r0 + h1 * s4 + h2 * s3 + h3 * s2 + h4 * s1;
    let d1 = h0 * r1 + h1 * r0 + h2 * s4 + h3 * s3 + h4 * s2;
    let d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * s4 + h4 * s3;
    let d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s4;
    let d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0;
    // Partial reduction: carry each limb into the next, limb 4's carry times 5 into limb 0.
    // h stays below 2^27 per limb (not fully reduced; polyFinish does that).
    d1 += d0 >> 26; h0 = d0 & M26;
    d2 += d1 >> 26; h1 = d1 & M26;
    d3 += d2 >> 26; h2 = d2 & M26;
    d4 += d3 >> 26; h3 = d3 & M26;
    h0 += (d4 >> 26) * 5; h4 = d4 & M26;
    h1 += h0 >> 26; h0 &= M26;
  }
  store<u32>(POLY + H, <u32>h0, 0);
  store<u32>(POLY + H, <u32>h1, 4);
  store<u32>(POLY + H, <u32>h2, 8);
  store<u32>(POLY + H, <u32>h3, 12);
  store<u32>(POLY + H, <u32>h4, 16);
}

/** Absorbs len bytes zero-padded to a multiple of 16 (§2.8 pad16: padded blocks are full blocks). */
export function polyPadded(src: usize, len: usize): void {
  const whole = len >> 4;
  polyBlocks(src, whole, HIBIT_FULL);
  const rest = len & 15;
  if (rest != 0) {
    v128.store(POLY_BLOCK, i64x2.splat(0));
    memory.copy(POLY_BLOCK, src + (whole << 4), rest);
    polyBlocks(POLY_BLOCK, 1, HIBIT_FULL);
  }
}

/** Absorbs a final partial block of len (1..15) bytes: the bytes, then 0x01, then zeros (§2.5). */
export function polyLast(src: usize, len: usize): void {
  v128.store(POLY_BLOCK, i64x2.splat(0));
  memory.copy(POLY_BLOCK, src, len);
  store<u8>(POLY_BLOCK + len, 1);
  polyBlocks(POLY_BLOCK, 1, 0);
}

/** Writes the 16-byte tag (h mod p) + s mod 2^128 to out (§2.5) and wipes the state. */
export function polyFinish(out: usize): void {
  const h0 = <u64>load<u32>(POLY + H, 0), h1 = <u64>load<u32>(POLY + H, 4);
  const h2 = <u64>load<u32>(POLY + H, 8), h3 = <u64>load<u32>(POLY + H, 12);
  const h4 = <u64>load<u32>(POLY + H, 16);
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
  acc = w0 + <u64>load<u32>(POLY + S, 0);
  store<u32>(out, <u32>acc, 0);
  acc = (acc >> 32) + w1 + <u64>load<u32>(POLY + S, 4);
  store<u32>(out, <u32>acc, 4);
  acc = (acc >> 32) + w2 + <u64>load<u32>(POLY + S, 8);
  store<u32>(out, <u32>acc, 8);
  acc = (acc >> 32) + w3 + <u64>load<u32>(POLY + S, 12);
  store<u32>(out, <u32>acc, 12);
  polyWipe();
}

/** Zeroes the one-time key, the accumulator and the padding block. */
export function polyWipe(): void {
  memory.fill(POLY, 0, 128);
  v128.store(POLY_BLOCK, i64x2.splat(0));
}

/** RFC 8439 §2.5 Poly1305: the 16-byte tag of len bytes at data under the 32-byte one-time key. */
export function poly1305Mac(key32: usize, data: usize, len: usize, out16: usize): void {
  polyInit(key32);
  polyBlocks(data, len >> 4, HIBIT_FULL);
  const rest = len & 15;
  if (rest != 0) polyLast(data + (len & ~15), rest);
  polyFinish(out16);
}
