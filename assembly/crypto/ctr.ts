// CTR mode (SP 800-38A §6.5) over AES, as GCM (SP 800-38D) and ESP AES-CTR (RFC 3686) use it:
// the counter is the last four bytes of the counter block, big-endian, modulo 2^32 (inc32).
// Blocks of keystream are independent, so eight are computed side by side (aes-batch.ts).
import { encryptBlock } from "./aes";
import { crypt4, crypt8 } from "./aes-batch";
import { inc32, xorTail } from "./block";
import { LANES, ctrShared, lowBytes, sharesRounds } from "./ctr-rounds";
import { CTR_KS_AT, CTR_KS_SIZE, scratch } from "../scratch";

/** Zeroes standing in for src when a batch's keystream itself is wanted. Read only. */
const ZEROS: usize = memory.data(128, 16);

/** The bytes of len that ctrBody takes: whole batches of eight blocks. */
// @ts-ignore: decorator
@inline export function bodyLength(len: usize): usize {
  return len & ~(<usize>127);
}

/** out = src ⊕ keystream from counter block cb for the first bodyLength(len) bytes, which it returns. */
// @ts-ignore: decorator
@inline export function ctrBody(ctx: usize, cb: v128, src: usize, len: usize, out: usize): usize {
  const body = bodyLength(len);
  if (body != 0 && sharesRounds(cb, <u32>(body >> 4))) {
    ctrShared(ctx, cb, lowBytes(cb), src, body, out);
    return body;
  }
  for (let off: usize = 0; off < body; off += 128) {
    crypt8(ctx, cb, inc32(cb, 1), inc32(cb, 2), inc32(cb, 3), inc32(cb, 4), inc32(cb, 5), inc32(cb, 6), inc32(cb, 7),
      src + off, out + off);
    cb = inc32(cb, 8);
  }
  return body;
}

/** Counter block i of a tail batch: cb + i, or the extra block in lane n. */
// @ts-ignore: decorator
@inline function lane(cb: v128, i: u32, n: u32, extra: v128): v128 {
  return i == n ? extra : inc32(cb, i);
}

/**
 * The keystream of the n ≤ 8 counter blocks cb, cb+1, … that ctrBody leaves over, and, if
 * withExtra, of one more block `extra` (GCM's E_K(J0), §7.1 step 5), into ks[0..16n) and
 * ks[16n..16n+16): in a batch of four or eight instead of up to nine blocks one at a time. A fifth
 * or ninth block goes alone (measured: 4 + 1 blocks take 180 ns, a batch of eight 205-230). A
 * batch of eight takes ctr-rounds.ts's shared rounds when its blocks share cb's first 15 bytes
 * (GCM's J0 does while the block counter stays below 256: ESP packets up to 4 KB): GCM −8 % time
 * at 100 bytes, −1 to −2 % at 1404. The caller wipes ks (CTR_KS_SIZE bytes) when done with it.
 */
// @ts-ignore: decorator
@inline export function ctrTail(ctx: usize, cb: v128, n: u32, withExtra: bool, extra: v128, ks: usize): void {
  let batch = withExtra ? n + 1 : n;
  if (batch == 5 || batch == 9) {
    batch--;
    v128.store(ks + (batch << 4), encryptBlock(ctx, lane(cb, batch, n, extra)));
  }
  if (batch > 4) {
    // Lane i < n: cb + i; lane n, when it is in the batch (n < 8), extra; no lane is 16.
    const extraLane: u32 = withExtra && n < 8 ? n : 16;
    const first15 = i8x16(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0);
    if (sharesRounds(cb, n) && (extraLane == 16 || !v128.any_true(v128.and(v128.xor(cb, extra), first15)))) {
      const isExtra = i8x16.eq(v128.load(LANES), i8x16.splat(<i8>extraLane));
      const low = v128.bitselect(i8x16.splat(i8x16.extract_lane_u(extra, 15)), lowBytes(cb), isExtra);
      ctrShared(ctx, cb, low, ZEROS, 128, ks);
      return;
    }
    crypt8(ctx, lane(cb, 0, n, extra), lane(cb, 1, n, extra), lane(cb, 2, n, extra), lane(cb, 3, n, extra),
      lane(cb, 4, n, extra), lane(cb, 5, n, extra), lane(cb, 6, n, extra), lane(cb, 7, n, extra), ZEROS, ks);
  } else if (batch > 1) {
    crypt4(ctx, lane(cb, 0, n, extra), lane(cb, 1, n, extra), lane(cb, 2, n, extra), lane(cb, 3, n, extra), ZEROS, ks);
  } else if (batch == 1) v128.store(ks, encryptBlock(ctx, lane(cb, 0, n, extra)));
}

/** out[0..len) = src ⊕ ks, len < 128 + 16. */
// @ts-ignore: decorator
@inline export function xorKeystream(src: usize, out: usize, ks: usize, len: usize): void {
  let off: usize = 0;
  for (; off + 16 <= len; off += 16) v128.store(out + off, v128.xor(v128.load(ks + off), v128.load(src + off)));
  if (off < len) xorTail(src + off, out + off, v128.load(ks + off), len - off);
}

/** Whole blocks in len bytes, the last partial one counted. */
// @ts-ignore: decorator
@inline export function blocks(len: usize): u32 {
  return <u32>((len + 15) >> 4);
}

/** CTR with the 16-byte counter block at ctr (left unchanged); the tail's keystream passes through scratch. */
export function aesCtr(ctx: usize, ctr: usize, src: usize, len: usize, out: usize): void {
  const cb = v128.load(ctr);
  const body = ctrBody(ctx, cb, src, len, out);
  const ks = scratch() + CTR_KS_AT;
  ctrTail(ctx, inc32(cb, <u32>(body >> 4)), blocks(len - body), false, cb, ks);
  xorKeystream(src + body, out + body, ks, len - body);
  memory.fill(ks, 0, CTR_KS_SIZE);
}
