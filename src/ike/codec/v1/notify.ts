// Notification payload (RFC 2408 §3.14).
//
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ! Next Payload  !   RESERVED    !         Payload Length        !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !              Domain of Interpretation  (DOI)                  !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !  Protocol-ID  !   SPI Size    !      Notify Message Type      !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                Security Parameter Index (SPI)                 ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                       Notification Data                       ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// For the IKE SA the SPI is the two cookies, 16 bytes (INITIAL_CONTACT as strongSwan sends it;
// RFC 3706 §5.3: R-U-THERE / R-U-THERE-ACK with the 4-byte sequence number as data).
// The codec sees the body only. `spi` and `data` are views of the input buffer.

import { PAYLOAD } from './constants.js';
import { DecodeError } from './errors.js';
import { need, put16, put32, target, u16, u32, uint, type Codec } from './wire.js';

export interface NotifyPayload {
  type: typeof PAYLOAD.N;
  doi: number;
  /** PROTO.* (ISAKMP for the IKE SA) */
  protocolId: number;
  spi: Uint8Array;
  /** NOTIFY.* */
  notifyType: number;
  data: Uint8Array;
}

export const notify: Codec<NotifyPayload> = {
  encode(p, buf, offset = 0) {
    const out = target(buf, offset, notify.encodingLength(p), 'N payload');
    put32(out, offset, uint(p.doi, 32, 'notify DOI'));
    out[offset + 4] = uint(p.protocolId, 8, 'notify protocol');
    out[offset + 5] = uint(p.spi.length, 8, 'notify SPI size');
    put16(out, offset + 6, uint(p.notifyType, 16, 'notify message type'));
    out.set(p.spi, offset + 8);
    out.set(p.data, offset + 8 + p.spi.length);
    return out;
  },
  decode(buf, offset, length) {
    need(buf, offset, length, 'N payload');
    if (length < 8) throw new DecodeError(`N payload: ${length} bytes, needs 8 before the SPI`);
    const spiSize = buf[offset + 5];
    if (8 + spiSize > length) throw new DecodeError(`N payload: SPI size ${spiSize} runs past the payload (${length} bytes)`);
    return {
      type: PAYLOAD.N,
      doi: u32(buf, offset),
      protocolId: buf[offset + 4],
      spi: buf.subarray(offset + 8, offset + 8 + spiSize),
      notifyType: u16(buf, offset + 6),
      data: buf.subarray(offset + 8 + spiSize, offset + length),
    };
  },
  encodingLength: (p) => 8 + p.spi.length + p.data.length,
};
