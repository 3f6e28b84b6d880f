// ChaCha20 (RFC 8439 §2.1–§2.4), four or eight blocks at a time with v128.
//
// Layout ("vertical"): vector x[i] holds state word i of four consecutive blocks, one block per
// lane, so a quarter round (§2.1) on a column or diagonal is the same vector operations for all
// four blocks and no lane moves during the 20 rounds. At the end the sixteen vectors are
// transposed (4×4 of 32-bit lanes, four times) into the four 64-byte blocks.
//
// Eight blocks run as two such groups (x and y) side by side. A round is a chain of dependent
// operations, and V8 keeps only part of the sixteen-vector state in registers (x64 has sixteen
// xmm, one reserved), so four blocks leave the vector units waiting; a second independent group
// fills them, which makes eight blocks cost about 1.5 times four, not twice.
//
// The state of the current call lives in the instance's scratch (chachaState(), 64 bytes;
// assembly/scratch.ts) and the key stream of a chunk the data only partly covers in chachaKs();
// callers wipe both with chachaWipe() before they return. Nothing here branches on or indexes
// memory by key, nonce or data.
import { CHACHA_KS_AT, CHACHA_STATE_AT, scratch } from "../scratch";

/** §2.3 initial state of the current call; word 12 (the block counter) is supplied per chunk. */
// @ts-ignore: decorator
@inline export function chachaState(): usize { return scratch() + CHACHA_STATE_AT; }
/** Key stream written by chachaKeyStream4 (256 bytes) or chachaKeyStream8 (512 bytes). */
// @ts-ignore: decorator
@inline export function chachaKs(): usize { return scratch() + CHACHA_KS_AT; }

/** Loads key (32 bytes) and nonce (12 bytes) into chachaState() as §2.3 lays them out. */
export function chachaSetup(key: usize, nonce: usize): void {
  const s = chachaState();
  // §2.3: words 0–3 are the constant "expand 32-byte k" read as little-endian words.
  store<u32>(s, 0x61707865, 0);
  store<u32>(s, 0x3320646e, 4);
  store<u32>(s, 0x79622d32, 8);
  store<u32>(s, 0x6b206574, 12);
  // Words 4–11: the key as eight little-endian words (wasm is little-endian, so a plain copy).
  v128.store(s, v128.load(key), 16);
  v128.store(s, v128.load(key, 16), 32);
  // Word 12 is the block counter (set per chunk); words 13–15 are the nonce.
  store<u32>(s, 0, 48);
  store<u32>(s, load<u32>(nonce, 0), 52);
  store<u32>(s, load<u32>(nonce, 4), 56);
  store<u32>(s, load<u32>(nonce, 8), 60);
}

/** Zeroes the key material and key stream left in static memory. */
export function chachaWipe(): void {
  memory.fill(chachaState(), 0, 64);
  memory.fill(chachaKs(), 0, 512);
}

// Rotations of every 32-bit lane (§2.1 "<<<"). By 16 and 8 they move whole bytes: one byte
// shuffle (pshufb). Written as a swizzle with constant indices, not as i8x16.shuffle: V8 then
// keeps the index vector in a register across the loop instead of rebuilding it for every
// rotation. By 12 and 7 they take two shifts and an OR.
// @ts-ignore: decorator
@inline function rotl16(x: v128): v128 {
  return i8x16.swizzle(x, i8x16(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13));
}
// @ts-ignore: decorator
@inline function rotl8(x: v128): v128 {
  return i8x16.swizzle(x, i8x16(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14));
}
// @ts-ignore: decorator
@inline function rotl12(x: v128): v128 {
  return v128.or(i32x4.shl(x, 12), i32x4.shr_u(x, 20));
}
// @ts-ignore: decorator
@inline function rotl7(x: v128): v128 {
  return v128.or(i32x4.shl(x, 7), i32x4.shr_u(x, 25));
}

