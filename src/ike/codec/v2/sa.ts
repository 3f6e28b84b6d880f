// Security Association payload with its Proposal and Transform substructures and their attributes
// (RFC 7296 §3.3). The SA payload's body is a list of proposals:
//
// Proposal substructure (§3.3.1):
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Last Substruc |   RESERVED    |         Proposal Length       |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Proposal Num  |  Protocol ID  |    SPI Size   |Num  Transforms|
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                        SPI (variable)                         ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                        <Transforms>                           ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Last Substruc is 2 when another proposal follows, 0 for the last (§3.3.1).
//
// Transform substructure (§3.3.2):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Last Substruc |   RESERVED    |        Transform Length       |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |Transform Type |   RESERVED    |          Transform ID         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                      Transform Attributes                     ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Last Substruc is 3 when another transform of the proposal follows, 0 for the last.
//
// Data attribute (§3.3.5):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |A|       Attribute Type        |    AF=0  Attribute Length     |
// |F|                             |    AF=1  Attribute Value      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                   AF=0  Attribute Value                       |
// |                   AF=1  Not Transmitted                       |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// The only attribute RFC 7296 defines is Key Length (14, TV, in bits), decoded as
// Transform.keyLength. Any other attribute is kept in Transform.attributes: §3.3.6 says such a
// transform is to be rejected (not the message), which is the proposal code's decision.
//
// Decoding checks structure only (INVALID_SYNTAX on a violation): lengths, Last Substruc against
// position, Num Transforms against what is there. An empty SA, odd proposal numbers or unknown
// protocols decode fine; the exchange code answers NO_PROPOSAL_CHOSEN or the like. SPIs are views.

import { ATTR, PAYLOAD } from './constants.js';
import { DecodeError } from './errors.js';
import { need, put16, target, u16, uint, type Codec } from './wire.js';

export interface TransformAttribute {
  /** 15 bits. */
  type: number;
  /** TV: a number below 65536. TLV: bytes. */
  value: number | Uint8Array;
}

export interface Transform {
  /** TRANSFORM.* */
  type: number;
  /** ENCR.*, PRF.*, INTEG.*, DH.*, ESN.* by type. */
  id: number;
  /** ATTR.KEY_LENGTH, in bits (AES-CBC/CTR/GCM/CCM). */
  keyLength?: number;
  /** Attributes other than Key Length, in order (none defined by RFC 7296: see §3.3.6). */
  attributes?: TransformAttribute[];
}

export interface Proposal {
  /** Proposal Num: 1 for the first, then +1 (§3.3.1); the accepted one echoes the offered number. */
  num: number;
  /** PROTOCOL.* */
  protocolId: number;
  /** Empty for the IKE SA in IKE_SA_INIT, 8 bytes when rekeying it, 4 for ESP / AH (§3.3.1). */
  spi: Uint8Array;
  transforms: Transform[];
}

export interface SaPayload {
  type: typeof PAYLOAD.SA;
  critical?: boolean;
  proposals: Proposal[];
}

const PROPOSAL_HEADER = 8;
const TRANSFORM_HEADER = 8;
const LAST = 0, MORE_PROPOSALS = 2, MORE_TRANSFORMS = 3;
const AF_TV = 0x8000;

function attrs(t: Transform): TransformAttribute[] {
  const list: TransformAttribute[] = t.keyLength === undefined ? [] : [{ type: ATTR.KEY_LENGTH, value: t.keyLength }];
  return t.attributes ? list.concat(t.attributes) : list;
}

const attrLength = (a: TransformAttribute): number => (typeof a.value === 'number' ? 4 : 4 + a.value.length);
const transformLength = (t: Transform): number => TRANSFORM_HEADER + attrs(t).reduce((n, a) => n + attrLength(a), 0);
const proposalLength = (p: Proposal): number => PROPOSAL_HEADER + p.spi.length + p.transforms.reduce((n, t) => n + transformLength(t), 0);

function writeAttr(a: TransformAttribute, out: Uint8Array, at: number): number {
  const type = uint(a.type, 16, 'attribute type');
  if (type & AF_TV) throw new RangeError(`attribute type ${type} does not fit 15 bits`);
  if (typeof a.value === 'number') {
    put16(out, at, AF_TV | type);
    put16(out, at + 2, uint(a.value, 16, 'TV attribute value'));
    return at + 4;
  }
  put16(out, at, type);
  put16(out, at + 2, uint(a.value.length, 16, 'attribute length'));
  out.set(a.value, at + 4);
  return at + 4 + a.value.length;
}

