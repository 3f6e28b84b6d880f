// Security Association payload, with its Proposal and Transform substructures and their data
// attributes (RFC 2408 §3.4, §3.5, §3.6, §3.3; IPsec DOI situation RFC 2407 §4.6.1).
//
// Security Association payload body (RFC 2408 §3.4), after the generic header:
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |              Domain of Interpretation  (DOI)                  |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                           Situation                           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~               Proposal payloads (Proposal 1 ... n)            ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// The SA payload's own Next Payload names the payload after the SA; the proposals follow implied.
//
// Proposal payload (RFC 2408 §3.5):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Next Payload  |   RESERVED    |         Payload Length        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Proposal #   |  Protocol-Id  |    SPI Size   |# of Transforms|
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                        SPI (variable)                         ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~              Transform payloads (Transform 1 ... n)           ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Next Payload is 2 (P) when another proposal follows and 0 for the last; Payload Length covers
// the SPI and the transforms. Proposals sharing a number form one AND-ed bundle (e.g. AH + ESP).
//
// Transform payload (RFC 2408 §3.6):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Next Payload  |   RESERVED    |         Payload Length        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Transform #  |  Transform-Id |           RESERVED2           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                        SA Attributes                          ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Next Payload is 3 (T) when another transform of the proposal follows, 0 for the last.
//
// Data attribute (RFC 2408 §3.3):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |A|       Attribute Type        |    AF=0  Attribute Length     |
// |F|                             |    AF=1  Attribute Value      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                   AF=0  Attribute Value                       |
// |                   AF=1  Not Transmitted                       |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// AF=1 is TV (a 2-byte value), AF=0 is TLV. Encoding a number: TV below 65536, else TLV of 4 bytes
// up to 2^32 - 1 and of 8 bytes above — strongSwan's choice (transform_attribute_create_value), so
// a 24-hour Life Duration (86400) goes as 4 bytes 00 01 51 80. A Uint8Array always goes as TLV,
// as is. Decoding gives TV as a number and TLV as a Uint8Array, so decode∘encode is byte-exact.
//
// Decoding checks structure only: an SA with no proposals, a proposal with no transforms or an
// unknown protocol decode fine, and the exchange code answers NO_PROPOSAL_CHOSEN or the like.
// Decoded byte fields (SPI, TLV values) are subarray views of the input buffer.

import { DOI_IPSEC, NOTIFY, PAYLOAD, SIT_IDENTITY_ONLY } from './constants.js';
import { DecodeError } from './errors.js';
import { need, put16, put32, target, u16, u32, uint, type Codec } from './wire.js';

export interface Attribute {
  /** Attribute class (P1_ATTR or P2_ATTR), 15 bits. */
  type: number;
  /** TV: a number below 65536. TLV: bytes (or, when encoding, a number ≥ 65536). */
  value: number | Uint8Array;
}

export interface Transform {
  number: number;
  /** Transform ID: TRANSFORM_ISAKMP.KEY_IKE in phase 1, an ESP / AH / IPCOMP transform ID in phase 2. */
  id: number;
  attributes: Attribute[];
}

export interface Proposal {
  number: number;
  /** PROTO.* */
  protocol: number;
  /** Empty in phase 1 (RFC 2409 §5: the cookies are the SPI); 4 bytes for ESP and AH. */
  spi: Uint8Array;
  transforms: Transform[];
}

export interface SaPayload {
  type: typeof PAYLOAD.SA;
  doi: number;
  situation: number;
  proposals: Proposal[];
}

const PROPOSAL_HEADER = 8;
const TRANSFORM_HEADER = 8;
const AF_TV = 0x8000;

// ---- attributes ---------------------------------------------------------------------------------

function attrValueBytes(v: number): number {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`attribute value ${v} is not an unsigned integer`);
  return v < 0x10000 ? 0 : v <= 0xffffffff ? 4 : 8;
}

function attrLength(a: Attribute): number {
  if (typeof a.value === 'number') {
    const n = attrValueBytes(a.value);
    return n === 0 ? 4 : 4 + n;
  }
  return 4 + a.value.length;
}

function writeAttr(a: Attribute, out: Uint8Array, at: number): number {
  const type = uint(a.type, 16, 'attribute type');
  if (type & AF_TV) throw new RangeError(`attribute type ${type} does not fit 15 bits`);
  if (typeof a.value === 'number') {
    const n = attrValueBytes(a.value);
    if (n === 0) {
      put16(out, at, AF_TV | type);
      put16(out, at + 2, a.value);
      return at + 4;
    }
    put16(out, at, type);
    put16(out, at + 2, n);
    if (n === 4) put32(out, at + 4, a.value);
    else {
      put32(out, at + 4, Math.floor(a.value / 0x100000000));
      put32(out, at + 8, a.value % 0x100000000);
    }
    return at + 4 + n;
  }
  put16(out, at, type);
  put16(out, at + 2, uint(a.value.length, 16, 'attribute length'));
  out.set(a.value, at + 4);
  return at + 4 + a.value.length;
}

