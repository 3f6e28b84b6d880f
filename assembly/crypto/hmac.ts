// HMAC (RFC 2104, FIPS 198-1) over SHA-1, SHA-256, SHA-384 and SHA-512, shaped for ESP
// (RFC 2404, RFC 4868): a key is set up once per SA into a context, and each packet then costs only
// the compressions of its own data plus the outer hash's one block.
//
// HMAC(K, m) = H((K0 ⊕ opad) ‖ H((K0 ⊕ ipad) ‖ m)), where K0 is the key, hashed first if longer
// than the block, padded with zeros to a block (RFC 2104 §2). K0 ⊕ ipad and K0 ⊕ opad are one
// block each, so their compressed chaining values are all a packet needs: the context keeps those
// two and never the key.
//
// Context layout (HMAC_CTX_SIZE bytes; best 16-aligned):
//   +0    algorithm (i32, HASH_*)
//   +64   chaining value after compressing K0 ⊕ ipad
//   +128  chaining value after compressing K0 ⊕ opad
import {
  absorb, blockSize, compress, digestSize, finish, initChain, isHashAlg, resume,
  S_BLOCK, start, STREAM_SIZE, zero16,
} from "./digest";
import { wipeSchedule } from "./schedule";
import { HMAC_K0_AT, HMAC_STREAM_AT, HMAC_T_AT, scratch } from "../scratch";

export const HMAC_CTX_SIZE: i32 = 192;
const C_INNER: usize = 64;
const C_OUTER: usize = 128;

// Scratch of this instance (assembly/scratch.ts): a running hash, the padded key block K0, and the
// MAC being verified. Wiped before each call returns.
// @ts-ignore: decorator
@inline function S(): usize { return scratch() + HMAC_STREAM_AT; }
// @ts-ignore: decorator
@inline function K0(): usize { return scratch() + HMAC_K0_AT; }
// @ts-ignore: decorator
@inline function T(): usize { return scratch() + HMAC_T_AT; }

/** XORs the `n` bytes (a multiple of 16) at `p` with the byte `pad`. */
function xorPad(p: usize, n: usize, pad: u8): void {
  const v = i8x16.splat(pad);
  for (let i: usize = 0; i < n; i += 16) v128.store(p + i, v128.xor(v128.load(p + i), v));
}

/**
 * Sets context `ctx` up for key `key` (`keyLen` bytes) and hash `alg` (HASH_*). The key may be
 * any length; keys longer than the block are hashed first (RFC 2104 §2).
 */
export function hmacSetKey(ctx: usize, alg: i32, key: usize, keyLen: usize): void {
  if (!isHashAlg(alg)) abort("hmacSetKey: unknown algorithm");
  const bs = blockSize(alg);
  zero16(K0(), 128);
  if (keyLen > bs) {
    start(S(), alg);
    absorb(S(), alg, key, keyLen);
    finish(S(), alg, K0());
  } else {
    memory.copy(K0(), key, keyLen);
  }
  // ipad = 0x36 repeated, opad = 0x5c repeated (RFC 2104 §2); the second XOR turns one into the other.
  xorPad(K0(), bs, 0x36);
  initChain(alg, ctx + C_INNER);
  compress(alg, ctx + C_INNER, K0(), 1);
  xorPad(K0(), bs, 0x36 ^ 0x5c);
  initChain(alg, ctx + C_OUTER);
  compress(alg, ctx + C_OUTER, K0(), 1);
  store<i32>(ctx, alg);
  // K0, the key's hash and the message schedule of the last two blocks are all key material.
  zero16(K0(), 128);
  zero16(S(), STREAM_SIZE);
  wipeSchedule();
}

/**
 * The full-length MAC of `data` ‖ `data2` into `out`; returns its length. Leaves the scratch
 * stream dirty with the outer block (the inner hash) and the MAC; no key material.
 */
function mac(ctx: usize, data: usize, len: usize, data2: usize, len2: usize, out: usize): usize {
  const alg = load<i32>(ctx);
  if (!isHashAlg(alg)) abort("hmac: context has no key");
  const bs = blockSize(alg);
  const n = digestSize(alg);
  resume(S(), ctx + C_INNER, bs, 0);
  absorb(S(), alg, data, len);
  if (len2 != 0) absorb(S(), alg, data2, len2);
  // The inner hash is written straight into the stream's block buffer, where the outer hash,
  // restarted from K0 ⊕ opad, takes it as its message.
  finish(S(), alg, S() + S_BLOCK);
  resume(S(), ctx + C_OUTER, bs, n);
  finish(S(), alg, out);
  return n;
}

/** Writes HMAC(key, data) to `out` (the full digest size). `out` may overlap `data`. */
export function hmacCompute(ctx: usize, data: usize, len: usize, out: usize): void {
  mac(ctx, data, len, 0, 0, out);
  zero16(S(), STREAM_SIZE);
}

/**
 * Writes HMAC(key, data ‖ data2) to `out` without joining the two pieces (ESP with extended
 * sequence numbers authenticates the high 32 bits after the packet, RFC 4303 §3.3.2.1).
 */
export function hmacCompute2(ctx: usize, data: usize, len: usize, data2: usize, len2: usize, out: usize): void {
  mac(ctx, data, len, data2, len2, out);
  zero16(S(), STREAM_SIZE);
}

/**
 * 1 if the first `icvLen` bytes of HMAC(key, data ‖ data2) equal the `icvLen` bytes at `icv`, else 0.
 * Every byte is compared, whatever differs (no early exit). An `icvLen` of 0 or above the digest
 * size never verifies: a zero-length tag would accept anything.
 */
export function hmacVerify(ctx: usize, data: usize, len: usize, data2: usize, len2: usize, icv: usize, icvLen: usize): i32 {
  const n = mac(ctx, data, len, data2, len2, T());
  let diff: u32 = 0;
  for (let i: usize = 0; i < icvLen && i < n; i++) diff |= load<u8>(T() + i) ^ load<u8>(icv + i);
  zero16(S(), STREAM_SIZE);
  zero16(T(), 64);
  // diff is 0..255: diff - 1 has its top bit set only when diff == 0.
  const ok = (diff - 1) >> 31;
  return <i32>(ok & <u32>(icvLen != 0 && icvLen <= n));
}

/** Zeroes context `ctx` (when its SA dies): its chaining values are as good as the key. */
export function hmacWipe(ctx: usize): void {
  memory.fill(ctx, 0, <usize>HMAC_CTX_SIZE);
}
