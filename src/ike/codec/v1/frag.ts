// IKEv1 Fragment payload: the proprietary fragmentation extension (Cisco's, implemented by
// strongSwan and Windows; announced by the FRAGMENTATION vendor ID), private payload type 132. A
// message too big for the path is sent as messages whose only payload is a fragment of it.
//
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ! Next Payload  !    RESERVED   !         Payload Length        !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !         Fragment ID           !  Fragment Num !     Flags     !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                         Fragment Data                         ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Fragment numbers start at 1; Flags bit 0 (FRAG_LAST) marks the last fragment.
// The codec sees the body only. `data` is a view of the input buffer.

import { PAYLOAD } from './constants.js';
import { DecodeError } from './errors.js';
import { need, put16, target, u16, uint, type Codec } from './wire.js';

export const FRAG_LAST = 1;

export interface FragmentPayload {
  type: typeof PAYLOAD.FRAG;
  fragmentId: number;
  fragmentNumber: number;
  flags: number;
  data: Uint8Array;
}

export const frag: Codec<FragmentPayload> = {
  encode(p, buf, offset = 0) {
    const out = target(buf, offset, 4 + p.data.length, 'FRAG payload');
    put16(out, offset, uint(p.fragmentId, 16, 'fragment ID'));
    out[offset + 2] = uint(p.fragmentNumber, 8, 'fragment number');
    out[offset + 3] = uint(p.flags, 8, 'fragment flags');
    out.set(p.data, offset + 4);
    return out;
  },
  decode(buf, offset, length) {
    need(buf, offset, length, 'FRAG payload');
    if (length < 4) throw new DecodeError(`FRAG payload: ${length} bytes, needs 4 before the data`);
    return {
      type: PAYLOAD.FRAG,
      fragmentId: u16(buf, offset),
      fragmentNumber: buf[offset + 2],
      flags: buf[offset + 3],
      data: buf.subarray(offset + 4, offset + length),
    };
  },
  encodingLength: (p) => 4 + p.data.length,
};
