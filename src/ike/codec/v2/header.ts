// The IKE header (RFC 7296 §3.1).
//
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                       IKE SA Initiator's SPI                  |
// |                                                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                       IKE SA Responder's SPI                  |
// |                                                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                          Message ID                           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                            Length                             |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Flags: X X R V I X X X (R = 0x20 response, V = 0x10 higher version possible, I = 0x08 sent by
// the original initiator). Length is the whole message, header included.
//
// decode checks the major version (2, else INVALID_MAJOR_VERSION, §2.5 — an IKEv1 packet has 1)
// and 28 ≤ Length ≤ the bytes received (INVALID_SYNTAX). Undefined flag bits and the minor version
// are ignored on receipt (§3.1 "MUST be ignored", §2.5). The exchange type is the exchange code's
// business. SPIs are views of the input buffer.

import { NOTIFY } from './constants.js';
import { DecodeError } from './errors.js';
import { need, put32, target, u32, uint } from './wire.js';

export interface Header {
  /** 8 bytes. */
  spiI: Uint8Array;
  /** 8 bytes; zero in the first IKE_SA_INIT request. */
  spiR: Uint8Array;
  nextPayload: number;
  /** Major version in the high nibble, minor in the low: 0x20 for IKEv2. */
  version: number;
  exchange: number;
  flags: number;
  /** Unsigned 32 bits. */
  messageId: number;
  length: number;
}

export const HEADER_BYTES = 28;
export const VERSION_2_0 = 0x20;

export const header = {
  encode(h: Header, buf?: Uint8Array, offset = 0): Uint8Array {
    if (h.spiI.length !== 8 || h.spiR.length !== 8) throw new RangeError('IKE header: SPIs are 8 bytes each');
    const out = target(buf, offset, HEADER_BYTES, 'IKE header');
    out.set(h.spiI, offset);
    out.set(h.spiR, offset + 8);
    out[offset + 16] = uint(h.nextPayload, 8, 'next payload');
    out[offset + 17] = uint(h.version, 8, 'version');
    out[offset + 18] = uint(h.exchange, 8, 'exchange type');
    out[offset + 19] = uint(h.flags, 8, 'flags');
    put32(out, offset + 20, uint(h.messageId, 32, 'message ID'));
    put32(out, offset + 24, uint(h.length, 32, 'length'));
    return out;
  },

  decode(buf: Uint8Array, offset = 0): Header {
    need(buf, offset, HEADER_BYTES, 'IKE header');
    const version = buf[offset + 17];
    if (version >> 4 !== 2) {
      throw new DecodeError(`IKE header: major version ${version >> 4}, this is IKEv2 (2)`, NOTIFY.INVALID_MAJOR_VERSION);
    }
    const length = u32(buf, offset + 24);
    if (length < HEADER_BYTES || length > buf.length - offset) {
      throw new DecodeError(`IKE header: length ${length} with ${buf.length - offset} bytes received`);
    }
    return {
      spiI: buf.subarray(offset, offset + 8),
      spiR: buf.subarray(offset + 8, offset + 16),
      nextPayload: buf[offset + 16],
      version,
      exchange: buf[offset + 18],
      flags: buf[offset + 19],
      messageId: u32(buf, offset + 20),
      length,
    };
  },

  encodingLength: (): number => HEADER_BYTES,
};
