// Signature payload (RFC 2408 §3.12): SIG_I / SIG_R of signature-authenticated phase 1
// (RFC 2409 §5.1), the signature over HASH_I / HASH_R.
//
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ! Next Payload  !   RESERVED    !         Payload Length        !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                         Signature Data                        ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// The codec sees the body only: Signature Data. `data` is a view of the input buffer.

import { PAYLOAD } from './constants.js';
import { dataCodec } from './wire.js';

export interface SigPayload {
  type: typeof PAYLOAD.SIG;
  data: Uint8Array;
}

export const sig = dataCodec<SigPayload>(PAYLOAD.SIG, 'SIG payload');
