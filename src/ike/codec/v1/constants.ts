// ISAKMP / IKEv1 numbers, named as the RFCs name them:
//   RFC 2408 (ISAKMP) §3.1 exchange types and flags, §3.1 and §3.4 payload types, §3.9 certificate
//   encodings, §3.14.1 notify message types; RFC 2407 (IPsec DOI) §4.2 situation, §4.4.1 protocol
//   IDs, §4.5 SA attributes, §4.6.2.1 identification types, §4.6.3 status notifies; RFC 2409 (IKE)
//   Appendix A phase-1 attribute classes; RFC 3947 NAT-T, RFC 3706 DPD. Algorithm values (Encryption
//   Algorithm, ESP transform IDs, …) live with the proposals in src/config/transforms.ts.

/** Payload types, RFC 2408 §3.1; NAT-D and NAT-OA from RFC 3947 §3.2 and §5.2 (20, 21) and from
 *  draft-ietf-ipsec-nat-t-ike-02/03 (private-use 130, 131); 132 is the Cisco / strongSwan IKEv1
 *  fragmentation payload (private use). */
export const PAYLOAD = {
  NONE: 0,
  SA: 1,
  P: 2,
  T: 3,
  KE: 4,
  ID: 5,
  CERT: 6,
  CR: 7,
  HASH: 8,
  SIG: 9,
  NONCE: 10,
  N: 11,
  D: 12,
  VID: 13,
  NAT_D: 20,
  NAT_OA: 21,
  NAT_D_DRAFT: 130,
  NAT_OA_DRAFT: 131,
  FRAG: 132,
} as const;

/** Exchange types, RFC 2408 §3.1 (1-5), RFC 2409 §5/§5.5/§6 (Quick Mode 32, New Group Mode 33);
 *  6 is the Transaction exchange of draft-ietf-ipsec-isakmp-mode-cfg (Mode Config, XAuth). */
export const EXCHANGE = {
  BASE: 1,
  /** "Main Mode" in RFC 2409 §5. */
  IDENTITY_PROTECTION: 2,
  AUTH_ONLY: 3,
  /** "Aggressive Mode" in RFC 2409 §5. */
  AGGRESSIVE: 4,
  INFORMATIONAL: 5,
  TRANSACTION: 6,
  QUICK: 32,
  NEW_GROUP: 33,
} as const;

/** Header flags, RFC 2408 §3.1: E(ncryption), C(ommit), A(uthentication only). */
export const FLAG = {
  ENCRYPTION: 1,
  COMMIT: 2,
  AUTH_ONLY: 4,
} as const;

/** Protocol IDs, RFC 2407 §4.4.1. */
export const PROTO = {
  ISAKMP: 1,
  IPSEC_AH: 2,
  IPSEC_ESP: 3,
  IPCOMP: 4,
} as const;

/** Domain of Interpretation, RFC 2407 §4.2 (the only DOI an IPsec gateway speaks). */
export const DOI_IPSEC = 1;

/** Situation bits, RFC 2407 §4.2. SECRECY and INTEGRITY add labeled-domain fields to the SA
 *  payload that this codec does not parse. */
export const SIT_IDENTITY_ONLY = 1;
export const SIT_SECRECY = 2;
export const SIT_INTEGRITY = 4;

/** Identification types, RFC 2407 §4.6.2.1. */
export const ID_TYPE = {
  IPV4_ADDR: 1,
  FQDN: 2,
  USER_FQDN: 3,
  IPV4_ADDR_SUBNET: 4,
  IPV6_ADDR: 5,
  IPV6_ADDR_SUBNET: 6,
  IPV4_ADDR_RANGE: 7,
  IPV6_ADDR_RANGE: 8,
  DER_ASN1_DN: 9,
  DER_ASN1_GN: 10,
  KEY_ID: 11,
} as const;

/** Notify message types: errors 1-30 (RFC 2408 §3.14.1), status CONNECTED (ibid.), the IPsec DOI
 *  status types (RFC 2407 §4.6.3) and Dead Peer Detection (RFC 3706 §5.3). */
