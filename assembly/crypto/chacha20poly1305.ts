// AEAD_CHACHA20_POLY1305 (RFC 8439 §2.8), used by ESP as RFC 7634 describes.
//
// One four-block ChaCha20 call at counters 0..3 yields both the Poly1305 one-time key (block 0,
// §2.6) and the key stream for the first 192 bytes (blocks 1..3, §2.8 starts encryption at
// counter 1), so a short packet costs one four-block call; longer data continues at counter 4.
import {
  CHACHA_KS, CHUNK, chachaKeyStream4, chachaSetup, chachaWipe, chachaXorStream, xorBytes,
} from "./chacha20";
import { HIBIT_FULL, POLY_BLOCK, polyBlocks, polyFinish, polyInit, polyPadded } from "./poly1305";

export { chacha20Xor } from "./chacha20";
export { poly1305Mac } from "./poly1305";

/** Key stream bytes of the first four-block call that remain after the 64-byte Poly1305 block. */
const FIRST: usize = CHUNK - 64;
/** The tag computed by Open, compared with the received one; wiped after use. */
const EXPECTED: usize = memory.data(16, 16);

// §2.6 + §2.8: key/nonce set up, first four blocks computed, Poly1305 keyed with the first 32
// bytes of block 0 (the other 32 bytes of block 0 are discarded, as §2.6 says).
function begin(key: usize, nonce: usize): void {
  chachaSetup(key, nonce);
  chachaKeyStream4(0);
  polyInit(CHACHA_KS);
}

// §2.8 encryption: blocks 1..3 from the first call, then counter 4 onward.
function crypt(src: usize, dst: usize, len: usize): void {
  const first = len < FIRST ? len : FIRST;
  xorBytes(CHACHA_KS + 64, src, dst, first);
  if (len > FIRST) chachaXorStream(4, src + FIRST, dst + FIRST, len - FIRST);
}

// §2.8 MAC data: aad ‖ pad16 ‖ ciphertext ‖ pad16 ‖ le64(aad length) ‖ le64(ciphertext length).
function mac(aad: usize, aadLen: usize, ct: usize, len: usize, tag: usize): void {
  polyPadded(aad, aadLen);
  polyPadded(ct, len);
  store<u64>(POLY_BLOCK, <u64>aadLen, 0);
  store<u64>(POLY_BLOCK, <u64>len, 8);
  polyBlocks(POLY_BLOCK, 1, HIBIT_FULL);
  polyFinish(tag);
}

/**
 * Seals len bytes at src: ciphertext to out, 16-byte tag to out + len. key is 32 bytes, nonce
 * 12 bytes (§2.8: 32-bit fixed-common part ‖ 64-bit IV). out may equal src.
 */
export function chacha20Poly1305Seal(
  key: usize, nonce: usize, aad: usize, aadLen: usize, src: usize, len: usize, out: usize,
): void {
  begin(key, nonce);
  crypt(src, out, len);
  mac(aad, aadLen, out, len, out + len);
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
  begin(key, nonce);
  mac(aad, aadLen, src, len, EXPECTED);
  // All 16 bytes are compared at once (XOR, then one "any bit set" test): no early exit.
  const ok = !v128.any_true(v128.xor(v128.load(EXPECTED), v128.load(src + len)));
  v128.store(EXPECTED, i64x2.splat(0));
  if (ok) crypt(src, out, len);
  chachaWipe();
  return ok ? 1 : 0;
}
