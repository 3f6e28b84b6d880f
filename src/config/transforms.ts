// The algorithms a proposal string can name, as typed descriptors: for each, the IKEv2 transform
// type and ID (RFC 7296 §3.3.2, IANA "IKEv2 Parameters"), the Key Length attribute where the
// cipher has variable key sizes (RFC 7296 §3.3.5), the IKEv1 values (RFC 2409 Appendix A for
// phase 1; RFC 2407 §4.4.3, §4.4.4 and §4.5 for phase 2, as extended in IANA "IPsec Registry")
// and the sizes the key derivation and the datapath need.
//
// Descriptors are frozen singletons: two proposals naming aes128gcm16 share one object, so code
// may compare transforms with ===.

/** IKEv2 transform types, RFC 7296 §3.3.2. */
export const TRANSFORM_TYPE = { encr: 1, prf: 2, integ: 3, dh: 4, esn: 5 } as const;
export type TransformKind = keyof typeof TRANSFORM_TYPE;

/** How the transform appears in an IKEv2 Transform substructure (RFC 7296 §3.3.2, §3.3.5). */
export interface Ikev2Transform {
  readonly type: number;
  readonly id: number;
  /** Value of the Key Length attribute (14), in bits; absent for fixed-key algorithms, which MUST NOT send it. */
  readonly keyLength?: number;
}

interface Base {
  /** Canonical strongSwan keyword: what formatProposal writes. */
  readonly name: string;
  /** strongSwan's enum name, as its logs and `swanctl --list-sas` print the transform. */
  readonly strongswan: string;
  readonly ikev2: Ikev2Transform;
}

export type EncrFamily = 'null' | 'des' | '3des' | 'aes-cbc' | 'aes-ctr' | 'aes-ccm' | 'aes-gcm' | 'aes-gmac' | 'chacha20-poly1305';

export interface EncrTransform extends Base {
  readonly kind: 'encr';
  readonly family: EncrFamily;
  /** Combined-mode (AEAD) cipher: carries its own ICV and takes no integrity transform (RFC 7296 §3.3). */
  readonly aead: boolean;
  /** Cipher key in bytes, without the salt. */
  readonly keyBytes: number;
  /** Bytes of KEYMAT after the key that form the nonce salt: GCM 4 (RFC 4106 §8.1), CCM 3 (RFC 4309 §7.1), CTR 4 (RFC 3686 §5.1), ChaCha20-Poly1305 4 (RFC 7634), GMAC 4 (RFC 4543). */
  readonly saltBytes: number;
  /** Explicit IV carried in every ESP packet. */
  readonly ivBytes: number;
  /** ICV appended by the AEAD itself; 0 for classic ciphers (the integrity transform brings its own). */
  readonly icvBytes: number;
  /** Cipher block size the payload is padded to; 1 for stream-like modes, which ESP still aligns to 4 (RFC 4303 §2.4). */
  readonly blockBytes: number;
  readonly ikev1: {
    /** Phase-1 Encryption Algorithm attribute (class 1), RFC 2409 Appendix A; null: not defined for IKEv1 phase 1. */
    readonly ike: number | null;
    /** Phase-2 ESP transform ID, RFC 2407 §4.4.4 and IANA; null: no IKEv1 encoding. */
    readonly esp: number | null;
    /** Key Length attribute in bits (phase 1 class 14, phase 2 class 6), for variable-key ciphers. */
    readonly keyLength?: number;
  };
}

export interface IntegTransform extends Base {
  readonly kind: 'integ';
  /** MAC key in bytes (for AH AES-GMAC including its 4-byte salt, RFC 4543). */
  readonly keyBytes: number;
  /** Truncated ICV the MAC contributes to each packet. */
  readonly icvBytes: number;
  readonly ikev1: {
    /** Phase-1 Hash Algorithm attribute (class 2), RFC 2409 Appendix A and IANA; its HMAC is also the phase-1 PRF. */
    readonly hash: number | null;
    /** Phase-2 Authentication Algorithm attribute (class 5), RFC 2407 §4.5 and IANA (5-7: RFC 4868 §4). */
    readonly auth: number | null;
    /** Phase-2 AH transform ID, RFC 2407 §4.4.3 and IANA. */
    readonly ah: number | null;
  };
}

