// Signatures for IKE authentication.
//
// IKEv1 (RFC 2409 §5.1): SIG_I / SIG_R are signatures of HASH_I / HASH_R, "the signature
// algorithm negotiated" with no further format. For RSA, what interoperates — and what strongSwan
// 5.9 does (pubkey_v1_authenticator.c: SIGN_RSA_EMSA_PKCS1_NULL) — is PKCS#1 v1.5 type-1 padding of
// the raw HASH, WITHOUT the DigestInfo that RFC 8017 §9.2 EMSA-PKCS1-v1_5 would add:
//   EM = 0x00 ‖ 0x01 ‖ 0xFF… ‖ 0x00 ‖ HASH,  signature = EM^d mod n
// which is exactly OpenSSL's RSA_private_encrypt with RSA_PKCS1_PADDING (node: privateEncrypt).
//
// IKEv1 ECDSA (RFC 4754 methods 9-11) signs the raw HASH too (strongSwan: SIGN_ECDSA_WITH_NULL,
// r ‖ s), but node:crypto has no ECDSA over a pre-computed digest (sign(null, …) hashes with
// SHA-256 for EC keys), so it is not implemented here.
//
// IKEv2 digital signatures (RFC 7427, auth method 14): the AUTH data is
//   ASN.1 length (1 octet) ‖ AlgorithmIdentifier ‖ signature value
// over the signed octets with a real signature scheme. signV2/verifyV2 produce and check the
// signature value; algorithmIdentifier() / schemeFromAlgorithmIdentifier() and
// encodeAuth()/decodeAuth() the rest. AlgorithmIdentifiers are encoded as strongSwan
// (signature_params.c) and RFC 7427 Appendix A encode them: RSA PKCS#1 with NULL parameters,
// ECDSA and EdDSA without parameters, RSASSA-PSS with explicit RFC 4055 parameters (hash, MGF1 with
// the same hash, salt length = hash length, default trailer).
import { constants, createPublicKey, privateEncrypt, publicDecrypt, sign, verify, type KeyObject } from 'node:crypto';
import { equalConstantTime, u8 } from './bytes.js';
import { context, encode, integer, NULL, oid, TAG } from './der.js';

// ---- IKEv1 RSA ---------------------------------------------------------------------------------------

function rsaKey(key: KeyObject, usage: string): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') throw new TypeError(`${usage} needs an RSA key, got ${key.asymmetricKeyType ?? key.type}`);
  return key;
}

/** modulus length in bytes */
function modulusBytes(key: KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (!bits) throw new TypeError('RSA key without a modulus length');
  return Math.ceil(bits / 8);
}

/** IKEv1 RSA signature of HASH_I or HASH_R: PKCS#1 v1.5 type-1 padding, no DigestInfo (see top). */
export function signV1(privateKey: KeyObject, hash: Uint8Array): Uint8Array {
  const key = rsaKey(privateKey, 'signV1');
  // RFC 8017 §9.2 step 3: at least 8 octets of 0xFF, so the hash must fit in k - 11 octets.
  if (hash.length > modulusBytes(key) - 11) throw new RangeError('hash too long for the RSA modulus');
  return u8(privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, hash));
}

/**
 * Checks an IKEv1 RSA signature of the HASH we computed ourselves. A signature shorter than the
 * modulus is left-padded with zeros first (some implementations strip leading zero octets; strongSwan
 * accepts them too); a longer one is refused.
 */
export function verifyV1(publicKey: KeyObject, hash: Uint8Array, sig: Uint8Array): boolean {
  const key = rsaKey(publicKey.type === 'private' ? createPublicKey(publicKey) : publicKey, 'verifyV1');
  const k = modulusBytes(key);
  if (sig.length === 0 || sig.length > k) return false;
  const full = new Uint8Array(k);
  full.set(sig, k - sig.length);
  let recovered: Uint8Array;
  try {
    recovered = u8(publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, full));
  } catch {
    return false; // not type-1 padded for this key
  }
  return equalConstantTime(recovered, hash);
}

// ---- IKEv2 digital signatures (RFC 7427) ----------------------------------------------------------------

