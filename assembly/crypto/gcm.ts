// AES-GCM (NIST SP 800-38D) with 96-bit IVs, as ESP (RFC 4106) and IKEv2 (RFC 5282) use it.
//
// Opening is "stitched": for each 128-byte chunk, the CTR keystream of its eight blocks and their
// GHASH are computed in one loop, a GHASH block between AES rounds. AES runs on the vector units
// (swizzles) and GHASH on the scalar multipliers (ghash.ts), so interleaved the CPU can overlap
// them; one pass after the other it cannot (each is far longer than its out-of-order window).
// Measured at 1400 bytes: open +10 %. Sealing, stitched the same way (hashing each chunk's
// ciphertext while the next is encrypted), gained nothing measurable and stays two passes.
import { AES_CTX_SIZE, ENC_KEYS, aesSetKey, encIn, encLast, encRound, encryptBlock } from "./aes";
import { inc32 } from "./block";
import { ctrXor } from "./ctr";
import {
  GHASH_KEY_SIZE, HI, HI_R, LO, LO_R, MID, MID_R, POWER, beWords, bmul64, finish, ghashBlock, ghashBytes,
  ghashSetKey, revWords,
} from "./ghash";

// Context: the AES key schedules, then GHASH's key data.
const GHASH_KEY: usize = AES_CTX_SIZE;
export const GCM_CTX_SIZE: i32 = AES_CTX_SIZE + GHASH_KEY_SIZE;

/** Expands the AES key and derives the hash subkey H = E_K(0^128) (§6.4). */
export function gcmSetKey(ctx: usize, key: usize, keyLen: i32): void {
  aesSetKey(ctx, key, keyLen);
  ghashSetKey(ctx + GHASH_KEY, encryptBlock(ctx, i64x2.splat(0)));
}

export function gcmWipe(ctx: usize): void {
  memory.fill(ctx, 0, GCM_CTX_SIZE);
}

/** J0 = IV ‖ 0^31 ‖ 1 for a 96-bit IV (§7.1 step 2); the data starts at inc32(J0), counter 2. */
// @ts-ignore: decorator
@inline function counterBlock(nonce: usize, counter: u32): v128 {
  const iv = i32x4.replace_lane(v128.load64_zero(nonce), 2, load<u32>(nonce, 8));
  return i32x4.replace_lane(iv, 3, bswap<u32>(counter));
}

/**
 * out[0..128) = src ⊕ the keystream of counter blocks c … c+7, and Y absorbs the 128 bytes at src
 * (GHASH, SP 800-38D §6.4) meanwhile; returns the new Y. src is read before out is written: out
 * may be src.
 */
// @ts-ignore: decorator
@inline function ctrHash8(ctx: usize, c: v128, src: usize, out: usize, y: v128): v128 {
  const nr = load<u32>(ctx);
  const keys = ctx + ENC_KEYS;
  const hk = ctx + GHASH_KEY;
  let k = v128.load(keys);
  let s0 = v128.xor(encIn(c), k);
  let s1 = v128.xor(encIn(inc32(c, 1)), k);
  let s2 = v128.xor(encIn(inc32(c, 2)), k);
  let s3 = v128.xor(encIn(inc32(c, 3)), k);
  let s4 = v128.xor(encIn(inc32(c, 4)), k);
  let s5 = v128.xor(encIn(inc32(c, 5)), k);
  let s6 = v128.xor(encIn(inc32(c, 6)), k);
  let s7 = v128.xor(encIn(inc32(c, 7)), k);
  let lo: u64 = 0, hi: u64 = 0, mid: u64 = 0, loR: u64 = 0, hiR: u64 = 0, midR: u64 = 0;
  // Rounds 1..8 (every key size has at least 10): round r also multiplies block r-1 by H^(9-r).
  for (let r: u32 = 1; r <= 8; r++) {
    k = v128.load(keys + (r << 4));
    s0 = encRound(s0, k);
    s1 = encRound(s1, k);
    s2 = encRound(s2, k);
    s3 = encRound(s3, k);
    s4 = encRound(s4, k);
    s5 = encRound(s5, k);
    s6 = encRound(s6, k);
    s7 = encRound(s7, k);
    const x = v128.load(src + ((r - 1) << 4));
    const w = beWords(r == 1 ? v128.xor(y, x) : x);
    const rv = revWords(r == 1 ? v128.xor(y, x) : x);
    const p = hk + (8 - r) * POWER;
    const x1 = i64x2.extract_lane(w, 0), x0 = i64x2.extract_lane(w, 1);
    const r1 = i64x2.extract_lane(rv, 0), r0 = i64x2.extract_lane(rv, 1);
    lo ^= bmul64(x0, p + LO);
    hi ^= bmul64(x1, p + HI);
    mid ^= bmul64(x0 ^ x1, p + MID);
    loR ^= bmul64(r0, p + LO_R);
    hiR ^= bmul64(r1, p + HI_R);
    midR ^= bmul64(r0 ^ r1, p + MID_R);
  }
  for (let r: u32 = 9; r < nr; r++) {
    k = v128.load(keys + (r << 4));
    s0 = encRound(s0, k);
    s1 = encRound(s1, k);
    s2 = encRound(s2, k);
    s3 = encRound(s3, k);
    s4 = encRound(s4, k);
    s5 = encRound(s5, k);
    s6 = encRound(s6, k);
    s7 = encRound(s7, k);
  }
  k = v128.load(keys + (nr << 4));
  v128.store(out, v128.xor(encLast(s0, k), v128.load(src)));
  v128.store(out, v128.xor(encLast(s1, k), v128.load(src, 16)), 16);
  v128.store(out, v128.xor(encLast(s2, k), v128.load(src, 32)), 32);
  v128.store(out, v128.xor(encLast(s3, k), v128.load(src, 48)), 48);
  v128.store(out, v128.xor(encLast(s4, k), v128.load(src, 64)), 64);
  v128.store(out, v128.xor(encLast(s5, k), v128.load(src, 80)), 80);
  v128.store(out, v128.xor(encLast(s6, k), v128.load(src, 96)), 96);
  v128.store(out, v128.xor(encLast(s7, k), v128.load(src, 112)), 112);
  return finish(lo, hi, mid, loR, hiR, midR);
}

