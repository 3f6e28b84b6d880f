// Building IKEv1 messages of an SA: the ISAKMP header with its cookies, the payload chain, and —
// once there are keys — its encryption (RFC 2408 §3.1, RFC 2409 Appendix B).
import { randomBytes } from 'node:crypto';
import { DOI_IPSEC, EXCHANGE, FLAG, PAYLOAD, PROTO, encodeMessage, encodePayloads, type Payload } from '../codec/v1/index.js';
import type { Ikev1Sa } from './ike-sa.js';

const VERSION_1_0 = 0x10;

export function plainMessage(sa: Ikev1Sa, exchange: number, messageId: number, payloads: Payload[]): Uint8Array {
  return encodeMessage({ icookie: sa.icookie, rcookie: sa.rcookie, version: VERSION_1_0, exchange, flags: 0, messageId }, payloads);
}

/** An encrypted message; `next` is the IV that follows it in its chain. */
export function sealedMessage(sa: Ikev1Sa, exchange: number, messageId: number, payloads: Payload[], iv: Uint8Array | 'phase1'):
  { message: Uint8Array; next: Uint8Array } {
  const chain = encodePayloads(payloads);
  const { body, next } = sa.encrypt(chain, iv);
  const message = encodeMessage(
    { icookie: sa.icookie, rcookie: sa.rcookie, version: VERSION_1_0, exchange, flags: FLAG.ENCRYPTION, messageId },
    { nextPayload: payloads[0].type, body },
  );
  return { message, next };
}

/** A non-zero random message ID for a new Quick Mode or Informational exchange (RFC 2408 §3.1). */
export function newMessageId(): number {
  for (;;) {
    const id = randomBytes(4).readUInt32BE(0);
    if (id !== 0) return id;
  }
}

/** A notification about the ISAKMP SA itself: SPI = CKY-I | CKY-R (RFC 2408 §3.14, RFC 3706 §5). */
export function isakmpNotify(sa: Ikev1Sa, notifyType: number, data: Uint8Array = new Uint8Array(0)): Payload {
  const spi = new Uint8Array(16);
  spi.set(sa.icookie, 0);
  spi.set(sa.rcookie, 8);
  return { type: PAYLOAD.N, doi: DOI_IPSEC, protocolId: PROTO.ISAKMP, spi, notifyType, data };
}

/** An unprotected Informational carrying one error notify: what we can say before there are keys. */
export function plainErrorNotify(sa: Ikev1Sa, notifyType: number): Uint8Array {
  return plainMessage(sa, EXCHANGE.INFORMATIONAL, newMessageId(), [isakmpNotify(sa, notifyType)]);
}
