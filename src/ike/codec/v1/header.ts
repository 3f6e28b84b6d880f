// The ISAKMP header (RFC 2408 §3.1).
//
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !                          Initiator                            !
// !                            Cookie                             !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !                          Responder                            !
// !                            Cookie                             !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !  Next Payload ! MjVer ! MnVer ! Exchange Type !     Flags     !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !                          Message ID                           !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !                            Length                             !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Length is the whole message: header and payloads (encrypted ones included).
//
// decode checks what RFC 2408 §5.2 has a receiver check in the header itself, with the notify type
// it names: the major version is 1 (INVALID_MAJOR_VERSION; an IKEv2 message has 2), the exchange
// type is not 0 (INVALID_EXCHANGE_TYPE; which exchanges are acceptable is the exchange code's
// business), no flag bit beyond E, C, A is set (INVALID_FLAGS), and 28 ≤ Length ≤ the bytes at
// hand (PAYLOAD_MALFORMED). The minor version is not checked (RFC 2408 §3.1: 0 for this version;
// peers send 0, and refusing others gains nothing). Cookies are views of the input buffer.

import { NOTIFY } from './constants.js';
import { DecodeError } from './errors.js';
import { need, put32, target, u32, uint } from './wire.js';

export interface Header {
  /** 8 bytes. */
  icookie: Uint8Array;
  /** 8 bytes; all zero in the first message of a phase-1 exchange. */
  rcookie: Uint8Array;
  nextPayload: number;
  /** Major version in the high nibble, minor in the low: 0x10 for ISAKMP 1.0. */
  version: number;
  exchange: number;
  flags: number;
  /** Unsigned 32 bits; 0 in phase 1. */
  messageId: number;
  length: number;
}

export const HEADER_BYTES = 28;
export const VERSION_1_0 = 0x10;

const FLAGS_KNOWN = 0x07;

export const header = {
  encode(h: Header, buf?: Uint8Array, offset = 0): Uint8Array {
    if (h.icookie.length !== 8 || h.rcookie.length !== 8) throw new RangeError('ISAKMP header: cookies are 8 bytes each');
    const out = target(buf, offset, HEADER_BYTES, 'ISAKMP header');
    out.set(h.icookie, offset);
    out.set(h.rcookie, offset + 8);
    out[offset + 16] = uint(h.nextPayload, 8, 'next payload');
    out[offset + 17] = uint(h.version, 8, 'version');
    out[offset + 18] = uint(h.exchange, 8, 'exchange type');
    out[offset + 19] = uint(h.flags, 8, 'flags');
    put32(out, offset + 20, uint(h.messageId, 32, 'message ID'));
    put32(out, offset + 24, uint(h.length, 32, 'length'));
    return out;
  },

  decode(buf: Uint8Array, offset = 0): Header {
    need(buf, offset, HEADER_BYTES, 'ISAKMP header');
    const version = buf[offset + 17];
    if (version >> 4 !== 1) {
      throw new DecodeError(`ISAKMP header: major version ${version >> 4}, this is IKEv1 (1)`, NOTIFY.INVALID_MAJOR_VERSION);
    }
    const exchange = buf[offset + 18];
    if (exchange === 0) throw new DecodeError('ISAKMP header: exchange type 0 (NONE)', NOTIFY.INVALID_EXCHANGE_TYPE);
    const flags = buf[offset + 19];
    if (flags & ~FLAGS_KNOWN) throw new DecodeError(`ISAKMP header: flags 0x${flags.toString(16)} (only E, C, A are defined)`, NOTIFY.INVALID_FLAGS);
    const length = u32(buf, offset + 24);
    if (length < HEADER_BYTES || length > buf.length - offset) {
      throw new DecodeError(`ISAKMP header: length ${length} with ${buf.length - offset} bytes received`);
    }
    return {
      icookie: buf.subarray(offset, offset + 8),
      rcookie: buf.subarray(offset + 8, offset + 16),
      nextPayload: buf[offset + 16],
      version,
      exchange,
      flags,
      messageId: u32(buf, offset + 20),
      length,
    };
  },

  encodingLength: (): number => HEADER_BYTES,
};