// Writes 16 bytes at the same offset of each of four blocks: transposes the four vectors a..d
// (words w..w+3 of the blocks, one block per lane) so that row j is block j's 16 bytes. Then
// either stores them (key stream) or XORs them into src → dst. Each 16-byte piece is loaded
// before it is stored, so dst may equal src.
// @ts-ignore: decorator
@inline function put4(a: v128, b: v128, c: v128, d: v128, src: usize, dst: usize, keyStreamOnly: bool): void {
  const t0 = i32x4.shuffle(a, b, 0, 4, 1, 5); // a0 b0 a1 b1
  const t1 = i32x4.shuffle(c, d, 0, 4, 1, 5); // c0 d0 c1 d1
  const t2 = i32x4.shuffle(a, b, 2, 6, 3, 7); // a2 b2 a3 b3
  const t3 = i32x4.shuffle(c, d, 2, 6, 3, 7); // c2 d2 c3 d3
  const k0 = i64x2.shuffle(t0, t1, 0, 2); // block 0
  const k1 = i64x2.shuffle(t0, t1, 1, 3); // block 1
  const k2 = i64x2.shuffle(t2, t3, 0, 2); // block 2
  const k3 = i64x2.shuffle(t2, t3, 1, 3); // block 3
  if (keyStreamOnly) {
    v128.store(dst, k0, 0);
    v128.store(dst, k1, 64);
    v128.store(dst, k2, 128);
    v128.store(dst, k3, 192);
  } else {
    v128.store(dst, v128.xor(v128.load(src, 0), k0), 0);
    v128.store(dst, v128.xor(v128.load(src, 64), k1), 64);
    v128.store(dst, v128.xor(v128.load(src, 128), k2), 128);
    v128.store(dst, v128.xor(v128.load(src, 192), k3), 192);
  }
}

// Adds the initial state (§2.3, last step) to a group's sixteen vectors and writes its four
// blocks. The state words are reloaded, not kept live through the rounds (no registers to spare).
// @ts-ignore: decorator
@inline function finish4(
  x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128, x6: v128, x7: v128,
  x8: v128, x9: v128, x10: v128, x11: v128, x12: v128, x13: v128, x14: v128, x15: v128,
  counters: v128, src: usize, dst: usize, keyStreamOnly: bool,
): void {
  const s = chachaState();
  put4(
    i32x4.add(x0, v128.load32_splat(s, 0)), i32x4.add(x1, v128.load32_splat(s, 4)),
    i32x4.add(x2, v128.load32_splat(s, 8)), i32x4.add(x3, v128.load32_splat(s, 12)),
    src, dst, keyStreamOnly,
  );
  put4(
    i32x4.add(x4, v128.load32_splat(s, 16)), i32x4.add(x5, v128.load32_splat(s, 20)),
    i32x4.add(x6, v128.load32_splat(s, 24)), i32x4.add(x7, v128.load32_splat(s, 28)),
    src + 16, dst + 16, keyStreamOnly,
  );
  put4(
    i32x4.add(x8, v128.load32_splat(s, 32)), i32x4.add(x9, v128.load32_splat(s, 36)),
    i32x4.add(x10, v128.load32_splat(s, 40)), i32x4.add(x11, v128.load32_splat(s, 44)),
    src + 32, dst + 32, keyStreamOnly,
  );
  put4(
    i32x4.add(x12, counters), i32x4.add(x13, v128.load32_splat(s, 52)),
    i32x4.add(x14, v128.load32_splat(s, 56)), i32x4.add(x15, v128.load32_splat(s, 60)),
    src + 48, dst + 48, keyStreamOnly,
  );
}

