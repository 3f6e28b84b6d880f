// GHASH (NIST SP 800-38D §6.4), constant time, its multiplications done with vector permutes.
//
// WebAssembly has no carry-less multiply, and the classic 4-bit tables (Shoup's) index memory
// with secret data. But a table of 16 bytes fits in one register, and `i8x16.swizzle` looks up
// 16 lanes at once as a register permutation (as aes.ts does).
//
// Bit order: in a block, byte b bit 7-i is the coefficient of x^(8b+i). Write X's byte b as two
// nibbles, hi_b (coefficients of x^(8b)…x^(8b+3)) and lo_b (x^(8b+4)…x^(8b+7)); with A(n) the
// polynomial of a nibble n read the same way (bit 3 = x^0),
//     X·H = Σ_b x^(8b)·U_b,   U_b = A(hi_b)·H + A(lo_b)·x^4·H.
// Per key, T[n] = A(n)·H and T'[n] = A(n)·x^4·H (mod the GCM polynomial) are computed for the 16
// nibbles n and stored transposed: vector j holds byte j of T[0], …, T[15]. One swizzle of vector
// j by the 16 high nibbles of X (and one of T'_j by the low ones) gives byte j of every U_b, lane
// b. Multiplying by x^(8b) moves a block b bytes up, so that byte lands in byte b + j of the
// 32-byte product P0 + x^128·P1: a second swizzle, by a fixed index vector, rotates the lanes by
// j, and a mask picks those that wrapped round, which go to P1 (bytes 16..31). Reduction:
// x^128 = 1 + x + x^2 + x^7, and P1 has degree < 120 (every U_b is reduced), so
// Z = P0 + P1·(1 + x + x^2 + x^7) needs no second step.
//
// The tables are built from H in constant time (no branch or index depends on H). A nibble
// indexes only registers; loop bounds and table offsets are public. Measured against the integer-
// multiply GHASH this replaces (bit classes with holes, 96 multiplications a block): GCM seal and
// open at 1400 bytes ≈ 375 MB/s instead of ≈ 280 on one core here.

// Per key, for each power H^k, k = 1..POWERS (at hk + (k - 1)·TABLES): T_0 … T_15, then
// T'_0 … T'_15, 16 bytes each. Several blocks are multiplied by different powers side by side and
// reduced once: Y' = (Y + X1)·H^n + X2·H^(n-1) + … + Xn·H.
const PRIME: usize = 256;
const TABLES: usize = 512;
const POWERS: usize = 4;
export const GHASH_KEY_SIZE: i32 = <i32>(POWERS * TABLES);
/** Scratch for ghashSetKey (rows of its tables before they are transposed) and ghashAC (column sums, last blocks). */
export const GHASH_WORK_SIZE: usize = 256 + 80;

// Index vectors (all values < 16, where strict and relaxed swizzle agree): ROT + 16j moves lane i
// to lane (i + j) mod 16; WRAP + 16j is all ones in the lanes below j, those that wrapped round;
// BSWAP64 reverses the bytes of each 64-bit half.
const ROT: usize = memory.data(256, 16);
const WRAP: usize = memory.data(256, 16);
const BSWAP64: usize = memory.data<u8>([7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8], 16);
for (let j = 0; j < 16; j++) {
  for (let i = 0; i < 16; i++) {
    store<u8>(ROT + (j << 4) + i, <u8>((i - j) & 15));
    store<u8>(WRAP + (j << 4) + i, i < j ? 0xff : 0);
  }
}

// @ts-ignore: decorator
@inline function swz(table: v128, idx: v128): v128 {
  return ASC_FEATURE_RELAXED_SIMD ? i8x16.relaxed_swizzle(table, idx) : i8x16.swizzle(table, idx);
}

/** The block as a 128-bit big-endian integer, lane 0 the high word: coefficient x^i is bit 127 - i. */
// @ts-ignore: decorator
@inline function beWords(b: v128): v128 {
  return swz(b, v128.load(BSWAP64));
}

