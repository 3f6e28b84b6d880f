// Why a connection (or one of its children) did not come up, the last time it did not: what
// `ipsecgw up` reports instead of "timeout", as swanctl --initiate prints charon's reason. A
// daemon notes a failure where it gives up on an SA it wanted — next to the log line with the
// same event name — and nothing else: retries under way (INVALID_KE, COOKIE) are no failures.

import type { IkeFailure, SaKind } from './counters.js';

/** The log event names of failures an operator tells apart (docs/logs.md). */
export type FailureEvent = 'proposal.mismatch' | 'auth.failed' | 'ike.timeout' | 'ike.failed' | 'child.failed';

/** The event a failure of this kind and reason is logged and reported under (one classification for both). */
export function failureEvent(kind: SaKind, why: IkeFailure): FailureEvent {
  if (why === 'no_proposal_chosen') return 'proposal.mismatch';
  if (why === 'authentication_failed') return 'auth.failed';
  if (kind === 'ike') return why === 'timeout' ? 'ike.timeout' : 'ike.failed';
  return 'child.failed';
}

export interface Failure {
  readonly conn: string;
  /** Absent when the IKE SA failed (and with it every child waiting for it). */
  readonly child?: string;
  readonly eventName: FailureEvent;
  readonly reason: string;
  /** Milliseconds since the epoch. */
  readonly at: number;
}

export class Failures {
  /** The last one per connection and child ("conn" or "conn/child"): bounded by the configuration. */
  private readonly last = new Map<string, Failure>();

  /** One of ours failed, classified as the metrics count it (`kind`, `why`); reported under failureEvent's name. */
  note(conn: string, child: string | undefined, kind: SaKind, why: IkeFailure, reason: string): void {
    this.last.set(child === undefined ? conn : `${conn}/${child}`, { conn, child, eventName: failureEvent(kind, why), reason, at: Date.now() });
  }

  /** The connection's failures noted at or after `t`, oldest first. */
  since(conn: string, t: number): Failure[] {
    return [...this.last.values()].filter((f) => f.conn === conn && f.at >= t).sort((a, b) => a.at - b.at);
  }
}
