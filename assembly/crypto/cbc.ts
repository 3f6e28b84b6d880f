// CBC mode (SP 800-38A §6.2) over AES, without padding: ESP pads itself (RFC 4303 §2.4, RFC 3602).
import { DEC_KEYS, ENC_KEYS, decIn, decLast, decRound, decryptBlock, encIn, encLast, encRound, encryptBlock, roundRotations } from "./aes";

/** Continues a CBC chain from the previous ciphertext block c; returns the last one. */
// @ts-ignore: decorator
@inline function chain(ctx: usize, c: v128, src: usize, len: usize, out: usize): v128 {
  for (let off: usize = 0; off < len; off += 16) {
    c = encryptBlock(ctx, v128.xor(c, v128.load(src + off)));
    v128.store(out + off, c);
  }
  return c;
}

/** Encryption; len a multiple of 16. Each block needs the one before: serial by nature. */
export function aesCbcEncrypt(ctx: usize, iv: usize, src: usize, len: usize, out: usize): void {
  chain(ctx, v128.load(iv), src, len, out);
}

// A CBC encryption job in memory: ctx, iv, src, len, out as five u32.
export const CBC_JOB_SIZE: i32 = 20;

/**
 * Encrypts n independent messages (several packets, of one SA or several) described by the jobs
 * at `jobs`. One message is a serial chain of blocks that leaves most of the CPU idle; four chains
 * side by side fill it ("multi-buffer", as Intel's IPsec library does it). Each job's result is
 * what aesCbcEncrypt would give. Four jobs go together when their keys have the same number of
 * rounds, for as many blocks as the shortest has; the rest runs one chain at a time.
 */
export function aesCbcEncryptJobs(jobs: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) fourJobs(jobs + <usize>j * CBC_JOB_SIZE);
  for (; j < n; j++) {
    const p = jobs + <usize>j * CBC_JOB_SIZE;
    aesCbcEncrypt(load<usize>(p), load<usize>(p, 4), load<usize>(p, 8), load<usize>(p, 12), load<usize>(p, 16));
  }
}

function fourJobs(p: usize): void {
  const x0 = load<usize>(p), x1 = load<usize>(p, 20), x2 = load<usize>(p, 40), x3 = load<usize>(p, 60);
  const src0 = load<usize>(p, 8), src1 = load<usize>(p, 28), src2 = load<usize>(p, 48), src3 = load<usize>(p, 68);
  const len0 = load<usize>(p, 12), len1 = load<usize>(p, 32), len2 = load<usize>(p, 52), len3 = load<usize>(p, 72);
  const out0 = load<usize>(p, 16), out1 = load<usize>(p, 36), out2 = load<usize>(p, 56), out3 = load<usize>(p, 76);
  let c0 = v128.load(load<usize>(p, 4)), c1 = v128.load(load<usize>(p, 24));
  let c2 = v128.load(load<usize>(p, 44)), c3 = v128.load(load<usize>(p, 64));
  const nr = load<u32>(x0);
  const together = nr == load<u32>(x1) && nr == load<u32>(x2) && nr == load<u32>(x3)
    ? min(min(len0, len1), min(len2, len3)) : 0;
  const k0 = x0 + ENC_KEYS, k1 = x1 + ENC_KEYS, k2 = x2 + ENC_KEYS, k3 = x3 + ENC_KEYS;
  let off: usize = 0;
  for (; off < together; off += 16) {
    let s0 = v128.xor(encIn(v128.xor(c0, v128.load(src0 + off))), v128.load(k0));
    let s1 = v128.xor(encIn(v128.xor(c1, v128.load(src1 + off))), v128.load(k1));
    let s2 = v128.xor(encIn(v128.xor(c2, v128.load(src2 + off))), v128.load(k2));
    let s3 = v128.xor(encIn(v128.xor(c3, v128.load(src3 + off))), v128.load(k3));
    for (let r: u32 = 1; r < nr; r++) {
      const rk = r << 4;
      const rots = roundRotations(r);
      s0 = encRound(s0, v128.load(k0 + rk), rots);
      s1 = encRound(s1, v128.load(k1 + rk), rots);
      s2 = encRound(s2, v128.load(k2 + rk), rots);
      s3 = encRound(s3, v128.load(k3 + rk), rots);
    }
    const rk = nr << 4;
    c0 = encLast(s0, v128.load(k0 + rk), nr);
    c1 = encLast(s1, v128.load(k1 + rk), nr);
    c2 = encLast(s2, v128.load(k2 + rk), nr);
    c3 = encLast(s3, v128.load(k3 + rk), nr);
    v128.store(out0 + off, c0);
    v128.store(out1 + off, c1);
    v128.store(out2 + off, c2);
    v128.store(out3 + off, c3);
  }
  chain(x0, c0, src0 + off, len0 - off, out0 + off);
  chain(x1, c1, src1 + off, len1 - off, out1 + off);
  chain(x2, c2, src2 + off, len2 - off, out2 + off);
  chain(x3, c3, src3 + off, len3 - off, out3 + off);
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
