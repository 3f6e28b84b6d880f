// ChaCha20 (RFC 8439 §2.1–§2.4), four blocks at a time with v128.
//
// Layout ("vertical"): vector x[i] holds state word i of four consecutive blocks, one block per
// lane, so a quarter round (§2.1) on a column or diagonal is the same four vector operations for
// all four blocks and no lane ever has to move during the 20 rounds. Only at the end are the
// sixteen vectors transposed (4×4 of 32-bit lanes, four times) into the four 64-byte blocks.
//
// The state of the current call lives in static memory (CHACHA_STATE, 64 bytes) and a partial
// chunk's key stream in CHACHA_KS (256 bytes); callers wipe both with chachaWipe() before they
// return. Nothing here branches on or indexes memory by key, nonce or data.

/** §2.3 initial state of the current call; word 12 (the block counter) is supplied per chunk. */
export const CHACHA_STATE: usize = memory.data(64, 16);
/** Key stream of the last chunk produced by chachaKeyStream4(): four 64-byte blocks. */
export const CHACHA_KS: usize = memory.data(256, 16);

/** Bytes produced per call of the four-block core. */
export const CHUNK: usize = 256;

/** Loads key (32 bytes) and nonce (12 bytes) into CHACHA_STATE as §2.3 lays them out. */
export function chachaSetup(key: usize, nonce: usize): void {
  const s = CHACHA_STATE;
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
  memory.fill(CHACHA_STATE, 0, 64);
  memory.fill(CHACHA_KS, 0, CHUNK);
}