/** The tag before truncation from Y after A and C: E_K(J0) ⊕ GHASH(A, C) (§7.1 steps 4-6). */
function tag(ctx: usize, nonce: usize, y: v128, aadLen: usize, len: usize): v128 {
  // [len(A)]64 ‖ [len(C)]64, in bits, big-endian.
  y = ghashBlock(ctx + GHASH_KEY, y, i64x2(bswap<u64>(<u64>aadLen << 3), bswap<u64>(<u64>len << 3)));
  return v128.xor(encryptBlock(ctx, counterBlock(nonce, 1)), y);
}

/**
 * Encrypts len bytes at src into out and writes the tagLen-byte tag (16, 12 or 8; RFC 4106 §8)
 * right after the ciphertext.
 */
export function gcmSeal(
  ctx: usize, nonce: usize, aad: usize, aadLen: usize, src: usize, len: usize, out: usize, tagLen: i32,
): void {
  ctrXor(ctx, counterBlock(nonce, 2), src, len, out);
  let y = ghashBytes(ctx + GHASH_KEY, i64x2.splat(0), aad, aadLen);
  y = ghashBytes(ctx + GHASH_KEY, y, out, len);
  storeTag(out + len, tag(ctx, nonce, y, aadLen, len), tagLen);
}

/**
 * Verifies the tagLen-byte tag after the len bytes of ciphertext at src, in constant time, and
 * decrypts into out. Returns 1 if the tag matches; otherwise 0, with out zeroed: no unauthenticated
 * plaintext is left behind (RFC 5116 §2.2). The two are done together (see the header), so with out
 * equal to src a packet that fails loses its ciphertext too — it is dropped anyway.
 */
export function gcmOpen(
  ctx: usize, nonce: usize, aad: usize, aadLen: usize, src: usize, len: usize, out: usize, tagLen: i32,
): i32 {
  const hk = ctx + GHASH_KEY;
  let y = ghashBytes(hk, i64x2.splat(0), aad, aadLen);
  let cb = counterBlock(nonce, 2);
  let off: usize = 0;
  for (; off + 128 <= len; off += 128) {
    y = ctrHash8(ctx, cb, src + off, out + off, y);
    cb = inc32(cb, 8);
  }
  y = ghashBytes(hk, y, src + off, len - off); // the tail is hashed before it is decrypted (out may be src)
  const ok = tagEqual(tag(ctx, nonce, y, aadLen, len), src + len, tagLen);
  ctrXor(ctx, cb, src + off, len - off, out + off);
  if (!ok) memory.fill(out, 0, len);
  return ok;
}

/** Whether the first n bytes (16, 12 or 8) of t equal those at p; no early exit. */
function tagEqual(t: v128, p: usize, n: i32): i32 {
  let got = v128.load64_zero(p);
  if (n >= 12) got = i32x4.replace_lane(got, 2, load<u32>(p, 8));
  if (n == 16) got = i32x4.replace_lane(got, 3, load<u32>(p, 12));
  const keep = n == 16 ? i8x16.splat(-1) : n == 12 ? i32x4(-1, -1, -1, 0) : i64x2(-1, 0);
  return <i32>!v128.any_true(v128.and(v128.xor(t, got), keep));
}

function storeTag(p: usize, t: v128, n: i32): void {
  if (n == 16) v128.store(p, t);
  else if (n == 12) {
    v128.store64_lane(p, t, 0);
    v128.store32_lane(p + 8, t, 2);
  } else v128.store64_lane(p, t, 0);
}
