// What the IKE daemons count for the metrics endpoint (src/metrics/): rekeys, and negotiations that
// failed, by a small fixed set of reasons an operator can alert on. The daemons call these where
// they log the same events (ike.rekeyed, child.rekeyed, proposal.mismatch, auth.failed,
// ike.timeout, ike.invalid_ke, ike.failed, child.failed); without a metrics endpoint nothing counts.

export type SaKind = 'ike' | 'child';

/**
 * Why a negotiation failed. The first four are the RFC 7296 §3.10.1 error notifies (and IKEv1's
 * equivalents, RFC 2408 §3.14.1) that account for most failures in practice; `peer_error` is any
 * other error notify the peer sent, `other` what we refused for reasons of our own (a malformed
 * answer, the datapath refusing an SA).
 */
export const IKE_FAILURES = [
  'no_proposal_chosen', 'authentication_failed', 'invalid_ke', 'ts_unacceptable', 'timeout', 'peer_error', 'other',
] as const;
export type IkeFailure = (typeof IKE_FAILURES)[number];

export interface IkeCounters {
  /** An SA replaced by a new one: an IKE SA rekeyed (IKEv1: renewed; IKEv2: also reauthenticated) or a CHILD SA rekeyed. */
  rekeyed(kind: SaKind): void;
  /**
   * A negotiation failed. `sa`: the IKE SA being negotiated, when there is one; it counts once,
   * with the first reason — IKEv1 keeps a phase 1 open after a proof that does not verify (it
   * may be forged), so the same failure shows again in retransmissions and in the timeout.
   */
  failed(kind: SaKind, reason: IkeFailure, sa?: object): void;
}

export const NO_COUNTERS: IkeCounters = { rekeyed() {}, failed() {} };

/**
 * The reason for an error notify, by its name in either version's table ('NO_PROPOSAL_CHOSEN'):
 * one the peer sent, or one we answer with (then `otherwise` is 'other'). IKEv1's
 * INVALID-ID-INFORMATION means "not who I expected" in phase 1 and "not the selectors I have" in
 * Quick Mode (RFC 2407 §4.6.2).
 */
export function failureOf(notify: string | number, kind: SaKind, otherwise: IkeFailure = 'peer_error'): IkeFailure {
  switch (String(notify)) {
    case 'NO_PROPOSAL_CHOSEN': return 'no_proposal_chosen';
    case 'AUTHENTICATION_FAILED': return 'authentication_failed';
    case 'INVALID_KE_PAYLOAD': return 'invalid_ke';
    case 'TS_UNACCEPTABLE': return 'ts_unacceptable';
    case 'INVALID_ID_INFORMATION': return kind === 'child' ? 'ts_unacceptable' : 'authentication_failed';
    default: return otherwise;
  }
}
