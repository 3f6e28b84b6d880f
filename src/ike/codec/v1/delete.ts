// Delete payload (RFC 2408 §3.15).
//
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ! Next Payload  !   RESERVED    !         Payload Length        !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !              Domain of Interpretation  (DOI)                  !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !  Protocol-Id  !   SPI Size    !           # of SPIs           !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~               Security Parameter Index(es) (SPI)              ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// For the IKE SA: protocol ISAKMP, SPI size 16 (the cookies); for ESP / AH: 4-byte SPIs.
// Decoding insists that # of SPIs × SPI Size fills the payload exactly.
// The codec sees the body only. Each SPI is a view of the input buffer.

import { PAYLOAD } from './constants.js';
import { DecodeError } from './errors.js';
import { need, put16, put32, target, u16, u32, uint, type Codec } from './wire.js';

export interface DeletePayload {
  type: typeof PAYLOAD.D;
  doi: number;
  /** PROTO.* */
  protocolId: number;
  /** Length of every SPI (also sent when `spis` is empty). */
  spiSize: number;
  spis: Uint8Array[];
}

export const del: Codec<DeletePayload> = {
  encode(p, buf, offset = 0) {
    const out = target(buf, offset, del.encodingLength(p), 'D payload');
    put32(out, offset, uint(p.doi, 32, 'delete DOI'));
    out[offset + 4] = uint(p.protocolId, 8, 'delete protocol');
    out[offset + 5] = uint(p.spiSize, 8, 'delete SPI size');
    put16(out, offset + 6, uint(p.spis.length, 16, 'number of SPIs'));
    let at = offset + 8;
    for (const spi of p.spis) {
      if (spi.length !== p.spiSize) throw new RangeError(`D payload: a ${spi.length}-byte SPI with SPI size ${p.spiSize}`);
      out.set(spi, at);
      at += spi.length;
    }
    return out;
  },
  decode(buf, offset, length) {
    need(buf, offset, length, 'D payload');
    if (length < 8) throw new DecodeError(`D payload: ${length} bytes, needs 8 before the SPIs`);
    const spiSize = buf[offset + 5], count = u16(buf, offset + 6);
    if (spiSize === 0 && count > 0) throw new DecodeError(`D payload: ${count} SPIs of size 0`);
    if (8 + spiSize * count !== length) {
      throw new DecodeError(`D payload: ${count} SPIs of ${spiSize} bytes don't fill its ${length - 8} bytes`);
    }
    const spis: Uint8Array[] = [];
    for (let i = 0, at = offset + 8; i < count; i++, at += spiSize) spis.push(buf.subarray(at, at + spiSize));
    return { type: PAYLOAD.D, doi: u32(buf, offset), protocolId: buf[offset + 4], spiSize, spis };
  },
  encodingLength: (p) => 8 + p.spis.length * p.spiSize,
};
