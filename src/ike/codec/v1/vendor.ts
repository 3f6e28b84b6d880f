// Vendor ID payload (RFC 2408 §3.16), and the vendor IDs an IKEv1 peer announces extensions with.
//
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ! Next Payload  !   RESERVED    !         Payload Length        !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                        Vendor ID (VID)                        ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// The codec sees the body only: the Vendor ID. `data` is a view of the input buffer.

import { PAYLOAD } from './constants.js';
import { dataCodec } from './wire.js';

export interface VendorPayload {
  type: typeof PAYLOAD.VID;
  data: Uint8Array;
}

export const vendor = dataCodec<VendorPayload>(PAYLOAD.VID, 'Vendor ID payload');

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!, (b) => parseInt(b, 16));

/** Vendor IDs with a meaning for the protocol. Most are MD5 hashes of a text (the test recomputes
 *  them): RFC 3947 §3.1 ("RFC 3947"), the NAT-T drafts (their names, -02 also with a trailing
 *  newline as some peers send it), XAuth (the first 8 bytes of
 *  MD5("draft-ietf-ipsra-isakmp-xauth-06.txt")), FRAGMENTATION (MD5("FRAGMENTATION"), then 4 bytes
 *  of capabilities: 0x80000000 = fragments phase 1), Cisco Unity (14 bytes of MD5("CISCO-UNITY"),
 *  then a 2-byte version) and MS NT5 ISAKMPOAKLEY (then a 4-byte version). DPD is RFC 3706 §5.1's
 *  fixed value, version 1.0 in the last two bytes. */
export const VENDOR_ID = {
  STRONGSWAN: hex('882fe56d6fd20dbc2251613b2ebe5beb'),
  XAUTH: hex('09002689dfd6b712'),
  DPD: hex('afcad71368a1f1c96b8696fc77570100'),
  FRAGMENTATION: hex('4048b7d56ebce88525e7de7f00d6c2d3'),
  CISCO_UNITY: hex('12f5f28c457168a9702d9fe274cc'),
  MS_NT5: hex('1e2b516905991c7d7c96fcbfb587e461'),
  NATT_RFC3947: hex('4a131c81070358455c5728f20e95452f'),
  NATT_DRAFT_02: hex('cd60464335df21f87cfdb2fc68b6a448'),
  NATT_DRAFT_02N: hex('90cb80913ebb696e086381b5ec427b1f'),
  NATT_DRAFT_03: hex('7d9419a65310ca6f2c179d9215529d56'),
} as const;

export type VendorIdName = keyof typeof VENDOR_ID;

/** Known IDs that are a prefix of what peers send (a version or capabilities follow). */
const PREFIX: ReadonlySet<VendorIdName> = new Set(['FRAGMENTATION', 'CISCO_UNITY', 'MS_NT5']);

const startsWith = (data: Uint8Array, id: Uint8Array): boolean => data.length >= id.length && id.every((b, i) => data[i] === b);

/** Which known vendor ID `data` is, or undefined. */
export function vendorIdName(data: Uint8Array): VendorIdName | undefined {
  for (const key of Object.keys(VENDOR_ID) as VendorIdName[]) {
    const id = VENDOR_ID[key];
    if (PREFIX.has(key) ? startsWith(data, id) : data.length === id.length && startsWith(data, id)) return key;
  }
  return undefined;
}