export interface PrfTransform extends Base {
  readonly kind: 'prf';
  /** Output length of the PRF in bytes. */
  readonly outputBytes: number;
  /** Preferred key length in bytes (RFC 7296 §2.13: for HMAC PRFs the output length). */
  readonly keyBytes: number;
  /** IKEv1 has no PRF transform: phase 1 uses the HMAC of the negotiated hash (RFC 2409 §5). The hash value whose HMAC this is. */
  readonly ikev1: { readonly hash: number | null };
}

export type DhFamily = 'none' | 'modp' | 'ecp' | 'ecp-brainpool' | 'montgomery';

export interface DhTransform extends Base {
  readonly kind: 'dh';
  readonly family: DhFamily;
  /** The D-H group number: IKEv2 Transform Type 4 ID and IKEv1 Group Description (phase 1 class 4, phase 2 class 3). */
  readonly group: number;
  /** Length of the Key Exchange payload's data: the prime's length for MODP, x‖y for ECP (RFC 5903 §7), the u-coordinate for Curve25519/448 (RFC 8031 §2). */
  readonly keBytes: number;
  readonly ikev1: { readonly group: number | null };
}

export interface EsnTransform extends Base {
  readonly kind: 'esn';
  readonly esn: boolean;
  /** IKEv1 SA attribute 11 "Extended (64-bit) Sequence Number" with value 1 (RFC 4304 §2); absent means 32-bit. */
  readonly ikev1: { readonly attribute: 11; readonly value: 1 } | null;
}

export type Transform = EncrTransform | IntegTransform | PrfTransform | DhTransform | EsnTransform;

const freeze = <T extends Transform>(t: T): T => {
  Object.freeze(t.ikev2);
  Object.freeze(t.ikev1);
  return Object.freeze(t);
};

// ---- Encryption (Transform Type 1) -------------------------------------------------------------

/** IKEv2 ENCR IDs, RFC 7296 §3.3.2 and IANA "Transform Type 1". */
export const ENCR = {
  DES: 2, '3DES': 3, NULL: 11, AES_CBC: 12, AES_CTR: 13,
  AES_CCM_8: 14, AES_CCM_12: 15, AES_CCM_16: 16,
  AES_GCM_8: 18, AES_GCM_12: 19, AES_GCM_16: 20,
  NULL_AUTH_AES_GMAC: 21, CHACHA20_POLY1305: 28,
} as const;

/** IKEv1 phase-1 Encryption Algorithm values, RFC 2409 Appendix A; AES-CBC 7 from RFC 3602 via IANA. */
const IKEV1_ENCR = { DES_CBC: 1, '3DES_CBC': 5, AES_CBC: 7 } as const;
/** IKEv1 ESP transform IDs, RFC 2407 §4.4.4; AES 12 (RFC 3602), AES-CTR 13 (RFC 3686), AES-CCM 14-16 (RFC 4309), AES-GCM 18-20 (RFC 4106 §8), NULL_AUTH_AES_GMAC 23 (RFC 4543). */
const IKEV1_ESP = {
  DES: 2, '3DES': 3, NULL: 11, AES: 12, AES_CTR: 13, AES_CCM_8: 14, AES_CCM_12: 15, AES_CCM_16: 16,
  AES_GCM_8: 18, AES_GCM_12: 19, AES_GCM_16: 20, NULL_AUTH_AES_GMAC: 23,
} as const;

export const AES_KEY_BITS = [128, 192, 256] as const;
export type AesKeyBits = (typeof AES_KEY_BITS)[number];
export const AEAD_ICV_BYTES = [8, 12, 16] as const;
export type AeadIcvBytes = (typeof AEAD_ICV_BYTES)[number];

