// One-shot AES-CBC and AES-GCM over the WASM core (assembly/crypto/aes.ts, cbc.ts, gcm.ts).
import { read, stage, wipe } from './scratch.js';

/** CBC without padding; arguments already checked by cbc.ts. */
export function aesCbc(key: Uint8Array, iv: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
  const { ctx, ptr: [k, v, d], fn } = stage([key, iv, data]);
  try {
    fn.aesSetKey(ctx, k, key.length);
    (encrypt ? fn.aesCbcEncrypt : fn.aesCbcDecrypt)(ctx, v, d, data.length, d);
    return read(d, data.length);
  } finally {
    wipe(d + data.length - ctx);
  }
}

/** AES-GCM with a 12-byte nonce and a 16-byte tag; arguments already checked by aead.ts. */
export function gcmSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const { ctx, ptr: [k, n, a, d], fn } = stage([key, nonce, aad, [plaintext, plaintext.length + 16]]);
  try {
    fn.gcmSetKey(ctx, k, key.length);
    fn.gcmSeal(ctx, n, a, aad.length, d, plaintext.length, d, 16);
    return read(d, plaintext.length + 16);
  } finally {
    wipe(d + plaintext.length + 16 - ctx);
  }
}

export function gcmOpen(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null {
  const { ctx, ptr: [k, n, a, d], fn } = stage([key, nonce, aad, sealed]);
  const len = sealed.length - 16;
  try {
    fn.gcmSetKey(ctx, k, key.length);
    return fn.gcmOpen(ctx, n, a, aad.length, d, len, d, 16) ? read(d, len) : null;
  } finally {
    wipe(d + sealed.length - ctx);
  }
}
