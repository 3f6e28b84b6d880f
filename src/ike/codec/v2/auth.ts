// Authentication payload (RFC 7296 §3.8):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Auth Method   |                RESERVED                       |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                      Authentication Data                      ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// With DIGITAL_SIGNATURE (14) the data starts with the ASN.1 AlgorithmIdentifier (RFC 7427 §3);
// here it stays opaque (src/ike/crypto/signature.ts decodeAuth reads it).
// The codec sees the body only (after the 4-byte generic header); byte fields are views of the
// input buffer. RESERVED bytes are written 0 and ignored on receipt (RFC 7296 §3.2).

import { PAYLOAD } from './constants.js';
import { prefixedData, uint, type Codec } from './wire.js';

export interface AuthPayload { type: typeof PAYLOAD.AUTH; critical?: boolean; method: number; data: Uint8Array }
export const auth: Codec<AuthPayload> = prefixedData<AuthPayload>('AUTH payload', 4,
  (b, o) => ({ type: PAYLOAD.AUTH, method: b[o] }),
  (p, out, o) => { out[o] = uint(p.method, 8, 'auth method'); });
