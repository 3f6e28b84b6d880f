// Configuration payload (RFC 7296 §3.15), body after the generic header:
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |   CFG Type    |                    RESERVED                   |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                   Configuration Attributes                    ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Configuration attribute (§3.15.1):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |R|         Attribute Type      |            Length             |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                                                               |
// ~                             Value                             ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// R is reserved (written 0, ignored). Values are opaque here: a CFG_REQUEST carries empty values
// or suggestions; lengths per attribute type (§3.15.1's table) are the CP handler's checks.

import { PAYLOAD } from './constants.js';
import { DecodeError } from './errors.js';
import { atLeast, need, put16, target, u16, uint, type Codec } from './wire.js';

export interface CpAttribute {
  /** CP_ATTR.*, 15 bits. */
  attrType: number;
  value: Uint8Array;
}

export interface CpPayload {
  type: typeof PAYLOAD.CP;
  critical?: boolean;
  /** CFG.* */
  cfgType: number;
  attributes: CpAttribute[];
}

export const cp: Codec<CpPayload> = {
  encode(p, buf, offset = 0) {
    const out = target(buf, offset, cp.encodingLength(p), 'CP payload');
    out[offset] = uint(p.cfgType, 8, 'CFG type');
    out.fill(0, offset + 1, offset + 4);
    let at = offset + 4;
    for (const a of p.attributes) {
      if (uint(a.attrType, 16, 'CP attribute type') & 0x8000) throw new RangeError(`CP attribute type ${a.attrType} does not fit 15 bits`);
      put16(out, at, a.attrType);
      put16(out, at + 2, uint(a.value.length, 16, 'CP attribute length'));
      out.set(a.value, at + 4);
      at += 4 + a.value.length;
    }
    return out;
  },
  decode(buf, offset, length) {
    need(buf, offset, length, 'CP payload');
    atLeast(length, 4, 'CP payload');
    const end = offset + length;
    const attributes: CpAttribute[] = [];
    for (let at = offset + 4; at < end;) {
      if (end - at < 4) throw new DecodeError(`CP payload: ${end - at} stray bytes after attribute #${attributes.length}`);
      const len = u16(buf, at + 2);
      if (at + 4 + len > end) throw new DecodeError(`CP attribute #${attributes.length + 1}: length ${len} runs past the payload`);
      attributes.push({ attrType: u16(buf, at) & 0x7fff, value: buf.subarray(at + 4, at + 4 + len) });
      at += 4 + len;
    }
    return { type: PAYLOAD.CP, cfgType: buf[offset], attributes };
  },
  encodingLength: (p) => 4 + p.attributes.reduce((n, a) => n + 4 + a.value.length, 0),
};
