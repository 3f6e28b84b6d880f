// IKEv2 message codec (RFC 7296; RFC 5282 AEAD in SK; RFC 7383 fragmentation; RFC 7427 signature
// AUTH data stays opaque): the IKE header, one codec per payload (encode / decode / encodingLength of
// the payload body, after the 4-byte generic header), payload chains, whole messages, the Encrypted
// payload with its cryptography (sk.ts), fragment reassembly, traffic-selector helpers and the table
// of which payloads each message must carry (rules.ts).
//
// Decoders throw only DecodeError (with the notify type to answer), never read outside the bytes
// they are given, and never allocate from a length field before checking it against those bytes.
// Decoded byte fields are subarray views of the input: copy what you keep beyond the input's life.

export * from './constants.js';
export { DecodeError } from './errors.js';
export type { Codec } from './wire.js';
export { header, HEADER_BYTES, VERSION_2_0, type Header } from './header.js';
export {
  decodePayloads, encodePayloadBody, encodePayloads, findNotifies, findPayloads, GENERIC_HEADER_BYTES, isKnownPayloadType, isPayload,
  payloadHeader, payloadsLength,
  type Decoded, type GenericHeader, type KnownPayload, type KnownPayloadType, type Payload, type PayloadByType, type UnknownPayload,
} from './payload.js';
export { decodeMessage, encodeMessage, type HeaderFields } from './message.js';
export { sa, type Proposal, type SaPayload, type Transform, type TransformAttribute } from './sa.js';
export { ke, type KePayload } from './ke.js';
export { idi, idr, type IdPayload } from './id.js';
export { cert, certreq, certReqHashes, type CertPayload, type CertReqPayload } from './cert.js';
export { auth, type AuthPayload } from './auth.js';
export { nonce, NONCE_MAX, NONCE_MIN, type NoncePayload } from './nonce.js';
export { notify, type NotifyPayload } from './notify.js';
export { del, type DeletePayload } from './delete.js';
export { eap, vendor, type EapPayload, type VendorPayload } from './vendor.js';
export { tsi, tsr, type TrafficSelector, type TsPayload } from './ts.js';
export { cp, type CpAttribute, type CpPayload } from './cp.js';
export { sk, skf, SKF_HEADER, type SkfPayload, type SkPayload } from './encrypted.js';
export { skOverhead, suiteOf, type SkKeys } from './sk-suite.js';
export { openFragment, openMessage, sealMessage, type Opened, type OpenedFragment, type SealOptions } from './sk.js';
export { Reassembly, type ReassemblyLimits } from './reassembly.js';
export { checkPayloads, messageKind, type MessageKind } from './rules.js';
export {
  tsContains, tsFromPrefix, tsFromRange, tsIntersect, tsToPrefixes, tsToRange, tsToString, type TsOptions, type TsRange,
} from './ts-util.js';
