// The constant-time layout of the DES round function f(R, K) = P(S(E(R) ⊕ K)) (FIPS 46-3,
// "The Cipher Function f"), derived once when the module starts from the FIPS tables in
// des-tables.ts. des-block.ts evaluates f for two blocks at once in one v128: block A in bytes
// 0…7, block B in bytes 8…15, each 64-bit half laid out the same way. No step of f reads memory at
// an address that depends on data or key: the S-boxes are looked up with i8x16.swizzle, a register
// permutation.
//
// E. Input j of the S-boxes (j = 0…7 for S1…S8) is, by the E table, bits 4j … 4j+5 of R (1-based,
// bit 0 meaning bit 32 and bit 33 meaning bit 1): six consecutive bits of R read cyclically. So
// every S-box input sits whole in the low six bits of one byte of R rotated: rotating left by 5
// brings the inputs of S1, S7, S5, S3 to bytes 0…3, rotating by 25 those of S6, S4, S2, S8.
// des-block.ts places the two rotations side by side, so S-box j reads byte lane sboxLane(j).
//
// S. A 6-bit input b1…b6 selects row b1b6 and column b2…b5 (FIPS 46-3). Reading the input as a
// number x = b1…b6 instead, an S-box is a 64-entry table of 4-bit values. Two entries fit in one
// byte, so each S-box is two 16-byte registers (x < 32, x ≥ 32), byte k of the register holding
// S(x) for the low four bits of x = k, with bit 4 of x choosing which of the byte's two 4-bit halves
// counts. des-block.ts swizzles every register with the low four bits of x (the lanes of the other
// S-boxes set out of range, so they read 0), then picks the register by bit 5 and the half by bit
// 4 with masks.
//
// P. The four output bits of S-box j are not stored as a plain nibble: bit t (t = 0 for the
// leftmost) goes to bit PLACE[4j+t] of its lane, with the two halves of a byte arranged so that a
// 4-bit rotation of the byte moves one half onto the other. With that freedom P becomes five
// masked rotations of each 64-bit half (by 0, 8, 16, 21 and 29 bits) followed by folding the two
// 32-bit halves together, instead of 32 single-bit moves. PLACE was found offline by an exhaustive
// search over the sets of rotations (no set of four rotations admits a placement); the start code
// below checks that every bit of P is reached by one of the five rotations and stops the module
// (unreachable) if not, so a wrong PLACE cannot go unnoticed.
import { SBOX, PERM_P } from './des-tables';

/** Rotations of R that align the S-box inputs to bytes (see E above). */
export const E_ROT_EVEN: i32 = 5; // S1, S3, S5, S7
export const E_ROT_ODD: i32 = 25; // S2, S4, S6, S8

/** The rotations, in bits, of the 64-bit halves that implement P; des-block.ts does them in this order. */
const P_ROT: usize = memory.data<u8>([0, 8, 16, 21, 29]);
export const P_ROTATIONS: i32 = 5;

/** Bit of its byte lane where output bit t of S-box j goes: PLACE[4j + t]. */
const PLACE: usize = memory.data<u8>([
  2, 7, 1, 4, // S1
  3, 4, 6, 1, // S2
  0, 3, 2, 5, // S3
  1, 4, 6, 7, // S4
  0, 2, 7, 5, // S5
  7, 6, 0, 5, // S6
  3, 4, 2, 1, // S7
  6, 5, 4, 3, // S8
]);

/** S-box registers: SBOX_REGS + 32·j + 16·h holds S-box j for inputs x with bit 5 of x = h. */
export const SBOX_REGS: usize = memory.data(8 * 2 * 16, 16);
/** OTHER_LANES + 16·j: 0x80 in every byte lane but S-box j's (in both blocks), 0 in those two.
 * OR-ed into the swizzle index, it sends the other lanes out of range (swizzle gives 0 there). */
