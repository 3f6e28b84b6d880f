// Certificate payload (RFC 2408 §3.9).
//
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ! Next Payload  !   RESERVED    !         Payload Length        !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ! Cert Encoding !                                               !
// +-+-+-+-+-+-+-+-+                                               !
// ~                       Certificate Data                        ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Cert Encoding is a CERT_ENCODING value; an X.509 certificate is X509_SIGNATURE (4) with the DER
// certificate as data. The codec sees the body only. `data` is a view of the input buffer.

import { PAYLOAD } from './constants.js';
import { DecodeError } from './errors.js';
import { need, target, uint, type Codec } from './wire.js';

export interface CertPayload {
  type: typeof PAYLOAD.CERT;
  /** CERT_ENCODING.* */
  encoding: number;
  data: Uint8Array;
}

export const cert: Codec<CertPayload> = {
  encode(p, buf, offset = 0) {
    const out = target(buf, offset, 1 + p.data.length, 'CERT payload');
    out[offset] = uint(p.encoding, 8, 'certificate encoding');
    out.set(p.data, offset + 1);
    return out;
  },
  decode(buf, offset, length) {
    need(buf, offset, length, 'CERT payload');
    if (length < 1) throw new DecodeError('CERT payload: empty, needs a Cert Encoding byte');
    return { type: PAYLOAD.CERT, encoding: buf[offset], data: buf.subarray(offset + 1, offset + length) };
  },
  encodingLength: (p) => 1 + p.data.length,
};
