// Traffic Selector payloads TSi and TSr (RFC 7296 §3.13), body after the generic header:
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Number of TSs |                 RESERVED                      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                       <Traffic Selectors>                     ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Traffic selector (§3.13.1):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |   TS Type     |IP Protocol ID*|       Selector Length         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |           Start Port*         |           End Port*           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                         Starting Address*                     ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                         Ending Address*                       ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Selector Length is 16 for TS_IPV4_ADDR_RANGE (7), 40 for TS_IPV6_ADDR_RANGE (8); anything else
// for those types is INVALID_SYNTAX. (*) Other types (FC, RFC 4595; SECLABEL, RFC 9478) have a
// different layout: they are kept opaque as `data` (the bytes after Selector Length) with empty
// addresses, for the exchange code to skip (RFC 9478 §3: unknown TS types are ignored by narrowing).
// Number of TSs must match the selectors present; 0 selectors is INVALID_SYNTAX (§3.13: at least
// one). Addresses are views of the input.

import { PAYLOAD, TS_TYPE } from './constants.js';
import { DecodeError } from './errors.js';
import { atLeast, need, put16, target, u16, uint, type Codec } from './wire.js';

export interface TrafficSelector {
  /** TS_TYPE.* */
  tsType: number;
  /** 0 = any. */
  ipProtocol: number;
  startPort: number;
  endPort: number;
  /** 4 or 16 bytes. */
  start: Uint8Array;
  end: Uint8Array;
  /** Selectors of other types: their body after the 4-byte type/length header (start/end are then empty). */
  data?: Uint8Array;
}

export interface TsPayload {
  type: typeof PAYLOAD.TSi | typeof PAYLOAD.TSr;
  critical?: boolean;
  selectors: TrafficSelector[];
}

const isRange = (t: number): boolean => t === TS_TYPE.IPV4_ADDR_RANGE || t === TS_TYPE.IPV6_ADDR_RANGE;
const addrBytes = (t: number): number => (t === TS_TYPE.IPV4_ADDR_RANGE ? 4 : 16);
const selectorLength = (s: TrafficSelector): number => (isRange(s.tsType) ? 8 + 2 * addrBytes(s.tsType) : 4 + (s.data?.length ?? 0));

function tsCodec(type: TsPayload['type']): Codec<TsPayload> {
  const what = type === PAYLOAD.TSi ? 'TSi payload' : 'TSr payload';
  const codec: Codec<TsPayload> = {
    encode(p, buf, offset = 0) {
      const out = target(buf, offset, codec.encodingLength(p), what);
      out[offset] = uint(p.selectors.length, 8, 'number of TSs');
      out.fill(0, offset + 1, offset + 4);
      let at = offset + 4;
      for (const s of p.selectors) {
        const len = selectorLength(s);
        out[at] = uint(s.tsType, 8, 'TS type');
        put16(out, at + 2, uint(len, 16, 'selector length'));
        if (isRange(s.tsType)) {
          const n = addrBytes(s.tsType);
          if (s.start.length !== n || s.end.length !== n) throw new RangeError(`${what}: TS type ${s.tsType} needs ${n}-byte addresses`);
          out[at + 1] = uint(s.ipProtocol, 8, 'IP protocol');
          put16(out, at + 4, uint(s.startPort, 16, 'start port'));
          put16(out, at + 6, uint(s.endPort, 16, 'end port'));
          out.set(s.start, at + 8);
          out.set(s.end, at + 8 + n);
        } else {
          out[at + 1] = uint(s.ipProtocol, 8, 'IP protocol');
          if (s.data) out.set(s.data, at + 4);
        }
        at += len;
      }
      return out;
    },
    decode(buf, offset, length) {
      need(buf, offset, length, what);
      atLeast(length, 4, what);
      const count = buf[offset], end = offset + length;
      if (count === 0) throw new DecodeError(`${what}: Number of TSs is 0`);
      const selectors: TrafficSelector[] = [];
      let at = offset + 4;
      for (let i = 0; i < count; i++) {
        const sw = `${what}, selector #${i + 1}`;
        if (end - at < 4) throw new DecodeError(`${what}: announces ${count} selectors, has room for ${i}`);
        const tsType = buf[at], len = u16(buf, at + 2);
        if (len < 4 || at + len > end) throw new DecodeError(`${sw}: length ${len} with ${end - at} bytes left`);
        if (isRange(tsType)) {
          const n = addrBytes(tsType);
          if (len !== 8 + 2 * n) throw new DecodeError(`${sw}: length ${len} for TS type ${tsType}, must be ${8 + 2 * n}`);
          selectors.push({
            tsType, ipProtocol: buf[at + 1], startPort: u16(buf, at + 4), endPort: u16(buf, at + 6),
            start: buf.subarray(at + 8, at + 8 + n), end: buf.subarray(at + 8 + n, at + 8 + 2 * n),
          });
        } else {
          const empty = buf.subarray(at, at);
          selectors.push({ tsType, ipProtocol: buf[at + 1], startPort: 0, endPort: 0, start: empty, end: empty, data: buf.subarray(at + 4, at + len) });
        }
        at += len;
      }
      if (at !== end) throw new DecodeError(`${what}: ${end - at} bytes after its ${count} selectors`);
      return { type, selectors };
    },
    encodingLength: (p) => 4 + p.selectors.reduce((n, s) => n + selectorLength(s), 0),
  };
  return codec;
}

export const tsi = tsCodec(PAYLOAD.TSi);
export const tsr = tsCodec(PAYLOAD.TSr);