export type SignatureScheme =
  | 'rsa-pkcs1-sha256' | 'rsa-pkcs1-sha384' | 'rsa-pkcs1-sha512'
  | 'rsa-pss-sha256' | 'rsa-pss-sha384' | 'rsa-pss-sha512'
  | 'ecdsa-sha256' | 'ecdsa-sha384' | 'ecdsa-sha512'
  | 'ed25519' | 'ed448';

type Digest = 'sha256' | 'sha384' | 'sha512';

interface SchemeInfo {
  family: 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa' | 'eddsa';
  digest: Digest | null;
  keyTypes: readonly string[];
  algorithmIdentifier: Uint8Array;
}

/** NIST hash OIDs (RFC 5754 §2). */
const HASH_OID: Record<Digest, string> = { sha256: '2.16.840.1.101.3.4.2.1', sha384: '2.16.840.1.101.3.4.2.2', sha512: '2.16.840.1.101.3.4.2.3' };
const DIGEST_BYTES: Record<Digest, number> = { sha256: 32, sha384: 48, sha512: 64 };

const algId = (o: string, params?: Uint8Array): Uint8Array => encode(TAG.SEQUENCE, oid(o), ...(params ? [params] : []));

/** RFC 4055 §3.1 RSASSA-PSS-params with hash h, MGF1 with h, saltLength = |h|, trailerField default. */
function pssParams(h: Digest): Uint8Array {
  const hashAlg = algId(HASH_OID[h], NULL);
  return encode(TAG.SEQUENCE,
    encode(context(0, true), hashAlg),
    encode(context(1, true), algId('1.2.840.113549.1.1.8', hashAlg)), // id-mgf1
    encode(context(2, true), integer(DIGEST_BYTES[h])));
}

const RSA = ['rsa', 'rsa-pss'] as const;
const SCHEMES: Readonly<Record<SignatureScheme, SchemeInfo>> = {
  // RFC 8017 Appendix C / RFC 4055 §5: sha{256,384,512}WithRSAEncryption, parameters NULL.
  'rsa-pkcs1-sha256': { family: 'rsa-pkcs1', digest: 'sha256', keyTypes: RSA, algorithmIdentifier: algId('1.2.840.113549.1.1.11', NULL) },
  'rsa-pkcs1-sha384': { family: 'rsa-pkcs1', digest: 'sha384', keyTypes: RSA, algorithmIdentifier: algId('1.2.840.113549.1.1.12', NULL) },
  'rsa-pkcs1-sha512': { family: 'rsa-pkcs1', digest: 'sha512', keyTypes: RSA, algorithmIdentifier: algId('1.2.840.113549.1.1.13', NULL) },
  // RFC 4055 §3.1: id-RSASSA-PSS with parameters.
  'rsa-pss-sha256': { family: 'rsa-pss', digest: 'sha256', keyTypes: RSA, algorithmIdentifier: algId('1.2.840.113549.1.1.10', pssParams('sha256')) },
  'rsa-pss-sha384': { family: 'rsa-pss', digest: 'sha384', keyTypes: RSA, algorithmIdentifier: algId('1.2.840.113549.1.1.10', pssParams('sha384')) },
  'rsa-pss-sha512': { family: 'rsa-pss', digest: 'sha512', keyTypes: RSA, algorithmIdentifier: algId('1.2.840.113549.1.1.10', pssParams('sha512')) },
  // RFC 5758 §3.2: ecdsa-with-SHA{256,384,512}, parameters absent. The signature value is the DER
  // ECDSA-Sig-Value (RFC 7427 §3, as in X.509), unlike RFC 4754's r ‖ s.
  'ecdsa-sha256': { family: 'ecdsa', digest: 'sha256', keyTypes: ['ec'], algorithmIdentifier: algId('1.2.840.10045.4.3.2') },
  'ecdsa-sha384': { family: 'ecdsa', digest: 'sha384', keyTypes: ['ec'], algorithmIdentifier: algId('1.2.840.10045.4.3.3') },
  'ecdsa-sha512': { family: 'ecdsa', digest: 'sha512', keyTypes: ['ec'], algorithmIdentifier: algId('1.2.840.10045.4.3.4') },
  // RFC 8420 §2 / RFC 8410 §3: id-Ed25519, id-Ed448, parameters absent; PureEdDSA over the octets.
  'ed25519': { family: 'eddsa', digest: null, keyTypes: ['ed25519'], algorithmIdentifier: algId('1.3.101.112') },
  'ed448': { family: 'eddsa', digest: null, keyTypes: ['ed448'], algorithmIdentifier: algId('1.3.101.113') },
};