export const NOTIFY = {
  INVALID_PAYLOAD_TYPE: 1,
  DOI_NOT_SUPPORTED: 2,
  SITUATION_NOT_SUPPORTED: 3,
  INVALID_COOKIE: 4,
  INVALID_MAJOR_VERSION: 5,
  INVALID_MINOR_VERSION: 6,
  INVALID_EXCHANGE_TYPE: 7,
  INVALID_FLAGS: 8,
  INVALID_MESSAGE_ID: 9,
  INVALID_PROTOCOL_ID: 10,
  INVALID_SPI: 11,
  INVALID_TRANSFORM_ID: 12,
  ATTRIBUTES_NOT_SUPPORTED: 13,
  NO_PROPOSAL_CHOSEN: 14,
  BAD_PROPOSAL_SYNTAX: 15,
  PAYLOAD_MALFORMED: 16,
  INVALID_KEY_INFORMATION: 17,
  INVALID_ID_INFORMATION: 18,
  INVALID_CERT_ENCODING: 19,
  INVALID_CERTIFICATE: 20,
  CERT_TYPE_UNSUPPORTED: 21,
  INVALID_CERT_AUTHORITY: 22,
  INVALID_HASH_INFORMATION: 23,
  AUTHENTICATION_FAILED: 24,
  INVALID_SIGNATURE: 25,
  ADDRESS_NOTIFICATION: 26,
  NOTIFY_SA_LIFETIME: 27,
  CERTIFICATE_UNAVAILABLE: 28,
  UNSUPPORTED_EXCHANGE_TYPE: 29,
  UNEQUAL_PAYLOAD_LENGTHS: 30,
  CONNECTED: 16384,
  RESPONDER_LIFETIME: 24576,
  REPLAY_STATUS: 24577,
  INITIAL_CONTACT: 24578,
  R_U_THERE: 36136,
  R_U_THERE_ACK: 36137,
} as const;

/** Certificate encodings, RFC 2408 §3.9. */
export const CERT_ENCODING = {
  NONE: 0,
  PKCS7_WRAPPED_X509: 1,
  PGP: 2,
  DNS_SIGNED_KEY: 3,
  X509_SIGNATURE: 4,
  X509_KEY_EXCHANGE: 5,
  KERBEROS_TOKENS: 6,
  CRL: 7,
  ARL: 8,
  SPKI: 9,
  X509_ATTRIBUTE: 10,
} as const;

/** Phase-1 (ISAKMP SA) attribute classes, RFC 2409 Appendix A. Classes 1-5, 11, 13-15 are Basic
 *  (TV); 6-10, 12 and 16 are Variable (TLV) — though a Life Duration that fits 16 bits goes as TV. */
export const P1_ATTR = {
  ENCRYPTION_ALGORITHM: 1,
  HASH_ALGORITHM: 2,
  AUTHENTICATION_METHOD: 3,
  GROUP_DESCRIPTION: 4,
  GROUP_TYPE: 5,
  GROUP_PRIME: 6,
  GROUP_GENERATOR_ONE: 7,
  GROUP_GENERATOR_TWO: 8,
  GROUP_CURVE_A: 9,
  GROUP_CURVE_B: 10,
  LIFE_TYPE: 11,
  LIFE_DURATION: 12,
  PRF: 13,
  KEY_LENGTH: 14,
  FIELD_SIZE: 15,
  GROUP_ORDER: 16,
} as const;

/** Authentication Method values, RFC 2409 Appendix A (1-5) and RFC 4754 (ECDSA, 9-11).
 *  XAuth's private values (65001-65010) are out of scope. */
export const AUTH_METHOD = {
  PSK: 1,
  DSS: 2,
  RSA_SIG: 3,
  RSA_ENC: 4,
  RSA_ENC_REV: 5,
  ECDSA_SHA256: 9,
  ECDSA_SHA384: 10,
  ECDSA_SHA512: 11,
} as const;

/** Life Type values: phase 1 (RFC 2409 Appendix A) and phase 2 (RFC 2407 §4.5) agree. */
export const LIFE_TYPE = {
  SECONDS: 1,
  KILOBYTES: 2,
} as const;

/** Phase-2 (IPsec SA) attribute classes, RFC 2407 §4.5; ECN Tunnel from RFC 3168 §9.2, Extended
 *  Sequence Number from RFC 4304 §2. */
export const P2_ATTR = {
  SA_LIFE_TYPE: 1,
  SA_LIFE_DURATION: 2,
  GROUP_DESCRIPTION: 3,
  ENCAPSULATION_MODE: 4,
  AUTH_ALGORITHM: 5,
  KEY_LENGTH: 6,
  KEY_ROUNDS: 7,
  COMPRESS_DICT_SIZE: 8,
  COMPRESS_PRIVATE_ALG: 9,
  ECN_TUNNEL: 10,
  EXTENDED_SEQUENCE_NUMBER: 11,
} as const;

/** Encapsulation Mode values: RFC 2407 §4.5 (1, 2), RFC 3947 §5.1 (3, 4) and
 *  draft-ietf-ipsec-nat-t-ike-02/03 (61443, 61444: the private values before RFC 3947). */
export const ENCAP_MODE = {
  TUNNEL: 1,
  TRANSPORT: 2,
  UDP_TUNNEL: 3,
  UDP_TRANSPORT: 4,
  UDP_TUNNEL_DRAFT: 61443,
  UDP_TRANSPORT_DRAFT: 61444,
} as const;

/** Phase-1 transform IDs, RFC 2407 §4.4.2: the only one is KEY_IKE. */
export const TRANSFORM_ISAKMP = { KEY_IKE: 1 } as const;

/** The name of `value` in one of the tables above, or the number itself when it has none (for logs). */
export function name(table: Readonly<Record<string, number>>, value: number): string | number {
  for (const key of Object.keys(table)) if (table[key] === value) return key;
  return value;
}
