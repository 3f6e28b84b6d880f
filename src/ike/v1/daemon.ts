// The IKEv1 daemon: every ISAKMP SA and Quick Mode of a gateway, and the CHILD SAs they made.
//
//   receive: 1. decode the header; unknown cookies with a zero responder cookie open a responder SA
//            2. a copy of the last message of its exchange is answered with our cached reply
//            3. decrypt with the exchange's IV chain, decode, check the payload rules (rules.ts)
//            4. hand it to the exchange (main.ts, aggressive.ts, quick.ts) or handle it here
//               (informational: DPD, INITIAL-CONTACT, Delete)
//   timers:  retransmission (strongSwan's 4 s × 1.8ⁿ, 5 tries), CHILD SA rekey and expiry by time
//            and bytes, ISAKMP SA renewal and expiry, DPD
//
// What it may not do: let an unauthenticated message change an established SA. Before phase 1
// is done nothing is authenticated, so there a bad message is dropped and the exchange waits for
// a good one (or times out); the one exception, as in strongSwan, is an unprotected error notify
// naming our cookies while phase 1 is under way, which ends that negotiation with its reason.
import type { Child, Connection } from '../../config/types.js';
import { formatAddress, parseAddress, type Prefix } from '../../dataplane/addr.js';
import type { Logger } from '../../log.js';
import type { Kernel } from '../../policy/kernel.js';
import { limits } from '../../policy/lifetimes.js';
import {
  DecodeError, EXCHANGE, FLAG, NOTIFY, PAYLOAD, PROTO, decodeMessage, decodePayloads, idFromString, idToString, name as constName,
  type Decoded, type DeletePayload, type NotifyPayload,
} from '../codec/v1/index.js';
import { NATT_PORT, endpointText, type Endpoint, type IkeTransport } from '../endpoint.js';
import { initiateAggressive, onAggressive2, onAggressive3, respondAggressive1 } from './aggressive.js';
import { ChildManager, type ChildRecord, type ChildResult } from '../children.js';
import { CredentialStore, type Credentials } from '../credentials.js';
import { failureOf, NO_COUNTERS, type IkeCounters, type IkeFailure } from '../counters.js';
import type { Slot, V1Host } from './host.js';
import { Ikev1Sa, hex, isZero } from './ike-sa.js';
import type { Incoming } from './incoming.js';
import { checkInformationalHash, deleteIpsec, deleteIsakmp, dpdNotify, firstDpdSeq, informational } from './informational.js';
import { initiateMain, onMain2, onMain3, onMain4, onMain5, onMain6, respondMain1 } from './main.js';
import { bytesEqual, findAll, ourId, useUdp } from './phase1.js';
import { readU32 } from './proposals.js';
import { initiateQuick, onQuick2, onQuick3, respondQuick, type QuickExchange } from './quick.js';
import { checkPayloads, type Kind } from './rules.js';
import { Failures } from '../failures.js';
import { dhByGroup, endStatus, ikeState, ikeAlgorithms, ikev1HashTransforms, secondsSince, secondsUntil, type IkeDaemonStatus, type IkeSaStatus } from '../status.js';
import { annotate } from './trace.js';
import { isakmpNotify, plainErrorNotify } from './wire.js';

export interface RetransmitPolicy {
  readonly timeoutMs: number;
  readonly base: number;
  readonly tries: number;
}

/** strongSwan's charon.retransmit_timeout / _base / _tries. */
export const STRONGSWAN_RETRANSMIT: RetransmitPolicy = { timeoutMs: 4000, base: 1.8, tries: 5 };

/** strongSwan's IKEv1 dpd_timeout default. */
const DPD_TIMEOUT_S = 150;
/** Half-open phase 1 (responder) is forgotten after this long (strongSwan: half_open_timeout 30 s). */
const HALF_OPEN_MS = 30_000;

export interface Ikev1Options {
  /** The IKEv1 connections (others are ignored). */
  readonly connections: readonly Connection[];
  readonly transport: IkeTransport;
  readonly kernel: Kernel;
  readonly log: Logger;
  /** Addresses IKE listens on, for connections without local.address. */
  readonly listen: readonly string[];
  readonly retransmit?: RetransmitPolicy;
  /** Every accepted message in RFC notation ("HDR, SA, VID -->"), as its receiver decoded it. */
  readonly trace?: (line: string) => void;
  /** Rekeys and failures, for the metrics endpoint. */
  readonly counters?: IkeCounters;
}

interface SlotState {
  message?: Uint8Array;
  timer?: NodeJS.Timeout;
  /** The datagram that made us send `message`: its copy gets `message` again. */
  lastIn?: Uint8Array;
}

export interface Ikev1Stats {
  received: number;
  dropped: Record<string, number>;
}

export class Ikev1Daemon implements V1Host {
  readonly log: Logger;
  readonly counters: IkeCounters;
  private connections: Connection[];
  private readonly sas = new Set<Ikev1Sa>();
  private readonly slots = new Map<Ikev1Sa, Map<Slot, SlotState>>();
  private readonly quick = new Map<Ikev1Sa, Map<number, QuickExchange>>();
  private readonly timers = new Map<Ikev1Sa, NodeJS.Timeout[]>();
  private readonly children: ChildManager<Ikev1Sa>;
  /** Children waiting for an ISAKMP SA, per connection name. */
  private readonly pending = new Map<string, Array<{ child: Child; rekeyOf?: ChildRecord<Ikev1Sa> }>>();
  private readonly creds = new CredentialStore();
  private readonly dpd = new Map<Ikev1Sa, { seq: number; outstanding?: number; since: number }>();
  private readonly retransmitPolicy: RetransmitPolicy;
  readonly stats: Ikev1Stats = { received: 0, dropped: {} };
  /** Why connections we started did not come up (`ipsecgw up` reports it). */
  readonly failures = new Failures();
  private readonly trapIds = new Map<number, { conn: Connection; child: Child }>();
  /** From 1 up; IKEv2's start at 2 000 000 (the datapath hands every trap hit to both daemons). */
  private nextTrapId = 1;
  /** Phase-1 kilobyte lifetimes, in bytes of ciphertext (Ikev1Sa.bytesProtected). */
  private readonly ikeByteLimits = new Map<Ikev1Sa, { soft: number; hard: number }>();
  private stopped = false;