export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = Object.freeze(Object.keys(SCHEMES) as SignatureScheme[]);

function info(scheme: SignatureScheme, key: KeyObject): SchemeInfo {
  const s = SCHEMES[scheme];
  if (!s) throw new RangeError(`unknown signature scheme '${String(scheme)}'`);
  if (!s.keyTypes.includes(key.asymmetricKeyType ?? '')) throw new TypeError(`${scheme} needs a ${s.keyTypes.join(' or ')} key, got ${key.asymmetricKeyType ?? key.type}`);
  return s;
}

function options(s: SchemeInfo, key: KeyObject) {
  if (s.family === 'rsa-pss') return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: DIGEST_BYTES[s.digest!] };
  if (s.family === 'rsa-pkcs1') return { key, padding: constants.RSA_PKCS1_PADDING };
  if (s.family === 'ecdsa') return { key, dsaEncoding: 'der' as const };
  return { key };
}

/** The RFC 7427 AlgorithmIdentifier (DER) of a scheme. */
export function algorithmIdentifier(scheme: SignatureScheme): Uint8Array {
  const s = SCHEMES[scheme];
  if (!s) throw new RangeError(`unknown signature scheme '${String(scheme)}'`);
  return s.algorithmIdentifier.slice();
}

/** The scheme an AlgorithmIdentifier names, when it is byte for byte one of ours. */
export function schemeFromAlgorithmIdentifier(der: Uint8Array): SignatureScheme | undefined {
  return SIGNATURE_SCHEMES.find((n) => {
    const a = SCHEMES[n].algorithmIdentifier;
    return a.length === der.length && a.every((b, i) => b === der[i]);
  });
}

/** The signature value over `data` (the IKEv2 signed octets) with this scheme. */
export function signV2(privateKey: KeyObject, scheme: SignatureScheme, data: Uint8Array): Uint8Array {
  const s = info(scheme, privateKey);
  return u8(sign(s.digest, data, options(s, privateKey)));
}

/** Whether `sig` is a valid signature value over `data` with this scheme. */
export function verifyV2(publicKey: KeyObject, scheme: SignatureScheme, data: Uint8Array, sig: Uint8Array): boolean {
  const key = publicKey.type === 'private' ? createPublicKey(publicKey) : publicKey;
  const s = info(scheme, key);
  try {
    return verify(s.digest, data, options(s, key), sig);
  } catch {
    return false; // e.g. malformed DER ECDSA-Sig-Value
  }
}

/** AUTH payload data for auth method 14 (RFC 7427 §3): length of the AlgorithmIdentifier ‖ it ‖ the signature. */
export function encodeAuth(scheme: SignatureScheme, signature: Uint8Array): Uint8Array {
  const a = algorithmIdentifier(scheme);
  const out = new Uint8Array(1 + a.length + signature.length);
  out[0] = a.length;
  out.set(a, 1);
  out.set(signature, 1 + a.length);
  return out;
}

/** Splits method-14 AUTH data; scheme is undefined for an AlgorithmIdentifier we do not know. */
export function decodeAuth(authData: Uint8Array): { algorithmIdentifier: Uint8Array; scheme: SignatureScheme | undefined; signature: Uint8Array } | undefined {
  if (authData.length < 1) return undefined;
  const n = authData[0];
  if (1 + n > authData.length) return undefined;
  const algorithmIdentifier = authData.slice(1, 1 + n);
  return { algorithmIdentifier, scheme: schemeFromAlgorithmIdentifier(algorithmIdentifier), signature: authData.slice(1 + n) };
}
