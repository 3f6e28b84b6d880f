// What an ESP SA needs from its algorithms: the layout of its keying material, and whether our
// WebAssembly datapath can run it.
//
// Keying material is laid out as strongSwan (and RFC 7296 §2.17) takes it from KEYMAT, and as
// manual SAs are configured: the encryption key, for AEADs and AES-CTR followed by the salt
// (RFC 4106 §8.1, RFC 4309 §7.1, RFC 3686 §5.1, RFC 7634), then the integrity key.

import type { Proposal, ProposalError } from './proposal.js';
import type { EncrTransform, EsnTransform, IntegTransform } from './transforms.js';

/** One negotiated (or manually configured) ESP algorithm set: a single choice of each. */
export interface EspSuite {
  readonly encr: EncrTransform;
  /** Absent for AEADs and for encryption-only ESP. */
  readonly integ?: IntegTransform;
  readonly esn: boolean;
}

export interface EspKeyLayout {
  /** Cipher key bytes, without the salt. */
  readonly encrKey: number;
  /** Salt bytes right after the cipher key. */
  readonly salt: number;
  /** Integrity key bytes after the salt. */
  readonly integKey: number;
  /** Everything: encrKey + salt + integKey; the hex key of a manual SA has twice as many digits. */
  readonly total: number;
}

/** Sizes of the keying material of one ESP SA, in strongSwan's order. */
export function espKeyBytes(t: { readonly encr: EncrTransform; readonly integ?: IntegTransform | null }): EspKeyLayout {
  const encrKey = t.encr.keyBytes, salt = t.encr.saltBytes, integKey = t.integ?.keyBytes ?? 0;
  return { encrKey, salt, integKey, total: encrKey + salt + integKey };
}

export interface EspKeys {
  readonly encrKey: Uint8Array;
  readonly salt: Uint8Array;
  readonly integKey: Uint8Array;
}

/** Cut one SA's keying material into its parts; null when the length is not exactly espKeyBytes(t).total. */
export function splitEspKey(t: { readonly encr: EncrTransform; readonly integ?: IntegTransform | null }, key: Uint8Array): EspKeys | null {
  const l = espKeyBytes(t);
  if (key.length !== l.total) return null;
  return {
    encrKey: key.subarray(0, l.encrKey),
    salt: key.subarray(l.encrKey, l.encrKey + l.salt),
    integKey: key.subarray(l.encrKey + l.salt),
  };
}

/**
 * The single suite of an ESP proposal that names exactly one choice of each kind, as a manual SA
 * (`esp: aes128gcm16`) must; an error otherwise. Offsets are 0: the caller knows the string.
 */
export function espSuite(p: Proposal): EspSuite | ProposalError {
  const fail = (message: string): ProposalError => ({ message, offset: 0, length: 0 });
  if (p.kind !== 'esp') return fail(`an ESP algorithm set is needed, not an ${p.kind.toUpperCase()} proposal`);
  if (p.encr.length !== 1) return fail(`name exactly one encryption algorithm here, not ${p.encr.length} (${p.encr.map((e) => e.name).join(', ')})`);
  if (p.integ.length > 1) return fail(`name at most one integrity algorithm here, not ${p.integ.length} (${p.integ.map((i) => i.name).join(', ')})`);
  if (p.esn.length !== 1) return fail("choose either 'esn' or 'noesn' here, not both");
  if (p.dh.length > 0) return fail(`a D-H group ('${p.dh[0].name}') means nothing without a key exchange`);
  return p.integ.length === 1 ? { encr: p.encr[0], integ: p.integ[0], esn: p.esn[0].esn } : { encr: p.encr[0], esn: p.esn[0].esn };
}

/**
 * ESP algorithms the WebAssembly datapath implements (assembly/crypto), by canonical keyword;
 * 'des' runs as its 3DES with K1 = K2 = K3 (dataplane/engine.ts). Whether the configuration may
 * use them is weaknesses.ts's business.
 */
export const ESP_DATAPATH_ENCR: readonly string[] = Object.freeze([
  'aes128', 'aes192', 'aes256',
  'aes128gcm8', 'aes128gcm12', 'aes128gcm16', 'aes192gcm8', 'aes192gcm12', 'aes192gcm16',
  'aes256gcm8', 'aes256gcm12', 'aes256gcm16',
  'chacha20poly1305', '3des', 'des', 'null',
]);
export const ESP_DATAPATH_INTEG: readonly string[] = Object.freeze(['sha1', 'sha256', 'sha384', 'sha512']);

export type Support = { readonly supported: true } | { readonly supported: false; readonly reason: string };

const WHY_NOT: Readonly<Record<string, string>> = {
  'aes-ctr': 'AES-CTR ESP (RFC 3686) is not wired into the datapath; use AES-GCM',
  'aes-ccm': 'AES-CCM ESP (RFC 4309) is not implemented by the datapath; use AES-GCM',
  'aes-gmac': 'AES-GMAC ESP (RFC 4543) is not implemented by the datapath; use null with sha256, or AES-GCM',
  md5: 'HMAC-MD5 is not implemented (RFC 8221 says MUST NOT); use sha256',
  aesxcbc: 'AES-XCBC-MAC is not implemented by the datapath; use sha256',
  aescmac: 'AES-CMAC is not implemented by the datapath; use sha256',
};

/** Whether our datapath can run this ESP transform, and why not when it can't. */
export function espSupport(t: EncrTransform | IntegTransform | EsnTransform): Support {
  switch (t.kind) {
    case 'encr':
      return ESP_DATAPATH_ENCR.includes(t.name) ? { supported: true }
        : { supported: false, reason: `'${t.name}': ${WHY_NOT[t.family] ?? WHY_NOT[t.name] ?? 'not implemented by the datapath'}` };
    case 'integ':
      return ESP_DATAPATH_INTEG.includes(t.name) ? { supported: true }
        : { supported: false, reason: `'${t.name}': ${WHY_NOT[t.name] ?? 'not implemented by the datapath'}` };
    case 'esn':
      // The datapath's SA takes an `esn` flag (DESIGN.md, ipsecgw/esp); RFC 4303 §2.2.1.
      return { supported: true };
  }
}

/** The first reason the datapath can't run this suite, or supported. */
export function espSuiteSupport(s: EspSuite): Support {
  const e = espSupport(s.encr);
  if (!e.supported) return e;
  return s.integ ? espSupport(s.integ) : { supported: true };
}
