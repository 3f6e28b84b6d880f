// The one error the IKEv1 decoders throw. It carries the RFC 2408 §3.14.1 notify message type a
// responder would answer with, so the exchange code can turn a bad message into an INFORMATIONAL
// without knowing which check failed (RFC 2408 §5: "the receiving entity ... send a notification").

import { NOTIFY } from './constants.js';

export class DecodeError extends Error {
  /** RFC 2408 §3.14.1 notify message type: PAYLOAD_MALFORMED unless a more precise one fits. */
  readonly notify: number;

  constructor(message: string, notify: number = NOTIFY.PAYLOAD_MALFORMED) {
    super(message);
    this.name = 'DecodeError';
    this.notify = notify;
  }
}
