// `ipsecgw up` and `ipsecgw down`, as swanctl --initiate and --terminate do them: start what is
// missing of a connection and wait until its CHILD SAs carry traffic — or until the daemon gives
// up on them (with its reason: failures.ts) or the time is over; delete a connection's SAs and
// wait until they are gone. Both IKE versions through what their daemons have in common.
import type { Connection } from '../config/types.js';
import type { Failure, FailureEvent, Failures } from '../ike/failures.js';
import type { ChildSaStatus, IkeDaemonStatus, IkeSaStatus } from '../ike/status.js';

/** What `up` and `down` need of a daemon. */
export interface IkeControl {
  initiate(conn: string, child?: string): void;
  terminate(conn: string): Promise<void>;
  status(): IkeDaemonStatus;
  readonly failures: Failures;
}

export type UpResult =
  /** Every wanted child was up before: nothing was started. */
  | { outcome: 'already'; conn: string; children: ChildSaStatus[]; ike: IkeSaStatus[] }
  | { outcome: 'established'; conn: string; children: ChildSaStatus[]; ike: IkeSaStatus[]; ms: number }
  /** Started, not waited for. */
  | { outcome: 'initiated'; conn: string }
  | { outcome: 'failed'; conn: string; child?: string; failure: FailureEvent | 'timeout'; reason: string; ms: number };

export type DownResult =
  | { outcome: 'not-up'; conn: string }
  | { outcome: 'terminated'; conn: string; ike: number; children: number; ms: number };

const POLL_MS = 50;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A pair that carries the child's traffic (a rekey under way still does). */
const carrying = (c: ChildSaStatus): boolean => c.state === 'active' || c.state === 'rekeying';

/**
 * Starts the connection's children (or `child`) that have no pair carrying traffic, and with
 * `timeoutMs` waits for all of them: established, or the first failure noted for the connection
 * since, or the timeout (the reason then says where the negotiation stands).
 */
export async function up(d: IkeControl, conn: Connection, child: string | undefined, timeoutMs?: number): Promise<UpResult> {
  const wanted = conn.children.filter((c) => child === undefined || c.name === child).map((c) => c.name);
  const ours = (st: IkeDaemonStatus) => ({
    children: st.children.filter((c) => c.conn === conn.name && wanted.includes(c.child) && carrying(c)),
    ike: st.ike.filter((s) => s.conn === conn.name),
  });
  const missing = (st: IkeDaemonStatus): string[] => wanted.filter((name) => !ours(st).children.some((c) => c.child === name));
  const before = d.status();
  if (missing(before).length === 0) return { outcome: 'already', conn: conn.name, ...ours(before) };
  const started = Date.now();
  for (const name of missing(before)) d.initiate(conn.name, name);
  if (timeoutMs === undefined) return { outcome: 'initiated', conn: conn.name };
  for (;;) {
    const st = d.status();
    if (missing(st).length === 0) return { outcome: 'established', conn: conn.name, ...ours(st), ms: Date.now() - started };
    const failed: Failure | undefined = d.failures.since(conn.name, started).find((f) => f.child === undefined || wanted.includes(f.child));
    if (failed) return { outcome: 'failed', conn: conn.name, child: failed.child, failure: failed.eventName, reason: failed.reason, ms: Date.now() - started };
    if (Date.now() - started >= timeoutMs) {
      return { outcome: 'failed', conn: conn.name, failure: 'timeout', reason: stalled(st, conn, missing(st)), ms: Date.now() - started };
    }
    await sleep(POLL_MS);
  }
}

/** Deletes every SA of the connection (a Delete to the peer) and waits until none is left. */
export async function down(d: IkeControl, conn: Connection, timeoutMs = 10_000): Promise<DownResult> {
  const mine = (st: IkeDaemonStatus) => ({ ike: st.ike.filter((s) => s.conn === conn.name), children: st.children.filter((c) => c.conn === conn.name) });
  const had = mine(d.status());
  const started = Date.now();
  await d.terminate(conn.name);
  if (had.ike.length === 0 && had.children.length === 0) return { outcome: 'not-up', conn: conn.name };
  for (;;) {
    const left = mine(d.status());
    if (left.ike.length === 0 && left.children.length === 0) return { outcome: 'terminated', conn: conn.name, ike: had.ike.length, children: had.children.length, ms: Date.now() - started };
    if (Date.now() - started >= timeoutMs) throw new Error(`'${conn.name}' still has ${left.ike.length} IKE SA(s) and ${left.children.length} CHILD SA(s) after ${timeoutMs / 1000} s`);
    await sleep(POLL_MS);
  }
}

/** Where a negotiation that ran out of time stands, in words: which message went unanswered. */
export function stalled(st: IkeDaemonStatus, conn: Connection, missing: readonly string[]): string {
  const sas = st.ike.filter((s) => s.conn === conn.name && s.role === 'initiator' && s.state === 'connecting');
  const where = (s: IkeSaStatus): string => `${s.remote.address}[${s.remote.port}]`;
  const s = sas[sas.length - 1];
  if (s) {
    switch (s.step) {
      case 'init-sent': return `no answer to IKE_SA_INIT from ${where(s)}`;
      case 'auth-sent': return `no answer to IKE_AUTH from ${where(s)} (it may have refused our identity or proof without saying so)`;
      case 'I1': return `no answer to ${s.exchange} mode message 1 from ${where(s)}`;
      case 'I3': return `no answer to main mode message 3 (key exchange) from ${where(s)}`;
      // RFC 2409 §5: the responder checks message 5 and, when it fails, has no authenticated way to say so.
      case 'I5': return `no answer to our proof of identity (main mode message 5) from ${where(s)}: pre-shared keys, certificates or identities differ?`;
      default: return `IKE SA #${s.id} stuck in ${s.step}`;
    }
  }
  const live = st.ike.some((x) => x.conn === conn.name && x.state === 'established');
  const names = missing.map((n) => `'${n}'`).join(', ');
  if (live) return `IKE SA established, but no answer for CHILD SA ${names} (${conn.version === 2 ? 'CREATE_CHILD_SA' : 'Quick Mode'})`;
  return `CHILD SA ${names} not established and no IKE SA under way`;
}