function readAttrs(buf: Uint8Array, at: number, end: number): Attribute[] {
  const out: Attribute[] = [];
  while (at < end) {
    if (end - at < 4) throw new DecodeError(`SA attribute: ${end - at} stray bytes after the last attribute`);
    const t = u16(buf, at);
    if (t & AF_TV) {
      out.push({ type: t & 0x7fff, value: u16(buf, at + 2) });
      at += 4;
    } else {
      const len = u16(buf, at + 2);
      if (at + 4 + len > end) throw new DecodeError(`SA attribute ${t}: length ${len} runs past its transform`);
      out.push({ type: t, value: buf.subarray(at + 4, at + 4 + len) });
      at += 4 + len;
    }
  }
  return out;
}

/** An attribute list on its own, as the RESPONDER-LIFETIME notify carries it (RFC 2407 §4.6.3.1). */
export function encodeAttributes(attrs: readonly Attribute[]): Uint8Array {
  const out = new Uint8Array(attrs.reduce((n, a) => n + attrLength(a), 0));
  let at = 0;
  for (const a of attrs) at = writeAttr(a, out, at);
  return out;
}

/** The attributes of a bare attribute list; DecodeError when it does not parse whole. */
export function decodeAttributes(buf: Uint8Array): Attribute[] {
  return readAttrs(buf, 0, buf.length);
}

/** The attribute's value as a number: a TV value, or a TLV of at most 4 bytes read as an unsigned
 *  big-endian integer; undefined for longer TLVs (use attrBigInt). */
export function attrNumber(a: Attribute): number | undefined {
  if (typeof a.value === 'number') return a.value;
  if (a.value.length > 4) return undefined;
  let v = 0;
  for (const b of a.value) v = v * 256 + b;
  return v;
}

/** The attribute's value as an unsigned big-endian integer of any length (e.g. a Life Duration in
 *  kilobytes beyond 2^32). */
export function attrBigInt(a: Attribute): bigint {
  if (typeof a.value === 'number') return BigInt(a.value);
  let v = 0n;
  for (const b of a.value) v = (v << 8n) | BigInt(b);
  return v;
}

/** An attribute for an integer of up to 64 bits, encoded as strongSwan does: TV below 2^16, else a
 *  TLV of 4 bytes up to 2^32 - 1, else of 8 bytes. */
export function attrFromBigInt(type: number, v: bigint): Attribute {
  if (v < 0n || v >= 1n << 64n) throw new RangeError(`attribute value ${v} does not fit 64 bits`);
  if (v < 0x10000n) return { type, value: Number(v) };
  const n = v <= 0xffffffffn ? 4 : 8;
  const bytes = new Uint8Array(n);
  for (let i = n - 1; i >= 0; i--, v >>= 8n) bytes[i] = Number(v & 0xffn);
  return { type, value: bytes };
}

// ---- transforms and proposals -------------------------------------------------------------------

function transformLength(t: Transform): number {
  return TRANSFORM_HEADER + t.attributes.reduce((n, a) => n + attrLength(a), 0);
}

function proposalLength(p: Proposal): number {
  return PROPOSAL_HEADER + p.spi.length + p.transforms.reduce((n, t) => n + transformLength(t), 0);
}

function readTransforms(buf: Uint8Array, at: number, end: number, count: number, proposal: number): Transform[] {
  const out: Transform[] = [];
  for (let i = 0; i < count; i++) {
    if (end - at < TRANSFORM_HEADER) {
      throw new DecodeError(`proposal ${proposal}: announces ${count} transforms, has room for ${i}`, NOTIFY.BAD_PROPOSAL_SYNTAX);
    }
    const next = buf[at], len = u16(buf, at + 2);
    if (len < TRANSFORM_HEADER || at + len > end) {
      throw new DecodeError(`proposal ${proposal}, transform ${i + 1}: length ${len} doesn't fit its proposal`);
    }
    // RFC 2408 §3.6: Next Payload is T (3) while transforms follow, NONE (0) after the last.
    const want = i < count - 1 ? PAYLOAD.T : PAYLOAD.NONE;
    if (next !== want) {
      throw new DecodeError(`proposal ${proposal}, transform ${i + 1} of ${count}: next payload ${next}, expected ${want}`, NOTIFY.BAD_PROPOSAL_SYNTAX);
    }
    out.push({ number: buf[at + 4], id: buf[at + 5], attributes: readAttrs(buf, at + TRANSFORM_HEADER, at + len) });
    at += len;
  }
  if (at !== end) throw new DecodeError(`proposal ${proposal}: ${end - at} bytes after its ${count} transforms`, NOTIFY.BAD_PROPOSAL_SYNTAX);
  return out;
}

