// The TDEA block function (SP 800-67 Rev. 2: E_K3(D_K2(E_K1(x))) to encrypt,
// D_K1(E_K2(D_K3(x))) to decrypt) on two independent 64-bit blocks held in one v128, bytes 0…7 and
// 8…15. Constant time: no branch and no memory address depends on the blocks or the key; the only
// branches and addresses depend on the direction and the round counter.
//
// The state. After IP, L and R are 32-bit words with FIPS bit 1 as their most significant bit.
// Each lives in a v128 as L‖L per 64-bit half (i32 lanes L, L for block A, then block B): the
// doubled word lets one 64-bit shift produce a 32-bit rotation in the low half, which is how E is
// computed (des-layout.ts).
import { E_ROT_EVEN, E_ROT_ODD, OTHER_LANES, OUT_MASK, P_MASKS, SBOX_REGS } from './des-layout';

/** Bytes of one round key: the eight 6-bit S-box key inputs in the byte lanes of their S-boxes,
 * once for each block (des-keys.ts). */
export const ROUND_KEY_BYTES: i32 = 16;
/** Bytes of the 16 round keys of one DES key. */
export const KEY_SCHEDULE_BYTES: i32 = 16 * ROUND_KEY_BYTES;

/** Exchanges the bits of x selected by mask with the bits `shift` places to their left
 * (in each 64-bit half). */
// @ts-ignore: decorator
@inline function swapMove(x: v128, shift: i32, mask: v128): v128 {
  const t = v128.and(v128.xor(x, i64x2.shr_u(x, shift)), mask);
  return v128.xor(x, v128.xor(t, i64x2.shl(t, shift)));
}

/** Transposes each 64-bit half as an 8×8 bit matrix: bit i of byte j ↔ bit j of byte i. */
// @ts-ignore: decorator
@inline function transpose(x: v128): v128 {
  x = swapMove(x, 7, i64x2(0x00aa00aa00aa00aa, 0x00aa00aa00aa00aa));
  x = swapMove(x, 14, i64x2(0x0000cccc0000cccc, 0x0000cccc0000cccc));
  return swapMove(x, 28, i64x2(0x00000000f0f0f0f0, 0x00000000f0f0f0f0));
}

/** Rotates each 64-bit half left by n bits. */
// @ts-ignore: decorator
@inline function rotl64(x: v128, n: i32): v128 {
  return v128.or(i64x2.shl(x, n), i64x2.shr_u(x, 64 - n));
}

/** S-box j's register h swizzled with idx (des-layout.ts: SBOX_REGS). */
// @ts-ignore: decorator
@inline function sreg(j: i32, h: i32, idx: v128): v128 {
  return i8x16.swizzle(v128.load(SBOX_REGS + <usize>(32 * j + 16 * h)), idx);
}

/** The swizzle index for S-box j: the low four input bits in its lanes, out of range elsewhere. */
// @ts-ignore: decorator
@inline function sidx(j: i32, low: v128): v128 {
  return v128.or(low, v128.load(OTHER_LANES + <usize>(16 * j)));
}

/**
 * The cipher function f(R, K) (FIPS 46-3) for both blocks: r holds R‖R per half, k the round key.
 * Returns f‖f per half. The layout of every step is derived in des-layout.ts.
 */
