// The PRFs and hashes of IKE's control plane, on node:crypto: IKE's own crypto runs a few times
// per SA, so it does not need the WASM datapath (which exists for per-packet speed).
//
// Both IKE versions use HMAC (RFC 2104) as their PRF:
// - IKEv1 has no PRF attribute in practice; RFC 2409 §5 uses "the HMAC version of the negotiated
//   hash function" (MD5, SHA-1, and SHA-2 by RFC 4868 §2.1.2 / IANA values 4-6).
// - IKEv2 negotiates PRF_HMAC_* transforms (RFC 7296 §3.3.2, RFC 4868 §2.1.2 for SHA-2), and expands
//   keys with prf+ (RFC 7296 §2.13).
// PRF_AES128_XCBC/CMAC (RFC 4434, RFC 4615) are not here: they are never needed by IKEv1 and are
// rare in IKEv2; adding them means a HashName-like PrfName, not a change to these signatures.
import { createHash, createHmac } from 'node:crypto';
import { u8, wipe } from './bytes.js';

export type HashName = 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512';

export const HASH_NAMES: readonly HashName[] = Object.freeze(['md5', 'sha1', 'sha256', 'sha384', 'sha512']);

const OUTPUT_BYTES: Readonly<Record<HashName, number>> = Object.freeze({ md5: 16, sha1: 20, sha256: 32, sha384: 48, sha512: 64 });

function check(hash: HashName): HashName {
  if (!Object.hasOwn(OUTPUT_BYTES, hash)) throw new RangeError(`unknown hash '${String(hash)}': expected one of ${HASH_NAMES.join(', ')}`);
  return hash;
}

/** Output length of the hash, and of its HMAC PRF, in bytes. */
export function hashBytes(hash: HashName): number {
  return OUTPUT_BYTES[check(hash)];
}

/**
 * prf(key, data₁ | data₂ | …) = HMAC-hash(key, …). The data parts are fed in order, which is
 * the concatenation the RFCs write with "|", without building it.
 */
export function prf(hash: HashName, key: Uint8Array, ...data: Uint8Array[]): Uint8Array {
  const h = createHmac(check(hash), key);
  for (const d of data) h.update(d);
  return u8(h.digest());
}

/** hash(data₁ | data₂ | …), the plain hash (IKEv1 IVs, RFC 2409 Appendix B; NAT-D, RFC 3947 §3.2). */
export function hashOf(hash: HashName, ...data: Uint8Array[]): Uint8Array {
  const h = createHash(check(hash));
  for (const d of data) h.update(d);
  return u8(h.digest());
}

/**
 * prf+ (RFC 7296 §2.13): the first `length` bytes of T1 | T2 | …, where
 *   T1 = prf(K, S | 0x01),  Tn = prf(K, Tn-1 | S | n).
 * The counter is one octet, so at most 255 blocks: asking for more is an error (§2.13 "this
 * function is not defined beyond 255 times the size of the prf output").
 */
export function prfPlus(hash: HashName, key: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const block = hashBytes(hash);
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`prf+ length must be a non-negative integer, got ${length}`);
  if (length > 255 * block) throw new RangeError(`prf+ with ${hash} gives at most ${255 * block} bytes, asked for ${length}`);
  const out = new Uint8Array(Math.ceil(length / block) * block);
  let t: Uint8Array = new Uint8Array(0);
  for (let n = 1, o = 0; o < length; n++, o += block) {
    t = prf(hash, key, t, seed, Uint8Array.of(n));
    out.set(t, o);
  }
  // The bytes past `length` are key material too; clear them before handing out a shorter view.
  const result = out.slice(0, length);
  wipe(out);
  return result;
}

/** IKEv1 phase-1 Hash Algorithm attribute (class 2) values: RFC 2409 Appendix A (1 MD5, 2 SHA) and IANA (4-6 SHA2, RFC 4868 §2.1.2). */
const IKEV1_HASH: ReadonlyMap<number, HashName> = new Map([[1, 'md5'], [2, 'sha1'], [4, 'sha256'], [5, 'sha384'], [6, 'sha512']]);

/** The hash an IKEv1 Hash Algorithm attribute names; undefined for Tiger (3) and unassigned values. */
export function hashFromIkev1(value: number): HashName | undefined {
  return IKEV1_HASH.get(value);
}

/** IKEv2 PRF transform IDs (RFC 7296 §3.3.2; 5-7 RFC 4868) whose PRF is HMAC with this hash. */
const IKEV2_PRF: ReadonlyMap<number, HashName> = new Map([[1, 'md5'], [2, 'sha1'], [5, 'sha256'], [6, 'sha384'], [7, 'sha512']]);

/** The hash of an IKEv2 PRF_HMAC_* transform ID; undefined for PRF_AES128_XCBC/CMAC (4, 8) and others. */
export function hashFromIkev2Prf(id: number): HashName | undefined {
  return IKEV2_PRF.get(id);
}