export const encrNull = freeze<EncrTransform>({
  kind: 'encr', name: 'null', strongswan: 'NULL', family: 'null', aead: false,
  ikev2: { type: TRANSFORM_TYPE.encr, id: ENCR.NULL },
  // RFC 2410 §2: no key, no IV, block size 1.
  keyBytes: 0, saltBytes: 0, ivBytes: 0, icvBytes: 0, blockBytes: 1,
  ikev1: { ike: null, esp: IKEV1_ESP.NULL },
});

export const encrDes = freeze<EncrTransform>({
  kind: 'encr', name: 'des', strongswan: 'DES_CBC', family: 'des', aead: false,
  ikev2: { type: TRANSFORM_TYPE.encr, id: ENCR.DES },
  // RFC 2405 §2: 64-bit key (56 effective), 8-byte IV and block.
  keyBytes: 8, saltBytes: 0, ivBytes: 8, icvBytes: 0, blockBytes: 8,
  ikev1: { ike: IKEV1_ENCR.DES_CBC, esp: IKEV1_ESP.DES },
});

export const encr3des = freeze<EncrTransform>({
  kind: 'encr', name: '3des', strongswan: '3DES_CBC', family: '3des', aead: false,
  ikev2: { type: TRANSFORM_TYPE.encr, id: ENCR['3DES'] },
  // RFC 2451 §2.3: three 64-bit DES keys, 8-byte IV and block.
  keyBytes: 24, saltBytes: 0, ivBytes: 8, icvBytes: 0, blockBytes: 8,
  ikev1: { ike: IKEV1_ENCR['3DES_CBC'], esp: IKEV1_ESP['3DES'] },
});

function aesCbc(bits: AesKeyBits): EncrTransform {
  return freeze<EncrTransform>({
    kind: 'encr', name: `aes${bits}`, strongswan: `AES_CBC_${bits}`, family: 'aes-cbc', aead: false,
    ikev2: { type: TRANSFORM_TYPE.encr, id: ENCR.AES_CBC, keyLength: bits },
    // RFC 3602 §2: 16-byte IV and block.
    keyBytes: bits / 8, saltBytes: 0, ivBytes: 16, icvBytes: 0, blockBytes: 16,
    ikev1: { ike: IKEV1_ENCR.AES_CBC, esp: IKEV1_ESP.AES, keyLength: bits },
  });
}

function aesCtr(bits: AesKeyBits): EncrTransform {
  return freeze<EncrTransform>({
    kind: 'encr', name: `aes${bits}ctr`, strongswan: `AES_CTR_${bits}`, family: 'aes-ctr', aead: false,
    ikev2: { type: TRANSFORM_TYPE.encr, id: ENCR.AES_CTR, keyLength: bits },
    // RFC 3686 §3 and §5.1: 8-byte IV, 4-byte nonce taken from KEYMAT after the key; no padding block.
    keyBytes: bits / 8, saltBytes: 4, ivBytes: 8, icvBytes: 0, blockBytes: 1,
    ikev1: { ike: null, esp: IKEV1_ESP.AES_CTR, keyLength: bits },
  });
}

const GCM_ID = { 8: ENCR.AES_GCM_8, 12: ENCR.AES_GCM_12, 16: ENCR.AES_GCM_16 } as const;
const GCM_V1 = { 8: IKEV1_ESP.AES_GCM_8, 12: IKEV1_ESP.AES_GCM_12, 16: IKEV1_ESP.AES_GCM_16 } as const;
const CCM_ID = { 8: ENCR.AES_CCM_8, 12: ENCR.AES_CCM_12, 16: ENCR.AES_CCM_16 } as const;
const CCM_V1 = { 8: IKEV1_ESP.AES_CCM_8, 12: IKEV1_ESP.AES_CCM_12, 16: IKEV1_ESP.AES_CCM_16 } as const;

function aesGcm(bits: AesKeyBits, icv: AeadIcvBytes): EncrTransform {
  return freeze<EncrTransform>({
    kind: 'encr', name: `aes${bits}gcm${icv}`, strongswan: `AES_GCM_${icv}_${bits}`, family: 'aes-gcm', aead: true,
    ikev2: { type: TRANSFORM_TYPE.encr, id: GCM_ID[icv], keyLength: bits },
    // RFC 4106 §3.1 and §8.1: 8-byte explicit IV, 4-byte salt after the key; no padding block.
    keyBytes: bits / 8, saltBytes: 4, ivBytes: 8, icvBytes: icv, blockBytes: 1,
    ikev1: { ike: null, esp: GCM_V1[icv], keyLength: bits },
  });
}