// @ts-ignore: decorator
@inline function f(r: v128, k: v128): v128 {
  // E ⊕ K. Shifting R‖R right by 32 − n leaves R rotated left by n in the low 32 bits; shifting it
  // left by n leaves R rotated left by n in the high 32 bits. Bytes 0…3 of each half get R rotated
  // by E_ROT_EVEN, bytes 4…7 R rotated by E_ROT_ODD; the low six bits of each byte are one S-box
  // input.
  const e = v128.or(
    v128.and(i64x2.shr_u(r, 32 - E_ROT_EVEN), i64x2(0x000000003f3f3f3f, 0x000000003f3f3f3f)),
    v128.and(i64x2.shl(r, E_ROT_ODD), i64x2(0x3f3f3f3f00000000, 0x3f3f3f3f00000000)),
  );
  const x = v128.xor(e, k);

  // S: swizzle every S-box register with the low four input bits; OTHER_LANES sets bit 7 of the
  // index in the lanes of the other S-boxes, and swizzle yields 0 for indices ≥ 16. (Unrolled, and
  // the results OR-ed as a tree, to keep the chain of dependent instructions short.)
  const low = v128.and(x, i8x16.splat(0x0f));
  const i0 = sidx(0, low), i1 = sidx(1, low), i2 = sidx(2, low), i3 = sidx(3, low);
  const i4 = sidx(4, low), i5 = sidx(5, low), i6 = sidx(6, low), i7 = sidx(7, low);
  const c0 = v128.or(
    v128.or(v128.or(sreg(0, 0, i0), sreg(1, 0, i1)), v128.or(sreg(2, 0, i2), sreg(3, 0, i3))),
    v128.or(v128.or(sreg(4, 0, i4), sreg(5, 0, i5)), v128.or(sreg(6, 0, i6), sreg(7, 0, i7))),
  );
  const c1 = v128.or(
    v128.or(v128.or(sreg(0, 1, i0), sreg(1, 1, i1)), v128.or(sreg(2, 1, i2), sreg(3, 1, i3))),
    v128.or(v128.or(sreg(4, 1, i4), sreg(5, 1, i5)), v128.or(sreg(6, 1, i6), sreg(7, 1, i7))),
  );
  // Bit 5 of the input picks the register, bit 4 the half of the byte (inputs are < 64, so a
  // signed compare with 31 tests bit 5).
  const bit5 = i8x16.gt_s(x, i8x16.splat(31));
  const bit4 = i8x16.eq(v128.and(x, i8x16.splat(16)), i8x16.splat(16));
  const both = v128.bitselect(c1, c0, bit5);
  const swapped = v128.or(i8x16.shl(both, 4), i8x16.shr_u(both, 4));
  const s = v128.and(v128.bitselect(swapped, both, bit4), v128.load(OUT_MASK));

  // P: five masked rotations of each half (by 0, 8, 16, 21, 29 bits; the byte rotations as
  // shuffles), then the two 32-bit halves folded together, which gives f‖f.
  const p0 = v128.and(s, v128.load(P_MASKS));
  const p8 = i8x16.shuffle(v128.and(s, v128.load(P_MASKS, 16)), s,
    7, 0, 1, 2, 3, 4, 5, 6, 15, 8, 9, 10, 11, 12, 13, 14);
  const p16 = i8x16.shuffle(v128.and(s, v128.load(P_MASKS, 32)), s,
    6, 7, 0, 1, 2, 3, 4, 5, 14, 15, 8, 9, 10, 11, 12, 13);
  const p21 = rotl64(v128.and(s, v128.load(P_MASKS, 48)), 21);
  const p29 = rotl64(v128.and(s, v128.load(P_MASKS, 64)), 29);
  const w = v128.or(v128.or(p0, p8), v128.or(v128.or(p16, p21), p29));
  return v128.or(w, i8x16.shuffle(w, w, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11));
}

/**
 * TDEA on the two blocks in x (bytes as in memory). ks holds the three key schedules, K1, K2, K3,
 * KEY_SCHEDULE_BYTES each. Returns the two output blocks. (Inlined into its three callers; as a
 * plain export, asc warns about v128 in an export signature, although des.ts does not export it.)
 */
// @ts-ignore: decorator
@inline export function tdea(ks: usize, x: v128, decrypt: bool): v128 {
  // IP (FIPS 46-3) is a bit-matrix transposition: with the block's bytes as the rows of an 8×8
  // matrix (bit 1 the leftmost), row i of IP(x) is column 1, 3, 5, 7, 0, 2, 4, 6 (0-based, for
  // i = 0…7) read from the last row to the first. Transposing the little-endian half gives those
  // columns as bytes 7 − c, so L is bytes 6, 4, 2, 0 and R bytes 7, 5, 3, 1 (most significant first).
  const t = transpose(x);
  let l = i8x16.shuffle(t, t, 0, 2, 4, 6, 0, 2, 4, 6, 8, 10, 12, 14, 8, 10, 12, 14);
  let r = i8x16.shuffle(t, t, 1, 3, 5, 7, 1, 3, 5, 7, 9, 11, 13, 15, 9, 11, 13, 15);

  for (let pass = 0; pass < 3; pass++) {
    // Encrypt: E with K1, D with K2, E with K3. Decrypt: D with K3, E with K2, D with K1. DES
    // decryption is DES with the round keys in reverse order (FIPS 46-3, "Deciphering").
    const key = decrypt ? 2 - pass : pass;
    const forward = (pass == 1) == decrypt;
    let k = ks + <usize>(key * KEY_SCHEDULE_BYTES + (forward ? 0 : KEY_SCHEDULE_BYTES - ROUND_KEY_BYTES));
    const step = <usize>(forward ? ROUND_KEY_BYTES : -ROUND_KEY_BYTES);
    // Ln = Rn−1, Rn = Ln−1 ⊕ f(Rn−1, Kn), two rounds at a time without moving words: after each
    // pair, l holds Ln and r holds Rn again.
    for (let i = 0; i < 8; i++) {
      l = v128.xor(l, f(r, v128.load(k)));
      k += step;
      r = v128.xor(r, f(l, v128.load(k)));
      k += step;
    }
    // A DES ends with the preoutput R16‖L16 and IP⁻¹, and the next one starts with IP, which undoes
    // it: its L0 is R16 and its R0 is L16.
    const swap = l;
    l = r;
    r = swap;
  }

  // IP⁻¹ of the preoutput R16‖L16 (now l‖r): the inverse of the steps above.
  const u = i8x16.shuffle(l, r, 0, 16, 1, 17, 2, 18, 3, 19, 8, 24, 9, 25, 10, 26, 11, 27);
  return transpose(u);
}
