// IKEv1 (ISAKMP) message codec: the ISAKMP header, one codec per payload (encode / decode /
// encodingLength of the payload body, after the 4-byte generic header), payload chains, and
// helpers for Identification Data. RFC 2408 (ISAKMP), RFC 2407 (IPsec DOI), RFC 2409 (IKE),
// RFC 3947 (NAT-T), RFC 3706 (DPD).
//
// Decoders throw only DecodeError (with the notify type to answer), never read outside the bytes
// they are given, and never allocate from a length field before checking it against those bytes.
// Decoded byte fields are subarray views of the input (no copies; NAT-OA's address and the
// traffic-selector addresses of tsFromId excepted): copy what you keep beyond the input's life.

export * from './constants.js';
export { DecodeError } from './errors.js';
export type { Codec } from './wire.js';
export { header, HEADER_BYTES, VERSION_1_0, type Header } from './header.js';
export {
  body, decodePayloads, encodePayloadBody, encodePayloads, findPayloads, GENERIC_HEADER_BYTES, isKnownPayloadType, isPayload, payloadHeader, payloadsLength,
  type Decoded, type GenericHeader, type KnownPayload, type KnownPayloadType, type Payload, type PayloadByType, type UnknownPayload,
} from './payload.js';
export { decodeMessage, encodeMessage, type EncodedBody } from './message.js';
export { attrBigInt, attrFromBigInt, attrNumber, decodeAttributes, encodeAttributes, sa, type Attribute, type Proposal, type SaPayload, type Transform } from './sa.js';
export { ke, type KePayload } from './ke.js';
export { id, type IdPayload } from './id.js';
export { cert, type CertPayload } from './cert.js';
export { certreq, type CertReqPayload } from './certreq.js';
export { hash, type HashPayload } from './hash.js';
export { sig, type SigPayload } from './sig.js';
export { nonce, type NoncePayload } from './nonce.js';
export { notify, type NotifyPayload } from './notify.js';
export { del, type DeletePayload } from './delete.js';
export { vendor, vendorIdName, VENDOR_ID, type VendorIdName, type VendorPayload } from './vendor.js';
export { natd, type NatdPayload } from './natd.js';
export { natoa, type NatoaPayload } from './natoa.js';
export { frag, FRAG_LAST, type FragmentPayload } from './frag.js';
export {
  dnFromString, dnToString, idFromPrefix, idFromRange, idFromString, idToString, tsFromId,
  type IdData, type IdFromStringOptions, type IdSelector,
} from './id-data.js';
