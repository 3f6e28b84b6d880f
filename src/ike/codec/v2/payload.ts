// The generic payload header and payload chains (RFC 7296 §3.2).
//
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Next Payload  |C|  RESERVED   |         Payload Length        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Payload Length counts the 4 header bytes. Each payload names the type of the one after it; the
// IKE header names the first; 0 ends the chain — and the chain must end exactly at the end of the
// bytes (padding lives inside SK and is removed by sk.ts before inner payloads are decoded).
// C (critical): a payload of a type we don't know with C set makes the whole message
// UNSUPPORTED_CRITICAL_PAYLOAD, with the type as notification data (§2.5, §3.10.1); without C it is
// skipped (kept as UnknownPayload). C is ignored on the types we know (§2.5: senders MUST set it
// to 0 for RFC 7296 payloads) but decoded into `critical: true` so round trips are exact.
// RESERVED bits are written 0 and ignored on receipt.
//
// SK and SKF must be the last payload (RFC 7296 §3.14, RFC 7383 §2.5): their Next Payload is the
// first payload inside (innerFirst), so the chain stops there; bytes after them are INVALID_SYNTAX.
//
// Memory: decoded payloads and Decoded.raw / .body are views into the bytes given to decodePayloads.

import { constName, NOTIFY, PAYLOAD } from './constants.js';
import { DecodeError } from './errors.js';
import { put16, target, u16, uint, type Codec } from './wire.js';
import { sa, type SaPayload } from './sa.js';
import { ke, type KePayload } from './ke.js';
import { idi, idr, type IdPayload } from './id.js';
import { cert, certreq, type CertPayload, type CertReqPayload } from './cert.js';
import { auth, type AuthPayload } from './auth.js';
import { nonce, type NoncePayload } from './nonce.js';
import { notify, type NotifyPayload } from './notify.js';
import { del, type DeletePayload } from './delete.js';
import { eap, vendor, type EapPayload, type VendorPayload } from './vendor.js';
import { tsi, tsr, type TsPayload } from './ts.js';
import { cp, type CpPayload } from './cp.js';
import { sk, skf, type SkfPayload, type SkPayload } from './encrypted.js';

/** A payload of a type this codec doesn't know, kept opaque (§2.5: skipped unless critical). */
export interface UnknownPayload {
  type: number;
  critical: boolean;
  body: Uint8Array;
}

/** The payload interfaces by payload type. */
export interface PayloadByType {
  33: SaPayload;
  34: KePayload;
  35: IdPayload;
  36: IdPayload;
  37: CertPayload;
  38: CertReqPayload;
  39: AuthPayload;
  40: NoncePayload;
  41: NotifyPayload;
  42: DeletePayload;
  43: VendorPayload;
  44: TsPayload;
  45: TsPayload;
  46: SkPayload;
  47: CpPayload;
  48: EapPayload;
  53: SkfPayload;
}
export type KnownPayloadType = keyof PayloadByType;
export type KnownPayload = PayloadByType[KnownPayloadType];
export type Payload = KnownPayload | UnknownPayload;

/** One payload of a chain: the decoded payload, its bytes with the generic header (`raw`) and
 *  without it (`body`: e.g. IDx' of RFC 7296 §2.15 is the ID payload's body). */
export interface Decoded {
  payload: Payload;
  raw: Uint8Array;
  body: Uint8Array;
}

const CODECS: Readonly<Record<number, Codec<any>>> = {
  [PAYLOAD.SA]: sa,
  [PAYLOAD.KE]: ke,
  [PAYLOAD.IDi]: idi,
  [PAYLOAD.IDr]: idr,
  [PAYLOAD.CERT]: cert,
  [PAYLOAD.CERTREQ]: certreq,
  [PAYLOAD.AUTH]: auth,
  [PAYLOAD.NONCE]: nonce,
  [PAYLOAD.N]: notify,
  [PAYLOAD.D]: del,
  [PAYLOAD.V]: vendor,
  [PAYLOAD.TSi]: tsi,
  [PAYLOAD.TSr]: tsr,
  [PAYLOAD.SK]: sk,
  [PAYLOAD.CP]: cp,
  [PAYLOAD.EAP]: eap,
  [PAYLOAD.SKF]: skf,
};

/** Whether this codec decodes payloads of `type` (else they become UnknownPayload). */
export const isKnownPayloadType = (type: number): type is KnownPayloadType => Object.hasOwn(CODECS, type);

/** Narrows a payload by its type: `if (isPayload(p, PAYLOAD.NONCE)) p.data …`. */
export function isPayload<T extends KnownPayloadType>(p: Payload, type: T): p is PayloadByType[T] {
  return p.type === type;
}

/** The payloads of one type, in order. */
export function findPayloads<T extends KnownPayloadType>(list: readonly (Payload | Decoded)[], type: T): PayloadByType[T][] {
  return list.map((x) => ('payload' in x ? x.payload : x)).filter((p): p is PayloadByType[T] => p.type === type);
}

/** The notifies of a list (payloads or Decoded), optionally only those of one notify type. */
export function findNotifies(list: readonly (Payload | Decoded)[], notifyType?: number): NotifyPayload[] {
  return findPayloads(list, PAYLOAD.N).filter((n) => notifyType === undefined || n.notifyType === notifyType);
}