/** Z = P0 + P1·(1 + x + x^2 + x^7): the 256-bit product P0 + x^128·P1 reduced (see the header). */
// @ts-ignore: decorator
@inline function reduce(p0: v128, p1: v128): v128 {
  // In the big-endian view multiplying by x^k is a right shift by k; P1's degree < 120 keeps every
  // bit within 128. Within each 64-bit lane, then the bits that cross from lane 0 into lane 1.
  const w = beWords(p1);
  const within = v128.xor(v128.xor(w, i64x2.shr_u(w, 1)), v128.xor(i64x2.shr_u(w, 2), i64x2.shr_u(w, 7)));
  const cross = v128.xor(v128.xor(i64x2.shl(w, 63), i64x2.shl(w, 62)), i64x2.shl(w, 57));
  const r = v128.xor(within, i64x2.shuffle(i64x2.splat(0), cross, 0, 2)); // lane 1 gets cross's lane 0
  return v128.xor(p0, beWords(r));
}

/** The high nibble of every byte of x. */
// @ts-ignore: decorator
@inline function high(x: v128): v128 {
  return v128.and(i16x8.shr_u(x, 4), i8x16.splat(0x0f));
}

/** The low nibble of every byte of x. */
// @ts-ignore: decorator
@inline function low(x: v128): v128 {
  return v128.and(x, i8x16.splat(0x0f));
}

/** Byte j of every U_b (lane b) for the nibbles hi, lo of X, from the tables of one power at t + 16j. */
// @ts-ignore: decorator
@inline function column(t: usize, hi: v128, lo: v128): v128 {
  return v128.xor(swz(v128.load(t), hi), swz(v128.load(t, PRIME), lo));
}

/**
 * A column j (o = 16j) moved into the product: lane b to lane b + j mod 16. The sum R of the moved
 * columns is P0 + P1 (the lanes that wrapped round belong to P1, at 16 less).
 */
// @ts-ignore: decorator
@inline function rotated(v: v128, o: usize): v128 {
  return swz(v, v128.load(o, ROT));
}

/** The lanes of a moved column j (o = 16j) that belong to P1. */
// @ts-ignore: decorator
@inline function wrapped(r: v128, o: usize): v128 {
  return v128.and(r, v128.load(o, WRAP));
}

// The loops below step o through the columns and read the tables and index vectors at o plus a
// constant: the constants become the loads' static offsets, which V8 folds into the address
// (an address computed as a sum costs an instruction each, and this loop is short). GHASH at 1404
// bytes −9 % time against computed addresses (−20 % when the host is slow). Unrolling the loop by
// two or four was slower again (more spills).

/** X·H, the tables of H at hk. */
// @ts-ignore: decorator
@inline function mul(hk: usize, x: v128): v128 {
  const hi = high(x), lo = low(x);
  let r = i64x2.splat(0);
  let p1 = i64x2.splat(0);
  for (let o: usize = 0; o < 256; o += 16) {
    const c = rotated(column(hk + o, hi, lo), o);
    r = v128.xor(r, c);
    p1 = v128.xor(p1, wrapped(c, o));
  }
  return reduce(v128.xor(r, p1), p1);
}

/** Column j of blocks a and b summed: a's from the tables at t + TABLES (the next power), b's at t (tables + 16j). */
// @ts-ignore: decorator
@inline function pairColumn(t: usize, hia: v128, loa: v128, hib: v128, lob: v128): v128 {
  return v128.xor(column(t + TABLES, hia, loa), column(t, hib, lob));
}

/**
 * x·H^n + X2·H^(n-1) + … + Xn·H for n = 2 or 4, X2…Xn the blocks after the first at src (x is the
 * first, Y already added): the products summed before the one reduction (it is linear), and
 * the columns of all n blocks summed before they are moved (the move is the same for every
 * block). Four blocks side by side hash ~1.2 GB/s at 1400 bytes, one at a time ~0.8 (each waits
 * for the last). The first pair's column sums go through memory (`sums`, 256 bytes): kept in
 * registers, the eight nibble vectors of four blocks make V8 spill more than that costs (GHASH
 * +40 % time); through memory, GHASH at 1404 bytes −17 % time against a move per pair.
 */
