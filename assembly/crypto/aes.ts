// AES-128/192/256 (FIPS-197) with vector permutes: constant time, no secret-indexed memory access.
// How the S-box becomes register lookups is explained in aes_tables.ts. Between rounds the state is
// kept in "T coordinates" (a fixed change of basis of every byte), round keys are stored already
// transformed, and the S-box constants (0x63, 0x05) are folded into them.
import {
  NIBBLE_INV, NIBBLE_ADIV, ENC_IN_LO, ENC_IN_HI, ENC_S1, ENC_S1Q, ENC_S2, ENC_S2Q, ENC_OUT, ENC_OUTQ,
  DEC_IN_LO, DEC_IN_HI, DEC_E, DEC_EQ, DEC_B, DEC_BQ, DEC_D, DEC_DQ, DEC_9, DEC_9Q, DEC_OUT, DEC_OUTQ,
  T_05, gmul,
} from "./aes_tables";

// Context: [0] rounds Nr; [16] encryption round keys 0..Nr; [256] decryption round keys in the
// order they are used (equivalent inverse cipher, FIPS-197 §5.3.5).
export const AES_CTX_SIZE: i32 = 512;
export const ENC_KEYS: usize = 16;
export const DEC_KEYS: usize = 256;

// @ts-ignore: decorator
@inline function swz(table: usize, idx: v128): v128 {
  // Indices are always 0..15 or 0x80..0x8f, where relaxed and strict swizzle agree on every platform.
  return ASC_FEATURE_RELAXED_SIMD
    ? i8x16.relaxed_swizzle(v128.load(table), idx)
    : i8x16.swizzle(v128.load(table), idx);
}

// The nibble masks are loaded, not built as constants: V8 otherwise splits the next round's states
// into nibbles at the end of a round loop's iteration, and a batch of eight then keeps three
// vectors a block across the back edge (spilled) instead of one. A load keeps the split inside the
// iteration that uses it: 8-block round 283 → 256 instructions, aesCtr at 1404 bytes −2 to −3 %.
const NIBBLES: usize = memory.data<u8>([
  0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f,
  0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0,
], 16);

// @ts-ignore: decorator
@inline function lo4(s: v128): v128 {
  return v128.and(s, v128.load(NIBBLES));
}

// @ts-ignore: decorator
@inline function hi4(s: v128): v128 {
  return i16x8.shr_u(v128.and(s, v128.load(NIBBLES, 16)), 4);
}

/**
 * SubBytes' inversion (aes_tables.ts) of every byte of s, which is in T coordinates, followed by a
 * linear map given as two output tables: p applied to γ1/io, q to γ2/jo. With x = i·β + k and
 * j = i + k: io = 1/(1/i + a/k) + j and jo = 1/(1/j + a/k) + i. Rounds that need several maps of
 * the same inverse call this once per pair of tables: the common work is the same pure
 * expressions, which V8's value numbering computes once (measured: the same speed as writing the
 * inversion out once per round).
 */
// @ts-ignore: decorator
@inline export function invert(s: v128, p: usize, q: usize): v128 {
  const k = lo4(s);
  const i = hi4(s);
  const j = v128.xor(i, k);
  const ak = swz(NIBBLE_ADIV, k);
  const io = v128.xor(swz(NIBBLE_INV, v128.xor(swz(NIBBLE_INV, i), ak)), j);
  const jo = v128.xor(swz(NIBBLE_INV, v128.xor(swz(NIBBLE_INV, j), ak)), i);
  return v128.xor(swz(p, io), swz(q, jo));
}

