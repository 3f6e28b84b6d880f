// Nonce payload (RFC 2408 §3.13): Ni / Nr. RFC 2409 §5 wants 8 to 256 bytes; that is a check for
// the exchange code, so the codec accepts any length (strongSwan sends 32).
//
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ! Next Payload  !   RESERVED    !         Payload Length        !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                            Nonce Data                         ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// The codec sees the body only: Nonce Data. `data` is a view of the input buffer.

import { PAYLOAD } from './constants.js';
import { dataCodec } from './wire.js';

export interface NoncePayload {
  type: typeof PAYLOAD.NONCE;
  data: Uint8Array;
}

export const nonce = dataCodec<NoncePayload>(PAYLOAD.NONCE, 'Nonce payload');
