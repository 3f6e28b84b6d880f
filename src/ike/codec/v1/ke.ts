// Key Exchange payload (RFC 2408 §3.7): the sender's public Diffie-Hellman value, g^xi or g^xr
// (RFC 2409 §5), zero-padded on the left to the group's length for MODP groups (RFC 2409 §5 and
// strongSwan's behaviour); 32 bytes for Curve25519.
//
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ! Next Payload  !   RESERVED    !         Payload Length        !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                       Key Exchange Data                       ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// The codec sees the body only: Key Exchange Data. `data` is a view of the input buffer.

import { PAYLOAD } from './constants.js';
import { dataCodec } from './wire.js';

export interface KePayload {
  type: typeof PAYLOAD.KE;
  data: Uint8Array;
}

export const ke = dataCodec<KePayload>(PAYLOAD.KE, 'KE payload');