  constructor(private readonly o: Ikev1Options) {
    this.log = o.log;
    this.counters = o.counters ?? NO_COUNTERS;
    this.connections = o.connections.filter((c) => c.version === 1);
    this.retransmitPolicy = o.retransmit ?? STRONGSWAN_RETRANSMIT;
    this.children = new ChildManager<Ikev1Sa>(o.kernel, o.log, {
      rekey: (r) => {
        // A roaming peer has no address to rekey to: it rekeys (or the SA expires).
        if (r.conn.remote.address === 'any' && !r.ike?.established) return this.children.rekeyFailed(r.result.spiIn);
        this.requestChild(r.conn, r.child, r);
      },
      tellDelete: (r) => {
        const sa = r.ike?.established ? r.ike : [...this.sas].find((s) => s.conn === r.conn && s.established);
        if (sa) this.sendRaw(sa, informational(sa, deleteIpsec(r.result.protocol, [r.result.spiIn])));
      },
      // RFC 2409 §8: PFS of identities — the ISAKMP SA that derived these keys goes "upon
      // establishment of the single phase 2 SA". Not synchronously, though: this runs inside the
      // Quick Mode handler, and the initiator has yet to send HASH(3) under the ISAKMP SA (without
      // it the responder never activates its half); the responder's handler, for its part, still
      // records the message it accepted. So the Delete goes once the handler is done.
      activated: (r) => {
        const sa = r.ike;
        if (r.child.pfs === 'identities' && sa) queueMicrotask(() => this.deleteIke(sa, true));
      },
    }, this.counters);
  }

  /** Traps and `start: start` children. (Weak choices are the loader's warnings: `run` logs them as config.warning.) */
  start(): void {
    this.setUp(this.connections);
  }

  /**
   * Reload: `connections` is the gateway's new list, unchanged connections in it as the very
   * objects they were (their SAs, traps and timers go on untouched). The connections named in
   * `gone` — removed, or changed — are taken down: traps, waiting children, their IPsec SAs and
   * ISAKMP SAs, each with a Delete to the peer (RFC 2408 §3.15; IKEv1 children outlive their
   * ISAKMP SA, so they are deleted on their own); responder SAs of a roaming connection belong to
   * it like the others. Then those named in `fresh` — added, or the changed ones under their new
   * configuration — are set up as at start.
   */
  async reload(connections: readonly Connection[], gone: readonly string[], fresh: readonly string[]): Promise<void> {
    for (const conn of this.connections.filter((c) => gone.includes(c.name))) await this.unload(conn);
    this.connections = connections.filter((c) => c.version === 1);
    this.setUp(this.connections.filter((c) => fresh.includes(c.name)));
  }

  /** A connection goes (reload): its traps, waiting children, IPsec SAs and ISAKMP SAs, the peer told. */
  private async unload(conn: Connection): Promise<void> {
    for (const [id, t] of this.trapIds) if (t.conn === conn) this.trapIds.delete(id);
    for (const child of conn.children) this.o.kernel.untrap(`${conn.name}/${child.name}`);
    this.pending.delete(conn.name);
    // The Deletes go out at once (remove tells the peer before it waits for the datapath), the
    // ISAKMP SAs right after them: no Quick Mode can finish in between and leave a pair behind.
    const going = this.children.all().filter((r) => r.conn === conn).map((r) => this.children.remove(r, true, 'connection reloaded'));
    for (const sa of [...this.sas]) if (sa.conn === conn) this.deleteIke(sa, true);
    await Promise.all(going);
  }

  private setUp(connections: readonly Connection[]): void {
    for (const conn of connections) {
      for (const child of conn.children) {
        if (child.start === 'trap') {
          const trapId = this.nextTrapId++;
          this.trapIds.set(trapId, { conn, child });
          const ts = this.selectors(conn, child);
          if (ts) this.o.kernel.trap(`${conn.name}/${child.name}`, [ts.local], [ts.remote], trapId);
        }
      }
    }
    for (const conn of connections) {
      for (const child of conn.children) if (child.start === 'start') this.initiate(conn.name, child.name);
    }
  }

  // ---- Entry points ---------------------------------------------------------------------------

  /** `ipsecgw up NAME`: the connection's children (or one of them) are negotiated. */
  initiate(connName: string, childName?: string): void {
    const conn = this.connections.find((c) => c.name === connName);
    if (!conn) throw new Error(`no IKEv1 connection '${connName}'`);
    if (conn.remote.address === 'any') throw new Error(`connection '${connName}' has no remote address to initiate to`);
    const children = conn.children.filter((c) => childName === undefined || c.name === childName);
    if (children.length === 0) throw new Error(`connection '${connName}' has no child '${childName}'`);
    for (const child of children) this.requestChild(conn, child);
  }

  /** A trap policy matched a packet: negotiate its child, unless that is under way. */
  acquire(trapId: number): void {
    const t = this.trapIds.get(trapId);
    if (!t) return;
    const busy = this.children.busy(t.conn, t.child) ||
      (this.pending.get(t.conn.name) ?? []).some((p) => p.child === t.child) ||
      [...this.quick.values()].some((m) => [...m.values()].some((ex) => ex.child === t.child && ex.state !== 'done'));
    if (busy) return;
    this.log.info({ event: 'child.acquire', conn: t.conn.name, child: t.child.name }, 'traffic for a trapped child: negotiating');
    this.requestChild(t.conn, t.child);
  }

  /** `ipsecgw down NAME`: Delete to the peer for every SA of the connection. */
  async terminate(connName: string): Promise<void> {
    for (const r of this.children.all()) if (r.conn.name === connName) await this.children.remove(r, true, 'terminated');
    for (const sa of [...this.sas]) if (sa.conn.name === connName) this.deleteIke(sa, true);
    this.pending.delete(connName);
  }

  /** SIGTERM: every SA deleted with a Delete to the peer. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.children.stop();
    for (const r of this.children.all()) await this.children.remove(r, true, 'stopping');
    for (const sa of [...this.sas]) this.deleteIke(sa, true);
  }

  /** A datagram for IKE (the non-ESP marker already stripped on 4500). */
  receive(to: Endpoint, from: Endpoint, data: Uint8Array): void {
    this.stats.received++;
    try {
      this.dispatch(to, from, data);
    } catch (err) {
      if (err instanceof DecodeError) return this.drop('malformed', from, err.message);
      // A bug, not the peer's fault — but the gateway keeps running and the SA keeps its state.
      this.log.error({ event: 'ike.error', from: endpointText(from), err: (err as Error).stack }, 'internal error handling an IKE message');
      this.drop('internal', from, (err as Error).message);
    }
  }

  private trace(kind: Kind, encrypted: boolean, payloads: readonly Decoded[]): void {
    const line = annotate(kind, encrypted, payloads);
    this.o.trace?.(line);
    this.log.debug({ event: 'ike.message', kind, message: line }, line);
  }

  private drop(reason: string, from: Endpoint, detail?: string): void {
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
    this.log.debug({ event: 'ike.dropped', reason, from: endpointText(from), detail }, 'IKE message dropped');
  }

