// The keywords of strongSwan 5.9's proposal strings (libstrongswan
// crypto/proposal/proposal_keywords_static.txt), mapped to our descriptors. Keywords are case
// sensitive, as in strongSwan. Several spellings name one algorithm (aes = aes128,
// aes128gcm128 = aes128gcm16, sha = sha1, curve25519 = x25519); the descriptor's `name` is the
// canonical one.
//
// strongSwan also knows algorithms that ipsecgw does not implement and has no plan to (Blowfish,
// Camellia, CAST, Serpent, Twofish, the non-standard truncations, the post-quantum experiments):
// those keywords are listed in UNSUPPORTED so that a configuration naming one gets "not supported"
// with a hint instead of "unknown".

import {
  AEAD_ICV_BYTES, AES_KEY_BITS, DH_GROUPS, dhNone, encr3des, encrAesCbc, encrAesCcm, encrAesCtr, encrAesGcm,
  encrAesGmac, encrChacha20Poly1305, encrDes, encrNull, esnOff, esnOn, integAesCmac, integAesXcbc, integMd5,
  integSha1, integSha256, integSha384, integSha512, prfAesCmac, prfAesXcbc, prfMd5, prfSha1, prfSha256, prfSha384,
  prfSha512, type Transform,
} from './transforms.js';

const table = new Map<string, Transform>();
const add = (keyword: string, t: Transform): void => {
  if (table.has(keyword)) throw new Error(`duplicate proposal keyword ${keyword}`);
  table.set(keyword, t);
};

// Encryption. AES-GCM and AES-CCM take the ICV length in bytes (8, 12, 16) or in bits (64, 96,
// 128); without one they mean the 16-byte ICV.
add('null', encrNull);
add('des', encrDes);
add('3des', encr3des);
add('aes', encrAesCbc[128]);
for (const bits of AES_KEY_BITS) {
  add(`aes${bits}`, encrAesCbc[bits]);
  add(`aes${bits}ctr`, encrAesCtr[bits]);
  for (const icv of AEAD_ICV_BYTES) {
    add(`aes${bits}gcm${icv}`, encrAesGcm[bits][icv]);
    add(`aes${bits}gcm${icv * 8}`, encrAesGcm[bits][icv]);
    add(`aes${bits}ccm${icv}`, encrAesCcm[bits][icv]);
    add(`aes${bits}ccm${icv * 8}`, encrAesCcm[bits][icv]);
  }
  add(`aes${bits}gcm`, encrAesGcm[bits][16]);
  add(`aes${bits}ccm`, encrAesCcm[bits][16]);
  add(`aes${bits}gmac`, encrAesGmac[bits]);
}
add('chacha20poly1305', encrChacha20Poly1305);

// Integrity.
add('md5', integMd5);
add('sha', integSha1);
add('sha1', integSha1);
add('sha256', integSha256);
add('sha2_256', integSha256);
add('sha384', integSha384);
add('sha2_384', integSha384);
add('sha512', integSha512);
add('sha2_512', integSha512);
add('aesxcbc', integAesXcbc);
add('aescmac', integAesCmac);

// PRF.
add('prfmd5', prfMd5);
add('prfsha1', prfSha1);
add('prfsha256', prfSha256);
add('prfsha384', prfSha384);
add('prfsha512', prfSha512);
add('prfaesxcbc', prfAesXcbc);
add('prfaescmac', prfAesCmac);

// D-H groups. 'none' and 'modpnone' are D-H NONE: "no PFS" as an alternative in ESP/AH proposals.
add('modpnone', dhNone);
add('none', dhNone);
for (const g of DH_GROUPS) add(g.name, g);
add('curve25519', table.get('x25519')!);
add('curve448', table.get('x448')!);

// Extended sequence numbers.
add('esn', esnOn);
add('noesn', esnOff);

/** Every keyword ipsecgw accepts, with the transform it names. */
export const KEYWORDS: ReadonlyMap<string, Transform> = table;

/** strongSwan 5.9 keywords that ipsecgw rejects: what the keyword names, and what to use instead. */
export const UNSUPPORTED: ReadonlyMap<string, { readonly what: string; readonly instead: string }> = (() => {
  const m = new Map<string, { what: string; instead: string }>();
  const cipher = "use AES ('aes256', 'aes256gcm16') or 'chacha20poly1305'";
  const integrity = "use 'sha256' (or 'sha384', 'sha512', 'sha1')";
  const sizes = ['', '128', '192', '256'];
  for (const b of sizes) {
    m.set(`blowfish${b}`, { what: 'Blowfish (64-bit block; RFC 8221: MUST NOT)', instead: cipher });
    m.set(`serpent${b}`, { what: 'Serpent (a private-use value, no IANA number)', instead: cipher });
    m.set(`twofish${b}`, { what: 'Twofish (a private-use value, no IANA number)', instead: cipher });
    m.set(`camellia${b}`, { what: 'Camellia-CBC', instead: cipher });
    if (b === '') continue;
    m.set(`camellia${b}ctr`, { what: 'Camellia-CTR', instead: cipher });
    for (const icv of ['8', '64', '12', '96', '16', '128']) m.set(`camellia${b}ccm${icv}`, { what: 'Camellia-CCM', instead: cipher });
  }
  m.set('cast128', { what: 'CAST-128 (64-bit block; RFC 8221: MUST NOT)', instead: cipher });
  m.set('chacha20poly1305compat', { what: 'the pre-RFC 7634 draft of ChaCha20-Poly1305', instead: "use 'chacha20poly1305'" });
  m.set('sha1_160', { what: 'HMAC-SHA1 with an untruncated 160-bit ICV', instead: integrity });
  m.set('md5_128', { what: 'HMAC-MD5 with an untruncated ICV (and MD5: RFC 8221 MUST NOT)', instead: integrity });
  for (const k of ['sha256_96', 'sha2_256_96']) {
    m.set(k, { what: 'HMAC-SHA2-256 truncated to 96 bits, a non-standard value for old Linux kernels', instead: "use 'sha256' (RFC 4868)" });
  }
  m.set('camelliaxcbc', { what: 'Camellia-XCBC-MAC', instead: integrity });
  m.set('prfcamelliaxcbc', { what: 'the Camellia-XCBC PRF', instead: "use 'prfsha256' (or 'prfsha384', 'prfsha512')" });
  m.set('modpnull', { what: "strongSwan's MODP_NULL test group", instead: "use 'modp2048', 'ecp256' or 'x25519'" });
  for (const k of ['ntru112', 'ntru128', 'ntru192', 'ntru256', 'newhope128']) {
    m.set(k, { what: "strongSwan 5's experimental post-quantum key exchange", instead: "use 'x25519', 'ecp256' or 'modp3072'" });
  }
  return m;
})();

/** Candidates for "did you mean": keywords that work, canonical ones first so that a tie prefers them over aliases. */
export const SUGGESTION_CANDIDATES: readonly string[] = (() => {
  const canonical = [...new Set([...table.values()].map((t) => t.name))];
  return [...canonical, ...[...table.keys()].filter((k) => !canonical.includes(k))];
})();
