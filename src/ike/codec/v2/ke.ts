// Key Exchange payload (RFC 7296 §3.4):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |   Diffie-Hellman Group Num    |           RESERVED            |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                       Key Exchange Data                       ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Whether the data's length fits the group is the exchange's check (INVALID_SYNTAX, §3.4).
// The codec sees the body only (after the 4-byte generic header); byte fields are views of the
// input buffer. RESERVED bytes are written 0 and ignored on receipt (RFC 7296 §3.2).

import { PAYLOAD } from './constants.js';
import { prefixedData, put16, u16, uint, type Codec } from './wire.js';

export interface KePayload { type: typeof PAYLOAD.KE; critical?: boolean; group: number; data: Uint8Array }
export const ke: Codec<KePayload> = prefixedData<KePayload>('KE payload', 4,
  (b, o) => ({ type: PAYLOAD.KE, group: u16(b, o) }),
  (p, out, o) => put16(out, o, uint(p.group, 16, 'KE group')));