  private dispatch(to: Endpoint, from: Endpoint, data: Uint8Array): void {
    const { header, body } = decodeMessage(data);
    const encrypted = (header.flags & FLAG.ENCRYPTION) !== 0;
    const phase1 = header.exchange === EXCHANGE.IDENTITY_PROTECTION || header.exchange === EXCHANGE.AGGRESSIVE;
    if (!phase1 && header.exchange !== EXCHANGE.QUICK && header.exchange !== EXCHANGE.INFORMATIONAL) {
      return this.drop('exchange', from, `exchange type ${header.exchange}`);
    }
    // RFC 2408 §3.1: the Message ID is zero in phase 1, and unique non-zero in phase 2.
    if (phase1 !== (header.messageId === 0)) return this.drop('malformed', from, `message ID ${header.messageId} in exchange ${header.exchange}`);
    let sa = this.lookup(header.icookie, header.rcookie);
    if (!sa) {
      if (phase1 && isZero(header.rcookie) && !encrypted) return this.newResponder(to, from, data, header, body);
      if (header.exchange === EXCHANGE.INFORMATIONAL && !encrypted) return this.drop('unknown-sa', from, 'unprotected informational');
      return this.drop('unknown-sa', from, `cookies ${hex(header.icookie)}/${hex(header.rcookie)}`);
    }
    const slot: Slot = phase1 ? 'p1' : header.messageId;
    const s = this.slots.get(sa)?.get(slot);
    if (s?.lastIn && bytesEqual(s.lastIn, data)) {
      // RFC 2408 §? / strongSwan: a retransmitted request gets the cached reply, nothing else.
      if (s.message) this.o.transport.send(sa.local, sa.remote, s.message);
      return this.drop('retransmit', from);
    }

    if (phase1) return this.phase1Message(sa, to, from, data, header, body, encrypted);
    if (!encrypted) {
      if (header.exchange === EXCHANGE.INFORMATIONAL && !sa.established) return this.unprotectedNotify(sa, from, header.nextPayload, body);
      return this.drop('unencrypted', from);
    }
    if (!sa.keys || (header.exchange === EXCHANGE.QUICK && !sa.established)) return this.drop('no-keys', from);
    if (header.exchange === EXCHANGE.QUICK) return this.quickMessage(sa, to, from, data, header, body);
    return this.informationalMessage(sa, to, from, data, header, body);
  }

  private lookup(icookie: Uint8Array, rcookie: Uint8Array): Ikev1Sa | undefined {
    for (const sa of this.sas) {
      if (!bytesEqual(sa.icookie, icookie)) continue;
      if (bytesEqual(sa.rcookie, rcookie)) return sa;
      // Message 2 to our initiator: the responder's cookie is new to us.
      if (sa.role === 'initiator' && sa.state === 'I1' && isZero(sa.rcookie)) return sa;
      // A copy of message 1, for the responder SA it created.
      if (sa.role === 'responder' && isZero(rcookie)) return sa;
    }
    return undefined;
  }

  // ---- Phase 1 --------------------------------------------------------------------------------

  private newResponder(to: Endpoint, from: Endpoint, data: Uint8Array, header: Incoming['header'], body: Uint8Array): void {
    if (this.stopped) return;
    const aggressive = header.exchange === EXCHANGE.AGGRESSIVE;
    const payloads = decodePayloads(header.nextPayload, body);
    const kind = aggressive ? 'aggr1' : 'main1';
    const bad = checkPayloads(kind, payloads);
    if (bad) return this.drop('rules', from, bad);
    if (!wholeChain(payloads, body)) return this.drop('malformed', from, 'bytes after the last payload');
    this.trace(kind, false, payloads);
    const candidates = this.candidates(to, from, aggressive ? 'aggressive' : 'main');
    if (candidates.length === 0) {
      this.log.warn({ event: 'ike.no_connection', from: endpointText(from), to: endpointText(to) }, 'no IKEv1 connection for this peer');
      return this.drop('no-connection', from);
    }
    const m: Incoming = { header, payloads, encrypted: false, from, to, raw: data };
    let reason = '', notify: number = NOTIFY.NO_PROPOSAL_CHOSEN;
    for (const conn of candidates) {
      const sa = new Ikev1Sa('responder', aggressive ? 'aggressive' : 'main', conn, to, from, header.icookie.slice());
      this.sas.add(sa); // the handlers send through the SA's slot
      const r = aggressive ? respondAggressive1(this, sa, m) : respondMain1(this, sa, m);
      if (!('reason' in r)) {
        this.slot(sa, 'p1').lastIn = data;
        this.log.debug({ event: 'ike.responding', ike: sa.id, conn: conn.name, peer: endpointText(from), version: 1, exchange: sa.exchange }, `${sa.exchange} mode from ${endpointText(from)}`);
        this.after(sa, HALF_OPEN_MS, () => {
          if (!sa.established) this.fail(sa, 'half-open SA timed out', 'timeout');
        });
        return;
      }
      this.forget(sa);
      reason = r.reason;
      notify = (r as { notify?: number }).notify ?? notify;
    }
    if (notify === NOTIFY.INVALID_ID_INFORMATION) {
      // Aggressive mode with an identity no connection names: say so, not "no proposal".
      this.log.warn({ event: 'auth.failed', peer: endpointText(from), phase: 'ike', reason }, `peer not accepted: ${reason}`);
      this.counters.failed('ike', 'authentication_failed');
    } else {
      this.log.warn({ event: 'proposal.mismatch', phase: 'ike', peer: endpointText(from), reason }, `no acceptable phase-1 proposal: ${reason}`);
      this.counters.failed('ike', 'no_proposal_chosen');
    }
    const tmp = new Ikev1Sa('responder', 'main', candidates[0], to, from, header.icookie.slice());
    this.o.transport.send(to, from, plainErrorNotify(tmp, notify));
  }

  /** Connections a phase-1 request may be for: by addresses, exact remote first, then 'any'. */
  private candidates(to: Endpoint, from: Endpoint, exchange: 'main' | 'aggressive'): Connection[] {
    const ok = this.connections.filter((c) =>
      (c.mode ?? 'main') === exchange &&
      (c.local.address === undefined || formatAddress(c.local.address) === to.address) &&
      (c.remote.address === 'any' || formatAddress(c.remote.address) === from.address));
    return [...ok.filter((c) => c.remote.address !== 'any'), ...ok.filter((c) => c.remote.address === 'any')];
  }