// Byte n of a block is row n % 4, column n / 4 (FIPS-197 §3.4). The byte permutations below are
// swizzles by index vectors kept in memory: V8 builds a shuffle's 16-byte immediate in four
// instructions every time it is used, while a swizzle by a vector loaded from memory is one
// load and one pshufb (the indices are all < 16, so strict and relaxed swizzle agree).
//
// Encryption's middle rounds skip ShiftRows, as Hamburg's vector-permute AES (CHES 2009) does:
// after round r the state is kept as u with s = SR^r(u) (SR^4 is the identity). SubBytes works on
// each byte alone, so it takes u as it is; MixColumns' column rotations become their conjugates
// SR^-r ∘ rot ∘ SR^r, still one swizzle each; round key r is stored as SR^-r(k_r); the last round
// applies SR^Nr once. That is one swizzle of the 13 of a middle round less.
/** SR^m for m = 0 … 3 as index vectors (SHIFTS + 16m): m = 1 is ShiftRows (§5.1.2), 3 InvShiftRows (§5.3.1). */
const SHIFTS: usize = memory.data(16 * 4, 16);
/**
 * For m = 0 … 3 (MIX + 32m): the rotations "row r gets row r+1" and "row r gets row r+3" of every
 * column, conjugated by SR^m.
 */
const MIX: usize = memory.data(32 * 4, 16);

function buildPermutations(): void {
  for (let p: u32 = 0; p < 16; p++) {
    const r = p & 3, c = p >> 2;
    store<u8>(SHIFTS + p, <u8>p);
    store<u8>(SHIFTS + 16 + p, <u8>(4 * ((c + r) & 3) + r)); // row r left by r
  }
  // SR^m = SR ∘ SR^(m−1): gathering by SR after V gathers at V[SR[p]].
  for (let m: u32 = 2; m < 4; m++) {
    for (let p: u32 = 0; p < 16; p++) {
      store<u8>(SHIFTS + 16 * m + p, load<u8>(SHIFTS + 16 * (m - 1) + load<u8>(SHIFTS + 16 + p)));
    }
  }
  // SR^-m ∘ rot ∘ SR^m gathers at B[rot[B⁻¹[p]]] with B = SR^m, B⁻¹ = SR^(4−m).
  for (let m: u32 = 0; m < 4; m++) {
    const b = SHIFTS + 16 * m, inv = SHIFTS + 16 * ((4 - m) & 3);
    for (let p: u32 = 0; p < 16; p++) {
      const q = <u32>load<u8>(inv + p);
      store<u8>(MIX + 32 * m + p, load<u8>(b + ((q & ~3) | ((q + 1) & 3))));
      store<u8>(MIX + 32 * m + 16 + p, load<u8>(b + ((q & ~3) | ((q + 3) & 3))));
    }
  }
}

buildPermutations();

/** s's bytes picked by the index vector at idx (indices 0..15, or 0x80..0x8f for a zero). */
// @ts-ignore: decorator
@inline export function gather(s: v128, idx: usize): v128 {
  return ASC_FEATURE_RELAXED_SIMD ? i8x16.relaxed_swizzle(s, v128.load(idx)) : i8x16.swizzle(s, v128.load(idx));
}

/** SR^m(s), m taken mod 4. */
// @ts-ignore: decorator
@inline export function shiftRowsBy(s: v128, m: u32): v128 {
  return gather(s, SHIFTS + ((m & 3) << 4));
}

// @ts-ignore: decorator
@inline export function shiftRows(s: v128): v128 {
  return shiftRowsBy(s, 1);
}

// @ts-ignore: decorator
@inline function invShiftRows(s: v128): v128 {
  return shiftRowsBy(s, 3);
}

/** Each column rotated so that row r receives row r+1. */
// @ts-ignore: decorator
@inline function rot1(s: v128): v128 {
  return gather(s, MIX);
}

/** The rotations MixColumns uses in round r (for a state kept as SR^-r(s)). */
// @ts-ignore: decorator
@inline export function roundRotations(r: u32): usize {
  return MIX + ((r & 3) << 5);
}

/**
 * MixColumns (§5.1.3) and AddRoundKey of a state given twice, as a and as a2 = {02}·a, with the
 * column rotations at rots (roundRotations): out_r = 2·a_r + 3·a_r+1 + a_r+2 + a_r+3 + rk_r, built
 * as t = 2a_r + a_r+1, then t + a_r+3 + (t rotated: 2a_r+1 + a_r+2).
 */
// @ts-ignore: decorator
@inline export function mixColumns(a: v128, a2: v128, rk: v128, rots: usize): v128 {
  const t = v128.xor(a2, gather(a, rots));
  return v128.xor(v128.xor(t, gather(a, rots + 16)), v128.xor(gather(t, rots), rk));
}