// @ts-ignore: decorator
@inline function mulN(hk: usize, x: v128, src: usize, n: usize, sums: usize): v128 {
  let r = i64x2.splat(0);
  let p1 = i64x2.splat(0);
  for (let k: usize = 0; k < n; k += 2) {
    const xa = k ? v128.load(src + (k << 4)) : x;
    const xb = v128.load(src + ((k + 1) << 4));
    const tb = hk + (n - 2 - k) * TABLES; // H^(n-k-1)'s tables; H^(n-k)'s follow them
    const hia = high(xa), loa = low(xa), hib = high(xb), lob = low(xb);
    if (k + 2 < n) {
      for (let o: usize = 0; o < 256; o += 16) v128.store(sums + o, pairColumn(tb + o, hia, loa, hib, lob));
    } else {
      // The last pair: its sums and any stored, moved into the product.
      for (let o: usize = 0; o < 256; o += 16) {
        let v = pairColumn(tb + o, hia, loa, hib, lob);
        if (k) {
          v = v128.xor(v, v128.load(sums + o));
          v128.store(sums + o, i64x2.splat(0)); // derived from H's tables: not left behind (the SA may end)
        }
        const c = rotated(v, o);
        r = v128.xor(r, c);
        p1 = v128.xor(p1, wrapped(c, o));
      }
    }
  }
  return reduce(v128.xor(r, p1), p1);
}

/** V·x (§6.3's right shift, with R = 0xe1 ‖ 0^120 when x^127's coefficient falls off), as BE words. */
// @ts-ignore: decorator
@inline function timesX(w: v128): v128 {
  const carry = i64x2.shl(w, 63); // lane 0's lowest bit moves to lane 1's top
  const out = v128.or(i64x2.shr_u(w, 1), i64x2.shuffle(i64x2.splat(0), carry, 0, 2));
  const r = v128.and(i64x2.splat(0 - (i64x2.extract_lane(w, 1) & 1)), i64x2(<i64>0xe100000000000000, 0));
  return v128.xor(out, r);
}

/** Stores H's tables (see the header), given H = E_K(0^128) as a block; `rows` is GHASH_WORK_SIZE bytes of scratch. */
// @ts-ignore: decorator
@inline export function ghashSetKey(hk: usize, h: v128, rows: usize): void {
  let hn = h;
  for (let k: usize = 0; k < POWERS; k++) {
    if (k) hn = mul(hk, hn); // H^(k+1) from H's tables, already stored
    powerTables(hk + k * TABLES, hn, rows);
  }
  memory.fill(rows, 0, 256);
}

/** The tables of one power h. */
// @ts-ignore: decorator
@inline function powerTables(hk: usize, h: v128, rows: usize): void {
  // H·x^k for k = 0..7, big-endian view.
  let hx = beWords(h);
  for (let half: usize = 0; half < 2; half++) {
    const x0 = hx, x1 = timesX(x0), x2 = timesX(x1), x3 = timesX(x2);
    hx = timesX(x3);
    // Row n = A(n)·H·x^(4·half): nibble bit 3 - i selects H·x^(4·half + i). n is public.
    for (let n = 0; n < 16; n++) {
      let t = i64x2.splat(0);
      if (n & 8) t = v128.xor(t, x0);
      if (n & 4) t = v128.xor(t, x1);
      if (n & 2) t = v128.xor(t, x2);
      if (n & 1) t = v128.xor(t, x3);
      v128.store(rows + (<usize>n << 4), beWords(t)); // back to block byte order
    }
    // Transposed: byte j of row n goes to table j, lane n.
    const table = hk + half * PRIME;
    for (let j: usize = 0; j < 16; j++) {
      for (let n: usize = 0; n < 16; n++) store<u8>(table + (j << 4) + n, load<u8>(rows + (n << 4) + j));
    }
  }
}

