// NAT Original Address payload (RFC 3947 §5.2; draft-ietf-ipsec-nat-t-ike-02/03 numbered it 131,
// same layout).
//
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Next Payload  |    RESERVED   |        Payload length         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |    ID Type    |    RESERVED   |            RESERVED           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |         IPv4 (4 octets) or IPv6 address (16 octets)           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ID Type is ID_IPV4_ADDR (1) or ID_IPV6_ADDR (5), nothing else (RFC 3947 §5.2). Quick Mode
// carries NAT-OAi / NAT-OAr in transport mode so the peer can fix up TCP/UDP checksums.
// The codec sees the body only. `address` is a fresh Address (16 bytes, IPv4 in the first 4).

import type { Address } from '../../../dataplane/addr.js';
import { ID_TYPE, NOTIFY, PAYLOAD } from './constants.js';
import { DecodeError } from './errors.js';
import { need, target, type Codec } from './wire.js';

export interface NatoaPayload {
  type: typeof PAYLOAD.NAT_OA | typeof PAYLOAD.NAT_OA_DRAFT;
  /** ID_TYPE.IPV4_ADDR or ID_TYPE.IPV6_ADDR, agreeing with address.family. */
  idType: number;
  address: Address;
}

const addrBytes = (idType: number): number | undefined =>
  idType === ID_TYPE.IPV4_ADDR ? 4 : idType === ID_TYPE.IPV6_ADDR ? 16 : undefined;

export const natoa: Codec<NatoaPayload> & {
  /** `type`: the payload number it came with (NAT_OA or NAT_OA_DRAFT). */
  decode(buf: Uint8Array, offset: number, length: number, type?: NatoaPayload['type']): NatoaPayload;
} = {
  encode(p, buf, offset = 0) {
    const n = addrBytes(p.idType);
    if (n === undefined || n !== (p.address.family === 4 ? 4 : 16)) {
      throw new RangeError(`NAT-OA payload: ID type ${p.idType} with an IPv${p.address.family} address`);
    }
    const out = target(buf, offset, 4 + n, 'NAT-OA payload');
    out[offset] = p.idType;
    out.fill(0, offset + 1, offset + 4);
    out.set(p.address.bytes.subarray(0, n), offset + 4);
    return out;
  },
  decode(buf: Uint8Array, offset: number, length: number, type: NatoaPayload['type'] = PAYLOAD.NAT_OA): NatoaPayload {
    need(buf, offset, length, 'NAT-OA payload');
    if (length < 4) throw new DecodeError(`NAT-OA payload: ${length} bytes, needs 4 before the address`);
    const idType = buf[offset], n = addrBytes(idType);
    if (n === undefined) throw new DecodeError(`NAT-OA payload: ID type ${idType}, not IPV4_ADDR or IPV6_ADDR`, NOTIFY.INVALID_ID_INFORMATION);
    if (length !== 4 + n) throw new DecodeError(`NAT-OA payload: ${length - 4} address bytes for ID type ${idType}`);
    const bytes = new Uint8Array(16);
    bytes.set(buf.subarray(offset + 4, offset + 4 + n));
    return { type, idType, address: { family: n === 4 ? 4 : 6, bytes } };
  },
  encodingLength: (p) => 4 + (addrBytes(p.idType) ?? 0),
};
