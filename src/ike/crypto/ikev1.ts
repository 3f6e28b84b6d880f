// IKEv1 key derivation and payload encryption: RFC 2409 §5 (SKEYID and its three children, the
// phase-1 HASHes), §5.5 (Quick Mode HASHes and KEYMAT), §5.7 (Informational HASH) and Appendix B
// (the encryption key Ka and the CBC IVs). Each function is one formula, written above it.
//
// Notation (RFC 2409 §3.2): "|" is concatenation, prf is the HMAC of the negotiated hash, "_b"
// means the body of a payload (without its generic header), CKY-I/CKY-R are the ISAKMP cookies
// (the 8-byte SPIs of the header), g^xy is the D-H shared secret as the fixed-length octet string
// that dh.ts returns, and M-ID is the 4-byte message ID from the ISAKMP header, big-endian.
//
// Where the RFC leaves room, we do what strongSwan 5.9 does (libcharon/sa/ikev1/keymat_v1.c,
// iv_manager.c, encoding/payloads/encrypted_payload.c), checked against its logs in
// test/vectors/ikev1-keys.ts:
// - Ka: expanded with K1 = prf(SKEYID_e, 0x00) (a single zero octet), K2 = prf(SKEYID_e, K1), …
//   when SKEYID_e is shorter than the key (AES-256 or 3DES with SHA-1 or MD5); else truncated.
// - KEYMAT: K1 = prf(SKEYID_d, seed), Kn = prf(SKEYID_d, Kn-1 | seed) — the RFC's expansion.
// - Padding: zero octets up to the next block boundary, always at least one (a full block when the
//   payloads end on a boundary), and no pad-length octet. See padPayloads().
// - With ECDSA authentication (RFC 4754 methods 9-11) strongSwan computes HASH_I/HASH_R with
//   HMAC-SHA-256/384/512 keyed with SKEYID, whatever the negotiated hash: hashI/hashR take the hash
//   to use so the exchange code can do the same.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { concat, u32be, u8, wipe } from './bytes.js';
import { hashBytes, hashOf, prf, type HashName } from './prf.js';

const OCTET_0 = Uint8Array.of(0);
const OCTET_1 = Uint8Array.of(1);
const OCTET_2 = Uint8Array.of(2);

// ---- SKEYID (RFC 2409 §5) -----------------------------------------------------------------------

/** Pre-shared key authentication (RFC 2409 §5): SKEYID = prf(pre-shared-key, Ni_b | Nr_b). */
export function skeyidPsk(hash: HashName, psk: Uint8Array, Ni_b: Uint8Array, Nr_b: Uint8Array): Uint8Array {
  return prf(hash, psk, Ni_b, Nr_b);
}

/**
 * Signature authentication (RFC 2409 §5): SKEYID = prf(Ni_b | Nr_b, g^xy). The PRF key is the
 * two nonces in full (HMAC hashes keys longer than its block).
 */
export function skeyidSig(hash: HashName, Ni_b: Uint8Array, Nr_b: Uint8Array, gxy: Uint8Array): Uint8Array {
  const key = concat(Ni_b, Nr_b);
  try {
    return prf(hash, key, gxy);
  } finally {
    wipe(key);
  }
}

export interface IsakmpKeys {
  /** Keys the Quick Mode KEYMAT (§5.5). */
  SKEYID_d: Uint8Array;
  /** Keys the phase-2 and Informational HASHes (§5.5, §5.7). */
  SKEYID_a: Uint8Array;
  /** The source of Ka (Appendix B). */
  SKEYID_e: Uint8Array;
  /** The ISAKMP SA's encryption key, encKeyBytes long (Appendix B). */
  Ka: Uint8Array;
}

/**
 * RFC 2409 §5:
 *   SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 *   SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 *   SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 * where 0, 1, 2 are single octets; then Ka from SKEYID_e (Appendix B, see expandKa).
 */
export function deriveIsakmpKeys(p: {
  hash: HashName;
  skeyid: Uint8Array;
  gxy: Uint8Array;
  ckyI: Uint8Array;
  ckyR: Uint8Array;
  encKeyBytes: number;
}): IsakmpKeys {
  const { hash, skeyid, gxy, ckyI, ckyR } = p;
  cookie('ckyI', ckyI);
  cookie('ckyR', ckyR);
  const SKEYID_d = prf(hash, skeyid, gxy, ckyI, ckyR, OCTET_0);
  const SKEYID_a = prf(hash, skeyid, SKEYID_d, gxy, ckyI, ckyR, OCTET_1);
  const SKEYID_e = prf(hash, skeyid, SKEYID_a, gxy, ckyI, ckyR, OCTET_2);
  return { SKEYID_d, SKEYID_a, SKEYID_e, Ka: expandKa(hash, SKEYID_e, p.encKeyBytes) };
}

