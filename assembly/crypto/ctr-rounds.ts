// Rounds 1 and 2 of AES shared between counter blocks (the "counter-mode caching" of Bernstein and
// Schwabe, "New AES software speed records", INDOCRYPT 2008), for CTR batches of eight.
//
// The counter blocks of one message differ only in byte 15 while the counter's low byte does not
// wrap. After round 0 that byte is still alone; round 1's ShiftRows moves it to row 3 of column 0,
// so round 1's outputs differ only in column 0, by MixColumns of (0, 0, 0, a) with a = S(x) − 0x63:
// (a, a, 3a, 2a). Round 2's ShiftRows spreads column 0 over the four columns, one byte each (rows
// 0, 3, 2, 1 of columns 0, 1, 2, 3), so round 2's outputs differ everywhere, but each column only
// by MixColumns of one byte. So the parts all blocks share are computed once per message
// (ctrShared), and per batch of eight only the S-boxes of the bytes that differ
// (one vector for round 1, two for round 2) and two gathers a block for each round, instead of two
// full rounds a block. Everything is in aes.ts's T coordinates, where XOR is still addition, so MixColumns
// splits into the shared part and the part that differs. The counter is public (it is the
// message's position and IV), so branching on it leaks nothing; the secret bytes only ever index
// registers.
import { ENC_KEYS, encIn, gather, invert, mixColumns, roundRotations, shiftRows, shiftRowsBy } from "./aes";
import { finish8 } from "./aes-batch";
import { ENC_S1, ENC_S1Q, ENC_S2, ENC_S2Q } from "./aes_tables";

/** A gather index that yields 0. */
const ZERO: u8 = 0x80;

// Gather indices, built at start (buildIndices):
// - ROUND1_A / ROUND1_B + 16·h, h = 0, 1: for blocks 4h … 4h+3, their column 0's difference after
//   round 1, block l at bytes 4l … 4l+3, from a (byte i = block i's a) and from {02}·a.
// - ROUND2_A / ROUND2_B + 16·l, l = 0 … 3: block l's difference after round 2, all 16 bytes, from the
//   S-box outputs of its column 0 (bytes 4l … 4l+3 of the vector of four blocks) and their doubles.
const INDICES: usize = memory.data(16 * 12, 16);
const ROUND1_A: usize = INDICES;
const ROUND1_B: usize = INDICES + 32;
const ROUND2_A: usize = INDICES + 64;
const ROUND2_B: usize = INDICES + 128;
/** 0, 1, …, 15: the offsets of a batch's counters from the first. */
export const LANES: usize = memory.data<u8>([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], 16);

/** MixColumns' coefficient (§5.1.3) from row j to row r of a column: 2, 3, 1, 1 for j − r = 0, 1, 2, 3. */
function coefficient(j: u32, r: u32): u32 {
  const d = (j - r) & 3;
  return d == 0 ? 2 : d == 1 ? 3 : 1;
}

/** Byte p of the A and B index vectors: src where the coefficient takes a (1, 3), {02}·a (2, 3). */
function setIndex(a: usize, b: usize, p: u32, src: u32, k: u32): void {
  store<u8>(a + p, k & 1 ? <u8>src : ZERO);
  store<u8>(b + p, k & 2 ? <u8>src : ZERO);
}

function buildIndices(): void {
  for (let h: u32 = 0; h < 2; h++) {
    for (let l: u32 = 0; l < 4; l++) {
      for (let r: u32 = 0; r < 4; r++) setIndex(ROUND1_A, ROUND1_B, 16 * h + 4 * l + r, 4 * h + l, coefficient(3, r));
    }
  }
  for (let l: u32 = 0; l < 4; l++) {
    for (let c: u32 = 0; c < 4; c++) {
      const j = (4 - c) & 3; // ShiftRows moves row j of column 0 to column −j
      // Stored for the state kept as SR^-2(s) (aes.ts): byte 4c + r of s is byte 4((c + 2r) mod 4) + r there.
      for (let r: u32 = 0; r < 4; r++) {
        setIndex(ROUND2_A, ROUND2_B, 16 * l + 4 * ((c + 2 * r) & 3) + r, 4 * l + j, coefficient(j, r));
      }
    }
  }
}

buildIndices();

/** Whether blocks cb … cb + n − 1 share their first 15 bytes: the low byte does not wrap. */
// @ts-ignore: decorator
@inline export function sharesRounds(cb: v128, n: u32): bool {
  return <u32>i8x16.extract_lane_u(cb, 15) + n <= 256;
}

/**
 * Round r (1 or 2) on the state s as it stands after ShiftRows, the bytes where the mask m is 0
 * taken as 0 before MixColumns. These rounds work on the state itself, not on aes.ts's unshifted
 * form, so the round key is shifted back.
 */
