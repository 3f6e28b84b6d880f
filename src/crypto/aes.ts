// placeholder until the AES commit lands
export function aesCbc(key: Uint8Array, iv: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array { throw new Error('not implemented yet'); }
export function gcmSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array { throw new Error('not implemented yet'); }
export function gcmOpen(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null { throw new Error('not implemented yet'); }
