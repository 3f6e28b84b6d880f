// Identification payload, IPsec DOI format (RFC 2407 §4.6.2; RFC 2408 §3.8 defers to the DOI).
//
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !  Next Payload !   RESERVED    !        Payload Length         !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !   ID Type     !  Protocol ID  !             Port              !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                     Identification Data                       ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// In phase 1 (IDii / IDir) Protocol ID and Port are 0, or UDP (17) and 500 (RFC 2407 §4.6.2);
// strongSwan sends 0 / 0. In Quick Mode (IDci / IDcr, RFC 2409 §5.5) they are the traffic
// selector's IP protocol and port. id-data.ts reads and writes Identification Data.
// The codec sees the body only. `data` is a view of the input buffer.

import { PAYLOAD } from './constants.js';
import { DecodeError } from './errors.js';
import { need, put16, target, u16, uint, type Codec } from './wire.js';

export interface IdPayload {
  type: typeof PAYLOAD.ID;
  /** ID_TYPE.* */
  idType: number;
  /** IP protocol number, 0 for any. */
  protocolId: number;
  /** Port, 0 for any. */
  port: number;
  data: Uint8Array;
}

export const id: Codec<IdPayload> = {
  encode(p, buf, offset = 0) {
    const out = target(buf, offset, 4 + p.data.length, 'ID payload');
    out[offset] = uint(p.idType, 8, 'ID type');
    out[offset + 1] = uint(p.protocolId, 8, 'ID protocol');
    put16(out, offset + 2, uint(p.port, 16, 'ID port'));
    out.set(p.data, offset + 4);
    return out;
  },
  decode(buf, offset, length) {
    need(buf, offset, length, 'ID payload');
    if (length < 4) throw new DecodeError(`ID payload: ${length} bytes, needs 4 for type, protocol and port`);
    return {
      type: PAYLOAD.ID,
      idType: buf[offset],
      protocolId: buf[offset + 1],
      port: u16(buf, offset + 2),
      data: buf.subarray(offset + 4, offset + length),
    };
  },
  encodingLength: (p) => 4 + p.data.length,
};