function readTransform(buf: Uint8Array, at: number, end: number, where: string): Transform {
  const t: Transform = { type: buf[at + 4], id: u16(buf, at + 6) };
  const extra: TransformAttribute[] = [];
  for (let a = at + TRANSFORM_HEADER; a < end;) {
    if (end - a < 4) throw new DecodeError(`${where}: ${end - a} stray bytes after its attributes`);
    const raw = u16(buf, a), type = raw & ~AF_TV;
    if (raw & AF_TV) {
      const value = u16(buf, a + 2);
      if (type === ATTR.KEY_LENGTH && t.keyLength === undefined && extra.length === 0) t.keyLength = value;
      else extra.push({ type, value });
      a += 4;
    } else {
      const len = u16(buf, a + 2);
      if (a + 4 + len > end) throw new DecodeError(`${where}: attribute ${type} of ${len} bytes runs past the transform`);
      extra.push({ type, value: buf.subarray(a + 4, a + 4 + len) });
      a += 4 + len;
    }
  }
  if (extra.length) t.attributes = extra;
  return t;
}

function readProposal(buf: Uint8Array, at: number, end: number, index: number): Proposal {
  const where = `SA proposal #${index + 1}`;
  const spiSize = buf[at + 6], count = buf[at + 7];
  if (PROPOSAL_HEADER + spiSize > end - at) throw new DecodeError(`${where}: SPI size ${spiSize} runs past the proposal`);
  const transforms: Transform[] = [];
  let t = at + PROPOSAL_HEADER + spiSize;
  for (let i = 0; i < count; i++) {
    const tw = `${where}, transform #${i + 1}`;
    if (end - t < TRANSFORM_HEADER) throw new DecodeError(`${where}: announces ${count} transforms, has room for ${i}`);
    const last = buf[t], len = u16(buf, t + 2);
    if (len < TRANSFORM_HEADER || t + len > end) throw new DecodeError(`${tw}: length ${len} with ${end - t} bytes left in the proposal`);
    const want = i < count - 1 ? MORE_TRANSFORMS : LAST;
    if (last !== want) throw new DecodeError(`${tw} of ${count}: Last Substruc ${last}, expected ${want}`);
    transforms.push(readTransform(buf, t, t + len, tw));
    t += len;
  }
  if (t !== end) throw new DecodeError(`${where}: ${end - t} bytes after its ${count} transforms`);
  return { num: buf[at + 4], protocolId: buf[at + 5], spi: buf.subarray(at + PROPOSAL_HEADER, at + PROPOSAL_HEADER + spiSize), transforms };
}

export const sa: Codec<SaPayload> = {
  encode(p, buf, offset = 0) {
    const out = target(buf, offset, sa.encodingLength(p), 'SA payload');
    let at = offset;
    p.proposals.forEach((prop, i) => {
      out[at] = i < p.proposals.length - 1 ? MORE_PROPOSALS : LAST;
      out[at + 1] = 0;
      put16(out, at + 2, uint(proposalLength(prop), 16, 'proposal length'));
      out[at + 4] = uint(prop.num, 8, 'proposal number');
      out[at + 5] = uint(prop.protocolId, 8, 'protocol ID');
      out[at + 6] = uint(prop.spi.length, 8, 'SPI size');
      out[at + 7] = uint(prop.transforms.length, 8, 'number of transforms');
      out.set(prop.spi, at + PROPOSAL_HEADER);
      at += PROPOSAL_HEADER + prop.spi.length;
      prop.transforms.forEach((t, k) => {
        out[at] = k < prop.transforms.length - 1 ? MORE_TRANSFORMS : LAST;
        out[at + 1] = 0;
        put16(out, at + 2, uint(transformLength(t), 16, 'transform length'));
        out[at + 4] = uint(t.type, 8, 'transform type');
        out[at + 5] = 0;
        put16(out, at + 6, uint(t.id, 16, 'transform ID'));
        let a = at + TRANSFORM_HEADER;
        for (const attr of attrs(t)) a = writeAttr(attr, out, a);
        at = a;
      });
    });
    return out;
  },

  decode(buf, offset, length) {
    need(buf, offset, length, 'SA payload');
    const end = offset + length;
    const proposals: Proposal[] = [];
    for (let at = offset; at < end;) {
      if (end - at < PROPOSAL_HEADER) throw new DecodeError(`SA payload: ${end - at} stray bytes where proposal #${proposals.length + 1} should start`);
      const last = buf[at], len = u16(buf, at + 2);
      if (len < PROPOSAL_HEADER || at + len > end) {
        throw new DecodeError(`SA proposal #${proposals.length + 1}: length ${len} with ${end - at} bytes left`);
      }
      proposals.push(readProposal(buf, at, at + len, proposals.length));
      at += len;
      if (last === LAST ? at !== end : last !== MORE_PROPOSALS || at === end) {
        throw new DecodeError(`SA proposal #${proposals.length}: Last Substruc ${last} with ${end - at} bytes left`);
      }
    }
    return { type: PAYLOAD.SA, proposals };
  },

  encodingLength: (p) => p.proposals.reduce((n, prop) => n + proposalLength(prop), 0),
};