function cookie(name: string, c: Uint8Array): void {
  if (c.length !== 8) throw new RangeError(`${name} must be the 8-byte ISAKMP cookie, got ${c.length} bytes`);
}

/**
 * The encryption key Ka (RFC 2409 Appendix B). When SKEYID_e is at least as long as the key, Ka
 * is its first keyBytes bytes. Otherwise
 *   Ka = K1 | K2 | K3 | …,  K1 = prf(SKEYID_e, 0),  K2 = prf(SKEYID_e, K1),  K3 = prf(SKEYID_e, K2), …
 * truncated to keyBytes, where "0" is one zero octet (strongSwan's keymat_v1.c expand_skeyid_e,
 * which interoperates with the other implementations on exactly this reading).
 * Weak DES keys are not checked: 3DES keys are used as derived (strongSwan does the same).
 */
export function expandKa(hash: HashName, SKEYID_e: Uint8Array, keyBytes: number): Uint8Array {
  if (!Number.isInteger(keyBytes) || keyBytes < 0) throw new RangeError(`key length must be a non-negative integer, got ${keyBytes}`);
  if (SKEYID_e.length >= keyBytes) return SKEYID_e.slice(0, keyBytes);
  const block = hashBytes(hash);
  const out = new Uint8Array(Math.ceil(keyBytes / block) * block);
  let k: Uint8Array = OCTET_0;
  for (let o = 0; o < keyBytes; o += block) {
    k = prf(hash, SKEYID_e, k);
    out.set(k, o);
  }
  const Ka = out.slice(0, keyBytes);
  wipe(out, k);
  return Ka;
}

// ---- IVs (RFC 2409 Appendix B) -------------------------------------------------------------------

/**
 * The first phase-1 IV (Appendix B): hash(g^xi | g^xr), the plain negotiated hash (not the
 * PRF), truncated to the cipher's block size. g^xi is the initiator's public value and g^xr the
 * responder's, whichever side computes it. Later phase-1 messages chain: each uses the last
 * ciphertext block of the previous message as its IV.
 */
export function phase1Iv(hash: HashName, gxi: Uint8Array, gxr: Uint8Array, blockBytes: number): Uint8Array {
  return truncate(hashOf(hash, gxi, gxr), blockBytes);
}

/**
 * The first IV of a phase-2 exchange (Appendix B): hash(last phase-1 CBC output block | M-ID),
 * truncated to the block size. It starts every exchange after phase 1, one chain per message ID:
 * Quick Mode, and also each Informational exchange (§5.7, which is encrypted like Quick Mode);
 * within an exchange, the messages chain on the last ciphertext block as in phase 1.
 * lastBlock is where the phase-1 IV chain stands when phase 1 is over: the last ciphertext block of
 * the last encrypted phase-1 message (Main Mode message 6), or the initial phase-1 IV if no phase-1
 * message was encrypted (strongSwan's iv_manager.c hashes its current phase-1 IV).
 */
export function phase2Iv(hash: HashName, lastBlock: Uint8Array, messageId: number, blockBytes: number): Uint8Array {
  return truncate(hashOf(hash, lastBlock, u32be(messageId)), blockBytes);
}

function truncate(h: Uint8Array, n: number): Uint8Array {
  if (!Number.isInteger(n) || n <= 0 || n > h.length) throw new RangeError(`block size ${n} does not fit a ${h.length}-byte hash`);
  return h.slice(0, n);
}

// ---- Phase-1 authentication (RFC 2409 §5) --------------------------------------------------------

/** The inputs both phase-1 HASHes share. g^xi/CKY-I are the initiator's, whichever side computes. */
export interface Phase1HashInput {
  /** The PRF's hash: the negotiated one, or for ECDSA (RFC 4754) the method's SHA-2 (see top of file). */
  hash: HashName;
  skeyid: Uint8Array;
  gxi: Uint8Array;
  gxr: Uint8Array;
  ckyI: Uint8Array;
  ckyR: Uint8Array;
  /** The initiator's SA payload body: the whole SA payload minus its generic header (§5). */
  SAi_b: Uint8Array;
}

/** HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b) (RFC 2409 §5). */
export function hashI(p: Phase1HashInput & { IDii_b: Uint8Array }): Uint8Array {
  cookie('ckyI', p.ckyI);
  cookie('ckyR', p.ckyR);
  return prf(p.hash, p.skeyid, p.gxi, p.gxr, p.ckyI, p.ckyR, p.SAi_b, p.IDii_b);
}

/** HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b) (RFC 2409 §5). */
export function hashR(p: Phase1HashInput & { IDir_b: Uint8Array }): Uint8Array {
  cookie('ckyI', p.ckyI);
  cookie('ckyR', p.ckyR);
  return prf(p.hash, p.skeyid, p.gxr, p.gxi, p.ckyR, p.ckyI, p.SAi_b, p.IDir_b);
}

// ---- Quick Mode and Informational (RFC 2409 §5.5, §5.7) ------------------------------------------

/**
 * HASH(1) = prf(SKEYID_a, M-ID | SA | Ni [ | KE ] [ | IDci | IDcr ]) (§5.5): `rest` is the
 * message as sent after the HASH payload — every following payload with its generic header, up to
 * the end of the payload chain (padding excluded).
 */
export function quickHash1(hash: HashName, SKEYID_a: Uint8Array, messageId: number, rest: Uint8Array): Uint8Array {
  return prf(hash, SKEYID_a, u32be(messageId), rest);
}

/** HASH(2) = prf(SKEYID_a, M-ID | Ni_b | SA | Nr [ | KE ] [ | IDci | IDcr ]) (§5.5): Ni_b is the initiator's nonce body. */
export function quickHash2(hash: HashName, SKEYID_a: Uint8Array, messageId: number, Ni_b: Uint8Array, rest: Uint8Array): Uint8Array {
  return prf(hash, SKEYID_a, u32be(messageId), Ni_b, rest);
}

/** HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b) (§5.5), "0" one zero octet. */
export function quickHash3(hash: HashName, SKEYID_a: Uint8Array, messageId: number, Ni_b: Uint8Array, Nr_b: Uint8Array): Uint8Array {
  return prf(hash, SKEYID_a, OCTET_0, u32be(messageId), Ni_b, Nr_b);
}

/**
 * The Informational exchange's HASH (§5.7): prf(SKEYID_a, M-ID | N/D), where N/D is the Notify or
 * Delete payload(s) after the HASH payload, generic headers included (strongSwan also uses it for
 * Transaction/Mode Config exchanges).
 */
export function informationalHash(hash: HashName, SKEYID_a: Uint8Array, messageId: number, payloads: Uint8Array): Uint8Array {
  return prf(hash, SKEYID_a, u32be(messageId), payloads);
}

/**
 * Quick Mode keying material (RFC 2409 §5.5), for one SA (one direction, one protocol):
 *   KEYMAT = K1 | K2 | K3 | …,  K1 = prf(SKEYID_d, [ g(qm)^xy | ] protocol | SPI | Ni_b | Nr_b),
 *                               Kn = prf(SKEYID_d, Kn-1 | [ g(qm)^xy | ] protocol | SPI | Ni_b | Nr_b)
 * truncated to `bytes`. g(qm)^xy is the PFS shared secret, when Quick Mode carried KE payloads.
 * protocol is the Protocol-ID (2 AH, 3 ESP, 4 IPCOMP, RFC 2407 §4.4.1) and SPI the one in the
 * proposal of the receiving side — the SA to the responder uses the SPI the responder chose.
 * Ni_b and Nr_b are the Quick Mode nonces. The caller splits KEYMAT: encryption key (with its salt
 * for AEADs and CTR) first, then the integrity key — strongSwan's order.
 */
export function keymat(p: {
  hash: HashName;
  skeyidD: Uint8Array;
  gxy?: Uint8Array;
  protocol: number;
  /** 4 bytes (a number is taken as a 32-bit SPI); IPCOMP's 2-byte CPI as given. */
  spi: Uint8Array | number;
  Ni_b: Uint8Array;
  Nr_b: Uint8Array;
  bytes: number;
}): Uint8Array {
  const { hash, skeyidD, bytes } = p;
  if (!Number.isInteger(p.protocol) || p.protocol < 0 || p.protocol > 255) throw new RangeError(`protocol must be one octet, got ${p.protocol}`);
  if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`KEYMAT length must be a non-negative integer, got ${bytes}`);
  const spi = typeof p.spi === 'number' ? u32be(p.spi) : p.spi;
  const seed = concat(p.gxy ?? new Uint8Array(0), Uint8Array.of(p.protocol), spi, p.Ni_b, p.Nr_b);
  const block = hashBytes(hash);
  const out = new Uint8Array(Math.ceil(bytes / block) * block);
  let k: Uint8Array = new Uint8Array(0);
  for (let o = 0; o < bytes; o += block) {
    k = prf(hash, skeyidD, k, seed);
    out.set(k, o);
  }
  const result = out.slice(0, bytes);
  wipe(out, k, seed);
  return result;
}

// ---- Payload encryption (RFC 2409 Appendix B, RFC 2408 §3.1) --------------------------------------

