// What `proposals` means when it is left out or names 'default' (swanctl's keyword for the
// built-in list). strongSwan's own defaults depend on the plugins it loaded; ours are fixed: AEADs
// first, then AES-CBC with SHA-2, with groups of at least 128-bit security (RFC 8247 and RFC 8221
// MUST / SHOULD choices). IKEv1 gets single-algorithm proposals, because an IKEv1 transform carries
// one algorithm of each kind (RFC 2409 Appendix A), and no AEAD or ChaCha20 where it has no
// IKEv1 number.

import type { ProposalKind } from './proposal.js';

export const DEFAULT_PROPOSALS: Readonly<Record<1 | 2, Readonly<Record<ProposalKind, readonly string[]>>>> = {
  2: {
    ike: [
      'aes128gcm16-aes256gcm16-chacha20poly1305-prfsha256-prfsha384-prfsha512-x25519-ecp256-ecp384-modp3072',
      'aes128-aes256-sha256-sha384-sha512-x25519-ecp256-ecp384-modp3072',
    ],
    esp: ['aes128gcm16-aes256gcm16-chacha20poly1305', 'aes128-aes256-sha256-sha384-sha512'],
    ah: ['sha256-sha384-sha512'],
  },
  1: {
    ike: ['aes256-sha256-modp3072', 'aes128-sha256-modp3072', 'aes256-sha256-ecp256'],
    esp: ['aes256gcm16', 'aes128gcm16', 'aes256-sha256', 'aes128-sha256'],
    ah: ['sha256'],
  },
};

/** Lifetimes when none are given, as swanctl's rekey_time defaults: IKE SA 4h, CHILD SA 1h. */
export const DEFAULT_IKE_LIFETIME = 4 * 3600;
export const DEFAULT_CHILD_LIFETIME = 3600;