function aesCcm(bits: AesKeyBits, icv: AeadIcvBytes): EncrTransform {
  return freeze<EncrTransform>({
    kind: 'encr', name: `aes${bits}ccm${icv}`, strongswan: `AES_CCM_${icv}_${bits}`, family: 'aes-ccm', aead: true,
    ikev2: { type: TRANSFORM_TYPE.encr, id: CCM_ID[icv], keyLength: bits },
    // RFC 4309 §3.1 and §7.1: 8-byte explicit IV, 3-byte salt after the key.
    keyBytes: bits / 8, saltBytes: 3, ivBytes: 8, icvBytes: icv, blockBytes: 1,
    ikev1: { ike: null, esp: CCM_V1[icv], keyLength: bits },
  });
}

function aesGmac(bits: AesKeyBits): EncrTransform {
  return freeze<EncrTransform>({
    kind: 'encr', name: `aes${bits}gmac`, strongswan: `NULL_AES_GMAC_${bits}`, family: 'aes-gmac', aead: true,
    ikev2: { type: TRANSFORM_TYPE.encr, id: ENCR.NULL_AUTH_AES_GMAC, keyLength: bits },
    // RFC 4543: authentication only, 8-byte IV, 4-byte salt after the key, 16-byte ICV.
    keyBytes: bits / 8, saltBytes: 4, ivBytes: 8, icvBytes: 16, blockBytes: 1,
    ikev1: { ike: null, esp: IKEV1_ESP.NULL_AUTH_AES_GMAC, keyLength: bits },
  });
}

export const encrChacha20Poly1305 = freeze<EncrTransform>({
  kind: 'encr', name: 'chacha20poly1305', strongswan: 'CHACHA20_POLY1305', family: 'chacha20-poly1305', aead: true,
  // RFC 7634: fixed 256-bit key, so no Key Length attribute; 4-byte salt after the key, 8-byte IV,
  // 16-byte tag, no padding block. It defines no IKEv1 ESP transform ID.
  ikev2: { type: TRANSFORM_TYPE.encr, id: ENCR.CHACHA20_POLY1305 },
  keyBytes: 32, saltBytes: 4, ivBytes: 8, icvBytes: 16, blockBytes: 1,
  ikev1: { ike: null, esp: null },
});

export const encrAesCbc = Object.fromEntries(AES_KEY_BITS.map((b) => [b, aesCbc(b)])) as Record<AesKeyBits, EncrTransform>;
export const encrAesCtr = Object.fromEntries(AES_KEY_BITS.map((b) => [b, aesCtr(b)])) as Record<AesKeyBits, EncrTransform>;
export const encrAesGmac = Object.fromEntries(AES_KEY_BITS.map((b) => [b, aesGmac(b)])) as Record<AesKeyBits, EncrTransform>;
const perIcv = (make: (b: AesKeyBits, i: AeadIcvBytes) => EncrTransform) =>
  Object.fromEntries(AES_KEY_BITS.map((b) => [b, Object.fromEntries(AEAD_ICV_BYTES.map((i) => [i, make(b, i)]))])) as
    Record<AesKeyBits, Record<AeadIcvBytes, EncrTransform>>;
export const encrAesGcm = perIcv(aesGcm);
export const encrAesCcm = perIcv(aesCcm);

// ---- Integrity (Transform Type 3) --------------------------------------------------------------

/** IKEv2 AUTH IDs, RFC 7296 §3.3.2 and IANA "Transform Type 3". */
export const AUTH = {
  HMAC_MD5_96: 1, HMAC_SHA1_96: 2, AES_XCBC_96: 5, AES_CMAC_96: 8,
  AES_128_GMAC: 9, AES_192_GMAC: 10, AES_256_GMAC: 11,
  HMAC_SHA2_256_128: 12, HMAC_SHA2_384_192: 13, HMAC_SHA2_512_256: 14,
} as const;

