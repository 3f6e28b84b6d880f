// The Encrypted payload SK (RFC 7296 §3.14) and the Encrypted Fragment payload SKF (RFC 7383 §2.5)
// as payloads: framing only (sk.ts does the cryptography).
//
// SK:
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Next Payload  |C|  RESERVED   |         Payload Length        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                     Initialization Vector                     |
// |         (length is block size for encryption algorithm)       |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                    Encrypted IKE Payloads                     ~
// +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |               |             Padding (0-255 octets)            |
// +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
// |                                               |  Pad Length   |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                    Integrity Checksum Data                    ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Next Payload names the first payload INSIDE (the chain continues after decryption), so SK is
// the last payload of its message (§3.14) and its Next Payload is exposed as `innerFirst`.
//
// SKF (RFC 7383 §2.5):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Next Payload  |C|  RESERVED   |         Payload Length        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |        Fragment Number        |        Total Fragments        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                     Initialization Vector                     |
// ~                      Encrypted content                        ~
// +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |               |             Padding (0-255 octets)            |
// +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
// |                                               |  Pad Length   |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                    Integrity Checksum Data                    ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Next Payload is the first inner payload's type in fragment 1 and 0 in the others (§2.5).
// Fragment Number 1..Total Fragments; 0 in either, or a number above the total, is INVALID_SYNTAX
// here (§2.6.1: such fragments are discarded). `data` (IV | ciphertext | ICV) is a view.

import { PAYLOAD } from './constants.js';
import { DecodeError } from './errors.js';
import { atLeast, need, put16, target, u16, uint, type Codec } from './wire.js';

export interface SkPayload {
  type: typeof PAYLOAD.SK;
  critical?: boolean;
  /** IV | ciphertext | ICV, opaque. */
  data: Uint8Array;
  /** The SK payload's Next Payload: the type of the first payload inside. */
  innerFirst: number;
}

export interface SkfPayload {
  type: typeof PAYLOAD.SKF;
  critical?: boolean;
  fragmentNumber: number;
  totalFragments: number;
  data: Uint8Array;
  /** The first inner payload's type in fragment 1, 0 in the others. */
  innerFirst: number;
}

/** The SK body. decode() can't see the generic header: decodePayloads sets innerFirst. */
export const sk: Codec<SkPayload> = {
  encode(p, buf, offset = 0) {
    const out = target(buf, offset, p.data.length, 'SK payload');
    out.set(p.data, offset);
    return out;
  },
  decode(buf, offset, length) {
    need(buf, offset, length, 'SK payload');
    return { type: PAYLOAD.SK, data: buf.subarray(offset, offset + length), innerFirst: 0 };
  },
  encodingLength: (p) => p.data.length,
};

export const SKF_HEADER = 4;

export const skf: Codec<SkfPayload> = {
  encode(p, buf, offset = 0) {
    const out = target(buf, offset, SKF_HEADER + p.data.length, 'SKF payload');
    put16(out, offset, uint(p.fragmentNumber, 16, 'fragment number'));
    put16(out, offset + 2, uint(p.totalFragments, 16, 'total fragments'));
    out.set(p.data, offset + SKF_HEADER);
    return out;
  },
  decode(buf, offset, length) {
    need(buf, offset, length, 'SKF payload');
    atLeast(length, SKF_HEADER, 'SKF payload');
    const fragmentNumber = u16(buf, offset), totalFragments = u16(buf, offset + 2);
    if (fragmentNumber === 0 || totalFragments === 0 || fragmentNumber > totalFragments) {
      throw new DecodeError(`SKF payload: fragment ${fragmentNumber} of ${totalFragments}`);
    }
    return { type: PAYLOAD.SKF, fragmentNumber, totalFragments, data: buf.subarray(offset + SKF_HEADER, offset + length), innerFirst: 0 };
  },
  encodingLength: (p) => SKF_HEADER + p.data.length,
};
