// Informational exchanges under an ISAKMP SA (RFC 2409 §5.7, RFC 2408 §4.8): one protected message,
// no answer, each with a fresh message ID and IV chain:
//
//   HDR*, HASH(1), N/D        HASH(1) = prf(SKEYID_a, M-ID | N/D)
//
// They carry notifications (errors, INITIAL-CONTACT, DPD's R-U-THERE / R-U-THERE-ACK of RFC 3706
// §5) and Delete payloads (RFC 2408 §3.15: the SPIs the sender will no longer accept).
import { randomBytes } from 'node:crypto';
import { DOI_IPSEC, EXCHANGE, PAYLOAD, PROTO, encodePayloads, type HashPayload, type Payload } from '../codec/v1/index.js';
import { concat, informationalHash } from '../crypto/index.js';
import type { Ikev1Sa } from './ike-sa.js';
import type { Incoming } from './incoming.js';
import { bytesEqual } from './phase1.js';
import { u32 } from './proposals.js';
import { isakmpNotify, newMessageId, sealedMessage } from './wire.js';

/** A protected Informational carrying `payload`. */
export function informational(sa: Ikev1Sa, payload: Payload): Uint8Array {
  const messageId = newMessageId();
  const hash = informationalHash(sa.choice!.hash, sa.keys!.SKEYID_a, messageId, encodePayloads([payload]));
  return sealedMessage(sa, EXCHANGE.INFORMATIONAL, messageId, [{ type: PAYLOAD.HASH, data: hash }, payload], sa.exchangeIv(messageId)).message;
}

/** Whether an Informational's HASH(1) is right (covering every payload after it, as received). */
export function checkInformationalHash(sa: Ikev1Sa, m: Incoming): boolean {
  const [hash, ...rest] = m.payloads;
  const expected = informationalHash(sa.choice!.hash, sa.keys!.SKEYID_a, m.header.messageId, concat(...rest.map((d) => d.raw)));
  return bytesEqual((hash.payload as HashPayload).data, expected);
}

/** Delete of the ISAKMP SA itself: protocol ISAKMP, SPI = CKY-I | CKY-R (RFC 2408 §3.15). */
export function deleteIsakmp(sa: Ikev1Sa): Payload {
  const spi = new Uint8Array(16);
  spi.set(sa.icookie, 0);
  spi.set(sa.rcookie, 8);
  return { type: PAYLOAD.D, doi: DOI_IPSEC, protocolId: PROTO.ISAKMP, spiSize: 16, spis: [spi] };
}

/** Delete of IPsec SAs: our inbound SPIs, which the peer must stop using. */
export function deleteIpsec(protocol: 'esp' | 'ah', spis: readonly number[]): Payload {
  return { type: PAYLOAD.D, doi: DOI_IPSEC, protocolId: protocol === 'ah' ? PROTO.IPSEC_AH : PROTO.IPSEC_ESP, spiSize: 4, spis: spis.map(u32) };
}

/** RFC 3706 §5: R-U-THERE / R-U-THERE-ACK carry a 32-bit sequence number; the SPI is the cookies. */
export function dpdNotify(sa: Ikev1Sa, type: number, seq: number): Payload {
  return isakmpNotify(sa, type, u32(seq));
}

/** RFC 3706 §7: the first sequence number is random (with room to count up before wrapping). */
export const firstDpdSeq = (): number => randomBytes(4).readUInt32BE(0) & 0x7fffffff;