export const sa: Codec<SaPayload> = {
  encode(p, buf, offset = 0) {
    const out = target(buf, offset, sa.encodingLength(p), 'SA payload');
    put32(out, offset, uint(p.doi, 32, 'SA DOI'));
    put32(out, offset + 4, uint(p.situation, 32, 'SA situation'));
    let at = offset + 8;
    p.proposals.forEach((prop, i) => {
      const plen = proposalLength(prop);
      out[at] = i < p.proposals.length - 1 ? PAYLOAD.P : PAYLOAD.NONE;
      out[at + 1] = 0;
      put16(out, at + 2, uint(plen, 16, 'proposal length'));
      out[at + 4] = uint(prop.number, 8, 'proposal number');
      out[at + 5] = uint(prop.protocol, 8, 'proposal protocol');
      out[at + 6] = uint(prop.spi.length, 8, 'SPI size');
      out[at + 7] = uint(prop.transforms.length, 8, 'number of transforms');
      out.set(prop.spi, at + 8);
      at += PROPOSAL_HEADER + prop.spi.length;
      prop.transforms.forEach((t, k) => {
        const tlen = transformLength(t);
        out[at] = k < prop.transforms.length - 1 ? PAYLOAD.T : PAYLOAD.NONE;
        out[at + 1] = 0;
        put16(out, at + 2, uint(tlen, 16, 'transform length'));
        out[at + 4] = uint(t.number, 8, 'transform number');
        out[at + 5] = uint(t.id, 8, 'transform ID');
        put16(out, at + 6, 0);
        let a = at + TRANSFORM_HEADER;
        for (const attr of t.attributes) a = writeAttr(attr, out, a);
        at += tlen;
      });
    });
    return out;
  },

  decode(buf, offset, length) {
    need(buf, offset, length, 'SA payload');
    if (length < 8) throw new DecodeError(`SA payload: ${length} bytes, needs 8 for DOI and Situation`);
    const doi = u32(buf, offset);
    // Without the IPsec DOI we can't know where the Situation ends (RFC 2408 §3.4, §5.4).
    if (doi !== DOI_IPSEC) throw new DecodeError(`SA payload: DOI ${doi} is not IPsec (1)`, NOTIFY.DOI_NOT_SUPPORTED);
    const situation = u32(buf, offset + 4);
    // SIT_SECRECY / SIT_INTEGRITY append labeled-domain fields (RFC 2407 §4.6.1) we don't parse.
    if ((situation & ~SIT_IDENTITY_ONLY) !== 0) {
      throw new DecodeError(`SA payload: situation ${situation} (only SIT_IDENTITY_ONLY is supported)`, NOTIFY.SITUATION_NOT_SUPPORTED);
    }
    const end = offset + length;
    const proposals: Proposal[] = [];
    let at = offset + 8;
    while (at < end) {
      if (end - at < PROPOSAL_HEADER) throw new DecodeError(`SA payload: ${end - at} stray bytes where a proposal should start`);
      const next = buf[at], plen = u16(buf, at + 2), spiSize = buf[at + 6], count = buf[at + 7];
      if (plen < PROPOSAL_HEADER + spiSize || at + plen > end) {
        throw new DecodeError(`SA payload, proposal ${proposals.length + 1}: length ${plen} doesn't fit (SPI size ${spiSize}, ${end - at} bytes left)`);
      }
      const number = buf[at + 4];
      proposals.push({
        number,
        protocol: buf[at + 5],
        spi: buf.subarray(at + 8, at + 8 + spiSize),
        transforms: readTransforms(buf, at + 8 + spiSize, at + plen, count, number),
      });
      at += plen;
      // RFC 2408 §3.5: Next Payload is P (2) while proposals follow, NONE (0) after the last.
      if (next === PAYLOAD.NONE ? at !== end : next !== PAYLOAD.P || at === end) {
        throw new DecodeError(`SA payload, proposal ${proposals.length}: next payload ${next} with ${end - at} bytes left`, NOTIFY.BAD_PROPOSAL_SYNTAX);
      }
    }
    return { type: PAYLOAD.SA, doi, situation, proposals };
  },

  encodingLength: (p) => 8 + p.proposals.reduce((n, prop) => n + proposalLength(prop), 0),
};
