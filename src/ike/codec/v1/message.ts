// Whole ISAKMP messages: the header (header.ts) and the payload chain (payload.ts).
//
// Receiving:  { header, body } = decodeMessage(udpPayload)   (on port 4500, strip the 4-byte zero
//             non-ESP marker first, RFC 3948 §2.2); if header.flags & FLAG.ENCRYPTION, decrypt
//             body (RFC 2409 Appendix B); then decodePayloads(header.nextPayload, plaintext).
// Sending:    encodeMessage(h, payloads), or for an encrypted message
//             encodeMessage({ ...h, flags: h.flags | FLAG.ENCRYPTION }, { nextPayload, body: ciphertext })
//             where nextPayload is the type of the first payload inside the ciphertext.

import { HEADER_BYTES, header, type Header } from './header.js';
import { encodePayloads, payloadsLength, type Payload } from './payload.js';

/** An already-encoded (usually encrypted) body and the type of its first payload. */
export interface EncodedBody {
  nextPayload: number;
  body: Uint8Array;
}

export function encodeMessage(h: Omit<Header, 'length' | 'nextPayload'>, content: readonly Payload[] | EncodedBody): Uint8Array {
  if (Array.isArray(content)) {
    const payloads = content as readonly Payload[];
    const length = HEADER_BYTES + payloadsLength(payloads);
    const out = header.encode({ ...h, nextPayload: payloads.length ? payloads[0].type : 0, length }, new Uint8Array(length));
    encodePayloads(payloads, out, HEADER_BYTES);
    return out;
  }
  const { nextPayload, body } = content as EncodedBody;
  const length = HEADER_BYTES + body.length;
  const out = header.encode({ ...h, nextPayload, length }, new Uint8Array(length));
  out.set(body, HEADER_BYTES);
  return out;
}

/** The header and the bytes after it up to header.length (bytes beyond Length are ignored). The
 *  body is a view of `buf`. Throws DecodeError (see header.ts for the checks). */
export function decodeMessage(buf: Uint8Array): { header: Header; body: Uint8Array } {
  const h = header.decode(buf, 0);
  return { header: h, body: buf.subarray(HEADER_BYTES, h.length) };
}
