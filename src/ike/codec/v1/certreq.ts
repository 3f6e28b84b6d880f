// Certificate Request payload (RFC 2408 §3.10).
//
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ! Next Payload  !   RESERVED    !         Payload Length        !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !  Cert. Type   !                                               !
// +-+-+-+-+-+-+-+-+                                               !
// ~                    Certificate Authority                      ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Cert. Type is a CERT_ENCODING value; the Certificate Authority is the DER subject DN of an
// acceptable CA, or empty for "any CA". The codec sees the body only. `data` is a view of the input.

import { PAYLOAD } from './constants.js';
import { DecodeError } from './errors.js';
import { need, target, uint, type Codec } from './wire.js';

export interface CertReqPayload {
  type: typeof PAYLOAD.CR;
  /** CERT_ENCODING.* */
  encoding: number;
  /** The CA's DER-encoded distinguished name; empty: any CA. */
  data: Uint8Array;
}

export const certreq: Codec<CertReqPayload> = {
  encode(p, buf, offset = 0) {
    const out = target(buf, offset, 1 + p.data.length, 'CR payload');
    out[offset] = uint(p.encoding, 8, 'certificate type');
    out.set(p.data, offset + 1);
    return out;
  },
  decode(buf, offset, length) {
    need(buf, offset, length, 'CR payload');
    if (length < 1) throw new DecodeError('CR payload: empty, needs a Cert. Type byte');
    return { type: PAYLOAD.CR, encoding: buf[offset], data: buf.subarray(offset + 1, offset + length) };
  },
  encodingLength: (p) => 1 + p.data.length,
};
