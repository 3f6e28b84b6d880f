// CTR mode (SP 800-38A §6.5) over AES, as GCM (SP 800-38D) and ESP AES-CTR (RFC 3686) use it:
// the counter is the last four bytes of the counter block, big-endian, modulo 2^32 (inc32).
// Blocks of keystream are independent, so eight are computed side by side: the CPU overlaps their
// rounds (measured: 8 at once is ~20 % faster than 4, and 4 than 1 by far).
import { ENC_KEYS, encIn, encLast, encRound, encryptBlock } from "./aes";
import { inc32, xorTail } from "./block";

/** out[0..128) = src ⊕ the keystream of counter blocks c, c+1, …, c+7. */
// @ts-ignore: decorator
@inline function ctr8(ctx: usize, c: v128, src: usize, out: usize): void {
  const nr = load<u32>(ctx);
  const keys = ctx + ENC_KEYS;
  let k = v128.load(keys);
  let s0 = v128.xor(encIn(c), k);
  let s1 = v128.xor(encIn(inc32(c, 1)), k);
  let s2 = v128.xor(encIn(inc32(c, 2)), k);
  let s3 = v128.xor(encIn(inc32(c, 3)), k);
  let s4 = v128.xor(encIn(inc32(c, 4)), k);
  let s5 = v128.xor(encIn(inc32(c, 5)), k);
  let s6 = v128.xor(encIn(inc32(c, 6)), k);
  let s7 = v128.xor(encIn(inc32(c, 7)), k);
  for (let r: u32 = 1; r < nr; r++) {
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
}

/** The same for four blocks (short packets, tails). */
// @ts-ignore: decorator
@inline function ctr4(ctx: usize, c: v128, src: usize, out: usize): void {
  const nr = load<u32>(ctx);
  const keys = ctx + ENC_KEYS;
  let k = v128.load(keys);
  let s0 = v128.xor(encIn(c), k);
  let s1 = v128.xor(encIn(inc32(c, 1)), k);
  let s2 = v128.xor(encIn(inc32(c, 2)), k);
  let s3 = v128.xor(encIn(inc32(c, 3)), k);
  for (let r: u32 = 1; r < nr; r++) {
    k = v128.load(keys + (r << 4));
    s0 = encRound(s0, k);
    s1 = encRound(s1, k);
    s2 = encRound(s2, k);
    s3 = encRound(s3, k);
  }
  k = v128.load(keys + (nr << 4));
  v128.store(out, v128.xor(encLast(s0, k), v128.load(src)));
  v128.store(out, v128.xor(encLast(s1, k), v128.load(src, 16)), 16);
  v128.store(out, v128.xor(encLast(s2, k), v128.load(src, 32)), 32);
  v128.store(out, v128.xor(encLast(s3, k), v128.load(src, 48)), 48);
}

/** out = src ⊕ keystream from counter block cb; any length. */
// @ts-ignore: decorator
@inline export function ctrXor(ctx: usize, cb: v128, src: usize, len: usize, out: usize): void {
  let off: usize = 0;
  for (; off + 128 <= len; off += 128) {
    ctr8(ctx, cb, src + off, out + off);
    cb = inc32(cb, 8);
  }
  if (off + 64 <= len) {
    ctr4(ctx, cb, src + off, out + off);
    cb = inc32(cb, 4);
    off += 64;
  }
  for (; off + 16 <= len; off += 16) {
    v128.store(out + off, v128.xor(encryptBlock(ctx, cb), v128.load(src + off)));
    cb = inc32(cb, 1);
  }
  if (off < len) xorTail(src + off, out + off, encryptBlock(ctx, cb), len - off);
}

/** CTR with the 16-byte counter block at ctr (left unchanged). */
export function aesCtr(ctx: usize, ctr: usize, src: usize, len: usize, out: usize): void {
  ctrXor(ctx, v128.load(ctr), src, len, out);
}