  private phase1Message(sa: Ikev1Sa, to: Endpoint, from: Endpoint, data: Uint8Array, header: Incoming['header'], body: Uint8Array, encrypted: boolean): void {
    const kind = phase1Kind(sa);
    if (!kind) return this.drop('state', from, `phase-1 message in state ${sa.state}`);
    const mustEncrypt = kind === 'main5' || kind === 'main6';
    const mayEncrypt = mustEncrypt || kind === 'aggr3';
    if (encrypted ? !mayEncrypt : mustEncrypt) return this.drop('encryption', from, `${kind} ${encrypted ? 'encrypted' : 'in the clear'}`);
    let plain = body, next: Uint8Array | undefined;
    if (encrypted) {
      const d = sa.decrypt(body, 'phase1');
      if (!d) return this.drop('malformed', from, 'ciphertext not whole blocks');
      ({ plain, next } = d);
    }
    let payloads: Decoded[];
    try {
      payloads = decodePayloads(header.nextPayload, plain);
    } catch (err) {
      // With a wrong pre-shared key, message 5 decrypts to noise (RFC 2409 gives no better signal).
      if (encrypted) {
        this.log.warn({ event: 'auth.failed', ike: sa.id, conn: sa.conn.name, peer: endpointText(from), phase: 'ike', reason: 'decryption failed (pre-shared keys differ?)' }, 'phase-1 message did not decrypt');
        this.counters.failed('ike', 'authentication_failed', sa);
      }
      throw err;
    }
    const bad = checkPayloads(kind, payloads);
    if (bad) return this.drop('rules', from, bad);
    if (!encrypted && !wholeChain(payloads, plain)) return this.drop('malformed', from, 'bytes after the last payload');
    this.trace(kind, encrypted, payloads);
    const m: Incoming = { header, payloads, encrypted, next, from, to, raw: data };
    const handler = PHASE1_HANDLERS[kind as keyof typeof PHASE1_HANDLERS];
    const before = sa.checkpoint();
    const outcome = handler(this, sa, m);
    if (outcome) {
      // Unauthenticated and unusable: as if it had never come.
      sa.restore(before);
      return this.drop('rejected', from, outcome.reject);
    }
    if (sa.state !== 'deleted') this.slot(sa, 'p1').lastIn = data;
    if (encrypted) this.protectedIn(sa, body);
  }

  /** An unprotected notify during phase 1: believed only for an error naming our cookies. */
  private unprotectedNotify(sa: Ikev1Sa, from: Endpoint, first: number, body: Uint8Array): void {
    const n = decodePayloads(first, body).find((d) => d.payload.type === PAYLOAD.N)?.payload as NotifyPayload | undefined;
    if (!n || n.notifyType >= 16384 || !sameEndpointAddress(from, sa.remote)) return this.drop('unprotected', from);
    const reason = `peer sent ${constName(NOTIFY, n.notifyType)}`;
    this.peerError(sa, n.notifyType, 'ike', reason);
    this.fail(sa, reason, failureOf(constName(NOTIFY, n.notifyType), 'ike'));
  }

  private initiatePhase1(conn: Connection): Ikev1Sa {
    const remote: Endpoint = { address: formatAddress(conn.remote.address as Exclude<typeof conn.remote.address, 'any'>), port: 500 };
    const localAddress = conn.local.address ? formatAddress(conn.local.address) : this.sourceFor(remote.address);
    const sa = new Ikev1Sa('initiator', conn.mode ?? 'main', conn, { address: localAddress, port: 500 }, remote);
    this.sas.add(sa);
    this.log.info({ event: 'ike.initiating', ike: sa.id, conn: conn.name, peer: endpointText(remote), version: 1, exchange: sa.exchange }, `initiating ${sa.exchange} mode to ${endpointText(remote)}`);
    if (sa.exchange === 'aggressive') initiateAggressive(this, sa);
    else initiateMain(this, sa);
    return sa;
  }

  /** Our address for a peer without local.address: the first listen address of its family. */
  private sourceFor(remote: string): string {
    const family = parseAddress(remote).family;
    const a = this.o.listen.find((l) => parseAddress(l).family === family);
    if (!a) throw new Error(`no listen address of IPv${family} for ${remote}`);
    return a;
  }

