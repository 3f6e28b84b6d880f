// 3DES (TDEA, keying option 1: three independent keys; NIST SP 800-67 Rev. 2) in CBC mode
// (SP 800-38A §6.2) without padding, for ESP_3DES (RFC 2451). Constant time: see des-block.ts for
// the block function and des-layout.ts for how the S-boxes avoid secret memory indices.
//
// Key (24 bytes) = K1‖K2‖K3, each 8 bytes with its parity bits ignored. IV 8 bytes. `len` must be
// a multiple of 8 (the host checks; extra bytes are left untouched). `out` may equal `src`; other
// overlaps are not supported.
import { KEY_SCHEDULE_BYTES, tdea } from './des-block';
import { desKeySchedule } from './des-keys';

/** Bytes of a 3DES key context: the round keys of K1, K2 and K3. */
export const DES3_CTX_SIZE: i32 = 3 * KEY_SCHEDULE_BYTES;

/** Expands the 24-byte key at `key` into the context at `ctx`. */
export function des3SetKey(ctx: usize, key: usize): void {
  for (let i = 0; i < 3; i++) desKeySchedule(key + <usize>(8 * i), ctx + <usize>(i * KEY_SCHEDULE_BYTES));
}

/** CBC encryption: C_i = E(P_i ⊕ C_{i−1}), C_0 = IV. Each block waits for the previous one, so
 * only half of the two-block function carries data. */
export function des3CbcEncrypt(ctx: usize, iv: usize, src: usize, len: usize, out: usize): void {
  let c = v128.load64_zero(iv);
  for (let i: usize = 0; i + 8 <= len; i += 8) {
    c = tdea(ctx, v128.xor(v128.load64_zero(src + i), c), false);
    v128.store64_lane(out + i, c, 0);
  }
}

/** CBC decryption: P_i = D(C_i) ⊕ C_{i−1}, two blocks per call of the block function. Both
 * ciphertext blocks are read before anything is written, and the last one is kept for the next
 * pair, so decrypting in place works. */
export function des3CbcDecrypt(ctx: usize, iv: usize, src: usize, len: usize, out: usize): void {
  let prev = v128.load64_zero(iv); // C_{i−1} in bytes 0…7
  let i: usize = 0;
  for (; i + 16 <= len; i += 16) {
    const c = v128.load(src + i); // C_i ‖ C_{i+1}
    const chain = i8x16.shuffle(prev, c, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    v128.store(out + i, v128.xor(tdea(ctx, c, true), chain));
    prev = i8x16.shuffle(c, c, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
  }
  if (i + 8 <= len) {
    const c = v128.load64_zero(src + i);
    v128.store64_lane(out + i, v128.xor(tdea(ctx, c, true), prev), 0);
  }
}

/** Zeroes a context. */
export function des3Wipe(ctx: usize): void {
  memory.fill(ctx, 0, <usize>DES3_CTX_SIZE);
}
