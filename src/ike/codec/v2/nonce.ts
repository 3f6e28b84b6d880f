// Nonce payload (RFC 7296 §3.9): the body is the nonce, 16 to 256 bytes (§2.10, §3.9).
// The codec sees the body only (after the 4-byte generic header); byte fields are views of the
// input buffer. RESERVED bytes are written 0 and ignored on receipt (RFC 7296 §3.2).

import { PAYLOAD } from './constants.js';
import { DecodeError } from './errors.js';
import { prefixedData, type Codec } from './wire.js';

export interface NoncePayload { type: typeof PAYLOAD.NONCE; critical?: boolean; data: Uint8Array }
export const NONCE_MIN = 16;
export const NONCE_MAX = 256;
const nonceBase = prefixedData<NoncePayload>('Nonce payload', 0, () => ({ type: PAYLOAD.NONCE }), () => {});
export const nonce: Codec<NoncePayload> = {
  ...nonceBase,
  decode(buf, offset, length) {
    const p = nonceBase.decode(buf, offset, length);
    if (length < NONCE_MIN || length > NONCE_MAX) throw new DecodeError(`Nonce payload: ${length} bytes, must be ${NONCE_MIN}..${NONCE_MAX} (RFC 7296 §3.9)`);
    return p;
  },
};