/**
 * Middle round r: SubBytes, ShiftRows, MixColumns, AddRoundKey, in T coordinates, on the state
 * kept as SR^-(r−1)(s) (above); rots = roundRotations(r), rk = round key r as stored.
 */
// @ts-ignore: decorator
@inline export function encRound(s: v128, rk: v128, rots: usize): v128 {
  // S(x) − 0x63 and {02}·(S(x) − 0x63)
  return mixColumns(invert(s, ENC_S1, ENC_S1Q), invert(s, ENC_S2, ENC_S2Q), rk, rots);
}

/** The last round (Nr): no MixColumns, the ShiftRows of all rounds at once, output in the standard basis. */
// @ts-ignore: decorator
@inline export function encLast(s: v128, rk: v128, nr: u32): v128 {
  return v128.xor(shiftRowsBy(invert(s, ENC_OUT, ENC_OUTQ), nr), rk);
}

/** A standard-basis block into T coordinates. */
// @ts-ignore: decorator
@inline export function encIn(x: v128): v128 {
  return v128.xor(swz(ENC_IN_LO, lo4(x)), swz(ENC_IN_HI, hi4(x)));
}

/** Decryption round of the equivalent inverse cipher: InvSubBytes, InvShiftRows, InvMixColumns, AddRoundKey. */
// @ts-ignore: decorator
@inline export function decRound(s: v128, rk: v128): v128 {
  s = invShiftRows(s);
  // InvMixColumns (§5.3.3): out_r = e·z_r + b·z_r+1 + d·z_r+2 + 9·z_r+3, by Horner on rotations.
  const e = invert(s, DEC_E, DEC_EQ);
  const b = invert(s, DEC_B, DEC_BQ);
  const d = invert(s, DEC_D, DEC_DQ);
  const n = invert(s, DEC_9, DEC_9Q);
  return v128.xor(v128.xor(e, rk), rot1(v128.xor(b, rot1(v128.xor(d, rot1(n))))));
}

// @ts-ignore: decorator
@inline export function decLast(s: v128, rk: v128): v128 {
  return v128.xor(invert(invShiftRows(s), DEC_OUT, DEC_OUTQ), rk);
}

// @ts-ignore: decorator
@inline export function decIn(x: v128): v128 {
  return v128.xor(swz(DEC_IN_LO, lo4(x)), swz(DEC_IN_HI, hi4(x)));
}

/** Encrypts one block (standard basis in and out). */
// @ts-ignore: decorator
@inline export function encryptBlock(ctx: usize, x: v128): v128 {
  const nr = load<u32>(ctx);
  const keys = ctx + ENC_KEYS;
  let s = v128.xor(encIn(x), v128.load(keys));
  for (let r: u32 = 1; r < nr; r++) s = encRound(s, v128.load(keys + (r << 4)), roundRotations(r));
  return encLast(s, v128.load(keys + (nr << 4)), nr);
}

// @ts-ignore: decorator
@inline export function decryptBlock(ctx: usize, x: v128): v128 {
  const nr = load<u32>(ctx);
  const keys = ctx + DEC_KEYS;
  let s = v128.xor(decIn(x), v128.load(keys));
  for (let r: u32 = 1; r < nr; r++) s = decRound(s, v128.load(keys + (r << 4)));
  return decLast(s, v128.load(keys + (nr << 4)));
}

/** SubBytes on every byte of a standard-basis vector (used by the key expansion only). */
function subBytes(x: v128): v128 {
  return v128.xor(invert(encIn(x), ENC_OUT, ENC_OUTQ), i8x16.splat(0x63));
}

/** {02}·x for each byte of a word, in constant time (FIPS-197 §4.2.1 xtime). */
function xtime4(x: u32): u32 {
  const hi = (x >> 7) & 0x01010101;
  return ((x << 1) & 0xfefefefe) ^ (hi * 0x1b);
}

