// AEADs: AES-GCM (NIST SP 800-38D; ESP per RFC 4106) and ChaCha20-Poly1305 (RFC 8439; ESP per RFC 7634).
import { bytes, length, oneOf } from './check.js';
import { gcmOpen, gcmSeal } from './aes.js';
import { chacha20Poly1305Open, chacha20Poly1305Seal } from './chacha20poly1305.js';

export const AEAD_ALGS = ['aes-128-gcm', 'aes-192-gcm', 'aes-256-gcm', 'chacha20-poly1305'] as const;
export type AeadAlg = (typeof AEAD_ALGS)[number];

const KEY_BYTES: Record<AeadAlg, number> = {
  'aes-128-gcm': 16, 'aes-192-gcm': 24, 'aes-256-gcm': 32, 'chacha20-poly1305': 32,
};
export const TAG_BYTES = 16;

function check(alg: unknown, key: unknown, nonce: unknown, aad: unknown): AeadAlg {
  const a = oneOf('AEAD algorithm', alg, AEAD_ALGS);
  length('key', key, KEY_BYTES[a]);
  length('nonce', nonce, 12);
  bytes('aad', aad);
  return a;
}

/** Encrypts and authenticates: returns ciphertext ‖ 16-byte tag. */
export function aeadSeal(alg: AeadAlg, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const a = check(alg, key, nonce, aad);
  bytes('plaintext', plaintext);
  return a === 'chacha20-poly1305'
    ? chacha20Poly1305Seal(key, nonce, aad, plaintext)
    : gcmSeal(key, nonce, aad, plaintext);
}

/** Verifies and decrypts ciphertext ‖ tag; `null` when the tag does not verify. */
export function aeadOpen(alg: AeadAlg, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null {
  const a = check(alg, key, nonce, aad);
  bytes('sealed', sealed);
  if (sealed.length < TAG_BYTES) return null;
  return a === 'chacha20-poly1305'
    ? chacha20Poly1305Open(key, nonce, aad, sealed)
    : gcmOpen(key, nonce, aad, sealed);
}
