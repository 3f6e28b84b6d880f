// The generic payload header and payload chains (RFC 2408 §3.2, §3.1 Next Payload).
//
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ! Next Payload  !   RESERVED    !         Payload Length        !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Payload Length counts the 4 header bytes. Each payload names the type of the one after it; the
// ISAKMP header names the first; 0 ends the chain. RESERVED is written 0 and ignored on receipt.
//
// A chain ends at Next Payload 0 even if bytes follow: after decryption those are the padding
// (RFC 2409 Appendix B; strongSwan pads with 1 to 16 zero bytes, a whole block when the payloads
// already fill one), which the receiver ignores. A length below 4 or running past the body is
// PAYLOAD_MALFORMED (INVALID_PAYLOAD_TYPE when the payload's type is unknown too, since the type
// is then the likelier fault).
//
// Memory: decoded payloads and Decoded.raw / .body are views into the `body` given to
// decodePayloads (only NAT-OA's address is copied). Copy what you keep past the buffer's life.

import { NOTIFY, PAYLOAD } from './constants.js';
import { DecodeError } from './errors.js';
import { need, put16, target, u16, uint, type Codec } from './wire.js';
import { sa, type SaPayload } from './sa.js';
import { ke, type KePayload } from './ke.js';
import { id, type IdPayload } from './id.js';
import { cert, type CertPayload } from './cert.js';
import { certreq, type CertReqPayload } from './certreq.js';
import { hash, type HashPayload } from './hash.js';
import { sig, type SigPayload } from './sig.js';
import { nonce, type NoncePayload } from './nonce.js';
import { notify, type NotifyPayload } from './notify.js';
import { del, type DeletePayload } from './delete.js';
import { vendor, type VendorPayload } from './vendor.js';
import { natd, type NatdPayload } from './natd.js';
import { natoa, type NatoaPayload } from './natoa.js';
import { frag, type FragmentPayload } from './frag.js';

/** A payload of a type this codec doesn't know (or one that can't stand alone, like P or T),
 *  kept opaque; the exchange code decides whether it is an error. Never give it a known type. */
export interface UnknownPayload {
  type: number;
  data: Uint8Array;
}

/** The payload interfaces by payload type. */
export interface PayloadByType {
  1: SaPayload;
  4: KePayload;
  5: IdPayload;
  6: CertPayload;
  7: CertReqPayload;
  8: HashPayload;
  9: SigPayload;
  10: NoncePayload;
  11: NotifyPayload;
  12: DeletePayload;
  13: VendorPayload;
  20: NatdPayload;
  21: NatoaPayload;
  130: NatdPayload;
  131: NatoaPayload;
  132: FragmentPayload;
}
export type KnownPayloadType = keyof PayloadByType;
export type KnownPayload = PayloadByType[KnownPayloadType];

export type Payload = KnownPayload | UnknownPayload;

/** One payload of a chain: the decoded payload, its bytes with the generic header (`raw`: what
 *  Quick Mode's HASH(1..3) and the Informational HASH cover, RFC 2409 §5.5, §5.7) and without it
 *  (`body`: what Main Mode's SAi_b and IDii_b are, RFC 2409 §5). */
export interface Decoded {
  payload: Payload;
  raw: Uint8Array;
  body: Uint8Array;
}

const CODECS: Readonly<Record<number, Codec<any>>> = {
  [PAYLOAD.SA]: sa,
  [PAYLOAD.KE]: ke,
  [PAYLOAD.ID]: id,
  [PAYLOAD.CERT]: cert,
  [PAYLOAD.CR]: certreq,
  [PAYLOAD.HASH]: hash,
  [PAYLOAD.SIG]: sig,
  [PAYLOAD.NONCE]: nonce,
  [PAYLOAD.N]: notify,
  [PAYLOAD.D]: del,
  [PAYLOAD.VID]: vendor,
  [PAYLOAD.NAT_D]: natd,
  [PAYLOAD.NAT_OA]: natoa,
  [PAYLOAD.NAT_D_DRAFT]: natd,
  [PAYLOAD.NAT_OA_DRAFT]: natoa,
  [PAYLOAD.FRAG]: frag,
};

/** Whether this codec decodes payloads of `type` (else they become UnknownPayload). */
export const isKnownPayloadType = (type: number): type is KnownPayloadType => Object.hasOwn(CODECS, type);

/** Narrows a payload by its type: `if (isPayload(p, PAYLOAD.NONCE)) p.data …`. */
export function isPayload<T extends KnownPayloadType>(p: Payload, type: T): p is PayloadByType[T] {
  return p.type === type;
}

/** The payloads of one type, in order. */
export function findPayloads<T extends KnownPayloadType>(list: readonly Payload[], type: T): PayloadByType[T][] {
  return list.filter((p): p is PayloadByType[T] => p.type === type);
}

