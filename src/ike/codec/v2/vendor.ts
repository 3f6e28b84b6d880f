// Vendor ID payload (RFC 7296 §3.12) and EAP payload (§3.16): opaque bodies. (The EAP message's own
// Code / Identifier / Length are the EAP method's business, RFC 3748 §4.)
// The codec sees the body only (after the 4-byte generic header); byte fields are views of the
// input buffer. RESERVED bytes are written 0 and ignored on receipt (RFC 7296 §3.2).

import { PAYLOAD } from './constants.js';
import { prefixedData, type Codec } from './wire.js';

export interface VendorPayload { type: typeof PAYLOAD.V; critical?: boolean; data: Uint8Array }
export interface EapPayload { type: typeof PAYLOAD.EAP; critical?: boolean; data: Uint8Array }
export const vendor: Codec<VendorPayload> = prefixedData<VendorPayload>('V payload', 0, () => ({ type: PAYLOAD.V }), () => {});
export const eap: Codec<EapPayload> = prefixedData<EapPayload>('EAP payload', 0, () => ({ type: PAYLOAD.EAP }), () => {});
