// NAT traversal for IKEv1 (RFC 3947, and the drafts peers still announce): which variant the two
// sides share, the NAT-D hashes that reveal a NAT, and the numbers that change with the variant.
//
// RFC 3947 §3.1: support is announced with a Vendor ID in the first two Main Mode (or Aggressive
// Mode) messages. The variants differ only in numbers: the NAT-D / NAT-OA payload types (20 / 21,
// draft: 130 / 131) and the UDP-encapsulated modes of Quick Mode (3 / 4, draft: 61443 / 61444).
import { parseAddress } from '../../dataplane/addr.js';
import { ENCAP_MODE, PAYLOAD, VENDOR_ID, vendorIdName, type VendorIdName } from '../codec/v1/index.js';
import type { Endpoint } from '../endpoint.js';
import { hashOf, type HashName } from '../crypto/index.js';

export type NattVariant = 'rfc3947' | 'draft-03' | 'draft-02n' | 'draft-02';

/** In order of preference: the variant both sides speak is the first of these the peer announced. */
const PREFERENCE: ReadonlyArray<[NattVariant, VendorIdName]> = [
  ['rfc3947', 'NATT_RFC3947'], ['draft-03', 'NATT_DRAFT_03'], ['draft-02n', 'NATT_DRAFT_02N'], ['draft-02', 'NATT_DRAFT_02'],
];

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** What a peer's Vendor ID payloads announce that we act on. */
export interface PeerVendors {
  natt?: NattVariant;
  dpd: boolean;
}

export function readVendorIds(ids: readonly Uint8Array[]): PeerVendors {
  const names = new Set(ids.map(vendorIdName));
  return { natt: PREFERENCE.find(([, id]) => names.has(id))?.[0], dpd: names.has('DPD') };
}

/** The Vendor IDs we send: every NAT-T variant we understand (unless NAT-T is off), and DPD (RFC 3706 §5.1). */
export function ourVendorIds(natTraversal: 'auto' | 'force' | 'off'): Uint8Array[] {
  return [...(natTraversal === 'off' ? [] : PREFERENCE.map(([, id]) => VENDOR_ID[id])), VENDOR_ID.DPD];
}

export const natdPayloadType = (v: NattVariant): number => (v === 'rfc3947' ? PAYLOAD.NAT_D : PAYLOAD.NAT_D_DRAFT);
export const natoaPayloadType = (v: NattVariant): number => (v === 'rfc3947' ? PAYLOAD.NAT_OA : PAYLOAD.NAT_OA_DRAFT);

/** The Encapsulation Mode of a UDP-encapsulated SA (RFC 3947 §5.3; the drafts' private-use values). */
export function udpEncapMode(v: NattVariant, mode: 'tunnel' | 'transport'): number {
  if (v === 'rfc3947') return mode === 'tunnel' ? ENCAP_MODE.UDP_TUNNEL : ENCAP_MODE.UDP_TRANSPORT;
  return mode === 'tunnel' ? ENCAP_MODE.UDP_TUNNEL_DRAFT : ENCAP_MODE.UDP_TRANSPORT_DRAFT;
}

/**
 * RFC 3947 §3.2: HASH = HASH(CKY-I | CKY-R | IP | Port), with the hash algorithm negotiated for
 * phase 1 (not its HMAC); IP is 4 or 16 bytes, Port 2 bytes in network order.
 */
export function natdHash(hash: HashName, ckyI: Uint8Array, ckyR: Uint8Array, e: Endpoint): Uint8Array {
  const a = parseAddress(e.address);
  const ip = a.bytes.subarray(0, a.family === 4 ? 4 : 16);
  return hashOf(hash, ckyI, ckyR, ip, Uint8Array.of(e.port >> 8, e.port & 0xff));
}

export interface NatState {
  /** Our address is rewritten on the way: we must send keepalives (RFC 3947 §4, RFC 3948 §4). */
  local: boolean;
  /** The peer's is. */
  remote: boolean;
}

/**
 * RFC 3947 §3.2: the first NAT-D payload hashes the receiver's address as the sender saw it, the
 * others the sender's own addresses. Ours does not match the first → we are behind a NAT; none of
 * the others matches where the packet came from → the peer is.
 */
export function detectNat(hash: HashName, ckyI: Uint8Array, ckyR: Uint8Array, received: readonly Uint8Array[], local: Endpoint, remote: Endpoint): NatState {
  if (received.length < 2) return { local: false, remote: false };
  const ours = natdHash(hash, ckyI, ckyR, local), theirs = natdHash(hash, ckyI, ckyR, remote);
  return {
    local: !equal(received[0], ours),
    remote: !received.slice(1).some((h) => equal(h, theirs)),
  };
}

/** The NAT-D hashes to send: the destination's first, then our source's (RFC 3947 §3.2). */
export function natdHashes(hash: HashName, ckyI: Uint8Array, ckyR: Uint8Array, local: Endpoint, remote: Endpoint): Uint8Array[] {
  return [natdHash(hash, ckyI, ckyR, remote), natdHash(hash, ckyI, ckyR, local)];
}
