// CTR mode (SP 800-38A §6.5) over AES, as GCM (SP 800-38D) and ESP AES-CTR (RFC 3686) use it:
// the counter is the last four bytes of the counter block, big-endian, modulo 2^32 (inc32).
import { encrypt4, encryptBlock } from "./aes";
import { inc32, xorTail } from "./block";

/** out = src ⊕ keystream from counter block cb; any length. */
// @ts-ignore: decorator
@inline export function ctrXor(ctx: usize, cb: v128, src: usize, len: usize, out: usize): void {
  let off: usize = 0;
  for (; off + 64 <= len; off += 64) {
    encrypt4(ctx, src + off, out + off, cb, inc32(cb, 1), inc32(cb, 2), inc32(cb, 3));
    cb = inc32(cb, 4);
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
