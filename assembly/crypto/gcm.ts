// AES-GCM (NIST SP 800-38D) with 96-bit IVs, as ESP (RFC 4106) and IKEv2 (RFC 5282) use it.
import { AES_CTX_SIZE, aesSetKey, encryptBlock } from "./aes";
import { blocks, bodyLength, ctrBody, ctrTail, xorKeystream } from "./ctr";
import { GHASH_KEY_SIZE, ghashAC, ghashSetKey } from "./ghash";
import { CTR_KS_AT, CTR_KS_SIZE, GHASH_AT, scratch } from "../scratch";

// Context: the AES key schedules, then GHASH's key data.
const GHASH_KEY: usize = AES_CTX_SIZE;
export const GCM_CTX_SIZE: i32 = AES_CTX_SIZE + GHASH_KEY_SIZE;

/** Expands the AES key and derives the hash subkey H = E_K(0^128) (§6.4). */
export function gcmSetKey(ctx: usize, key: usize, keyLen: i32): void {
  aesSetKey(ctx, key, keyLen);
  ghashSetKey(ctx + GHASH_KEY, encryptBlock(ctx, i64x2.splat(0)), scratch() + GHASH_AT);
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
 * The keystream of the data's blocks after the last whole 128 bytes (from byte `body` on) into ks,
 * computed in one batch with E_K(J0) (ctr.ts), which it returns.
 */
// @ts-ignore: decorator
@inline function tailAndJ0(ctx: usize, nonce: usize, body: usize, len: usize, ks: usize): v128 {
  const n = blocks(len - body);
  ctrTail(ctx, counterBlock(nonce, 2 + <u32>(body >> 4)), n, true, counterBlock(nonce, 1), ks);
  return v128.load(ks + (n << 4));
}

/** The tag before truncation: E_K(J0) ⊕ GHASH_H(A ‖ 0^v ‖ C ‖ 0^u ‖ lengths) (§7.1 steps 5 and 6). */
function tag(ctx: usize, ekj0: v128, aad: usize, aadLen: usize, c: usize, len: usize): v128 {
  return v128.xor(ekj0, ghashAC(ctx + GHASH_KEY, aad, aadLen, c, len, scratch() + GHASH_AT));
}

/**
 * Encrypts len bytes at src into out and writes the tagLen-byte tag (16, 12 or 8; RFC 4106 §8)
 * right after the ciphertext.
 */
export function gcmSeal(
  ctx: usize, nonce: usize, aad: usize, aadLen: usize, src: usize, len: usize, out: usize, tagLen: i32,
): void {
  const body = ctrBody(ctx, counterBlock(nonce, 2), src, len, out);
  const ks = scratch() + CTR_KS_AT;
  const ekj0 = tailAndJ0(ctx, nonce, body, len, ks);
  xorKeystream(src + body, out + body, ks, len - body);
  memory.fill(ks, 0, CTR_KS_SIZE);
  storeTag(out + len, tag(ctx, ekj0, aad, aadLen, out, len), tagLen);
}

/**
 * Verifies the tagLen-byte tag after the len bytes of ciphertext at src, in constant time; only if
 * it matches, decrypts into out and returns 1. Otherwise returns 0 and leaves out untouched.
 */
export function gcmOpen(
  ctx: usize, nonce: usize, aad: usize, aadLen: usize, src: usize, len: usize, out: usize, tagLen: i32,
): i32 {
  const body = bodyLength(len);
  const ks = scratch() + CTR_KS_AT;
  const ok = tagEqual(tag(ctx, tailAndJ0(ctx, nonce, body, len, ks), aad, aadLen, src, len), src + len, tagLen);
  if (ok) {
    ctrBody(ctx, counterBlock(nonce, 2), src, len, out);
    xorKeystream(src + body, out + body, ks, len - body);
  }
  memory.fill(ks, 0, CTR_KS_SIZE);
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
