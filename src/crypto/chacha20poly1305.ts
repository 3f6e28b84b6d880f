// placeholder until the ChaCha20-Poly1305 commit lands
export function chacha20Poly1305Seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array { throw new Error('not implemented yet'); }
export function chacha20Poly1305Open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null { throw new Error('not implemented yet'); }