/** Y ← (Y ⊕ X)·H for one block X. */
// @ts-ignore: decorator
@inline function ghashBlock(hk: usize, y: v128, x: v128): v128 {
  return mul(hk, v128.xor(y, x));
}

/** The n ≤ 16 bytes at p followed by zeros, assembled in registers (little-endian words = memory order). */
// @ts-ignore: decorator
@inline function padded(p: usize, n: usize): v128 {
  let lo: u64 = 0;
  let hi: u64 = 0;
  let i: usize = 0;
  if (n >= 8) {
    lo = load<u64>(p);
    i = 8;
  }
  for (; i < n; i++) {
    const b = <u64>load<u8>(p + i);
    if (i < 8) lo |= b << (<u64>i << 3);
    else hi |= b << (<u64>(i - 8) << 3);
  }
  return i64x2(lo, hi);
}

/** Absorbs n groups of four blocks at p (POWERS = 4). */
// @ts-ignore: decorator
@inline function groups(hk: usize, y: v128, p: usize, n: usize, sums: usize): v128 {
  for (let end = p + (n << 6); p < end; p += 64) y = mulN(hk, v128.xor(y, v128.load(p)), p, POWERS, sums);
  return y;
}

/** Absorbs len bytes, the last block padded with zeros (SP 800-38D §7.1, steps 5 and 6). */
// @ts-ignore: decorator
@inline function ghashBytes(hk: usize, y: v128, data: usize, len: usize, sums: usize): v128 {
  y = groups(hk, y, data, len >> 6, sums);
  let off = len & ~(<usize>63);
  for (; off + 16 <= len; off += 16) y = ghashBlock(hk, y, v128.load(data + off));
  if (off < len) y = ghashBlock(hk, y, padded(data + off, len - off));
  return y;
}

/**
 * GHASH_H(S) for S = A ‖ 0^v ‖ C ‖ 0^u ‖ [len(A)]64 ‖ [len(C)]64 (SP 800-38D §7.1 step 5), A the
 * aadLen bytes at aad, C the len bytes at data; `work` is GHASH_WORK_SIZE bytes of scratch. Taken
 * as one stream of blocks, so that as many as possible go four at a time: an A of one block
 * (ESP's 8 or 12 bytes, RFC 4106 §5) goes with C's first three, and C's last blocks (up to three
 * whole ones, a padded one) with the length block. A single multiplication costs nearly what a
 * group of four does (each waits for the one before); 1404 bytes of ESP took 21 groups and six
 * single blocks, now 22 groups and a pair: GCM −2 % time at 1404 bytes, −10 to −20 % at 16 to 100.
 */
export function ghashAC(hk: usize, aad: usize, aadLen: usize, data: usize, len: usize, work: usize): v128 {
  const sums = work, rest = work + 256;
  let y = i64x2.splat(0);
  let off: usize = 0;
  if (aadLen <= 16 && len >= 48) {
    // mulN reads the blocks after its first from its pointer + 16: C's first three here. An empty
    // A is a zero block here, which adds nothing while Y is 0.
    y = mulN(hk, padded(aad, aadLen), data - 16, POWERS, sums);
    off = 48;
  } else {
    y = ghashBytes(hk, y, aad, aadLen, sums);
  }
  const n4 = (len - off) >> 6;
  y = groups(hk, y, data + off, n4, sums);
  off += n4 << 6;
  // The last one to five blocks, gathered at rest.
  let m: usize = 0;
  for (; off + 16 <= len; off += 16, m++) v128.store(rest + (m << 4), v128.load(data + off));
  if (off < len) v128.store(rest + (m++ << 4), padded(data + off, len - off));
  v128.store(rest + (m++ << 4), i64x2(bswap<u64>(<u64>aadLen << 3), bswap<u64>(<u64>len << 3))); // in bits, big-endian
  const n = m >= POWERS ? POWERS : m & ~1;
  if (n) y = mulN(hk, v128.xor(y, v128.load(rest)), rest, n, sums);
  if (n < m) y = ghashBlock(hk, y, v128.load(rest + (n << 4)));
  memory.fill(rest, 0, m << 4);
  return y;
}