  phase1Established(sa: Ikev1Sa, payloads: readonly Decoded[]): void {
    sa.state = 'established';
    sa.establishedAt = Date.now();
    sa.lastHeard = Date.now();
    const c = sa.choice!;
    this.log.info({
      event: 'ike.established', ike: sa.id, conn: sa.conn.name, version: 1, exchange: sa.exchange, role: sa.role,
      local: endpointText(sa.local), peer: endpointText(sa.remote), spis: sa.spis, peerId: sa.peerId ? idToString(sa.peerId.idType, sa.peerId.data) : undefined,
      encr: c.encr.name, hash: c.hash, group: c.group, nat: sa.nat, natt: sa.natt ?? 'none', dpd: sa.peer.dpd, lifetime: c.lifetime.time,
    }, `ISAKMP SA established with ${endpointText(sa.remote)}`);
    if (payloads.some((d) => d.payload.type === PAYLOAD.N && (d.payload as { notifyType: number }).notifyType === NOTIFY.INITIAL_CONTACT)) {
      this.initialContactReceived(sa);
    }
    // Lifetime: the initiator renews before the end (RFC 2409 §4.5: the SA is renegotiated, not extended).
    const l = limits(c.lifetime, sa.role === 'initiator');
    // IKEv1 has no rekey: the initiator renews with a new phase 1 (a reauthentication, as strongSwan calls it).
    if (sa.role === 'initiator') sa.reauthAt = Date.now() + l.softMs;
    sa.expiresAt = Date.now() + l.hardMs;
    this.after(sa, l.softMs, () => this.renewIke(sa, 'time'));
    this.after(sa, l.hardMs, () => {
      this.log.info({ event: 'ike.expired', ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), by: 'time' }, 'ISAKMP SA lifetime over');
      this.deleteIke(sa, true);
    });
    if (l.hardBytes !== undefined) this.ikeByteLimits.set(sa, { soft: Number(l.softBytes), hard: Number(l.hardBytes) });
    this.checkIkeBytes(sa);
    if (sa.conn.ike.dpd && sa.peer.dpd) this.startDpd(sa);
    if (useUdp(sa) && sa.nat.local) this.startKeepalives(sa);
    // Children waiting for this connection.
    const waiting = this.pending.get(sa.conn.name) ?? [];
    this.pending.delete(sa.conn.name);
    for (const w of waiting) this.startQuick(sa, w.child, w.rekeyOf);
  }

  /**
   * An error notify from the peer, under a stable event name: proposal.mismatch for
   * NO-PROPOSAL-CHOSEN, auth.failed for AUTHENTICATION-FAILED, ike.peer_error for the rest.
   */
  private peerError(sa: Ikev1Sa, notifyType: number, phase: 'ike' | 'child', reason: string): void {
    const notify = constName(NOTIFY, notifyType);
    this.log.warn({
      event: notifyType === NOTIFY.NO_PROPOSAL_CHOSEN ? 'proposal.mismatch' : notifyType === NOTIFY.AUTHENTICATION_FAILED ? 'auth.failed' : 'ike.peer_error',
      ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), phase, notify, reason,
    }, `peer reports ${notify}`);
  }

  /**
   * Forgets a failed phase 1 (ike.failed, with the reason); children waiting for it fail with it.
   * `why`: the reason the metrics count it under; ours are noted for `ipsecgw up` too.
   */
  private fail(sa: Ikev1Sa, reason: string, why: IkeFailure): void {
    this.log.warn({ event: 'ike.failed', ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), reason }, `phase 1 failed: ${reason}`);
    this.counters.failed('ike', why, sa);
    if (sa.role === 'initiator') this.failures.note(sa.conn.name, undefined, 'ike', why, reason);
    const waiting = this.pending.get(sa.conn.name) ?? [];
    if (sa.role === 'initiator' && ![...this.sas].some((o) => o !== sa && o.conn === sa.conn && o.state !== 'deleted')) {
      this.pending.delete(sa.conn.name);
      for (const w of waiting) this.log.warn({ event: 'child.failed', conn: sa.conn.name, child: w.child.name, reason }, `child '${w.child.name}' not established: ${reason}`);
    }
    this.forget(sa);
  }

  /**
   * RFC 2407 §4.6.3.3: INITIAL-CONTACT says we hold no SA with the peer, so that it may drop what
   * it holds with us. IPsec SAs count, not just ISAKMP ones: IKEv1 children outlive their ISAKMP
   * SA (PFS of identities deletes it after each Quick Mode; a renewal may come after the old one
   * expired), and an INITIAL-CONTACT then would make the peer delete the very pairs the new
   * phase 1 is about to rekey.
   */
  initialContact(sa: Ikev1Sa): boolean {
    // With the peer, not just within this connection: a peer that believes it (strongSwan does)
    // deletes every SA it holds with us, those of our other connections too.
    const peer = sa.remote.address;
    return ![...this.sas].some((o) => o !== sa && o.established && (o.conn === sa.conn || o.remote.address === peer)) &&
      !this.children.all().some((r) => r.conn === sa.conn || r.kernel.spec.remote.address === peer);
  }

  /** RFC 2407 §4.6.3.3: the peer has no state from before; what we hold with it is stale. */
  private initialContactReceived(sa: Ikev1Sa): void {
    for (const o of [...this.sas]) {
      if (o === sa || o.conn !== sa.conn || !sa.peerId || !o.peerId || o.peerId.idType !== sa.peerId.idType || !bytesEqual(o.peerId.data, sa.peerId.data)) continue;
      this.log.info({ event: 'ike.initial_contact', ike: o.id, conn: o.conn.name }, 'peer restarted (INITIAL-CONTACT): old ISAKMP SA removed');
      this.deleteIke(o, false);
    }
    for (const r of this.children.all()) {
      if (r.conn === sa.conn && r.ike !== sa) void this.children.remove(r, false, 'initial-contact');
    }
  }

  connectionFor(sa: Ikev1Sa, idType: number, data: Uint8Array): Connection | undefined {
    const matches = (c: Connection): boolean => {
      if (c.remote.id === undefined) return true;
      const want = idFromString(c.remote.id);
      // Certificates: the identity is checked against the certificate later (phase1.ts).
      return c.remote.auth === 'pubkey' || (want.idType === idType && bytesEqual(want.data, data));
    };
    if (matches(sa.conn)) return sa.conn;
    // Another connection for the same addresses, authenticated the same way (the PSK is already in SKEYID for main mode).
    const others = this.candidates(sa.local, sa.remote, sa.exchange).filter((c) => c !== sa.conn && matches(c));
    return sa.exchange === 'aggressive' ? others[0] : others.find((c) => c.local.auth === sa.conn.local.auth && c.psk && sa.conn.psk && bytesEqual(c.psk, sa.conn.psk));
  }

  psk(conn: Connection): Uint8Array | undefined {
    return conn.psk;
  }

  credentials(conn: Connection): Credentials {
    return this.creds.get(conn);
  }


  // ---- Sending, retransmission ----------------------------------------------------------------

  private slot(sa: Ikev1Sa, slot: Slot): SlotState {
    let m = this.slots.get(sa);
    if (!m) this.slots.set(sa, (m = new Map()));
    let s = m.get(slot);
    if (!s) m.set(slot, (s = {}));
    return s;
  }

  transmit(sa: Ikev1Sa, slot: Slot, message: Uint8Array, expectReply: boolean): void {
    const s = this.slot(sa, slot);
    if (s.timer) clearTimeout(s.timer);
    s.timer = undefined;
    s.message = message;
    this.o.transport.send(sa.local, sa.remote, message);
    this.checkIkeBytes(sa);
    if (!expectReply) return;
    const p = this.retransmitPolicy;
    let n = 0;
    const again = (): void => {
      if (sa.state === 'deleted' || s.message !== message) return;
      if (n >= p.tries) {
        // Main mode message 5 is where the responder checks who we are; it says nothing when that
        // fails (see authRejected), so the silence is the signal.
        const reason = `no answer after ${p.tries} retransmits${sa.state === 'I5' ? ' to our proof of identity (pre-shared keys, certificates or identities differ?)' : ''}`;
        if (slot === 'p1') {
          this.log.warn({ event: 'ike.timeout', ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), reason }, `phase 1: ${reason}`);
          this.fail(sa, reason, 'timeout');
        } else this.quickTimedOut(sa, slot, reason, 'timeout');
        return;
      }
      n++;
      this.log.debug({ event: 'ike.retransmit', ike: sa.id, slot, n }, 'retransmitting');
      this.o.transport.send(sa.local, sa.remote, message);
      s.timer = setTimeout(again, p.timeoutMs * p.base ** n);
      s.timer.unref?.();
    };
    s.timer = setTimeout(again, p.timeoutMs);
    s.timer.unref?.();
  }

  answered(sa: Ikev1Sa, slot: Slot): void {
    const s = this.slots.get(sa)?.get(slot);
    if (s?.timer) clearTimeout(s.timer);
    if (s) s.timer = undefined;
  }

  sendRaw(sa: Ikev1Sa, message: Uint8Array): void {
    this.o.transport.send(sa.local, sa.remote, message);
    this.checkIkeBytes(sa);
  }

  /** An encrypted message of the peer's was accepted: its bytes count against the lifetime. */
  private protectedIn(sa: Ikev1Sa, body: Uint8Array): void {
    sa.bytesProtected += body.length;
    this.checkIkeBytes(sa);
  }

  notify(sa: Ikev1Sa, notifyType: number): void {
    if (!sa.keys) return;
    this.o.transport.send(sa.local, sa.remote, informational(sa, isakmpNotify(sa, notifyType)));
    this.checkIkeBytes(sa);
  }

  /** A timer that dies with the SA. */
  private after(sa: Ikev1Sa, ms: number, fn: () => void): void {
    const t = setTimeout(fn, ms);
    t.unref?.();
    let list = this.timers.get(sa);
    if (!list) this.timers.set(sa, (list = []));
    list.push(t);
  }

  /** Drops an SA from every table, its timers and keys with it. */
  private forget(sa: Ikev1Sa): void {
    for (const s of this.slots.get(sa)?.values() ?? []) if (s.timer) clearTimeout(s.timer);
    for (const t of this.timers.get(sa) ?? []) clearTimeout(t);
    for (const ex of this.quick.get(sa)?.values() ?? []) ex.dh?.destroy();
    this.slots.delete(sa);
    this.timers.delete(sa);
    this.quick.delete(sa);
    this.dpd.delete(sa);
    this.ikeByteLimits.delete(sa);
    this.sas.delete(sa);
    for (const r of this.children.all()) if (r.ike === sa) r.ike = undefined;
    sa.destroy();
  }

  /** Deletes an ISAKMP SA; with `tell`, the peer gets a Delete first. Children stay (RFC 2409 §4.5). */
  private deleteIke(sa: Ikev1Sa, tell: boolean): void {
    if (sa.state === 'deleted') return;
    if (tell && sa.keys && sa.established) this.sendRaw(sa, informational(sa, deleteIsakmp(sa)));
    this.log.info({ event: 'ike.deleted', ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), by: 'us', told: tell }, 'ISAKMP SA deleted');
    this.forget(sa);
  }

  /**
   * The kilobyte lifetime of phase 1: past the soft share of it, renew as at the time limit; at
   * the limit itself, delete (RFC 2409 §4.5: renegotiated, never extended). Called after bytes
   * were counted — deferred, since that happens inside exchange handlers that still use the SA.
   */
  private checkIkeBytes(sa: Ikev1Sa): void {
    queueMicrotask(() => {
      const l = this.ikeByteLimits.get(sa);
      if (!l || sa.state !== 'established') return;
      if (sa.bytesProtected >= l.hard) {
        this.log.info({ event: 'ike.expired', ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), by: 'bytes', bytes: sa.bytesProtected }, 'ISAKMP SA kilobyte lifetime over');
        this.ikeByteLimits.delete(sa);
        this.deleteIke(sa, true);
      } else if (sa.bytesProtected >= l.soft) this.renewIke(sa, 'bytes');
    });
  }

  /** Phase-1 lifetime nearly over: a new ISAKMP SA if children still need one, then the old goes. */
  private renewIke(sa: Ikev1Sa, by: 'time' | 'bytes'): void {
    if (sa.state !== 'established' || this.stopped || sa.renewing) return;
    const needed = this.children.all().some((r) => r.conn === sa.conn);
    if (sa.role === 'initiator' && needed && sa.conn.remote.address !== 'any') {
      sa.renewing = true;
      this.log.info({ event: 'ike.rekeying', ike: sa.id, conn: sa.conn.name, by }, 'renewing the ISAKMP SA');
      const next = this.initiatePhase1(sa.conn);
      // The old SA goes once the new one is up (or at its hard lifetime).
      const check = setInterval(() => {
        if (next.established) {
          clearInterval(check);
          // RFC 2409 §4.5: IKEv1 renews by a new phase 1; the new SA replacing the old is its rekey.
          this.log.info({ event: 'ike.rekeyed', ike: next.id, old: sa.id, conn: next.conn.name, peer: endpointText(next.remote), spis: next.spis, by }, 'ISAKMP SA renewed');
          this.counters.rekeyed('ike');
          this.deleteIke(sa, true);
        } else if (next.state === 'deleted') clearInterval(check);
      }, 200);
      check.unref?.();
    }
  }

  // ---- Quick Mode -----------------------------------------------------------------------------

  /** A child is wanted: on an established ISAKMP SA of its connection, else after phase 1. */
  private requestChild(conn: Connection, child: Child, rekeyOf?: ChildRecord<Ikev1Sa>): void {
    if (this.stopped) return;
    const sa = [...this.sas].filter((s) => s.conn === conn && s.established).sort((a, b) => b.establishedAt! - a.establishedAt!)[0];
    if (sa) return this.startQuick(sa, child, rekeyOf);
    const list = this.pending.get(conn.name) ?? [];
    if (!list.some((p) => p.child === child)) list.push({ child, rekeyOf });
    this.pending.set(conn.name, list);
    if (![...this.sas].some((s) => s.conn === conn && s.role === 'initiator' && s.state !== 'deleted')) this.initiatePhase1(conn);
  }

  private startQuick(sa: Ikev1Sa, child: Child, rekeyOf?: ChildRecord<Ikev1Sa>): void {
    const ts = rekeyOf ? { local: rekeyOf.result.localTs[0], remote: rekeyOf.result.remoteTs[0] } : this.selectors(sa.conn, child, sa);
    if (!ts) {
      this.log.warn({ event: 'child.failed', conn: sa.conn.name, child: child.name, reason: 'no traffic selectors' }, 'no traffic selectors');
      return;
    }
    if (rekeyOf) rekeyOf.state = 'rekeying';
    const ex = initiateQuick(this, sa, { child, localTs: ts.local, remoteTs: ts.remote, rekeyOf: rekeyOf?.result.spiIn });
    this.quickMap(sa).set(ex.messageId, ex);
  }

  /**
   * The selectors of a child for Quick Mode: IKEv1 negotiates one pair per exchange, so the first
   * of each list ('dynamic': the ISAKMP SA's own address).
   */
  private selectors(conn: Connection, child: Child, sa?: Ikev1Sa): { local: Prefix; remote: Prefix } | undefined {
    const host = (address: string | undefined): Prefix | undefined => {
      if (!address) return undefined;
      const a = parseAddress(address);
      return { ...a, len: a.family === 4 ? 32 : 128 };
    };
    const localAddress = sa?.local.address ?? (conn.local.address ? formatAddress(conn.local.address) : undefined);
    const remoteAddress = sa?.remote.address ?? (conn.remote.address !== 'any' ? formatAddress(conn.remote.address) : undefined);
    const local = child.localTs === 'dynamic' ? host(localAddress) : child.localTs[0];
    const remote = child.remoteTs === 'dynamic' ? host(remoteAddress) : child.remoteTs[0];
    return local && remote ? { local, remote } : undefined;
  }

  private quickMap(sa: Ikev1Sa): Map<number, QuickExchange> {
    let m = this.quick.get(sa);
    if (!m) this.quick.set(sa, (m = new Map()));
    return m;
  }

  private quickMessage(sa: Ikev1Sa, to: Endpoint, from: Endpoint, data: Uint8Array, header: Incoming['header'], body: Uint8Array): void {
    const ex = this.quickMap(sa).get(header.messageId);
    const iv = ex ? ex.iv : sa.exchangeIv(header.messageId);
    const d = sa.decrypt(body, iv);
    if (!d) return this.drop('malformed', from, 'ciphertext not whole blocks');
    const payloads = decodePayloads(header.nextPayload, d.plain);
    const kind: Kind = !ex ? 'quick1' : ex.role === 'initiator' ? 'quick2' : 'quick3';
    if (ex?.state === 'done') return this.drop('state', from, 'Quick Mode already done');
    const bad = checkPayloads(kind, payloads);
    if (bad) return this.drop('rules', from, bad);
    this.trace(kind, true, payloads);
    const m: Incoming = { header, payloads, encrypted: true, next: d.next, from, to, raw: data };
    if (!ex) {
      const created = respondQuick(this, sa, m, d.next, (local, remote) => this.pickChild(sa, local, remote));
      if (created) {
        this.quickMap(sa).set(created.messageId, created);
        this.slot(sa, created.messageId).lastIn = data;
        this.heard(sa, from);
        this.protectedIn(sa, body);
      }
      return;
    }
    const ok = kind === 'quick2' ? onQuick2(this, sa, ex, m) : onQuick3(this, sa, ex, m);
    if (ok) {
      this.slot(sa, ex.messageId).lastIn = data;
      this.heard(sa, from);
      this.protectedIn(sa, body);
    }
  }

  /** Responder: the child whose selectors contain what the peer proposes (and the SA it would replace). */
  private pickChild(sa: Ikev1Sa, local: Prefix[], remote: Prefix[]): { child: Child; rekeyOf?: number } | undefined {
    for (const child of sa.conn.children) {
      const ours = this.selectors(sa.conn, child, sa);
      if (!ours) continue;
      const localOk = local.every((p) => within(p, child.localTs === 'dynamic' ? [ours.local] : child.localTs));
      const remoteOk = remote.every((p) => within(p, child.remoteTs === 'dynamic' ? [ours.remote] : child.remoteTs));
      if (!localOk || !remoteOk) continue;
      const old = this.children.find((r) => r.conn === sa.conn && r.child === child && r.state === 'active' && samePrefixList(r.result.localTs, local) && samePrefixList(r.result.remoteTs, remote));
      return { child, rekeyOf: old?.result.spiIn };
    }
    return undefined;
  }

  private quickTimedOut(sa: Ikev1Sa, messageId: number, reason: string, why: IkeFailure): void {
    const ex = this.quick.get(sa)?.get(messageId);
    if (!ex || ex.state === 'done') return;
    ex.state = 'done';
    if (ex.role === 'responder' && ex.result) {
      // Installed when we answered, never confirmed: remove.
      const r = this.children.byInboundSpi(ex.result.spiIn);
      if (r) void this.children.remove(r, false, reason);
    }
    this.children.rekeyFailed(ex.rekeyOf);
    this.childFailed(sa, ex.child, reason, why);
  }

  allocSpi(): number {
    return this.o.kernel.allocSpi();
  }

  installChild(sa: Ikev1Sa, result: ChildResult, active: boolean): void {
    const r = this.children.install(sa, sa.conn, result, sa.local, sa.remote, { active, initiator: active });
    if (typeof r === 'string') this.childFailed(sa, result.child, r);
  }

  activateChild(sa: Ikev1Sa, result: ChildResult): void {
    const r = this.children.byInboundSpi(result.spiIn);
    if (r) this.children.activate(r);
  }

  childFailed(sa: Ikev1Sa, child: Child | undefined, reason: string, why: IkeFailure = 'other'): void {
    this.log.warn({ event: 'child.failed', ike: sa.id, conn: sa.conn.name, child: child?.name, reason }, `Quick Mode failed: ${reason}`);
    this.counters.failed('child', why);
    if (child) this.failures.note(sa.conn.name, child.name, 'child', why, reason);
  }

  // ---- Informational --------------------------------------------------------------------------

  private informationalMessage(sa: Ikev1Sa, to: Endpoint, from: Endpoint, data: Uint8Array, header: Incoming['header'], body: Uint8Array): void {
    const d = sa.decrypt(body, sa.exchangeIv(header.messageId));
    if (!d) return this.drop('malformed', from, 'ciphertext not whole blocks');
    const payloads = decodePayloads(header.nextPayload, d.plain);
    const bad = checkPayloads('info', payloads);
    if (bad) return this.drop('rules', from, bad);
    const m: Incoming = { header, payloads, encrypted: true, next: d.next, from, to, raw: data };
    if (!checkInformationalHash(sa, m)) return this.drop('hash', from, 'Informational HASH mismatch');
    this.trace('info', true, payloads);
    this.slot(sa, header.messageId).lastIn = data;
    this.heard(sa, from);
    this.protectedIn(sa, body);
    for (const n of findAll(payloads, PAYLOAD.N)) this.onNotify(sa, n);
    for (const del of findAll(payloads, PAYLOAD.D)) this.onDelete(sa, del);
  }

  private onNotify(sa: Ikev1Sa, n: NotifyPayload): void {
    switch (n.notifyType) {
      case NOTIFY.R_U_THERE:
        // RFC 3706 §5: answer with the same sequence number.
        if (n.data.length === 4) this.sendRaw(sa, informational(sa, dpdNotify(sa, NOTIFY.R_U_THERE_ACK, readU32(n.data))));
        return;
      case NOTIFY.R_U_THERE_ACK: {
        const s = this.dpd.get(sa);
        if (s && n.data.length === 4 && readU32(n.data) === s.outstanding) s.outstanding = undefined;
        return;
      }
      case NOTIFY.INITIAL_CONTACT:
        return this.initialContactReceived(sa);
      default:
        if (n.notifyType < 16384) {
          // Before phase 1 is done it is about phase 1 (a refused proof in message 5); after, about a Quick Mode.
          this.peerError(sa, n.notifyType, sa.established ? 'child' : 'ike', `peer sent ${constName(NOTIFY, n.notifyType)}`);
          // An error about a Quick Mode we started ends it (the notify names no message ID).
          for (const ex of this.quick.get(sa)?.values() ?? []) {
            if (ex.role === 'initiator' && ex.state === 'sent1') {
              this.answered(sa, ex.messageId);
              this.quickTimedOut(sa, ex.messageId, `peer sent ${constName(NOTIFY, n.notifyType)}`, failureOf(constName(NOTIFY, n.notifyType), 'child'));
            }
          }
        }
    }
  }

  private onDelete(sa: Ikev1Sa, del: DeletePayload): void {
    if (del.protocolId === PROTO.ISAKMP) {
      if (del.spis.some((spi) => spi.length === 16 && bytesEqual(spi.subarray(0, 8), sa.icookie) && bytesEqual(spi.subarray(8), sa.rcookie))) {
        this.log.info({ event: 'ike.deleted', ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), by: 'peer' }, 'peer deleted the ISAKMP SA');
        this.forget(sa);
      }
      return;
    }
    // The peer's inbound SPIs: our outbound ones.
    for (const spi of del.spis) {
      if (spi.length !== 4) continue;
      const out = readU32(spi);
      const r = this.children.byOutboundSpi(sa.conn, del.protocolId === PROTO.IPSEC_AH ? 'ah' : 'esp', out);
      if (r) void this.children.remove(r, false, 'deleted by the peer');
    }
  }

  /** An authenticated message: the peer lives, and its address is where it now is (NAT mapping changes). */
  private heard(sa: Ikev1Sa, from: Endpoint): void {
    sa.lastHeard = Date.now();
    if (from.address !== sa.remote.address || from.port !== sa.remote.port) {
      this.log.info({ event: 'ike.peer_moved', ike: sa.id, conn: sa.conn.name, from: endpointText(sa.remote), to: endpointText(from) }, 'peer address changed');
      sa.remote = from;
      this.children.follow(sa, from);
    }
  }

  // ---- DPD, keepalives ------------------------------------------------------------------------

  /** RFC 3706 §5: R-U-THERE when we have not heard from the peer for `delay`; dead after the timeout. */
  private startDpd(sa: Ikev1Sa): void {
    const dpd = sa.conn.ike.dpd!;
    const state = { seq: firstDpdSeq(), since: 0, outstanding: undefined as number | undefined };
    this.dpd.set(sa, state);
    const timeoutMs = (dpd.timeout ?? DPD_TIMEOUT_S) * 1000;
    const tick = setInterval(() => {
      if (sa.state !== 'established') return clearInterval(tick);
      const now = Date.now();
      const traffic = Math.max(sa.lastHeard, ...this.children.all().filter((r) => r.ike === sa || r.conn === sa.conn).map((r) => this.children.usage(r).lastIn));
      if (state.outstanding !== undefined && now - state.since > timeoutMs && now - traffic > timeoutMs) {
        clearInterval(tick);
        return this.peerDead(sa);
      }
      if (now - traffic < dpd.delay * 1000) {
        state.outstanding = undefined;
        return;
      }
      if (state.outstanding === undefined) state.since = now;
      state.seq = (state.seq + 1) >>> 0;
      state.outstanding = state.seq;
      this.sendRaw(sa, informational(sa, dpdNotify(sa, NOTIFY.R_U_THERE, state.seq)));
    }, dpd.delay * 1000);
    tick.unref?.();
    this.timers.get(sa)?.push(tick) ?? this.timers.set(sa, [tick]);
  }

  /** DPD gave up: clear, hold (traps in place) or restart, as configured. */
  private peerDead(sa: Ikev1Sa): void {
    const action = sa.conn.ike.dpd!.action;
    this.log.warn({ event: 'dpd.timeout', ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), action, reason: `no R-U-THERE-ACK within ${sa.conn.ike.dpd!.timeout ?? DPD_TIMEOUT_S} s` }, `peer ${endpointText(sa.remote)} is dead: ${action}`);
    const conn = sa.conn;
    const children = this.children.all().filter((r) => r.conn === conn);
    for (const r of children) void this.children.remove(r, false, 'peer dead');
    this.deleteIke(sa, false);
    if (action === 'hold') {
      for (const r of children) {
        const name = `${conn.name}/${r.child.name}`;
        const id = this.nextTrapId++;
        this.trapIds.set(id, { conn, child: r.child });
        this.o.kernel.trap(name, r.result.localTs, r.result.remoteTs, id);
      }
    } else if (action === 'restart' && conn.remote.address !== 'any') {
      for (const child of new Set(children.map((r) => r.child))) this.requestChild(conn, child);
    }
  }

  /** RFC 3948 §4: behind a NAT, a one-byte 0xFF keepalive every 20 s keeps the mapping open. */
  private startKeepalives(sa: Ikev1Sa): void {
    const t = setInterval(() => {
      if (sa.state !== 'established') return clearInterval(t);
      if (sa.local.port === NATT_PORT) this.o.transport.keepalive(sa.local, sa.remote);
    }, 20_000);
    t.unref?.();
    this.timers.get(sa)?.push(t) ?? this.timers.set(sa, [t]);
  }

  // ---- Status ---------------------------------------------------------------------------------

  /** The state of every ISAKMP SA and CHILD SA, for the metrics endpoint. */
  states(): { ike: string[]; children: string[] } {
    return { ike: [...this.sas].map((sa) => ikeState(sa.state)), children: this.children.all().map((r) => r.state) };
  }

  /** What `ipsecgw status` shows (status.ts). */
  status(): IkeDaemonStatus {
    const now = Date.now();
    return {
      ike: [...this.sas].map((sa): IkeSaStatus => {
        const c = sa.choice, h = c ? ikev1HashTransforms(c.hash) : {}, dh = c ? dhByGroup(c.group) : undefined;
        const ourIdPayload = sa.established ? (ourId(this, sa) as { idType: number; data: Uint8Array }) : undefined;
        return {
          id: sa.id, conn: sa.conn.name, version: 1, step: sa.state, role: sa.role, exchange: sa.exchange,
          state: ikeState(sa.state),
          local: endStatus(sa.local, ourIdPayload ? idToString(ourIdPayload.idType, ourIdPayload.data) : undefined),
          remote: endStatus(sa.remote, sa.peerId ? idToString(sa.peerId.idType, sa.peerId.data) : undefined),
          spiI: hex(sa.icookie), spiR: hex(sa.rcookie), nat: { ...sa.nat },
          ...(c && h.integ && h.prf && dh ? ikeAlgorithms(c.encr, h.integ, h.prf, dh) : {}),
          established: secondsSince(sa.establishedAt, now),
          ...(sa.established ? { reauthIn: secondsUntil(sa.reauthAt, now), expiresIn: secondsUntil(sa.expiresAt, now) } : {}),
          bytesProtected: sa.bytesProtected,
        };
      }),
      children: this.children.status(),
      stats: this.stats,
    };
  }
}

