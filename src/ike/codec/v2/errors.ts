// The one error the IKEv2 decoders throw. It carries the notify type a responder would answer with
// (RFC 7296 §3.10.1: INVALID_SYNTAX for anything malformed, INVALID_MAJOR_VERSION,
// UNSUPPORTED_CRITICAL_PAYLOAD) and, where the RFC defines one, the Notification Data to send:
// UNSUPPORTED_CRITICAL_PAYLOAD carries the one-byte payload type (§3.10.1). Whether to answer at all
// is the exchange code's decision (§2.21: unauthenticated errors mostly get no answer).

import { NOTIFY } from './constants.js';

export class DecodeError extends Error {
  /** RFC 7296 §3.10.1 notify message type: INVALID_SYNTAX unless a more precise one fits. */
  readonly notify: number;
  /** Notification Data for that notify, when the RFC defines some. */
  readonly data?: Uint8Array;

  constructor(message: string, notify: number = NOTIFY.INVALID_SYNTAX, data?: Uint8Array) {
    super(message);
    this.name = 'DecodeError';
    this.notify = notify;
    if (data) this.data = data;
  }
}
