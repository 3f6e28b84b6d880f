// CBC without padding (ESP pads itself, RFC 4303 §2.4): AES (RFC 3602) and 3DES (RFC 2451).
import { length, oneOf, bytes } from './check.js';
import { aesCbc } from './aes.js';
import { des3Cbc } from './des.js';

export const CBC_ALGS = ['aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc', '3des-cbc'] as const;
export type CbcAlg = (typeof CBC_ALGS)[number];

const KEY_BYTES: Record<CbcAlg, number> = { 'aes-128-cbc': 16, 'aes-192-cbc': 24, 'aes-256-cbc': 32, '3des-cbc': 24 };

function run(alg: unknown, key: unknown, iv: unknown, data: unknown, encrypt: boolean): Uint8Array {
  const a = oneOf('CBC algorithm', alg, CBC_ALGS);
  const block = a === '3des-cbc' ? 8 : 16;
  length('key', key, KEY_BYTES[a]);
  length('iv', iv, block);
  const d = bytes('data', data);
  if (d.length % block !== 0) throw new RangeError(`data must be a multiple of ${block} bytes, got ${d.length}`);
  return a === '3des-cbc'
    ? des3Cbc(key as Uint8Array, iv as Uint8Array, d, encrypt)
    : aesCbc(key as Uint8Array, iv as Uint8Array, d, encrypt);
}

export function cbcEncrypt(alg: CbcAlg, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  return run(alg, key, iv, data, true);
}

export function cbcDecrypt(alg: CbcAlg, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  return run(alg, key, iv, data, false);
}