export interface GenericHeader {
  nextPayload: number;
  /** Including the 4 header bytes. */
  length: number;
}

export const GENERIC_HEADER_BYTES = 4;

/** The generic payload header (RFC 2408 §3.2). */
export const payloadHeader = {
  encode(h: GenericHeader, buf?: Uint8Array, offset = 0): Uint8Array {
    const out = target(buf, offset, GENERIC_HEADER_BYTES, 'payload header');
    out[offset] = uint(h.nextPayload, 8, 'next payload');
    out[offset + 1] = 0;
    put16(out, offset + 2, uint(h.length, 16, 'payload length'));
    return out;
  },
  decode(buf: Uint8Array, offset = 0): GenericHeader {
    need(buf, offset, GENERIC_HEADER_BYTES, 'payload header');
    const length = u16(buf, offset + 2);
    if (length < GENERIC_HEADER_BYTES) throw new DecodeError(`payload header: length ${length} is less than the header itself`);
    return { nextPayload: buf[offset], length };
  },
  encodingLength: (): number => GENERIC_HEADER_BYTES,
};

/** The body of a payload given with its generic header. */
export const body = (raw: Uint8Array): Uint8Array => raw.subarray(GENERIC_HEADER_BYTES);

function decodeBody(type: number, buf: Uint8Array, offset: number, length: number): Payload {
  if (type === PAYLOAD.NAT_D || type === PAYLOAD.NAT_D_DRAFT) return natd.decode(buf, offset, length, type);
  if (type === PAYLOAD.NAT_OA || type === PAYLOAD.NAT_OA_DRAFT) return natoa.decode(buf, offset, length, type);
  const codec = CODECS[type];
  if (codec) return codec.decode(buf, offset, length) as Payload;
  return { type, data: buf.subarray(offset, offset + length) };
}

function bodyLength(p: Payload): number {
  const codec = CODECS[p.type];
  return codec ? codec.encodingLength(p) : (p as UnknownPayload).data.length;
}

/** Decodes the payload chain starting with type `first` (the header's Next Payload). */
export function decodePayloads(first: number, body: Uint8Array): Decoded[] {
  const out: Decoded[] = [];
  let type = first, at = 0;
  while (type !== PAYLOAD.NONE) {
    const notify = isKnownPayloadType(type) ? NOTIFY.PAYLOAD_MALFORMED : NOTIFY.INVALID_PAYLOAD_TYPE;
    if (body.length - at < GENERIC_HEADER_BYTES) {
      throw new DecodeError(`payload ${type} (#${out.length + 1}): ${body.length - at} bytes left, needs a 4-byte header`, notify);
    }
    const next = body[at], length = u16(body, at + 2);
    if (length < GENERIC_HEADER_BYTES || at + length > body.length) {
      throw new DecodeError(`payload ${type} (#${out.length + 1}): length ${length} with ${body.length - at} bytes left`, notify);
    }
    out.push({
      payload: decodeBody(type, body, at + GENERIC_HEADER_BYTES, length - GENERIC_HEADER_BYTES),
      raw: body.subarray(at, at + length),
      body: body.subarray(at + GENERIC_HEADER_BYTES, at + length),
    });
    at += length;
    type = next;
  }
  return out;
}

/** A payload's body without the generic header, e.g. SAi_b or IDii_b of a payload about to be
 *  sent (RFC 2409 §5). */
export function encodePayloadBody(p: Payload): Uint8Array {
  const codec = CODECS[p.type];
  return codec ? codec.encode(p) : (p as UnknownPayload).data.slice();
}

/** The number of bytes encodePayloads(payloads) writes. */
export function payloadsLength(payloads: readonly Payload[]): number {
  return payloads.reduce((n, p) => n + GENERIC_HEADER_BYTES + bodyLength(p), 0);
}

/** Encodes payloads as a chain: each generic header names the next payload's type, the last 0.
 *  The header's Next Payload is then payloads[0].type. */
export function encodePayloads(payloads: readonly Payload[], buf?: Uint8Array, offset = 0): Uint8Array {
  const out = target(buf, offset, payloadsLength(payloads), 'payloads');
  let at = offset;
  payloads.forEach((p, i) => {
    if (p.type === PAYLOAD.NONE) throw new RangeError('payload type 0 (NONE) would end the chain');
    const length = GENERIC_HEADER_BYTES + bodyLength(p);
    payloadHeader.encode({ nextPayload: i + 1 < payloads.length ? payloads[i + 1].type : PAYLOAD.NONE, length }, out, at);
    const codec = CODECS[p.type];
    if (codec) codec.encode(p, out, at + GENERIC_HEADER_BYTES);
    else out.set((p as UnknownPayload).data, at + GENERIC_HEADER_BYTES);
    at += length;
  });
  return out;
}