export type Phase1CipherName = 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc' | 'des-ede3-cbc' | 'des-cbc';

export interface Phase1Cipher {
  /** node:crypto's name for the cipher (des-cbc is run as des-ede3-cbc with K|K|K: see cbcEncrypt). */
  readonly name: Phase1CipherName;
  readonly keyBytes: number;
  readonly blockBytes: number;
}

const DES: Phase1Cipher = Object.freeze({ name: 'des-cbc', keyBytes: 8, blockBytes: 8 });
const DES3: Phase1Cipher = Object.freeze({ name: 'des-ede3-cbc', keyBytes: 24, blockBytes: 8 });
const AES: Readonly<Record<number, Phase1Cipher>> = Object.freeze({
  128: Object.freeze({ name: 'aes-128-cbc', keyBytes: 16, blockBytes: 16 }),
  192: Object.freeze({ name: 'aes-192-cbc', keyBytes: 24, blockBytes: 16 }),
  256: Object.freeze({ name: 'aes-256-cbc', keyBytes: 32, blockBytes: 16 }),
} as const);

/**
 * The phase-1 cipher for an Encryption Algorithm attribute (class 1) and its Key Length attribute
 * (class 14, in bits): 1 DES-CBC and 5 3DES-CBC (RFC 2409 Appendix A; fixed keys, so a Key Length
 * must be absent or the fixed size), 7 AES-CBC (RFC 3602 via IANA; Key Length 128, 192 or 256
 * required, as a variable-key cipher's must be — RFC 2409 Appendix A). undefined: not supported.
 */
export function encryptionAlgorithm(value: number, keyLengthBits?: number): Phase1Cipher | undefined {
  switch (value) {
    case 1:
      return keyLengthBits === undefined || keyLengthBits === 64 ? DES : undefined;
    case 5:
      return keyLengthBits === undefined || keyLengthBits === 192 ? DES3 : undefined;
    case 7:
      return keyLengthBits === undefined ? undefined : AES[keyLengthBits];
    default:
      return undefined;
  }
}

function cbc(encrypt: boolean, alg: Phase1Cipher, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length !== alg.keyBytes) throw new RangeError(`${alg.name} key must be ${alg.keyBytes} bytes, got ${key.length}`);
  if (iv.length !== alg.blockBytes) throw new RangeError(`${alg.name} IV must be ${alg.blockBytes} bytes, got ${iv.length}`);
  if (data.length % alg.blockBytes !== 0) throw new RangeError(`${alg.name} data must be whole ${alg.blockBytes}-byte blocks, got ${data.length} bytes`);
  // OpenSSL 3 keeps single DES in its legacy provider, which node does not load. EDE with three
  // equal keys is single DES: E_K(D_K(E_K(x))) = E_K(x).
  const [name, k] = alg.name === 'des-cbc' ? ['des-ede3-cbc', concat(key, key, key)] as const : [alg.name, key] as const;
  try {
    const c = encrypt ? createCipheriv(name, k, iv) : createDecipheriv(name, k, iv);
    c.setAutoPadding(false);
    return u8(Buffer.concat([c.update(data), c.final()]));
  } finally {
    if (k !== key) wipe(k);
  }
}

/** CBC encryption without padding (the caller pads, see padPayloads); returns the ciphertext. */
export function cbcEncrypt(alg: Phase1Cipher, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  return cbc(true, alg, key, iv, data);
}

/** CBC decryption without unpadding: the plaintext still ends with the sender's padding. */
export function cbcDecrypt(alg: Phase1Cipher, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  return cbc(false, alg, key, iv, data);
}

/**
 * The last ciphertext block of a message: the IV of the next message in the same exchange
 * (RFC 2409 Appendix B; a received message's last block is the IV of our reply).
 */
export function lastBlock(ciphertext: Uint8Array, blockBytes: number): Uint8Array {
  if (ciphertext.length < blockBytes || ciphertext.length % blockBytes !== 0) throw new RangeError('ciphertext is not whole blocks');
  return ciphertext.slice(ciphertext.length - blockBytes);
}

/**
 * The payloads padded for encryption, as strongSwan pads them (encrypted_payload.c, encrypt_v1):
 * bs - (length mod bs) zero octets — at least one, a whole block when already aligned — and no
 * pad-length octet. RFC 2408 only requires whole blocks (the ISAKMP header's Length covers the
 * padding); other implementations have been seen to end it with a pad-length octet, so a receiver
 * must find the end of the payloads from the payload chain, never from the padding.
 */
export function padPayloads(payloads: Uint8Array, blockBytes: number): Uint8Array {
  const out = new Uint8Array(payloads.length + blockBytes - (payloads.length % blockBytes));
  out.set(payloads);
  return out;
}
