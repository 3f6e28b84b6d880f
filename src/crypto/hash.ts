// placeholder until the SHA / HMAC commit lands
export const HASH_ALGS = ['sha1', 'sha256', 'sha384', 'sha512'] as const;
export type HashAlg = (typeof HASH_ALGS)[number];
export function hash(alg: HashAlg, data: Uint8Array): Uint8Array { throw new Error('not implemented yet'); }
export function hmac(alg: HashAlg, key: Uint8Array, data: Uint8Array): Uint8Array { throw new Error('not implemented yet'); }
