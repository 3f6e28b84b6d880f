// The Merkle–Damgård frame shared by SHA-1, SHA-256, SHA-384 and SHA-512 (FIPS 180-4): which
// compression function and sizes an algorithm uses, the buffering of a message given in pieces,
// the padding of §5.1 and the big-endian output of §6.1.2, §6.2.2, §6.4.2 and §6.5.
//
// A running hash is a "stream", a small structure in memory that the caller provides (best
// 16-aligned; WebAssembly does not require it):
//   +0    H      the chaining value: 5 or 8 native u32 (SHA-1, SHA-256) or 8 native u64
//   +64   block  the partial block not yet compressed (one block, up to 128 bytes)
//   +192  fill   how many bytes of `block` are used (u32)
//   +200  total  message length so far in bytes (u64)
// Full blocks are compressed straight from the caller's data; only a tail is copied. HMAC restarts
// a stream from a chaining value it precomputed (`resume`). Branches depend on lengths only.
// Small copies and fills are open-coded: on the per-packet HMAC path, calls to V8's memory.copy and
// memory.fill helpers cost more than the few stores they replace.
import { sha1Blocks, sha1Init } from "./sha1";
import { sha256Blocks, sha256Init } from "./sha256";
import { sha384Init, sha512Blocks, sha512Init } from "./sha512";

export const HASH_SHA1: i32 = 1;
export const HASH_SHA256: i32 = 2;
export const HASH_SHA384: i32 = 3;
export const HASH_SHA512: i32 = 4;

/** Offset of the block buffer in a stream. */
export const S_BLOCK: usize = 64;
const S_FILL: usize = 192;
const S_TOTAL: usize = 200;
export const STREAM_SIZE: usize = 208;
/** Bytes of a chaining value as stored (the largest, SHA-512's 8 × u64). */
export const CHAIN_SIZE: usize = 64;

export function isHashAlg(alg: i32): bool {
  return alg >= HASH_SHA1 && alg <= HASH_SHA512;
}

/** Message block size in bytes: 512 bits for SHA-1/256, 1024 bits for SHA-384/512 (§1, Figure 1). */
// @ts-ignore: decorator
@inline export function blockSize(alg: i32): usize {
  return alg >= HASH_SHA384 ? 128 : 64;
}

/** Digest size in bytes (§1, Figure 1). */
export function digestSize(alg: i32): usize {
  return alg == HASH_SHA1 ? 20 : alg == HASH_SHA256 ? 32 : alg == HASH_SHA384 ? 48 : 64;
}

/** Sets the chaining value at `H` to the algorithm's H(0) (§5.3). */
export function initChain(alg: i32, H: usize): void {
  if (alg == HASH_SHA1) sha1Init(H);
  else if (alg == HASH_SHA256) sha256Init(H);
  else if (alg == HASH_SHA384) sha384Init(H);
  else sha512Init(H);
}

/** Compresses the `n` whole blocks at `p` into the chaining value at `H`. */
export function compress(alg: i32, H: usize, p: usize, n: usize): void {
  if (alg == HASH_SHA1) sha1Blocks(H, p, n);
  else if (alg == HASH_SHA256) sha256Blocks(H, p, n);
  else sha512Blocks(H, p, n);
}

/** Copies a chaining value (CHAIN_SIZE bytes). */
function copyChain(dst: usize, src: usize): void {
  v128.store(dst, v128.load(src, 0), 0);
  v128.store(dst, v128.load(src, 16), 16);
  v128.store(dst, v128.load(src, 32), 32);
  v128.store(dst, v128.load(src, 48), 48);
}

/** Zeroes the `n` bytes (a multiple of 16) at `p`. */
export function zero16(p: usize, n: usize): void {
  const z = i64x2.splat(0);
  for (let i: usize = 0; i < n; i += 16) v128.store(p + i, z);
}

/** Copies `n` bytes from `src` to `dst`, 8 at a time, then one at a time; neither range is over-read. */
function copySmall(dst: usize, src: usize, n: usize): void {
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) store<u64>(dst + i, load<u64>(src + i));
  for (; i < n; i++) store<u8>(dst + i, load<u8>(src + i));
}

/** Starts stream `s` on an empty message. */
export function start(s: usize, alg: i32): void {
  initChain(alg, s);
  store<u32>(s + S_FILL, 0);
  store<u64>(s + S_TOTAL, 0);
}

/**
 * Restarts stream `s` from the chaining value at `H`, which `total` bytes of message (a whole
 * number of blocks) led to. HMAC uses this to skip recompressing the padded key. The first `fill`
 * bytes already in the stream's block buffer count as message after those `total` bytes.
 */
export function resume(s: usize, H: usize, total: usize, fill: usize): void {
  copyChain(s, H);
  store<u32>(s + S_FILL, <u32>fill);
  store<u64>(s + S_TOTAL, <u64>(total + fill));
}

/** Adds the `len` bytes at `p` to the message of stream `s`. */
export function absorb(s: usize, alg: i32, p: usize, len: usize): void {
  const bs = blockSize(alg);
  const B = s + S_BLOCK;
  let fill = <usize>load<u32>(s + S_FILL);
  store<u64>(s + S_TOTAL, load<u64>(s + S_TOTAL) + <u64>len);
  if (fill != 0) {
    // Top up the partial block first; compress it once full.
    const take = min(bs - fill, len);
    copySmall(B + fill, p, take);
    fill += take;
    p += take;
    len -= take;
    if (fill < bs) {
      store<u32>(s + S_FILL, <u32>fill);
      return;
    }
    compress(alg, s, B, 1);
  }
  const whole = len & ~(bs - 1);
  if (whole != 0) compress(alg, s, p, whole >> (bs == 64 ? 6 : 7));
  fill = len - whole;
  copySmall(B, p + whole, fill);
  store<u32>(s + S_FILL, <u32>fill);
}

/**
 * Pads the message (§5.1.1, §5.1.2: a 1 bit, zeros, then the length in bits big-endian in the last
 * 64 or 128 bits of a block), compresses the last block(s) and writes the digest to `out`
 * (big-endian words, §6.1.2, §6.2.2, §6.4.2; SHA-384 keeps the first six, §6.5). `out` may be the
 * stream's own block buffer, but not its chaining value.
 */
export function finish(s: usize, alg: i32, out: usize): void {
  const bs = blockSize(alg);
  const B = s + S_BLOCK;
  let i = <usize>load<u32>(s + S_FILL);
  const bits = load<u64>(s + S_TOTAL) << 3;
  store<u8>(B + i, 0x80);
  i++;
  // The length field takes 8 bytes (SHA-1/256) or 16 (SHA-384/512); if it no longer fits, the
  // padding spills into one more block.
  if (i > bs - (bs >> 3)) {
    for (; i & 15; i++) store<u8>(B + i, 0);
    zero16(B + i, bs - i);
    compress(alg, s, B, 1);
    i = 0;
  }
  // Our lengths fit in 64 bits, so the upper half of SHA-512's 128-bit field is zero padding.
  for (; i & 7; i++) store<u8>(B + i, 0);
  for (; i < bs - 8; i += 8) store<u64>(B + i, 0);
  store<u64>(B + bs - 8, bswap<u64>(bits));
  compress(alg, s, B, 1);
  const n = digestSize(alg);
  if (bs == 64) {
    for (i = 0; i < n; i += 4) store<u32>(out + i, bswap<u32>(load<u32>(s + i)));
  } else {
    for (i = 0; i < n; i += 8) store<u64>(out + i, bswap<u64>(load<u64>(s + i)));
  }
}
