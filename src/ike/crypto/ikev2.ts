// IKEv2 key derivation, RFC 7296 §2.13-2.18, and the PSK AUTH value (§2.15). Every input is the
// octet string as it travels: nonces without payload headers, SPIs as the 8 bytes of the header,
// g^ir as the fixed-length shared secret from dh.ts.
//
// Only HMAC PRFs are implemented. For them the PRF key of SKEYSEED is Ni | Nr in full (§2.14; the
// 64-bit truncation applies only to AES-XCBC/CMAC-PRF-128). Checked against strongSwan 5.9.8's
// logs in test/vectors/ikev2-keys.ts.
import { concat, wipe } from './bytes.js';
import { hashBytes, prf, prfPlus, type HashName } from './prf.js';

/** SKEYSEED = prf(Ni | Nr, g^ir) (RFC 7296 §2.14). */
export function skeyseed(prfHash: HashName, Ni: Uint8Array, Nr: Uint8Array, gir: Uint8Array): Uint8Array {
  const key = concat(Ni, Nr);
  try {
    return prf(prfHash, key, gir);
  } finally {
    wipe(key);
  }
}

export interface IkeKeySizes {
  /** SK_d, SK_pi, SK_pr: the PRF's preferred key length (§2.13; for HMAC its output length). Defaults to it. */
  d?: number;
  /** Integrity keys; 0 with an AEAD cipher (RFC 5282 §7). */
  ai: number;
  ar: number;
  /** Encryption keys, including the salt for AEADs (RFC 5282 §7.1: GCM 4 bytes, CCM 3). */
  ei: number;
  er: number;
  pi?: number;
  pr?: number;
}

export interface IkeKeys {
  SK_d: Uint8Array;
  SK_ai: Uint8Array;
  SK_ar: Uint8Array;
  SK_ei: Uint8Array;
  SK_er: Uint8Array;
  SK_pi: Uint8Array;
  SK_pr: Uint8Array;
}

/**
 * {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 * (RFC 7296 §2.14), taken in this order. For a rekeyed IKE SA (§2.18) pass the new SKEYSEED, the
 * new nonces and the new SPIs.
 */
export function deriveIkeKeys(p: {
  prf: HashName;
  skeyseed: Uint8Array;
  Ni: Uint8Array;
  Nr: Uint8Array;
  SPIi: Uint8Array;
  SPIr: Uint8Array;
  sizes: IkeKeySizes;
}): IkeKeys {
  const h = hashBytes(p.prf);
  const s = p.sizes;
  const lengths = [s.d ?? h, s.ai, s.ar, s.ei, s.er, s.pi ?? h, s.pr ?? h];
  for (const n of lengths) if (!Number.isInteger(n) || n < 0) throw new RangeError(`key sizes must be non-negative integers, got ${n}`);
  for (const [name, spi] of [['SPIi', p.SPIi], ['SPIr', p.SPIr]] as const) {
    if (spi.length !== 8) throw new RangeError(`${name} must be 8 bytes, got ${spi.length}`);
  }
  const seed = concat(p.Ni, p.Nr, p.SPIi, p.SPIr);
  const stream = prfPlus(p.prf, p.skeyseed, seed, lengths.reduce((a, b) => a + b, 0));
  const parts: Uint8Array[] = [];
  let o = 0;
  for (const n of lengths) {
    parts.push(stream.slice(o, o + n));
    o += n;
  }
  wipe(stream, seed);
  const [SK_d, SK_ai, SK_ar, SK_ei, SK_er, SK_pi, SK_pr] = parts;
  return { SK_d, SK_ai, SK_ar, SK_ei, SK_er, SK_pi, SK_pr };
}

/**
 * Child SA keying material (RFC 7296 §2.17):
 *   KEYMAT = prf+(SK_d, Ni | Nr)                    (IKE_AUTH, or CREATE_CHILD_SA without KE)
 *   KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr)       (CREATE_CHILD_SA with KE payloads, PFS)
 * with the nonces of the exchange that creates the SA. The caller takes, in order, the encryption
 * and integrity keys of the initiator-to-responder SA, then those of the other direction (§2.17),
 * each encryption key followed by its salt for AEADs and CTR.
 */
export function childKeys(prfHash: HashName, SK_d: Uint8Array, gir: Uint8Array | undefined, Ni: Uint8Array, Nr: Uint8Array, bytes: number): Uint8Array {
  const seed = concat(gir ?? new Uint8Array(0), Ni, Nr);
  try {
    return prfPlus(prfHash, SK_d, seed, bytes);
  } finally {
    wipe(seed);
  }
}

/**
 * SKEYSEED of a rekeyed IKE SA (RFC 7296 §2.18): SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr),
 * with the nonces of the CREATE_CHILD_SA exchange; the keys then come from deriveIkeKeys with the
 * new SPIs. The old SA's PRF is used here, the new SA's PRF in deriveIkeKeys.
 */
export function rekeySkeyseed(prfHash: HashName, SK_d_old: Uint8Array, gir_new: Uint8Array, Ni: Uint8Array, Nr: Uint8Array): Uint8Array {
  return prf(prfHash, SK_d_old, gir_new, Ni, Nr);
}

/** "Key Pad for IKEv2" (RFC 7296 §2.15), 17 ASCII octets without a terminator. */
export const KEY_PAD = new TextEncoder().encode('Key Pad for IKEv2');

/**
 * The signed octets' MAC for ID payload bodies (RFC 7296 §2.15): prf(SK_px, IDx'), where IDx' is
 * the ID payload without its generic header and SK_px is SK_pi for the initiator, SK_pr for the
 * responder.
 */
export function macedId(prfHash: HashName, SK_px: Uint8Array, IDx_: Uint8Array): Uint8Array {
  return prf(prfHash, SK_px, IDx_);
}

/**
 * AUTH for shared-key authentication (RFC 7296 §2.15):
 *   AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), <InitiatorSignedOctets> )
 * where the signed octets are the first message of the sender | the peer's nonce | macedId(…).
 */
export function pskAuth(prfHash: HashName, sharedSecret: Uint8Array, signedOctets: Uint8Array): Uint8Array {
  const k = prf(prfHash, sharedSecret, KEY_PAD);
  try {
    return prf(prfHash, k, signedOctets);
  } finally {
    wipe(k);
  }
}
