// placeholder until the 3DES commit lands
export function des3Cbc(key: Uint8Array, iv: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array { throw new Error('not implemented yet'); }