/** IKEv1 phase-1 Hash Algorithm values: RFC 2409 Appendix A (1, 2) and IANA (SHA2: 4-6). */
const IKEV1_HASH = { MD5: 1, SHA: 2, SHA2_256: 4, SHA2_384: 5, SHA2_512: 6 } as const;
/** IKEv1 phase-2 Authentication Algorithm values, RFC 2407 §4.5; SHA2 5-7 (RFC 4868 §4), XCBC 9 (RFC 3566), GMAC 11-13 (RFC 4543). */
const IKEV1_AUTH = { HMAC_MD5: 1, HMAC_SHA: 2, HMAC_SHA2_256: 5, HMAC_SHA2_384: 6, HMAC_SHA2_512: 7, AES_XCBC_MAC: 9, AES_128_GMAC: 11, AES_192_GMAC: 12, AES_256_GMAC: 13 } as const;
/** IKEv1 AH transform IDs, RFC 2407 §4.4.3 and IANA. */
const IKEV1_AH = { MD5: 2, SHA: 3, SHA2_256: 5, SHA2_384: 6, SHA2_512: 7, AES_XCBC_MAC: 9, AES_128_GMAC: 11, AES_192_GMAC: 12, AES_256_GMAC: 13 } as const;

function integ(name: string, strongswan: string, id: number, keyBytes: number, icvBytes: number, ikev1: IntegTransform['ikev1']): IntegTransform {
  return freeze<IntegTransform>({ kind: 'integ', name, strongswan, ikev2: { type: TRANSFORM_TYPE.integ, id }, keyBytes, icvBytes, ikev1 });
}

// RFC 2403: HMAC-MD5-96, 16-byte key, 12-byte ICV.
export const integMd5 = integ('md5', 'HMAC_MD5_96', AUTH.HMAC_MD5_96, 16, 12, { hash: IKEV1_HASH.MD5, auth: IKEV1_AUTH.HMAC_MD5, ah: IKEV1_AH.MD5 });
// RFC 2404: HMAC-SHA-1-96, 20-byte key, 12-byte ICV.
export const integSha1 = integ('sha1', 'HMAC_SHA1_96', AUTH.HMAC_SHA1_96, 20, 12, { hash: IKEV1_HASH.SHA, auth: IKEV1_AUTH.HMAC_SHA, ah: IKEV1_AH.SHA });
// RFC 4868 §2.1.1, §2.6: key as long as the hash output, ICV half of it.
export const integSha256 = integ('sha256', 'HMAC_SHA2_256_128', AUTH.HMAC_SHA2_256_128, 32, 16, { hash: IKEV1_HASH.SHA2_256, auth: IKEV1_AUTH.HMAC_SHA2_256, ah: IKEV1_AH.SHA2_256 });
export const integSha384 = integ('sha384', 'HMAC_SHA2_384_192', AUTH.HMAC_SHA2_384_192, 48, 24, { hash: IKEV1_HASH.SHA2_384, auth: IKEV1_AUTH.HMAC_SHA2_384, ah: IKEV1_AH.SHA2_384 });
export const integSha512 = integ('sha512', 'HMAC_SHA2_512_256', AUTH.HMAC_SHA2_512_256, 64, 32, { hash: IKEV1_HASH.SHA2_512, auth: IKEV1_AUTH.HMAC_SHA2_512, ah: IKEV1_AH.SHA2_512 });
// RFC 3566 §2.1 and §4.1: AES-XCBC-MAC-96, 16-byte key, 12-byte ICV; no IKEv1 phase-1 hash.
export const integAesXcbc = integ('aesxcbc', 'AES_XCBC_96', AUTH.AES_XCBC_96, 16, 12, { hash: null, auth: IKEV1_AUTH.AES_XCBC_MAC, ah: IKEV1_AH.AES_XCBC_MAC });
// RFC 4494 §2 and §4: AES-CMAC-96, 16-byte key, 12-byte ICV; no IKEv1 values are assigned.
export const integAesCmac = integ('aescmac', 'AES_CMAC_96', AUTH.AES_CMAC_96, 16, 12, { hash: null, auth: null, ah: null });