export const GENERIC_HEADER_BYTES = 4;
const CRITICAL = 0x80;

export interface GenericHeader {
  nextPayload: number;
  critical: boolean;
  /** Including the 4 header bytes. */
  length: number;
}

/** The generic payload header (RFC 7296 §3.2). */
export const payloadHeader = {
  encode(h: GenericHeader, buf?: Uint8Array, offset = 0): Uint8Array {
    const out = target(buf, offset, GENERIC_HEADER_BYTES, 'payload header');
    out[offset] = uint(h.nextPayload, 8, 'next payload');
    out[offset + 1] = h.critical ? CRITICAL : 0;
    put16(out, offset + 2, uint(h.length, 16, 'payload length'));
    return out;
  },
  encodingLength: (): number => GENERIC_HEADER_BYTES,
};

const isEncrypted = (type: number): boolean => type === PAYLOAD.SK || type === PAYLOAD.SKF;
/** A payload type's name for messages: 'SA', 'NONCE', or 'payload 99' for one without a name. */
export const payloadName = (type: number): string => {
  const name = constName(PAYLOAD, type);
  return name === String(type) ? `payload ${type}` : name;
};

/** Decodes the payload chain starting with type `first` (the header's Next Payload, or an SK's innerFirst). */
export function decodePayloads(first: number, bytes: Uint8Array): Decoded[] {
  const out: Decoded[] = [];
  let type = first, at = 0;
  while (type !== PAYLOAD.NONE) {
    // Only an error needs the payload's name: built then, not for every payload of every message.
    const index = out.length + 1, where = (): string => `${payloadName(type)} (#${index})`;
    if (bytes.length - at < GENERIC_HEADER_BYTES) throw new DecodeError(`${where()}: ${bytes.length - at} bytes left, needs a 4-byte header`);
    const next = bytes[at], critical = (bytes[at + 1] & CRITICAL) !== 0, length = u16(bytes, at + 2);
    if (length < GENERIC_HEADER_BYTES || at + length > bytes.length) {
      throw new DecodeError(`${where()}: length ${length} with ${bytes.length - at} bytes left`);
    }
    const raw = bytes.subarray(at, at + length), body = bytes.subarray(at + GENERIC_HEADER_BYTES, at + length);
    let payload: Payload;
    const codec = CODECS[type];
    if (codec) {
      payload = codec.decode(bytes, at + GENERIC_HEADER_BYTES, length - GENERIC_HEADER_BYTES) as Payload;
      if (critical) (payload as KnownPayload).critical = true;
    } else if (critical) {
      throw new DecodeError(`${where()}: unknown payload type ${type} marked critical`, NOTIFY.UNSUPPORTED_CRITICAL_PAYLOAD, Uint8Array.of(type));
    } else {
      payload = { type, critical: false, body };
    }
    out.push({ payload, raw, body });
    at += length;
    if (isEncrypted(type)) {
      (payload as SkPayload | SkfPayload).innerFirst = next;
      if (at !== bytes.length) throw new DecodeError(`${where()}: must be the last payload, ${bytes.length - at} bytes follow it`);
      return out;
    }
    type = next;
  }
  if (at !== bytes.length) throw new DecodeError(`payload chain ends after ${out.length} payloads with ${bytes.length - at} bytes left`);
  return out;
}

function bodyLength(p: Payload): number {
  const codec = CODECS[p.type];
  return codec ? codec.encodingLength(p) : (p as UnknownPayload).body.length;
}

/** The number of bytes encodePayloads(ps) writes. */
export function payloadsLength(ps: readonly Payload[]): number {
  return ps.reduce((n, p) => n + GENERIC_HEADER_BYTES + bodyLength(p), 0);
}

/** A payload's body without the generic header (e.g. IDx' for AUTH of a payload about to be sent, §2.15). */
export function encodePayloadBody(p: Payload): Uint8Array {
  const codec = CODECS[p.type];
  return codec ? codec.encode(p) : (p as UnknownPayload).body.slice();
}

/** Encodes payloads as a chain: each generic header names the next payload's type, the last 0 —
 *  or, for a final SK / SKF, its innerFirst. The IKE header's Next Payload is then ps[0].type. */
export function encodePayloads(ps: readonly Payload[], buf?: Uint8Array, offset = 0): Uint8Array {
  const out = target(buf, offset, payloadsLength(ps), 'payloads');
  let at = offset;
  ps.forEach((p, i) => {
    if (p.type === PAYLOAD.NONE) throw new RangeError('payload type 0 (NONE) would end the chain');
    const last = i === ps.length - 1;
    if (isEncrypted(p.type) && !last) throw new RangeError(`${payloadName(p.type)} must be the last payload (RFC 7296 §3.14)`);
    const length = GENERIC_HEADER_BYTES + bodyLength(p);
    const next = last ? (isEncrypted(p.type) ? (p as SkPayload | SkfPayload).innerFirst : PAYLOAD.NONE) : ps[i + 1].type;
    payloadHeader.encode({ nextPayload: next, critical: p.critical === true, length }, out, at);
    const codec = CODECS[p.type];
    if (codec) codec.encode(p, out, at + GENERIC_HEADER_BYTES);
    else out.set((p as UnknownPayload).body, at + GENERIC_HEADER_BYTES);
    at += length;
  });
  return out;
}