// Rotations of every 32-bit lane (§2.1 "<<<"). By 16 and 8 they move whole bytes, so one byte
// shuffle does it; by 12 and 7 they need two shifts and an OR.
// @ts-ignore: decorator
@inline function rotl16(x: v128): v128 {
  return i8x16.shuffle(x, x, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
}
// @ts-ignore: decorator
@inline function rotl8(x: v128): v128 {
  return i8x16.shuffle(x, x, 3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
}
// @ts-ignore: decorator
@inline function rotl12(x: v128): v128 {
  return v128.or(i32x4.shl(x, 12), i32x4.shr_u(x, 20));
}
// @ts-ignore: decorator
@inline function rotl7(x: v128): v128 {
  return v128.or(i32x4.shl(x, 7), i32x4.shr_u(x, 25));
}

// Writes 16 bytes at the same offset of each of the four blocks: transposes the four vectors
// a..d (words w..w+3 of blocks 0..3, one block per lane) so that row j is block j's 16 bytes.
// Then either stores them (key stream) or XORs them into src → dst. Each 16-byte piece is loaded
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

// The block function (§2.3) for counters ctr..ctr+3 (mod 2^32, as §2.4 counts), then put4.
// Inlined into its two callers so that keyStreamOnly is a constant there.
// @ts-ignore: decorator
@inline function chachaChunk(ctr: u32, src: usize, dst: usize, keyStreamOnly: bool): void {
  const s = CHACHA_STATE;
  const lanes = i32x4(0, 1, 2, 3);
  let x0 = v128.load32_splat(s, 0), x1 = v128.load32_splat(s, 4);
  let x2 = v128.load32_splat(s, 8), x3 = v128.load32_splat(s, 12);
  let x4 = v128.load32_splat(s, 16), x5 = v128.load32_splat(s, 20);
  let x6 = v128.load32_splat(s, 24), x7 = v128.load32_splat(s, 28);
  let x8 = v128.load32_splat(s, 32), x9 = v128.load32_splat(s, 36);
  let x10 = v128.load32_splat(s, 40), x11 = v128.load32_splat(s, 44);
  let x12 = i32x4.add(i32x4.splat(ctr), lanes), x13 = v128.load32_splat(s, 52);
  let x14 = v128.load32_splat(s, 56), x15 = v128.load32_splat(s, 60);

  // §2.3: 20 rounds = 10 × (column round, diagonal round). The four quarter rounds of a round
  // are independent; they are written step by step side by side so each step has four
  // independent vector operations in flight.
  for (let i = 0; i < 10; i++) {
    // Column round: QUARTERROUND(0,4,8,12) (1,5,9,13) (2,6,10,14) (3,7,11,15).
    x0 = i32x4.add(x0, x4); x1 = i32x4.add(x1, x5); x2 = i32x4.add(x2, x6); x3 = i32x4.add(x3, x7);
    x12 = rotl16(v128.xor(x12, x0)); x13 = rotl16(v128.xor(x13, x1));
    x14 = rotl16(v128.xor(x14, x2)); x15 = rotl16(v128.xor(x15, x3));
    x8 = i32x4.add(x8, x12); x9 = i32x4.add(x9, x13); x10 = i32x4.add(x10, x14); x11 = i32x4.add(x11, x15);
    x4 = rotl12(v128.xor(x4, x8)); x5 = rotl12(v128.xor(x5, x9));
    x6 = rotl12(v128.xor(x6, x10)); x7 = rotl12(v128.xor(x7, x11));
    x0 = i32x4.add(x0, x4); x1 = i32x4.add(x1, x5); x2 = i32x4.add(x2, x6); x3 = i32x4.add(x3, x7);
    x12 = rotl8(v128.xor(x12, x0)); x13 = rotl8(v128.xor(x13, x1));
    x14 = rotl8(v128.xor(x14, x2)); x15 = rotl8(v128.xor(x15, x3));
    x8 = i32x4.add(x8, x12); x9 = i32x4.add(x9, x13); x10 = i32x4.add(x10, x14); x11 = i32x4.add(x11, x15);
    x4 = rotl7(v128.xor(x4, x8)); x5 = rotl7(v128.xor(x5, x9));
    x6 = rotl7(v128.xor(x6, x10)); x7 = rotl7(v128.xor(x7, x11));
    // Diagonal round: QUARTERROUND(0,5,10,15) (1,6,11,12) (2,7,8,13) (3,4,9,14).
    x0 = i32x4.add(x0, x5); x1 = i32x4.add(x1, x6); x2 = i32x4.add(x2, x7); x3 = i32x4.add(x3, x4);
    x15 = rotl16(v128.xor(x15, x0)); x12 = rotl16(v128.xor(x12, x1));
    x13 = rotl16(v128.xor(x13, x2)); x14 = rotl16(v128.xor(x14, x3));
    x10 = i32x4.add(x10, x15); x11 = i32x4.add(x11, x12); x8 = i32x4.add(x8, x13); x9 = i32x4.add(x9, x14);
    x5 = rotl12(v128.xor(x5, x10)); x6 = rotl12(v128.xor(x6, x11));
    x7 = rotl12(v128.xor(x7, x8)); x4 = rotl12(v128.xor(x4, x9));
    x0 = i32x4.add(x0, x5); x1 = i32x4.add(x1, x6); x2 = i32x4.add(x2, x7); x3 = i32x4.add(x3, x4);
    x15 = rotl8(v128.xor(x15, x0)); x12 = rotl8(v128.xor(x12, x1));
    x13 = rotl8(v128.xor(x13, x2)); x14 = rotl8(v128.xor(x14, x3));
    x10 = i32x4.add(x10, x15); x11 = i32x4.add(x11, x12); x8 = i32x4.add(x8, x13); x9 = i32x4.add(x9, x14);
    x5 = rotl7(v128.xor(x5, x10)); x6 = rotl7(v128.xor(x6, x11));
    x7 = rotl7(v128.xor(x7, x8)); x4 = rotl7(v128.xor(x4, x9));
  }

  // §2.3: add the initial state to the result, word by word (reloaded rather than kept live,
  // which would need sixteen more registers), then serialize in little-endian order.
  x0 = i32x4.add(x0, v128.load32_splat(s, 0)); x1 = i32x4.add(x1, v128.load32_splat(s, 4));
  x2 = i32x4.add(x2, v128.load32_splat(s, 8)); x3 = i32x4.add(x3, v128.load32_splat(s, 12));
  put4(x0, x1, x2, x3, src, dst, keyStreamOnly);
  x4 = i32x4.add(x4, v128.load32_splat(s, 16)); x5 = i32x4.add(x5, v128.load32_splat(s, 20));
  x6 = i32x4.add(x6, v128.load32_splat(s, 24)); x7 = i32x4.add(x7, v128.load32_splat(s, 28));
  put4(x4, x5, x6, x7, src + 16, dst + 16, keyStreamOnly);
  x8 = i32x4.add(x8, v128.load32_splat(s, 32)); x9 = i32x4.add(x9, v128.load32_splat(s, 36));
  x10 = i32x4.add(x10, v128.load32_splat(s, 40)); x11 = i32x4.add(x11, v128.load32_splat(s, 44));
  put4(x8, x9, x10, x11, src + 32, dst + 32, keyStreamOnly);
  x12 = i32x4.add(x12, i32x4.add(i32x4.splat(ctr), lanes)); x13 = i32x4.add(x13, v128.load32_splat(s, 52));
  x14 = i32x4.add(x14, v128.load32_splat(s, 56)); x15 = i32x4.add(x15, v128.load32_splat(s, 60));
  put4(x12, x13, x14, x15, src + 48, dst + 48, keyStreamOnly);
}

/** XORs 256 bytes src → dst with the key stream of blocks ctr..ctr+3. dst may equal src. */
export function chachaXor4(ctr: u32, src: usize, dst: usize): void {
  chachaChunk(ctr, src, dst, false);
}

/** Writes the key stream of blocks ctr..ctr+3 to CHACHA_KS. */
export function chachaKeyStream4(ctr: u32): void {
  chachaChunk(ctr, 0, CHACHA_KS, true);
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
 * XORs len bytes src → dst with the key stream starting at block `ctr` (§2.4), after
 * chachaSetup(). Returns nothing; the caller wipes with chachaWipe().
 */
export function chachaXorStream(ctr: u32, src: usize, dst: usize, len: usize): void {
  let off: usize = 0;
  for (; off + CHUNK <= len; off += CHUNK) {
    chachaXor4(ctr, src + off, dst + off);
    ctr += 4;
  }
  if (off < len) {
    chachaKeyStream4(ctr);
    xorBytes(CHACHA_KS, src + off, dst + off, len - off);
  }
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