// The block function (§2.3) for counters ctr..ctr+3 (and ctr+4..ctr+7 with `eight`), counting
// mod 2^32 as §2.4 does; then finish4. Inlined into the entry points below, so keyStreamOnly and
// eight are constants there and the unused paths disappear.
// @ts-ignore: decorator
@inline function chachaChunk(ctr: u32, src: usize, dst: usize, keyStreamOnly: bool, eight: bool): void {
  const s = chachaState();
  const cx = i32x4.add(i32x4.splat(ctr), i32x4(0, 1, 2, 3));
  const cy = i32x4.add(cx, i32x4.splat(4));
  let x0 = v128.load32_splat(s, 0), x1 = v128.load32_splat(s, 4);
  let x2 = v128.load32_splat(s, 8), x3 = v128.load32_splat(s, 12);
  let x4 = v128.load32_splat(s, 16), x5 = v128.load32_splat(s, 20);
  let x6 = v128.load32_splat(s, 24), x7 = v128.load32_splat(s, 28);
  let x8 = v128.load32_splat(s, 32), x9 = v128.load32_splat(s, 36);
  let x10 = v128.load32_splat(s, 40), x11 = v128.load32_splat(s, 44);
  let x12 = cx, x13 = v128.load32_splat(s, 52);
  let x14 = v128.load32_splat(s, 56), x15 = v128.load32_splat(s, 60);
  // The second group starts from the same state but counters ctr+4..ctr+7 (dead if !eight).
  let y0 = x0, y1 = x1, y2 = x2, y3 = x3, y4 = x4, y5 = x5, y6 = x6, y7 = x7;
  let y8 = x8, y9 = x9, y10 = x10, y11 = x11, y12 = cy, y13 = x13, y14 = x14, y15 = x15;

  // §2.3: 20 rounds = 10 × (column round, diagonal round). Column round: QUARTERROUND(0,4,8,12)
  // (1,5,9,13) (2,6,10,14) (3,7,11,15); diagonal round: (0,5,10,15) (1,6,11,12) (2,7,8,13)
  // (3,4,9,14). Each line is one step of §2.1 (a += b; d ^= a; d <<<= 16, and so on).
  for (let i: usize = 0; i < 10; i++) {
    x0 = i32x4.add(x0, x4); x12 = rotl16(v128.xor(x12, x0));
    x8 = i32x4.add(x8, x12); x4 = rotl12(v128.xor(x4, x8));
    x0 = i32x4.add(x0, x4); x12 = rotl8(v128.xor(x12, x0));
    x8 = i32x4.add(x8, x12); x4 = rotl7(v128.xor(x4, x8));
    x1 = i32x4.add(x1, x5); x13 = rotl16(v128.xor(x13, x1));
    x9 = i32x4.add(x9, x13); x5 = rotl12(v128.xor(x5, x9));
    x1 = i32x4.add(x1, x5); x13 = rotl8(v128.xor(x13, x1));
    x9 = i32x4.add(x9, x13); x5 = rotl7(v128.xor(x5, x9));
    x2 = i32x4.add(x2, x6); x14 = rotl16(v128.xor(x14, x2));
    x10 = i32x4.add(x10, x14); x6 = rotl12(v128.xor(x6, x10));
    x2 = i32x4.add(x2, x6); x14 = rotl8(v128.xor(x14, x2));
    x10 = i32x4.add(x10, x14); x6 = rotl7(v128.xor(x6, x10));
    x3 = i32x4.add(x3, x7); x15 = rotl16(v128.xor(x15, x3));
    x11 = i32x4.add(x11, x15); x7 = rotl12(v128.xor(x7, x11));
    x3 = i32x4.add(x3, x7); x15 = rotl8(v128.xor(x15, x3));
    x11 = i32x4.add(x11, x15); x7 = rotl7(v128.xor(x7, x11));
    if (eight) {
      y0 = i32x4.add(y0, y4); y12 = rotl16(v128.xor(y12, y0));
      y8 = i32x4.add(y8, y12); y4 = rotl12(v128.xor(y4, y8));
      y0 = i32x4.add(y0, y4); y12 = rotl8(v128.xor(y12, y0));
      y8 = i32x4.add(y8, y12); y4 = rotl7(v128.xor(y4, y8));
      y1 = i32x4.add(y1, y5); y13 = rotl16(v128.xor(y13, y1));
      y9 = i32x4.add(y9, y13); y5 = rotl12(v128.xor(y5, y9));
      y1 = i32x4.add(y1, y5); y13 = rotl8(v128.xor(y13, y1));
      y9 = i32x4.add(y9, y13); y5 = rotl7(v128.xor(y5, y9));
      y2 = i32x4.add(y2, y6); y14 = rotl16(v128.xor(y14, y2));
      y10 = i32x4.add(y10, y14); y6 = rotl12(v128.xor(y6, y10));
      y2 = i32x4.add(y2, y6); y14 = rotl8(v128.xor(y14, y2));
      y10 = i32x4.add(y10, y14); y6 = rotl7(v128.xor(y6, y10));
      y3 = i32x4.add(y3, y7); y15 = rotl16(v128.xor(y15, y3));
      y11 = i32x4.add(y11, y15); y7 = rotl12(v128.xor(y7, y11));
      y3 = i32x4.add(y3, y7); y15 = rotl8(v128.xor(y15, y3));
      y11 = i32x4.add(y11, y15); y7 = rotl7(v128.xor(y7, y11));
    }
    x0 = i32x4.add(x0, x5); x15 = rotl16(v128.xor(x15, x0));
    x10 = i32x4.add(x10, x15); x5 = rotl12(v128.xor(x5, x10));
    x0 = i32x4.add(x0, x5); x15 = rotl8(v128.xor(x15, x0));
    x10 = i32x4.add(x10, x15); x5 = rotl7(v128.xor(x5, x10));
    x1 = i32x4.add(x1, x6); x12 = rotl16(v128.xor(x12, x1));
    x11 = i32x4.add(x11, x12); x6 = rotl12(v128.xor(x6, x11));
    x1 = i32x4.add(x1, x6); x12 = rotl8(v128.xor(x12, x1));
    x11 = i32x4.add(x11, x12); x6 = rotl7(v128.xor(x6, x11));
    x2 = i32x4.add(x2, x7); x13 = rotl16(v128.xor(x13, x2));
    x8 = i32x4.add(x8, x13); x7 = rotl12(v128.xor(x7, x8));
    x2 = i32x4.add(x2, x7); x13 = rotl8(v128.xor(x13, x2));
    x8 = i32x4.add(x8, x13); x7 = rotl7(v128.xor(x7, x8));
    x3 = i32x4.add(x3, x4); x14 = rotl16(v128.xor(x14, x3));
    x9 = i32x4.add(x9, x14); x4 = rotl12(v128.xor(x4, x9));
    x3 = i32x4.add(x3, x4); x14 = rotl8(v128.xor(x14, x3));
    x9 = i32x4.add(x9, x14); x4 = rotl7(v128.xor(x4, x9));
    if (eight) {
      y0 = i32x4.add(y0, y5); y15 = rotl16(v128.xor(y15, y0));
      y10 = i32x4.add(y10, y15); y5 = rotl12(v128.xor(y5, y10));
      y0 = i32x4.add(y0, y5); y15 = rotl8(v128.xor(y15, y0));
      y10 = i32x4.add(y10, y15); y5 = rotl7(v128.xor(y5, y10));
      y1 = i32x4.add(y1, y6); y12 = rotl16(v128.xor(y12, y1));
      y11 = i32x4.add(y11, y12); y6 = rotl12(v128.xor(y6, y11));
      y1 = i32x4.add(y1, y6); y12 = rotl8(v128.xor(y12, y1));
      y11 = i32x4.add(y11, y12); y6 = rotl7(v128.xor(y6, y11));
      y2 = i32x4.add(y2, y7); y13 = rotl16(v128.xor(y13, y2));
      y8 = i32x4.add(y8, y13); y7 = rotl12(v128.xor(y7, y8));
      y2 = i32x4.add(y2, y7); y13 = rotl8(v128.xor(y13, y2));
      y8 = i32x4.add(y8, y13); y7 = rotl7(v128.xor(y7, y8));
      y3 = i32x4.add(y3, y4); y14 = rotl16(v128.xor(y14, y3));
      y9 = i32x4.add(y9, y14); y4 = rotl12(v128.xor(y4, y9));
      y3 = i32x4.add(y3, y4); y14 = rotl8(v128.xor(y14, y3));
      y9 = i32x4.add(y9, y14); y4 = rotl7(v128.xor(y4, y9));
    }
  }

  finish4(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15, cx, src, dst, keyStreamOnly);
  if (eight) {
    finish4(
      y0, y1, y2, y3, y4, y5, y6, y7, y8, y9, y10, y11, y12, y13, y14, y15, cy,
      src + 256, dst + 256, keyStreamOnly,
    );
  }
}

