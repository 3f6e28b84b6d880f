// What the SK payload's algorithms need from the negotiated transforms: node:crypto names, IV,
// block, salt and ICV sizes. IKE's own crypto is node:crypto (src/ike/crypto/prf.ts says why).
//
// Classic ciphers (RFC 7296 §3.14): IV = one block, random (§3.14 "MUST be chosen at random and
// MUST be unpredictable"); ciphertext a whole number of blocks; ICV = the integrity algorithm's
// truncated HMAC (RFC 2404 -96, RFC 4868 §2.3 SHA-2 truncations).
// AEAD (RFC 5282 §3, §7.1; RFC 7634 §2, §3): 8-byte explicit IV; SK_e = key | salt, salt 4 bytes for
// GCM and ChaCha20-Poly1305, 3 for CCM; nonce = salt | IV; ICV = the tag (8, 12 or 16 bytes).

import { ENCR, INTEG } from './constants.js';
import type { HashName } from '../../crypto/prf.js';

export interface SkKeys {
  encr: { id: number; keyLength?: number };
  /** INTEG id; INTEG.NONE with an AEAD cipher. */
  integ: number;
  /** SK_ei / SK_er (for AEADs: key | salt). */
  ke: Uint8Array;
  /** SK_ai / SK_ar; absent with an AEAD. */
  ka?: Uint8Array;
}

export interface ClassicSuite {
  aead: false;
  cipher: string;
  key: Uint8Array;
  block: number;
  iv: number;
  hash: HashName;
  ka: Uint8Array;
  icv: number;
}

export interface AeadSuite {
  aead: true;
  cipher: string;
  /** The AEAD's node:crypto mode, for its quirks (CCM needs plaintextLength). */
  mode: 'gcm' | 'ccm' | 'chacha20-poly1305';
  key: Uint8Array;
  salt: Uint8Array;
  iv: 8;
  icv: number;
  /** Padding granularity: RFC 5282 §3 asks for none, so 1. */
  block: 1;
}

export type Suite = ClassicSuite | AeadSuite;

const INTEGS: Readonly<Record<number, { hash: HashName; key: number; icv: number }>> = {
  [INTEG.HMAC_MD5_96]: { hash: 'md5', key: 16, icv: 12 },
  [INTEG.HMAC_SHA1_96]: { hash: 'sha1', key: 20, icv: 12 },
  [INTEG.HMAC_SHA2_256_128]: { hash: 'sha256', key: 32, icv: 16 },
  [INTEG.HMAC_SHA2_384_192]: { hash: 'sha384', key: 48, icv: 24 },
  [INTEG.HMAC_SHA2_512_256]: { hash: 'sha512', key: 64, icv: 32 },
};

const GCM: Readonly<Record<number, number>> = { [ENCR.AES_GCM_8]: 8, [ENCR.AES_GCM_12]: 12, [ENCR.AES_GCM_16]: 16 };
const CCM: Readonly<Record<number, number>> = { [ENCR.AES_CCM_8]: 8, [ENCR.AES_CCM_12]: 12, [ENCR.AES_CCM_16]: 16 };

function aesBits(keys: SkKeys, keyBytes: number): number {
  const bits = keys.encr.keyLength ?? keyBytes * 8;
  if (![128, 192, 256].includes(bits)) throw new RangeError(`AES key length ${bits} bits`);
  if (bits !== keyBytes * 8) throw new RangeError(`SK_e has ${keyBytes} key bytes for AES-${bits}`);
  return bits;
}

/** The suite for these keys; RangeError for an algorithm this codec doesn't do or keys of the wrong size. */
export function suiteOf(keys: SkKeys): Suite {
  const id = keys.encr.id;
  const aeadTag = GCM[id] ?? CCM[id] ?? (id === ENCR.CHACHA20_POLY1305 ? 16 : 0);
  if (aeadTag) {
    if (keys.integ !== INTEG.NONE) throw new RangeError('an AEAD cipher takes no integrity algorithm (RFC 5282 §8)');
    const saltLen = CCM[id] ? 3 : 4;
    const key = keys.ke.subarray(0, keys.ke.length - saltLen), salt = keys.ke.subarray(keys.ke.length - saltLen);
    if (id === ENCR.CHACHA20_POLY1305) {
      if (key.length !== 32) throw new RangeError(`ChaCha20-Poly1305 needs 32 + 4 bytes of SK_e, got ${keys.ke.length}`);
      return { aead: true, cipher: 'chacha20-poly1305', mode: 'chacha20-poly1305', key, salt, iv: 8, icv: 16, block: 1 };
    }
    const bits = aesBits(keys, key.length), mode = GCM[id] ? 'gcm' : 'ccm';
    return { aead: true, cipher: `aes-${bits}-${mode}`, mode, key, salt, iv: 8, icv: aeadTag, block: 1 };
  }
  const integ = INTEGS[keys.integ];
  if (!integ) throw new RangeError(`integrity algorithm ${keys.integ} is not supported for SK`);
  if (!keys.ka || keys.ka.length !== integ.key) throw new RangeError(`SK_a must be ${integ.key} bytes for integrity algorithm ${keys.integ}`);
  const base = { aead: false as const, hash: integ.hash, ka: keys.ka, icv: integ.icv, key: keys.ke };
  if (id === ENCR.AES_CBC) return { ...base, cipher: `aes-${aesBits(keys, keys.ke.length)}-cbc`, block: 16, iv: 16 };
  if (id === ENCR['3DES']) {
    if (keys.ke.length !== 24) throw new RangeError(`3DES needs 24 bytes of SK_e, got ${keys.ke.length}`);
    return { ...base, cipher: 'des-ede3-cbc', block: 8, iv: 8 };
  }
  throw new RangeError(`encryption algorithm ${id} is not supported for SK`);
}

/** Sizes of an SK payload's framing with these keys: IV, ICV, cipher block (1 for AEADs). */
export function skOverhead(keys: SkKeys): { iv: number; icv: number; block: number; aead: boolean } {
  const s = suiteOf(keys);
  return { iv: s.iv, icv: s.icv, block: s.block, aead: s.aead };
}