// @ts-ignore: decorator
@inline function maskedRound(ctx: usize, s: v128, m: v128, r: u32): v128 {
  return mixColumns(v128.and(invert(s, ENC_S1, ENC_S1Q), m), v128.and(invert(s, ENC_S2, ENC_S2Q), m),
    shiftRowsBy(v128.load(ctx + ENC_KEYS + (r << 4)), r), roundRotations(0));
}

/** Round 2's output of block l of four from the S-box outputs b, b2 of their round-1 column 0. */
// @ts-ignore: decorator
@inline function round2(r2: v128, b: v128, b2: v128, l: usize): v128 {
  return v128.xor(r2, v128.xor(gather(b, ROUND2_A + (l << 4)), gather(b2, ROUND2_B + (l << 4))));
}

/**
 * out[0..128) = src ⊕ the keystream of eight counter blocks with cb's first 15 bytes and byte 15
 * from the lanes of low, given what they all share: col0, column 0 of round 1's output (in every
 * column); r2, round 2's output as aes.ts keeps it; k15, round 0's key byte 15 in every byte.
 */
// @ts-ignore: decorator
@inline function crypt8Shared(ctx: usize, col0: v128, r2: v128, k15: v128, low: v128, src: usize, out: usize): void {
  // Round 1: the eight blocks' byte 15 after round 0, in one vector.
  const x = v128.xor(encIn(low), k15);
  const a = invert(x, ENC_S1, ENC_S1Q);
  const a2 = invert(x, ENC_S2, ENC_S2Q);
  const y0 = v128.xor(col0, v128.xor(gather(a, ROUND1_A), gather(a2, ROUND1_B)));
  const y1 = v128.xor(col0, v128.xor(gather(a, ROUND1_A + 16), gather(a2, ROUND1_B + 16)));
  // Round 2: column 0 of blocks 0-3 (y0) and 4-7 (y1) through the S-box.
  const b0 = invert(y0, ENC_S1, ENC_S1Q);
  const b02 = invert(y0, ENC_S2, ENC_S2Q);
  const b1 = invert(y1, ENC_S1, ENC_S1Q);
  const b12 = invert(y1, ENC_S2, ENC_S2Q);
  finish8(ctx, round2(r2, b0, b02, 0), round2(r2, b0, b02, 1), round2(r2, b0, b02, 2), round2(r2, b0, b02, 3),
    round2(r2, b1, b12, 0), round2(r2, b1, b12, 1), round2(r2, b1, b12, 2), round2(r2, b1, b12, 3), 3, src, out);
}

/**
 * out = src ⊕ keystream for len bytes, a multiple of 128, from counter blocks that share cb's first
 * 15 bytes: byte 15 of the first batch's eight is in the lanes of low (lowBytes(cb) for cb, cb + 1,
 * …; sharesRounds), each later batch's 8 more. What they share is computed here, once a message:
 * round 1 with row 3 of column 0 (byte 15 before ShiftRows) taken as 0, round 2 with the four bytes
 * of column 0, which ShiftRows moves to positions 0, 7, 10 and 13, taken as 0.
 */
// @ts-ignore: decorator
@inline export function ctrShared(ctx: usize, cb: v128, low: v128, src: usize, len: usize, out: usize): void {
  const k0 = v128.load(ctx + ENC_KEYS);
  const r1 = maskedRound(ctx, shiftRows(v128.xor(encIn(cb), k0)),
    i8x16(-1, -1, -1, 0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1), 1);
  const r2 = maskedRound(ctx, shiftRows(r1), i8x16(0, -1, -1, -1, -1, -1, -1, 0, -1, -1, 0, -1, -1, 0, -1, -1), 2);
  const kept = shiftRowsBy(r2, 2); // as aes.ts keeps the state for round 3 on: SR^-2(s) = SR^2(s)
  const col0 = i32x4.splat(i32x4.extract_lane(r1, 0));
  const k15 = i8x16.splat(i8x16.extract_lane_u(k0, 15));
  for (let off: usize = 0; off < len; off += 128) {
    crypt8Shared(ctx, col0, kept, k15, low, src + off, out + off);
    low = i8x16.add(low, i8x16.splat(8));
  }
}

/** Byte 15 of the counter blocks cb, cb + 1, …, cb + 15 (lane i: cb + i), cb's low byte not wrapping. */
// @ts-ignore: decorator
@inline export function lowBytes(cb: v128): v128 {
  return i8x16.add(i8x16.splat(i8x16.extract_lane_u(cb, 15)), v128.load(LANES));
}
