// CBC mode (SP 800-38A §6.2) over AES, without padding: ESP pads itself (RFC 4303 §2.4, RFC 3602).
import { DEC_KEYS, decIn, decLast, decRound, decryptBlock, encryptBlock } from "./aes";

/** Encryption; len a multiple of 16. Each block needs the one before: serial by nature. */
export function aesCbcEncrypt(ctx: usize, iv: usize, src: usize, len: usize, out: usize): void {
  let c = v128.load(iv);
  for (let off: usize = 0; off < len; off += 16) {
    c = encryptBlock(ctx, v128.xor(c, v128.load(src + off)));
    v128.store(out + off, c);
  }
}

/** CBC decryption, four blocks at a time (blocks are independent); in place allowed. */
export function aesCbcDecrypt(ctx: usize, iv: usize, src: usize, len: usize, out: usize): void {
  const nr = load<u32>(ctx);
  const keys = ctx + DEC_KEYS;
  let prev = v128.load(iv);
  let off: usize = 0;
  for (; off + 64 <= len; off += 64) {
    const c0 = v128.load(src + off);
    const c1 = v128.load(src + off, 16);
    const c2 = v128.load(src + off, 32);
    const c3 = v128.load(src + off, 48);
    let k = v128.load(keys);
    let s0 = v128.xor(decIn(c0), k);
    let s1 = v128.xor(decIn(c1), k);
    let s2 = v128.xor(decIn(c2), k);
    let s3 = v128.xor(decIn(c3), k);
    for (let r: u32 = 1; r < nr; r++) {
      k = v128.load(keys + (r << 4));
      s0 = decRound(s0, k);
      s1 = decRound(s1, k);
      s2 = decRound(s2, k);
      s3 = decRound(s3, k);
    }
    k = v128.load(keys + (nr << 4));
    v128.store(out + off, v128.xor(decLast(s0, k), prev));
    v128.store(out + off, v128.xor(decLast(s1, k), c0), 16);
    v128.store(out + off, v128.xor(decLast(s2, k), c1), 32);
    v128.store(out + off, v128.xor(decLast(s3, k), c2), 48);
    prev = c3;
  }
  for (; off < len; off += 16) {
    const c = v128.load(src + off);
    v128.store(out + off, v128.xor(decryptBlock(ctx, c), prev));
    prev = c;
  }
}
