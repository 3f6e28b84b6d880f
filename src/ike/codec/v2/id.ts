// Identification payloads IDi and IDr (RFC 7296 §3.5):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |   ID Type     |                 RESERVED                      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                   Identification Data                         ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// The whole body (with ID Type and RESERVED) is IDx' of the AUTH computation (§2.15), which is
// Decoded.body — never re-encode it for that.
// The codec sees the body only (after the 4-byte generic header); byte fields are views of the
// input buffer. RESERVED bytes are written 0 and ignored on receipt (RFC 7296 §3.2).

import { PAYLOAD } from './constants.js';
import { prefixedData, uint, type Codec } from './wire.js';

export interface IdPayload { type: typeof PAYLOAD.IDi | typeof PAYLOAD.IDr; critical?: boolean; idType: number; data: Uint8Array }
const idCodec = (type: IdPayload['type']): Codec<IdPayload> => prefixedData<IdPayload>(type === PAYLOAD.IDi ? 'IDi payload' : 'IDr payload', 4,
  (b, o) => ({ type, idType: b[o] }),
  (p, out, o) => { out[o] = uint(p.idType, 8, 'ID type'); });
export const idi = idCodec(PAYLOAD.IDi);
export const idr = idCodec(PAYLOAD.IDr);
