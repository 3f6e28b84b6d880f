// Notify payload (RFC 7296 §3.10), body after the generic header:
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Protocol ID  |   SPI Size    |      Notify Message Type      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                Security Parameter Index (SPI)                 ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                       Notification Data                       ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Protocol ID 0 and SPI size 0 for notifies about the IKE SA (§3.10: "the SPI Size field MUST be
// zero"; an IKE SA's SPIs are in the header), 2/3 with a 4-byte SPI for a CHILD SA (REKEY_SA,
// CHILD_SA_NOT_FOUND). Both are the exchange's checks. `spi` and `data` are views of the input.

import { PAYLOAD } from './constants.js';
import { DecodeError } from './errors.js';
import { atLeast, need, put16, target, u16, uint, type Codec } from './wire.js';

export interface NotifyPayload {
  type: typeof PAYLOAD.N;
  critical?: boolean;
  /** 0 (or PROTOCOL.IKE) for the IKE SA; PROTOCOL.ESP / AH for a CHILD SA. */
  protocolId: number;
  spi: Uint8Array;
  /** NOTIFY.* */
  notifyType: number;
  data: Uint8Array;
}

export const notify: Codec<NotifyPayload> = {
  encode(p, buf, offset = 0) {
    const out = target(buf, offset, notify.encodingLength(p), 'N payload');
    out[offset] = uint(p.protocolId, 8, 'notify protocol ID');
    out[offset + 1] = uint(p.spi.length, 8, 'notify SPI size');
    put16(out, offset + 2, uint(p.notifyType, 16, 'notify message type'));
    out.set(p.spi, offset + 4);
    out.set(p.data, offset + 4 + p.spi.length);
    return out;
  },
  decode(buf, offset, length) {
    need(buf, offset, length, 'N payload');
    atLeast(length, 4, 'N payload');
    const spiSize = buf[offset + 1];
    if (4 + spiSize > length) throw new DecodeError(`N payload: SPI size ${spiSize} runs past the payload (${length} bytes)`);
    return {
      type: PAYLOAD.N,
      protocolId: buf[offset],
      spi: buf.subarray(offset + 4, offset + 4 + spiSize),
      notifyType: u16(buf, offset + 2),
      data: buf.subarray(offset + 4 + spiSize, offset + length),
    };
  },
  encodingLength: (p) => 4 + p.spi.length + p.data.length,
};
