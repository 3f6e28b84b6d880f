// NAT-Discovery payload (RFC 3947 §3.2; draft-ietf-ipsec-nat-t-ike-02/03 numbered it 130).
//
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Next Payload  |    RESERVED   |        Payload length         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                 HASH of the address and port                  ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// HASH = HASH(CKY-I | CKY-R | IP | Port) with the negotiated hash (RFC 3947 §3.2). The payload
// keeps the type it came with: 20 after the peers agreed on RFC 3947 by vendor ID, 130 after a
// draft. The codec sees the body only. `hash` is a view of the input buffer.

import { PAYLOAD } from './constants.js';
import { need, target, type Codec } from './wire.js';

export interface NatdPayload {
  type: typeof PAYLOAD.NAT_D | typeof PAYLOAD.NAT_D_DRAFT;
  hash: Uint8Array;
}

export const natd: Codec<NatdPayload> & {
  /** `type`: the payload number it came with (NAT_D or NAT_D_DRAFT). */
  decode(buf: Uint8Array, offset: number, length: number, type?: NatdPayload['type']): NatdPayload;
} = {
  encode(p, buf, offset = 0) {
    const out = target(buf, offset, p.hash.length, 'NAT-D payload');
    out.set(p.hash, offset);
    return out;
  },
  decode(buf: Uint8Array, offset: number, length: number, type: NatdPayload['type'] = PAYLOAD.NAT_D): NatdPayload {
    need(buf, offset, length, 'NAT-D payload');
    return { type, hash: buf.subarray(offset, offset + length) };
  },
  encodingLength: (p) => p.hash.length,
};