const PHASE1_HANDLERS = {
  main2: onMain2, main3: onMain3, main4: onMain4, main5: onMain5, main6: onMain6, aggr2: onAggressive2, aggr3: onAggressive3,
} as const;

/** A cleartext message has no padding: its payload chain must fill the body exactly. */
const wholeChain = (payloads: readonly Decoded[], body: Uint8Array): boolean => payloads.reduce((n, d) => n + d.raw.length, 0) === body.length;

/** What a phase-1 message is, from where the SA stands. */
function phase1Kind(sa: Ikev1Sa): Kind | undefined {
  const main = sa.exchange === 'main';
  switch (sa.state) {
    case 'I1': return main ? 'main2' : 'aggr2';
    case 'I3': return 'main4';
    case 'I5': return 'main6';
    case 'R2': return main ? 'main3' : 'aggr3';
    case 'R4': return 'main5';
    default: return undefined;
  }
}

const sameEndpointAddress = (a: Endpoint, b: Endpoint): boolean => a.address === b.address;

function within(p: Prefix, set: readonly Prefix[]): boolean {
  return set.some((s) => s.family === p.family && s.len <= p.len && prefixContains(s, p));
}

function prefixContains(outer: Prefix, inner: Prefix): boolean {
  for (let bit = 0; bit < outer.len; bit++) {
    const byte = bit >> 3, mask = 0x80 >> (bit & 7);
    if ((outer.bytes[byte] & mask) !== (inner.bytes[byte] & mask)) return false;
  }
  return true;
}

function samePrefixList(a: readonly Prefix[], b: readonly Prefix[]): boolean {
  return a.length === b.length && a.every((p, i) => p.len === b[i].len && bytesEqual(p.bytes, b[i].bytes));
}
