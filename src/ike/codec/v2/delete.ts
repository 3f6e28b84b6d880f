// Delete payload (RFC 7296 §3.11), body after the generic header:
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Protocol ID   |   SPI Size    |          Num of SPIs          |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~               Security Parameter Index(es) (SPI)              ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Deleting the IKE SA: protocol 1, SPI size 0, no SPIs (the header's SPIs name it). CHILD SAs:
// protocol 2/3, SPI size 4, the SPIs the sender expects on inbound packets (§1.4.1).
// Decoding insists that Num of SPIs × SPI Size fills the payload exactly. Each SPI is a view.

import { PAYLOAD } from './constants.js';
import { DecodeError } from './errors.js';
import { atLeast, need, put16, target, u16, uint, type Codec } from './wire.js';

export interface DeletePayload {
  type: typeof PAYLOAD.D;
  critical?: boolean;
  /** PROTOCOL.* */
  protocolId: number;
  /** Length of every SPI (also sent when `spis` is empty). */
  spiSize: number;
  spis: Uint8Array[];
}

export const del: Codec<DeletePayload> = {
  encode(p, buf, offset = 0) {
    const out = target(buf, offset, del.encodingLength(p), 'D payload');
    out[offset] = uint(p.protocolId, 8, 'delete protocol ID');
    out[offset + 1] = uint(p.spiSize, 8, 'delete SPI size');
    put16(out, offset + 2, uint(p.spis.length, 16, 'number of SPIs'));
    let at = offset + 4;
    for (const spi of p.spis) {
      if (spi.length !== p.spiSize) throw new RangeError(`D payload: a ${spi.length}-byte SPI with SPI size ${p.spiSize}`);
      out.set(spi, at);
      at += spi.length;
    }
    return out;
  },
  decode(buf, offset, length) {
    need(buf, offset, length, 'D payload');
    atLeast(length, 4, 'D payload');
    const spiSize = buf[offset + 1], count = u16(buf, offset + 2);
    if (spiSize === 0 && count > 0) throw new DecodeError(`D payload: ${count} SPIs of size 0`);
    if (4 + spiSize * count !== length) throw new DecodeError(`D payload: ${count} SPIs of ${spiSize} bytes don't fill its ${length - 4} bytes`);
    const spis: Uint8Array[] = [];
    for (let i = 0, at = offset + 4; i < count; i++, at += spiSize) spis.push(buf.subarray(at, at + spiSize));
    return { type: PAYLOAD.D, protocolId: buf[offset], spiSize, spis };
  },
  encodingLength: (p) => 4 + p.spis.length * p.spiSize,
};