const GMAC_AUTH = { 128: AUTH.AES_128_GMAC, 192: AUTH.AES_192_GMAC, 256: AUTH.AES_256_GMAC } as const;
const GMAC_V1 = { 128: IKEV1_AUTH.AES_128_GMAC, 192: IKEV1_AUTH.AES_192_GMAC, 256: IKEV1_AUTH.AES_256_GMAC } as const;
/**
 * AES-GMAC as an AH integrity algorithm (RFC 4543): strongSwan parses 'aes128gmac' as an
 * encryption keyword and turns it into AUTH_AES_128_GMAC in AH proposals. Key plus 4-byte salt,
 * 16-byte ICV.
 */
export const integAesGmac = Object.fromEntries(AES_KEY_BITS.map((b) => [b,
  integ(`aes${b}gmac`, `AES_${b}_GMAC`, GMAC_AUTH[b], b / 8 + 4, 16, { hash: null, auth: GMAC_V1[b], ah: GMAC_V1[b] })])) as
  Record<AesKeyBits, IntegTransform>;

// ---- PRF (Transform Type 2) --------------------------------------------------------------------

/** IKEv2 PRF IDs, RFC 7296 §3.3.2 and IANA "Transform Type 2". */
export const PRF = { HMAC_MD5: 1, HMAC_SHA1: 2, AES128_XCBC: 4, HMAC_SHA2_256: 5, HMAC_SHA2_384: 6, HMAC_SHA2_512: 7, AES128_CMAC: 8 } as const;

function prf(name: string, strongswan: string, id: number, outputBytes: number, keyBytes: number, hash: number | null): PrfTransform {
  return freeze<PrfTransform>({ kind: 'prf', name, strongswan, ikev2: { type: TRANSFORM_TYPE.prf, id }, outputBytes, keyBytes, ikev1: { hash } });
}

export const prfMd5 = prf('prfmd5', 'PRF_HMAC_MD5', PRF.HMAC_MD5, 16, 16, IKEV1_HASH.MD5);
export const prfSha1 = prf('prfsha1', 'PRF_HMAC_SHA1', PRF.HMAC_SHA1, 20, 20, IKEV1_HASH.SHA);
// RFC 4868 §2.1.2: PRF_HMAC_SHA2_* take keys as long as their output.
export const prfSha256 = prf('prfsha256', 'PRF_HMAC_SHA2_256', PRF.HMAC_SHA2_256, 32, 32, IKEV1_HASH.SHA2_256);
export const prfSha384 = prf('prfsha384', 'PRF_HMAC_SHA2_384', PRF.HMAC_SHA2_384, 48, 48, IKEV1_HASH.SHA2_384);
export const prfSha512 = prf('prfsha512', 'PRF_HMAC_SHA2_512', PRF.HMAC_SHA2_512, 64, 64, IKEV1_HASH.SHA2_512);
// RFC 4434 §2 and RFC 4615 §3: 128-bit output, 16-byte preferred key (other lengths are hashed down).
export const prfAesXcbc = prf('prfaesxcbc', 'PRF_AES128_XCBC', PRF.AES128_XCBC, 16, 16, null);
export const prfAesCmac = prf('prfaescmac', 'PRF_AES128_CMAC', PRF.AES128_CMAC, 16, 16, null);

/**
 * strongSwan's rule when an IKE proposal names no PRF: each integrity algorithm, in order, brings
 * the PRF built on the same primitive (libstrongswan proposal.c, integ_prf_map). AEAD-only IKE
 * proposals have no integrity algorithm, hence no PRF, and are rejected.
 */
export const PRF_FOR_INTEG: ReadonlyMap<IntegTransform, PrfTransform> = new Map([
  [integMd5, prfMd5], [integSha1, prfSha1], [integSha256, prfSha256], [integSha384, prfSha384],
  [integSha512, prfSha512], [integAesXcbc, prfAesXcbc], [integAesCmac, prfAesCmac],
]);

