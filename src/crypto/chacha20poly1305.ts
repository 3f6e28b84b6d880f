// ChaCha20-Poly1305 AEAD (RFC 8439 §2.8): one-shot faces of the WASM exports. Arguments are
// validated by aead.ts (32-byte key, 12-byte nonce, sealed ≥ 16 bytes).
import { read, stage, wipe } from './scratch.js';

const TAG = 16;

/** Returns ciphertext ‖ 16-byte tag. */
export function chacha20Poly1305Seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const n = plaintext.length;
  // The output area holds ciphertext ‖ tag; the WASM side encrypts from the staged plaintext.
  const s = stage([key, nonce, aad, plaintext], [n + TAG]);
  const [k, iv, a, p, out] = s.ptr;
  try {
    s.fn.chacha20Poly1305Seal(k, iv, a, aad.length, p, n, out);
    return read(out, n + TAG);
  } finally {
    wipe(out + n + TAG - k); // everything staged, from the key to the end of the output
  }
}

/** Returns the plaintext, or null when the tag does not verify. */
export function chacha20Poly1305Open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null {
  const n = sealed.length - TAG;
  const s = stage([key, nonce, aad, sealed], [n]);
  const [k, iv, a, c, out] = s.ptr;
  try {
    const ok = s.fn.chacha20Poly1305Open(k, iv, a, aad.length, c, n, out);
    return ok === 1 ? read(out, n) : null;
  } finally {
    wipe(out + n - k); // everything staged, from the key to the end of the output
  }
}