export const OTHER_LANES: usize = memory.data(8 * 16, 16);
/** In each byte lane, the four bits where its S-box's output is placed. */
export const OUT_MASK: usize = memory.data(16, 16);
/** P_MASKS + 16·r: the bits of the S-box output that P_ROT[r] takes to their place (both halves). */
export const P_MASKS: usize = memory.data(P_ROTATIONS * 16, 16);

/** Byte lane (0…7) of the 64-bit half where S-box j finds its input. */
export function sboxLane(j: i32): i32 {
  const odd = j & 1;
  // The last bit of the S-box input, bit 4j+5 of R, is bit 27 − 4j of R as a u32; after the
  // rotation it must start a byte.
  const low = (27 - 4 * j + (odd ? E_ROT_ODD : E_ROT_EVEN)) & 31;
  if ((low & 7) != 0) unreachable();
  return odd * 4 + (low >> 3);
}

/** Output of S-box j (FIPS numbering S(j+1)) for the 6-bit input x = b1…b6. */
function sbox(j: i32, x: i32): i32 {
  const row = ((x >> 4) & 2) | (x & 1);
  const col = (x >> 1) & 15;
  return <i32>load<u8>(SBOX + <usize>(64 * j + 16 * row + col));
}

/** The 4-bit S-box output v spread to the bits PLACE gives S-box j. */
function place(j: i32, v: i32): i32 {
  let out = 0;
  for (let t = 0; t < 4; t++) out |= ((v >> (3 - t)) & 1) << load<u8>(PLACE + <usize>(4 * j + t));
  return out;
}

/** Bit position, counted from the least significant bit of a u32, of bit n (1…32) of f's output. */
function pTarget(n: i32): i32 {
  for (let i = 0; i < 32; i++) if (<i32>load<u8>(PERM_P + <usize>i) == n) return 31 - i;
  unreachable();
  return 0;
}

/** Scratch for build(): one u64 mask per rotation, copied to both halves of P_MASKS at the end. */
const P_MASK_HALF: usize = memory.data(P_ROTATIONS * 8, 8);

function build(): void {
  const pMask = P_MASK_HALF;
  let outMask: u64 = 0;
  let lanesUsed = 0;
  for (let j = 0; j < 8; j++) {
    const lane = sboxLane(j);
    lanesUsed |= 1 << lane;
    let m = 0;
    for (let t = 0; t < 4; t++) {
      const bit = <i32>load<u8>(PLACE + <usize>(4 * j + t));
      m |= 1 << bit;
      // The two 4-bit halves must trade places under a 4-bit rotation of the byte.
      if ((m & (m >> 4) & 15) != 0) unreachable();
      const src = 8 * lane + bit;
      const rot = (pTarget(4 * j + t + 1) - src) & 31;
      let r = 0;
      while (r < P_ROTATIONS && <i32>load<u8>(P_ROT + <usize>r) != rot) r++;
      if (r == P_ROTATIONS) unreachable();
      store<u64>(pMask + <usize>(8 * r), load<u64>(pMask + <usize>(8 * r)) | (<u64>1 << <u64>src));
    }
    outMask |= <u64>m << <u64>(8 * lane);

    for (let h = 0; h < 2; h++) {
      for (let k = 0; k < 16; k++) {
        const a = place(j, sbox(j, 32 * h + k));
        const b = place(j, sbox(j, 32 * h + 16 + k));
        store<u8>(SBOX_REGS + <usize>(32 * j + 16 * h + k), a | (((b << 4) | (b >> 4)) & 0xff));
      }
    }
    for (let i = 0; i < 16; i++) {
      store<u8>(OTHER_LANES + <usize>(16 * j + i), (i & 7) == lane ? 0 : 0x80);
    }
  }
  if (lanesUsed != 0xff) unreachable();
  store<u64>(OUT_MASK, outMask);
  store<u64>(OUT_MASK + 8, outMask);
  for (let r = 0; r < P_ROTATIONS; r++) {
    const v = load<u64>(pMask + <usize>(8 * r));
    store<u64>(P_MASKS + <usize>(16 * r), v);
    store<u64>(P_MASKS + <usize>(16 * r + 8), v);
  }
}

build();
