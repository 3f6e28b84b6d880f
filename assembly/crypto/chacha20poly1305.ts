// AEAD_CHACHA20_POLY1305 (RFC 8439 §2.8), used by ESP as RFC 7634 describes.
//
// The first ChaCha20 call (counters 0..3, or 0..7 for data longer than 192 bytes) yields both the
// Poly1305 one-time key (block 0, §2.6) and the key stream for the first 192 or 448 bytes (§2.8
// starts encryption at counter 1).
//
// Poly1305 runs after ChaCha20 (seal) or before it (open, which must check the tag before it
// writes anything). Running Poly1305's integer steps between the vector rounds of ChaCha20 was
// tried and measured slower under V8: the combined loop allocates registers worse than the two
// loops apart gain from overlapping.
import {
  chachaKs, chachaKeyStream4, chachaKeyStream8, chachaSetup, chachaWipe, chachaXorStream, xorBytes,
} from "./chacha20";
import { CHACHA_TAG_AT, scratch } from "../scratch";
import { HIBIT_FULL, polyBlock, polyBlocks, polyFinish, polyInit, polyPadded } from "./poly1305";

export { chacha20Xor } from "./chacha20";
export { poly1305Mac } from "./poly1305";

/** The tag computed by Open, compared with the received one; wiped after use. */
// @ts-ignore: decorator
@inline function expected(): usize { return scratch() + CHACHA_TAG_AT; }

// §2.6 + §2.8: key and nonce set up, the first four or eight blocks computed, Poly1305 keyed with
// the first 32 bytes of block 0 (the other 32 bytes of block 0 are discarded, as §2.6 says).
// Returns how many bytes of key stream follow block 0 in chachaKs().
function begin(key: usize, nonce: usize, len: usize): usize {
  chachaSetup(key, nonce);
  let first: usize;
  if (len <= 192) {
    chachaKeyStream4(0);
    first = 192;
  } else {
    chachaKeyStream8(0);
    first = 448;
  }
  polyInit(chachaKs());
  return first;
}

// §2.8 encryption from counter 1: the key stream left by begin(), then the following blocks.
function crypt(src: usize, dst: usize, len: usize, first: usize): void {
  const n = len < first ? len : first;
  xorBytes(chachaKs() + 64, src, dst, n);
  chachaXorStream((<u32>first >> 6) + 1, src + n, dst + n, len - n);
}

// §2.8 MAC data after aad ‖ pad16 ‖ ciphertext ‖ pad16 (polyPadded): the two lengths as
// little-endian 64-bit numbers. Then the tag.
function macLengths(aadLen: usize, len: usize, tag: usize): void {
  store<u64>(polyBlock(), <u64>aadLen, 0);
  store<u64>(polyBlock(), <u64>len, 8);
  polyBlocks(polyBlock(), 1, HIBIT_FULL);
  polyFinish(tag);
}

/**
 * Seals len bytes at src: ciphertext to out, 16-byte tag to out + len. key is 32 bytes, nonce
 * 12 bytes (§2.8: 32-bit fixed-common part ‖ 64-bit IV). out may equal src.
 */
export function chacha20Poly1305Seal(
  key: usize, nonce: usize, aad: usize, aadLen: usize, src: usize, len: usize, out: usize,
): void {
  const first = begin(key, nonce, len);
  crypt(src, out, len, first);
  // §2.8 MAC data: aad ‖ pad16 ‖ ciphertext ‖ pad16 ‖ le64(aad length) ‖ le64(ciphertext length).
  polyPadded(aad, aadLen);
  polyPadded(out, len);
  macLengths(aadLen, len, out + len);
  chachaWipe();
}

/**
 * Opens len bytes of ciphertext at src followed by its 16-byte tag. The tag is checked first,
 * in constant time; only if it matches is the plaintext written to out (out may equal src) and
 * 1 returned. Otherwise out is left untouched and 0 returned.
 */
export function chacha20Poly1305Open(
  key: usize, nonce: usize, aad: usize, aadLen: usize, src: usize, len: usize, out: usize,
): i32 {
  const first = begin(key, nonce, len);
  polyPadded(aad, aadLen);
  polyPadded(src, len);
  macLengths(aadLen, len, expected());
  // All 16 bytes are compared at once (XOR, then one "any bit set" test): no early exit.
  const ok = !v128.any_true(v128.xor(v128.load(expected()), v128.load(src + len)));
  v128.store(expected(), i64x2.splat(0));
  if (ok) crypt(src, out, len, first);
  chachaWipe();
  return ok ? 1 : 0;
}