/** XORs 512 bytes src → dst with the key stream of blocks ctr..ctr+7. dst may equal src. */
export function chachaXor8(ctr: u32, src: usize, dst: usize): void {
  chachaChunk(ctr, src, dst, false, true);
}

/** Writes the key stream of blocks ctr..ctr+7 to chachaKs(). */
export function chachaKeyStream8(ctr: u32): void {
  chachaChunk(ctr, 0, chachaKs(), true, true);
}

/** Writes the key stream of blocks ctr..ctr+3 to chachaKs(). */
export function chachaKeyStream4(ctr: u32): void {
  chachaChunk(ctr, 0, chachaKs(), true, false);
}

/** dst[i] = src[i] ^ ks[i] for i < len; 16 bytes at a time, then single bytes. dst may equal src. */
export function xorBytes(ks: usize, src: usize, dst: usize, len: usize): void {
  let i: usize = 0;
  for (; i + 16 <= len; i += 16) {
    v128.store(dst + i, v128.xor(v128.load(src + i), v128.load(ks + i)));
  }
  for (; i < len; i++) {
    store<u8>(dst + i, load<u8>(src + i) ^ load<u8>(ks + i));
  }
}

/**
 * XORs len bytes src → dst with the key stream from block `ctr` on (§2.4), after chachaSetup().
 * Whole 512-byte chunks are XORed directly; a shorter rest goes through chachaKs(), computed with
 * eight blocks if it needs more than four. dst may equal src.
 */
export function chachaXorStream(ctr: u32, src: usize, dst: usize, len: usize): void {
  let off: usize = 0;
  for (; off + 512 <= len; off += 512) {
    chachaXor8(ctr, src + off, dst + off);
    ctr += 8;
  }
  const rest = len - off;
  if (rest == 0) return;
  if (rest > 256) chachaKeyStream8(ctr);
  else chachaKeyStream4(ctr);
  xorBytes(chachaKs(), src + off, dst + off, rest);
}

/**
 * RFC 8439 §2.4 ChaCha20 encryption (and decryption): XORs len bytes at src with the key stream
 * of key (32 bytes) and nonce (12 bytes) from block `counter` on, into out. out may equal src.
 */
export function chacha20Xor(key: usize, nonce: usize, counter: u32, src: usize, len: usize, out: usize): void {
  chachaSetup(key, nonce);
  chachaXorStream(counter, src, out, len);
  chachaWipe();
}
