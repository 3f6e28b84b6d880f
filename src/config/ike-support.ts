// What ipsecgw's IKE can run, so that `ipsecgw check` refuses a proposal the daemon could never
// use instead of letting it fail at negotiation (or never match). The lists mirror src/ike:
//  - IKEv2 SK payload (codec/v2/sk-suite.ts): AES-CBC, 3DES, AES-GCM, AES-CCM, ChaCha20-Poly1305
//    with HMAC-MD5/SHA1/SHA2 (RFC 7296 §3.14, RFC 5282, RFC 7634); no AES-CTR or XCBC/CMAC;
//  - IKEv2 PRFs (crypto/prf.ts hashFromIkev2Prf): the HMAC ones only, not PRF_AES128_XCBC/CMAC;
//  - IKEv1 phase 1: checkIkev1 (ikev1.ts) already refuses what has no phase-1 value, and every
//    value it lets through (DES, 3DES, AES-CBC; MD5, SHA1, SHA2) is implemented (crypto/ikev1.ts);
//  - D-H groups (crypto/dh.ts), for IKE SAs and for PFS in CHILD SAs of either version: MODP 1, 2,
//    5, 14-18, ECP 19-21, RFC 5114 22-24, Curve25519 and Curve448; not ECP-192/224 (25, 26) or
//    the Brainpool curves (27-30).
// test/config-ike-support.test.ts holds the lists against those modules.

import type { Support } from './esp.js';
import type { DhTransform, EncrFamily, Transform } from './transforms.js';

export const IKEV2_SK_ENCR: readonly EncrFamily[] = Object.freeze(['aes-cbc', '3des', 'aes-gcm', 'aes-ccm', 'chacha20-poly1305']);
export const IKEV2_SK_INTEG: readonly string[] = Object.freeze(['md5', 'sha1', 'sha256', 'sha384', 'sha512']);
export const IKEV2_PRF: readonly string[] = Object.freeze(['prfmd5', 'prfsha1', 'prfsha256', 'prfsha384', 'prfsha512']);
export const DH_IMPLEMENTED: readonly number[] = Object.freeze([1, 2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 31, 32]);

const USE_GROUP = "use 'x25519', 'ecp256' or 'modp3072'";

/** Whether our IKE can run this D-H group (for the IKE SA or for PFS); D-H NONE always. */
export function dhSupport(g: DhTransform): Support {
  if (g.group === 0 || DH_IMPLEMENTED.includes(g.group)) return { supported: true };
  return { supported: false, reason: `'${g.name}': D-H group ${g.group} is not implemented by ipsecgw's IKE; ${USE_GROUP}` };
}

/**
 * Whether our IKE can run this transform of an IKE proposal. Single DES is left to the opt-in
 * rule (weaknesses.ts), which refuses it for IKEv2 already.
 */
export function ikeSupport(t: Transform, version: 1 | 2): Support {
  if (t.kind === 'dh') return dhSupport(t);
  if (version === 1) return { supported: true };
  switch (t.kind) {
    case 'encr':
      return t.family === 'des' || IKEV2_SK_ENCR.includes(t.family) ? { supported: true }
        : { supported: false, reason: `'${t.name}' can't protect an IKEv2 IKE SA here (not implemented for the SK payload); use 'aes256', 'aes256gcm16' or 'chacha20poly1305'` };
    case 'integ':
      return IKEV2_SK_INTEG.includes(t.name) ? { supported: true }
        : { supported: false, reason: `'${t.name}' is not implemented for the IKE SA; use 'sha256' (or 'sha384', 'sha512')` };
    case 'prf':
      return IKEV2_PRF.includes(t.name) ? { supported: true }
        : { supported: false, reason: `'${t.name}' is not implemented; use 'prfsha256' (or 'prfsha384', 'prfsha512')` };
    case 'esn':
      return { supported: true };
  }
}
