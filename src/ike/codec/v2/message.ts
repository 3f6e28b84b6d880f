// Whole IKEv2 messages: the header (header.ts) and the payload chain (payload.ts).
//
// Receiving:  { header, body } = decodeMessage(udpPayload)   (on port 4500, strip the 4-byte zero
//             non-ESP marker first, RFC 3948 §2.2 / RFC 7296 §2.23); then
//             decodePayloads(header.nextPayload, body) — or openMessage() (sk.ts) when the first
//             payload is SK, openFragment() when it is SKF.
// Sending:    encodeMessage(h, payloads) (IKE_SA_INIT), sealMessage() (sk.ts) for everything else.

import { HEADER_BYTES, VERSION_2_0, header, type Header } from './header.js';
import { DecodeError } from './errors.js';
import { encodePayloads, payloadsLength, type Payload } from './payload.js';

export type HeaderFields = Omit<Header, 'length' | 'nextPayload' | 'version'>;

/** Header (version 0x20, Next Payload = ps[0].type, Length) and payloads. */
export function encodeMessage(h: HeaderFields, ps: Payload[]): Uint8Array {
  const length = HEADER_BYTES + payloadsLength(ps);
  const out = header.encode({ ...h, version: VERSION_2_0, nextPayload: ps.length ? ps[0].type : 0, length }, new Uint8Array(length));
  encodePayloads(ps, out, HEADER_BYTES);
  return out;
}

/** The header and the payload bytes after it (a view). Length must equal the datagram's size:
 *  IKEv2 has no trailing bytes (RFC 7296 §3.1 "Length of the total message"), else INVALID_SYNTAX. */
export function decodeMessage(bytes: Uint8Array): { header: Header; body: Uint8Array } {
  const h = header.decode(bytes, 0);
  if (h.length !== bytes.length) throw new DecodeError(`IKE header: length ${h.length}, the datagram has ${bytes.length} bytes`);
  return { header: h, body: bytes.subarray(HEADER_BYTES, h.length) };
}
