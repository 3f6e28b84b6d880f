// Certificate payload (RFC 7296 §3.6) and Certificate Request payload (§3.7):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Cert Encoding |                                               |
// +-+-+-+-+-+-+-+-+                                               |
// ~       Certificate Data / Certification Authority              ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// For X.509 (4), a CERTREQ's data is concatenated 20-byte SHA-1 hashes of trusted CAs' public keys
// (§3.7); whether it divides by 20 is checked by certReqHashes(), not here (an empty CERTREQ is legal).
// The codec sees the body only (after the 4-byte generic header); byte fields are views of the
// input buffer. RESERVED bytes are written 0 and ignored on receipt (RFC 7296 §3.2).

import { PAYLOAD } from './constants.js';
import { DecodeError } from './errors.js';
import { prefixedData, uint, type Codec } from './wire.js';

export interface CertPayload { type: typeof PAYLOAD.CERT; critical?: boolean; encoding: number; data: Uint8Array }
export interface CertReqPayload { type: typeof PAYLOAD.CERTREQ; critical?: boolean; encoding: number; data: Uint8Array }
export const cert: Codec<CertPayload> = prefixedData<CertPayload>('CERT payload', 1,
  (b, o) => ({ type: PAYLOAD.CERT, encoding: b[o] }),
  (p, out, o) => { out[o] = uint(p.encoding, 8, 'certificate encoding'); });
export const certreq: Codec<CertReqPayload> = prefixedData<CertReqPayload>('CERTREQ payload', 1,
  (b, o) => ({ type: PAYLOAD.CERTREQ, encoding: b[o] }),
  (p, out, o) => { out[o] = uint(p.encoding, 8, 'certificate encoding'); });

/** The 20-byte CA key hashes of an X.509 CERTREQ (§3.7); DecodeError if the data doesn't divide by 20. */
export function certReqHashes(p: CertReqPayload): Uint8Array[] {
  if (p.data.length % 20 !== 0) throw new DecodeError(`CERTREQ: ${p.data.length} bytes are not a list of 20-byte SHA-1 hashes`);
  const out: Uint8Array[] = [];
  for (let o = 0; o < p.data.length; o += 20) out.push(p.data.subarray(o, o + 20));
  return out;
}
