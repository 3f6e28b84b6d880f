// Hash payload (RFC 2408 §3.11): HASH_I / HASH_R of phase 1 (RFC 2409 §5), HASH(1..3) of Quick
// Mode (§5.5) and the HASH of Informational exchanges (§5.7), the output of the negotiated PRF.
//
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ! Next Payload  !   RESERVED    !         Payload Length        !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                           Hash Data                           ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// The codec sees the body only: Hash Data. `data` is a view of the input buffer.

import { PAYLOAD } from './constants.js';
import { dataCodec } from './wire.js';

export interface HashPayload {
  type: typeof PAYLOAD.HASH;
  data: Uint8Array;
}

export const hash = dataCodec<HashPayload>(PAYLOAD.HASH, 'HASH payload');