/** The PRFs strongSwan derives from a list of integrity algorithms, duplicates dropped. */
export function derivePrfs(integ: readonly IntegTransform[]): PrfTransform[] {
  const out: PrfTransform[] = [];
  for (const i of integ) {
    const p = PRF_FOR_INTEG.get(i);
    if (p && !out.includes(p)) out.push(p);
  }
  return out;
}

// ---- Diffie-Hellman groups (Transform Type 4) --------------------------------------------------

function dh(name: string, strongswan: string, family: DhFamily, group: number, keBytes: number): DhTransform {
  return freeze<DhTransform>({
    kind: 'dh', name, strongswan, family, group, keBytes,
    ikev2: { type: TRANSFORM_TYPE.dh, id: group },
    // strongSwan sends the same numbers in IKEv1's Group Description; NONE has no IKEv1 form (PFS is just left out).
    ikev1: { group: group === 0 ? null : group },
  });
}

/** "No PFS" / optional PFS in ESP and AH proposals (RFC 7296 §3.3.2: D-H Transform ID 0 NONE). */
export const dhNone = dh('modpnone', 'KE_NONE', 'none', 0, 0);
/** D-H groups, by canonical keyword. Sources: RFC 2409 §6.1-6.2 (1, 2), RFC 3526 (5, 14-18), RFC 5903 (19-21), RFC 5114 (22-26), RFC 6954 (27-30), RFC 8031 (31, 32). */
export const DH_GROUPS: readonly DhTransform[] = Object.freeze([
  dh('modp768', 'MODP_768', 'modp', 1, 96),
  dh('modp1024', 'MODP_1024', 'modp', 2, 128),
  dh('modp1536', 'MODP_1536', 'modp', 5, 192),
  dh('modp2048', 'MODP_2048', 'modp', 14, 256),
  dh('modp3072', 'MODP_3072', 'modp', 15, 384),
  dh('modp4096', 'MODP_4096', 'modp', 16, 512),
  dh('modp6144', 'MODP_6144', 'modp', 17, 768),
  dh('modp8192', 'MODP_8192', 'modp', 18, 1024),
  dh('ecp256', 'ECP_256', 'ecp', 19, 64),
  dh('ecp384', 'ECP_384', 'ecp', 20, 96),
  dh('ecp521', 'ECP_521', 'ecp', 21, 132),
  dh('modp1024s160', 'MODP_1024_160', 'modp', 22, 128),
  dh('modp2048s224', 'MODP_2048_224', 'modp', 23, 256),
  dh('modp2048s256', 'MODP_2048_256', 'modp', 24, 256),
  dh('ecp192', 'ECP_192', 'ecp', 25, 48),
  dh('ecp224', 'ECP_224', 'ecp', 26, 56),
  dh('ecp224bp', 'ECP_224_BP', 'ecp-brainpool', 27, 56),
  dh('ecp256bp', 'ECP_256_BP', 'ecp-brainpool', 28, 64),
  dh('ecp384bp', 'ECP_384_BP', 'ecp-brainpool', 29, 96),
  dh('ecp512bp', 'ECP_512_BP', 'ecp-brainpool', 30, 128),
  dh('x25519', 'CURVE_25519', 'montgomery', 31, 32),
  dh('x448', 'CURVE_448', 'montgomery', 32, 56),
]);

// ---- Extended Sequence Numbers (Transform Type 5) ----------------------------------------------

// RFC 7296 §3.3.2: ESN Transform IDs 0 (no) and 1 (yes).
export const esnOff = freeze<EsnTransform>({ kind: 'esn', name: 'noesn', strongswan: 'NO_EXT_SEQ', esn: false, ikev2: { type: TRANSFORM_TYPE.esn, id: 0 }, ikev1: null });
export const esnOn = freeze<EsnTransform>({
  kind: 'esn', name: 'esn', strongswan: 'EXT_SEQ', esn: true, ikev2: { type: TRANSFORM_TYPE.esn, id: 1 },
  ikev1: Object.freeze({ attribute: 11, value: 1 } as const),
});
