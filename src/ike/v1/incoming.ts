// A received IKEv1 message as the exchange handlers see it: decoded, decrypted when it was
// encrypted, and checked against the payload rules (rules.ts).
import type { Decoded, Header } from '../codec/v1/index.js';
import type { Endpoint } from '../endpoint.js';

export interface Incoming {
  readonly header: Header;
  readonly payloads: readonly Decoded[];
  /** Was encrypted; `next` is then the IV that follows it in its chain (to commit once accepted). */
  readonly encrypted: boolean;
  readonly next?: Uint8Array;
  /** Where it came from and where it arrived (port 4500: the non-ESP marker already removed). */
  readonly from: Endpoint;
  readonly to: Endpoint;
  /** The datagram as received, for the duplicate check. */
  readonly raw: Uint8Array;
}

/**
 * What a handler made of a message it was given: nothing to report (accepted, or failed and
 * reported through the host), or rejected — a message that proves nothing (no authentication
 * covers it yet) and must leave no trace: the daemon puts the SA back as it was and drops it.
 */
export type Outcome = void | { readonly reject: string };

export const reject = (reason: string): Outcome => ({ reject: reason });
