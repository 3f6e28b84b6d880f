// What the IKEv1 exchanges need from the daemon that runs them: secrets and credentials, a way to
// send (with retransmission), and where to report outcomes. Exchanges are plain functions over an
// Ikev1Sa and this interface, so tests can drive them with a fake host.
import type { Child, Connection } from '../../config/types.js';
import type { Logger } from '../../log.js';
import type { Decoded } from '../codec/v1/index.js';
import type { ChildResult } from '../children.js';
import type { IkeCounters, IkeFailure } from '../counters.js';
import type { Credentials } from '../credentials.js';
import type { Ikev1Sa } from './ike-sa.js';

/** A retransmission slot: phase 1, or the message ID of a Quick Mode / Informational exchange. */
export type Slot = 'p1' | number;

export interface V1Host {
  readonly log: Logger;
  /** Rekeys and failures, for the metrics endpoint. */
  readonly counters: IkeCounters;
  psk(conn: Connection): Uint8Array | undefined;
  credentials(conn: Connection): Credentials;
  /**
   * Sends a message of `sa` and remembers it as the slot's last message, so that a retransmitted
   * request is answered with it; with `expectReply`, retransmits with back-off until `answered`.
   */
  transmit(sa: Ikev1Sa, slot: Slot, message: Uint8Array, expectReply: boolean): void;
  /** The reply for a slot arrived and was accepted: stop retransmitting. */
  answered(sa: Ikev1Sa, slot: Slot): void;
  /** Sends a one-shot message (an unprotected error notify) that is not remembered. */
  sendRaw(sa: Ikev1Sa, message: Uint8Array): void;
  /** Phase 1 is done; `payloads` of the last message may carry INITIAL-CONTACT. */
  phase1Established(sa: Ikev1Sa, payloads: readonly Decoded[]): void;
  /** Whether to send INITIAL-CONTACT: we hold no other SA with this peer (RFC 2407 §4.6.3.3). */
  initialContact(sa: Ikev1Sa): boolean;
  /** Sends a protected Informational with one notify about the ISAKMP SA (RFC 2409 §5.7). */
  notify(sa: Ikev1Sa, notifyType: number): void;
  /** Responder, after the peer's ID: the connection that identity selects (roaming peers). */
  connectionFor(sa: Ikev1Sa, idType: number, data: Uint8Array): Connection | undefined;
  /**
   * Quick Mode has keys: install both SAs of the child; `active` also moves outbound traffic onto
   * them (the initiator at once, the responder only on HASH(3), through activateChild).
   */
  installChild(sa: Ikev1Sa, child: ChildResult, active: boolean): void;
  activateChild(sa: Ikev1Sa, child: ChildResult): void;
  /** A Quick Mode failed; `why`: the reason the metrics count it under (default 'other'). */
  childFailed(sa: Ikev1Sa, child: Child | undefined, reason: string, why?: IkeFailure): void;
  /** Inbound SPIs, unique among the SAs the datapath holds (RFC 4303 §2.1: 256 and up). */
  allocSpi(): number;
}