/** InvMixColumns of one column held as a little-endian word (byte r = row r). §5.3.3. */
function invMixColumn(c: u32): u32 {
  // InvMixColumns = MixColumns · (I + {04}·(1 + rot²)) — the factoring of the matrix with rows
  // (0e 0b 0d 09) into (02 03 01 01)·(05 00 04 00): saves computing four products per byte.
  const c2 = xtime4(c);
  const c4 = xtime4(c2);
  const u = c ^ c4 ^ rotr<u32>(c4, 16);
  const u2 = xtime4(u);
  // MixColumns on u: 2·u_r + 3·u_r+1 + u_r+2 + u_r+3.
  const u1 = rotr<u32>(u, 8); // u_r+1 into row r
  return u2 ^ xtime4(u1) ^ u1 ^ rotr<u32>(u, 16) ^ rotr<u32>(u, 24);
}

/**
 * Expands a 16, 24 or 32-byte key (FIPS-197 §5.2) into both schedules. Key-dependent work happens
 * here once per key; nothing per block.
 */
export function aesSetKey(ctx: usize, key: usize, keyLen: i32): void {
  if (keyLen != 16 && keyLen != 24 && keyLen != 32) abort("aesSetKey: key must be 16, 24 or 32 bytes");
  const nk = keyLen >> 2; // 4, 6 or 8 words
  const nr = nk + 6;
  store<u32>(ctx, nr);
  const w = ctx + ENC_KEYS; // the standard schedule is built here first
  const words = (nr + 1) << 2;
  memory.copy(w, key, keyLen);
  let rcon: u32 = 1;
  for (let i = nk; i < words; i++) {
    let t = load<u32>(w + ((i - 1) << 2));
    if (i % nk == 0) {
      // RotWord then SubWord, then Rcon into the first byte (little-endian word: low byte).
      t = i32x4.extract_lane(subBytes(i32x4.splat(rotr<u32>(t, 8))), 0) ^ rcon;
      rcon = gmul(rcon, 2);
    } else if (nk > 6 && i % nk == 4) {
      t = i32x4.extract_lane(subBytes(i32x4.splat(t)), 0);
    }
    store<u32>(w + (i << 2), load<u32>(w + ((i - nk) << 2)) ^ t);
  }
  // Decryption keys, in the order decryption uses them (§5.3.5, with InvMixColumns applied to the
  // middle ones), moved to T coordinates with the InvSubBytes constant folded in.
  const d = ctx + DEC_KEYS;
  const t05 = v128.load(T_05);
  v128.store(d, v128.xor(decIn(v128.load(w + (nr << 4))), t05));
  for (let r = 1; r < nr; r++) {
    const src = w + ((nr - r) << 4);
    const m = i32x4(
      invMixColumn(load<u32>(src)), invMixColumn(load<u32>(src, 4)),
      invMixColumn(load<u32>(src, 8)), invMixColumn(load<u32>(src, 12)),
    );
    v128.store(d + (r << 4), v128.xor(decIn(m), t05));
  }
  v128.store(d + (nr << 4), v128.load(w));
  // Encryption keys: round 0 in T coordinates; the rest with SubBytes' 0x63 folded in
  // (MixColumns maps a column of equal bytes to itself, so the constant passes through), the middle
  // ones as SR^-r(k_r) for the state kept unshifted.
  const s63 = i8x16.splat(0x63);
  v128.store(w, encIn(v128.load(w)));
  for (let r = 1; r < nr; r++) {
    v128.store(w + (r << 4), shiftRowsBy(encIn(v128.xor(v128.load(w + (r << 4)), s63)), 4 - r));
  }
  v128.store(w + (nr << 4), v128.xor(v128.load(w + (nr << 4)), s63));
}

/** Zeroes a context when its key is retired. */
export function aesWipe(ctx: usize): void {
  memory.fill(ctx, 0, AES_CTX_SIZE);
}

export function aesEncryptBlock(ctx: usize, src: usize, out: usize): void {
  v128.store(out, encryptBlock(ctx, v128.load(src)));
}

export function aesDecryptBlock(ctx: usize, src: usize, out: usize): void {
  v128.store(out, decryptBlock(ctx, v128.load(src)));
}
