// The IKEv2 daemon (RFC 7296): every IKE SA of a gateway's `version: 2` connections, the
// exchanges on them, and the CHILD SAs they made (through the ChildManager both versions share).
//
//   receive: 1. IKE_SA_INIT requests open a responder SA (cookies and a per-peer half-open limit
//               first, §2.6); its responses find our initiator SA by SPIi
//            2. everything else finds its SA by our SPI and must pass the SK integrity check
//               (fragments are collected first, RFC 7383); nothing unauthenticated goes further
//            3. a request with the ID we expect is handled and its response cached; the previous
//               ID gets the cached response again (§2.1); a response must answer our outstanding
//               request — one at a time (window size 1, §2.3)
//   timers:  retransmission (strongSwan's 4 s × 1.8ⁿ, 5 tries: then the peer is gone), liveness
//            checks (DPD), IKE SA rekey and expiry, NAT keepalives; CHILD SA lifetimes live in the
//            ChildManager
import { createHash } from 'node:crypto';
import type { Child, Connection } from '../../config/types.js';
import { formatAddress, parseAddress } from '../../dataplane/addr.js';
import type { Logger } from '../../log.js';
import type { Kernel } from '../../policy/kernel.js';
import { limits } from '../../policy/lifetimes.js';
import { ChildManager, spiHex, type ChildRecord, type ChildResult } from '../children.js';
import {
  DecodeError, EXCHANGE, FLAG, NOTIFY, PAYLOAD, PROTOCOL, Reassembly, checkPayloads, constName, decodeMessage, decodePayloads, encodeMessage,
  findNotifies, findPayloads, openFragment, openMessage, sealMessage, tsFromPrefix,
  type Decoded, type DeletePayload, type Header, type MessageKind, type NotifyPayload, type Payload,
} from '../codec/v2/index.js';
import { dhGroup, deriveIkeKeys, equalConstantTime as bytesEqual, random, rekeySkeyseed, skeyseed, wipe } from '../crypto/index.js';
import { idFromString, idToString } from '../codec/v1/index.js';
import { NATT_PORT, endpointText, type Endpoint, type IkeTransport } from '../endpoint.js';
import { natdHash } from '../v1/natt.js';
import { STRONGSWAN_RETRANSMIT, type RetransmitPolicy } from '../v1/daemon.js';
import { CredentialStore, type Credentials } from '../credentials.js';
import { failureOf, NO_COUNTERS, type IkeCounters, type IkeFailure } from '../counters.js';
import { SIGNATURE_HASHES, ourAuth, ourId, verifyPeer } from './auth.js';
import { acceptChildAnswer, childRequest, childResult, find, notify, ourSelectors, respondChild, type ChildExchange } from './child-sa.js';
import { Ikev2Sa, hex, isZero } from './ike-sa.js';
import { Failures } from '../failures.js';
import { endStatus, ikeState, ikeAlgorithms, secondsSince, secondsUntil, type IkeDaemonStatus, type IkeSaStatus } from '../status.js';
import { RekeyRace } from './rekey-race.js';
import { SaTable } from './sa-table.js';
import { acceptIke, ikeAnswer, ikeOffer, readU32, selectIke, u32, type IkeChoice } from './proposals.js';

/** strongSwan's IKEv2 defaults: half_open_timeout 30 s, cookie_threshold 30, block_threshold 5 per peer, dpd_timeout-less liveness. */
const HALF_OPEN_MS = 30_000;
const COOKIE_THRESHOLD = 30;
const HALF_OPEN_PER_PEER = 5;
const NONCE_BYTES = 32;
/** RFC 7383 §2.5.1: fragment IKE messages larger than this (IPv4 path of 1280 minus headers, as strongSwan's default). */
const FRAGMENT_SIZE = 1280;
/** A replaced IKE SA waits this long for the peer's Delete before it goes anyway. */
const REKEYED_IKE_MS = 30_000;

export interface Ikev2Options {
  readonly connections: readonly Connection[];
  readonly transport: IkeTransport;
  readonly kernel: Kernel;
  readonly log: Logger;
  readonly listen: readonly string[];
  readonly retransmit?: RetransmitPolicy;
  /** Every accepted message in RFC notation ("HDR, SK {IDi, AUTH, SA, TSi, TSr} -->"). */
  readonly trace?: (line: string) => void;
  /** Half-open SAs above which IKE_SA_INIT needs a cookie (§2.6). */
  readonly cookieThreshold?: number;
  /** Sends a packet that waited for its CHILD SA on its way again (the gateway routes it into the tunnel). */
  readonly deliver?: (packet: Uint8Array) => void;
  /** Rekeys and failures, for the metrics endpoint. */
  readonly counters?: IkeCounters;
}

/** Packets held per trapped child while it is negotiated (the kernel's acquire keeps one; a few more cost nothing). */
const HELD_PACKETS = 4;

interface In {
  readonly header: Header;
  readonly payloads: Decoded[];
  readonly from: Endpoint;
  readonly to: Endpoint;
  /** The datagram as received (IKE_SA_INIT's response is signed as sent, §2.15). */
  readonly raw: Uint8Array;
}

interface Outstanding {
  readonly messageId: number;
  readonly exchange: number;
  readonly messages: Uint8Array[];
  readonly onResponse: (m: In) => void;
  timer?: NodeJS.Timeout;
  /** What the peer's silence means when the retries run out. */
  readonly what: string;
}

export interface Ikev2Stats {
  received: number;
  dropped: Record<string, number>;
}

const KIND: Record<number, [MessageKind, MessageKind]> = {
  [EXCHANGE.IKE_SA_INIT]: ['init-req', 'init-resp'],
  [EXCHANGE.IKE_AUTH]: ['auth-req', 'auth-resp'],
  [EXCHANGE.CREATE_CHILD_SA]: ['child-req', 'child-resp'],
  [EXCHANGE.INFORMATIONAL]: ['info-req', 'info-resp'],
};

export class Ikev2Daemon {
  readonly log: Logger;
  readonly stats: Ikev2Stats = { received: 0, dropped: {} };
  /** Why connections we started did not come up (`ipsecgw up` reports it). */
  readonly failures = new Failures();
  private connections: Connection[];
  private readonly sas = new SaTable();
  private readonly children: ChildManager<Ikev2Sa>;
  private readonly outstanding = new Map<Ikev2Sa, Outstanding>();
  private readonly queued = new Map<Ikev2Sa, Array<() => void>>();
  private readonly cached = new Map<Ikev2Sa, { messageId: number; request: Uint8Array; messages: Uint8Array[] }>();
  private readonly reassembly = new Map<Ikev2Sa, { request?: Reassembly; response?: Reassembly }>();
  private readonly timers = new Map<Ikev2Sa, NodeJS.Timeout[]>();
  /** IKE_AUTH's CHILD SA, while IKE_AUTH is under way. */
  private readonly authChild = new Map<Ikev2Sa, ChildExchange>();
  /** Children waiting for an IKE SA, per connection name. */
  private readonly pending = new Map<string, Array<{ child: Child; rekeyOf?: ChildRecord<Ikev2Sa> }>>();
  private readonly creds = new CredentialStore();
  private readonly trapIds = new Map<number, { conn: Connection; child: Child }>();
  /** Trap IDs apart from IKEv1's (the datapath hands every trap hit to both daemons). */
  private nextTrapId = 2_000_000;
  /** Rekeys of one SA by both ends at once (§2.8.1, §2.8.2), by the old CHILD SA's inbound SPI or the old IKE SA. */
  private readonly childRace = new RekeyRace<number, ChildRecord<Ikev2Sa>>(REKEYED_IKE_MS, (keep, drop, ours) => this.childCollision(keep, drop, ours));
  private readonly ikeRace = new RekeyRace<Ikev2Sa, Ikev2Sa>(REKEYED_IKE_MS, (keep, drop, ours) => this.ikeCollision(keep, drop, ours));
  /** Packets that hit a trap, per "conn/child", sent on once the CHILD SA is installed. */
  private readonly held = new Map<string, Uint8Array[]>();
  private readonly retransmitPolicy: RetransmitPolicy;
  private readonly cookieSecret = random(32);
  private readonly counters: IkeCounters;
  private stopped = false;

  constructor(private readonly o: Ikev2Options) {
    this.log = o.log;
    this.counters = o.counters ?? NO_COUNTERS;
    this.connections = o.connections.filter((c) => c.version === 2);
    this.retransmitPolicy = o.retransmit ?? STRONGSWAN_RETRANSMIT;
    this.children = new ChildManager<Ikev2Sa>(o.kernel, o.log, {
      rekey: (r) => {
        const sa = this.liveSa(r.conn);
        if (!sa) return this.children.rekeyFailed(r.result.spiIn);
        this.startChild(sa, r.child, r);
      },
      tellDelete: (r) => {
        const sa = r.ike?.established ? r.ike : this.liveSa(r.conn);
        if (sa) this.request(sa, EXCHANGE.INFORMATIONAL, [deleteChild(r.result.protocol, [r.result.spiIn])], () => {}, 'Delete');
      },
    }, this.counters);
  }

  /** Traps and `start: start` children. */
  start(): void {
    this.setUp(this.connections);
  }

  /**
   * Reload: `connections` is the gateway's new list, unchanged connections in it as the very
   * objects they were (their SAs, traps and timers go on untouched). The connections named in
   * `gone` — removed, or changed — are taken down: traps, waiting children, and every IKE SA with
   * a Delete to the peer, which takes its CHILD SAs along (RFC 7296 §1.4.1); responder SAs of a
   * roaming connection belong to it like the others. Then those named in `fresh` — added, or the
   * changed ones under their new configuration — are set up as at start.
   */
  async reload(connections: readonly Connection[], gone: readonly string[], fresh: readonly string[]): Promise<void> {
    for (const conn of this.connections.filter((c) => gone.includes(c.name))) await this.unload(conn);
    this.connections = connections.filter((c) => c.version === 2);
    this.setUp(this.connections.filter((c) => fresh.includes(c.name)));
  }

  private setUp(connections: readonly Connection[]): void {
    for (const conn of connections) {
      for (const child of conn.children) {
        if (child.start !== 'trap' || conn.remote.address === 'any') continue;
        const trapId = this.nextTrapId++;
        this.trapIds.set(trapId, { conn, child });
        const local = child.localTs === 'dynamic' ? undefined : child.localTs, remote = child.remoteTs === 'dynamic' ? undefined : child.remoteTs;
        if (local && remote) this.o.kernel.trap(`${conn.name}/${child.name}`, local, remote, trapId);
      }
    }
    for (const conn of connections) for (const child of conn.children) if (child.start === 'start') this.initiate(conn.name, child.name);
  }

  /** A connection goes (reload): its traps, held packets, waiting children, IKE SAs (told) and CHILD SAs. */
  private async unload(conn: Connection): Promise<void> {
    for (const [id, t] of this.trapIds) if (t.conn === conn) this.trapIds.delete(id);
    for (const child of conn.children) this.o.kernel.untrap(`${conn.name}/${child.name}`);
    for (const key of this.held.keys()) if (key.startsWith(`${conn.name}/`)) this.held.delete(key);
    this.pending.delete(conn.name);
    for (const sa of this.sas.of(conn)) this.deleteIke(sa, true);
    await Promise.all(this.children.all().filter((r) => r.conn === conn).map((r) => this.children.remove(r, false, 'connection reloaded')));
  }

  // ---- Entry points ---------------------------------------------------------------------------

  initiate(connName: string, childName?: string): void {
    const conn = this.connections.find((c) => c.name === connName);
    if (!conn) throw new Error(`no IKEv2 connection '${connName}'`);
    if (conn.remote.address === 'any') throw new Error(`connection '${connName}' has no remote address to initiate to`);
    const children = conn.children.filter((c) => childName === undefined || c.name === childName);
    if (children.length === 0) throw new Error(`connection '${connName}' has no child '${childName}'`);
    for (const child of children) this.requestChild(conn, child);
  }

  /** A packet hit a trap policy: negotiate its child (unless under way), and hold the packet for it. */
  acquire(trapId: number, packet?: Uint8Array): void {
    const t = this.trapIds.get(trapId);
    if (!t) return;
    if (packet) {
      const key = `${t.conn.name}/${t.child.name}`, list = this.held.get(key) ?? [];
      if (list.length < HELD_PACKETS) list.push(packet.slice());
      this.held.set(key, list);
    }
    if (this.children.busy(t.conn, t.child) || (this.pending.get(t.conn.name) ?? []).some((p) => p.child === t.child)) return;
    this.log.info({ event: 'child.acquire', conn: t.conn.name, child: t.child.name }, 'traffic for a trapped child: negotiating');
    this.requestChild(t.conn, t.child);
  }

  async terminate(connName: string): Promise<void> {
    for (const r of this.children.all()) if (r.conn.name === connName) await this.children.remove(r, true, 'terminated');
    for (const sa of [...this.sas]) if (sa.conn.name === connName) this.deleteIke(sa, true);
    this.pending.delete(connName);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.children.stop();
    for (const r of this.children.all()) await this.children.remove(r, false, 'stopping');
    for (const sa of [...this.sas]) this.deleteIke(sa, true);
  }

  /** A datagram for IKE (the non-ESP marker already removed on 4500). */
  receive(to: Endpoint, from: Endpoint, data: Uint8Array): void {
    this.stats.received++;
    try {
      this.dispatch(to, from, data);
    } catch (err) {
      if (err instanceof DecodeError) return this.drop('malformed', from, err.message);
      this.log.error({ event: 'ike.error', from: endpointText(from), err: (err as Error).stack }, 'internal error handling an IKE message');
    }
  }

  private drop(reason: string, from: Endpoint, detail?: string): void {
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
    this.log.debug({ event: 'ike.dropped', reason, from: endpointText(from), detail }, 'IKE message dropped');
  }

  private dispatch(to: Endpoint, from: Endpoint, data: Uint8Array): void {
    const { header, body } = decodeMessage(data);
    const response = (header.flags & FLAG.RESPONSE) !== 0;
    if (header.exchange === EXCHANGE.IKE_SA_INIT) {
      // RFC 7296 §3.1: the I flag is set in the original initiator's messages and clear in the
      // responder's. An IKE_SA_INIT request without it (or a response with it) is a reflected or
      // altered copy — e.g. our peer's response with R flipped would open a responder SA here.
      if (((header.flags & FLAG.INITIATOR) !== 0) === response) return this.drop('flags', from, 'IKE_SA_INIT with the wrong I flag');
      const ps = decodePayloads(header.nextPayload, body);
      return response ? this.initResponse(header, ps, from, to, data) : this.initRequest(header, ps, from, to, data);
    }
    // Our SPI is the one of our half: SPIr if the sender is the original initiator (§3.1 I flag).
    const fromInitiator = (header.flags & FLAG.INITIATOR) !== 0;
    const found = this.sas.ours(fromInitiator ? header.spiR : header.spiI);
    const sa = found && found.initiator !== fromInitiator && bytesEqual(found.spiI, header.spiI) && bytesEqual(found.spiR, header.spiR) ? found : undefined;
    if (!sa || !sa.keys) return this.drop('unknown-sa', from, `SPIs ${hex(header.spiI)}/${hex(header.spiR)}`);
    if (!response && header.messageId === sa.expectedRequestId - 1) {
      // §2.1: a retransmitted request gets the same response again (compared by the whole datagram).
      const c = this.cached.get(sa);
      if (c && c.messageId === header.messageId && bytesEqual(c.request, data)) for (const m of c.messages) this.o.transport.send(sa.local, sa.remote, m);
      return this.drop('retransmit', from);
    }
    if (response ? this.outstanding.get(sa)?.messageId !== header.messageId : header.messageId !== sa.expectedRequestId) {
      return this.drop('message-id', from, `message ID ${header.messageId}`);
    }
    if (response && this.outstanding.get(sa)!.exchange !== header.exchange) return this.drop('exchange', from, 'a response of another exchange');
    let inner: { first: number; plain: Uint8Array } | null;
    if (header.nextPayload === PAYLOAD.SKF) {
      const f = openFragment(data, sa.skKeys('in'));
      if (!f) return this.drop('integrity', from, 'fragment ICV');
      // One reassembly per direction: a fragmented request and a fragmented response never mix.
      const key = response ? 'response' : 'request', slots = this.reassembly.get(sa) ?? {};
      this.reassembly.set(sa, slots);
      let r = slots[key];
      if (!r || r.complete || r.messageId !== header.messageId) slots[key] = r = new Reassembly();
      const whole = r.add(f);
      if (!whole) return;
      inner = { first: whole.innerFirst, plain: whole.plain };
    } else {
      const o = openMessage(data, sa.skKeys('in'));
      if (!o) return this.drop('integrity', from, 'SK ICV');
      inner = { first: o.innerFirst, plain: o.plain };
    }
    // An exchange type we don't know is dropped before its payloads are looked at (a malformed one
    // would otherwise be answered INVALID_SYNTAX and a well-formed one not at all).
    const kind = KIND[header.exchange]?.[response ? 1 : 0];
    if (!kind) return this.drop('exchange', from, `exchange ${header.exchange}`);
    let payloads: Decoded[];
    try {
      payloads = decodePayloads(inner.first, inner.plain);
    } catch (err) {
      // RFC 7296 §2.21.3: after authentication a request with errors MUST get a response saying so —
      // INVALID_SYNTAX, or UNSUPPORTED_CRITICAL_PAYLOAD with the type (§2.5) — and uses up its ID.
      if (response || !(err instanceof DecodeError)) throw err;
      sa.expectedRequestId++;
      this.respond(sa, header, data, [notify(err.notify, err.data)]);
      return this.drop('malformed', from, err.message);
    }
    const bad = checkPayloads(kind, payloads);
    if (bad) {
      if (!response) {
        // RFC 7296 §2.21.3: the error is this request's answer, so the request counts (§2.3): the
        // peer's next one has the next ID. (Without this, every later request was dropped as
        // 'message-id' and the peer declared dead.)
        sa.expectedRequestId++;
        this.respond(sa, header, data, [notify(NOTIFY.INVALID_SYNTAX)]);
      }
      return this.drop('rules', from, bad);
    }
    this.trace(kind, header, payloads);
    const m: In = { header, payloads, from, to, raw: data };
    this.heard(sa, from);
    if (response) {
      const out = this.outstanding.get(sa)!;
      this.finish(sa, out);
      out.onResponse(m);
      return;
    }
    sa.expectedRequestId++;
    switch (header.exchange) {
      case EXCHANGE.IKE_AUTH: return this.authRequest(sa, m, data);
      case EXCHANGE.CREATE_CHILD_SA: return this.createChildRequest(sa, m, data);
      default: return this.informationalRequest(sa, m, data);
    }
  }

  // ---- Sending: requests one at a time with retransmission, responses cached ----------------------

  private messages(sa: Ikev2Sa, exchange: number, payloads: Payload[], response: boolean, messageId: number): Uint8Array[] {
    const h = { spiI: sa.spiI, spiR: sa.spiR, exchange, flags: sa.flags(response), messageId };
    if (!sa.keys) return [encodeMessage(h, payloads)];
    return sealMessage(h, payloads, sa.skKeys('out'), sa.peerFragmentation ? { fragmentSize: FRAGMENT_SIZE } : undefined);
  }

  /** Sends a request when the window is free (else queues it); `onResponse` gets the answer. */
  private request(sa: Ikev2Sa, exchange: number, payloads: Payload[] | (() => Payload[]), onResponse: (m: In) => void, what: string): void {
    if (sa.state === 'deleted') return;
    if (this.outstanding.has(sa)) {
      const q = this.queued.get(sa) ?? [];
      q.push(() => this.request(sa, exchange, payloads, onResponse, what));
      this.queued.set(sa, q);
      return;
    }
    const messageId = sa.nextRequestId++;
    const list = typeof payloads === 'function' ? payloads() : payloads;
    const messages = this.messages(sa, exchange, list, false, messageId);
    if (exchange === EXCHANGE.IKE_SA_INIT) sa.initRequest = messages[0];
    const out: Outstanding = { messageId, exchange, messages, onResponse, what };
    this.outstanding.set(sa, out);
    for (const m of messages) this.o.transport.send(sa.local, sa.remote, m);
    const p = this.retransmitPolicy;
    let n = 0;
    const again = (): void => {
      if (this.outstanding.get(sa) !== out || sa.state === 'deleted') return;
      if (n >= p.tries) return this.peerGone(sa, `no answer to ${what} after ${p.tries} retransmits`);
      n++;
      this.log.debug({ event: 'ike.retransmit', ike: sa.id, messageId, n }, 'retransmitting');
      for (const m of out.messages) this.o.transport.send(sa.local, sa.remote, m);
      out.timer = setTimeout(again, p.timeoutMs * p.base ** n);
      out.timer.unref?.();
    };
    out.timer = setTimeout(again, p.timeoutMs);
    out.timer.unref?.();
  }

  /** The outstanding request is answered: the next queued one may go. */
  private finish(sa: Ikev2Sa, out: Outstanding): void {
    if (out.timer) clearTimeout(out.timer);
    this.outstanding.delete(sa);
    const next = this.queued.get(sa)?.shift();
    if (next) setImmediate(next);
  }

  private respond(sa: Ikev2Sa, header: Header, request: Uint8Array, payloads: Payload[]): void {
    const messages = this.messages(sa, header.exchange, payloads, true, header.messageId);
    this.cached.set(sa, { messageId: header.messageId, request, messages });
    for (const m of messages) this.o.transport.send(sa.local, sa.remote, m);
  }

  // ---- IKE_SA_INIT (§1.2) ---------------------------------------------------------------------

  private initiateIke(conn: Connection, reauthOf?: Ikev2Sa): Ikev2Sa {
    const remote: Endpoint = { address: formatAddress(conn.remote.address as Exclude<typeof conn.remote.address, 'any'>), port: 500 };
    const localAddress = conn.local.address ? formatAddress(conn.local.address) : this.sourceFor(remote.address);
    const sa = new Ikev2Sa('initiator', conn, { address: localAddress, port: 500 }, remote);
    this.sas.add(sa);
    this.log.info({ event: 'ike.initiating', ike: sa.id, conn: conn.name, peer: endpointText(remote), version: 2, reauth: reauthOf?.id }, `initiating IKE_SA_INIT to ${endpointText(remote)}`);
    this.sendInit(sa, conn.ike.proposals[0].dh[0].group);
    return sa;
  }

  private sendInit(sa: Ikev2Sa, group: number, cookie?: Uint8Array): void {
    sa.dh?.destroy();
    sa.dh = dhGroup(group)!.create();
    sa.Ni ??= random(NONCE_BYTES);
    sa.nextRequestId = 0;
    const zero = new Uint8Array(8);
    const payloads: Payload[] = [
      ...(cookie ? [notify(NOTIFY.COOKIE, cookie)] : []),
      ikeOffer(sa.conn.ike.proposals, undefined, group),
      { type: PAYLOAD.KE, group, data: sa.dh.publicKey },
      { type: PAYLOAD.NONCE, data: sa.Ni },
      ...this.natdPayloads(sa, zero),
      notify(NOTIFY.IKEV2_FRAGMENTATION_SUPPORTED),
      notify(NOTIFY.SIGNATURE_HASH_ALGORITHMS, SIGNATURE_HASHES),
    ];
    this.request(sa, EXCHANGE.IKE_SA_INIT, payloads, (m) => this.onInitResponse(sa, group, m), 'IKE_SA_INIT');
  }

  /** NAT_DETECTION_SOURCE_IP / _DESTINATION_IP (§2.23): SHA-1(SPIi | SPIr | IP | port). */
  private natdPayloads(sa: Ikev2Sa, spiR: Uint8Array): Payload[] {
    const src = sa.conn.ike.natTraversal === 'force' ? random(20) : natdHash('sha1', sa.spiI, spiR, sa.local);
    return [notify(NOTIFY.NAT_DETECTION_SOURCE_IP, src), notify(NOTIFY.NAT_DETECTION_DESTINATION_IP, natdHash('sha1', sa.spiI, spiR, sa.remote))];
  }

  /** The peer's NAT-D notifies: is either side's address rewritten on the way? */
  private readNatd(sa: Ikev2Sa, ps: readonly Decoded[], spiR: Uint8Array, local: Endpoint, remote: Endpoint): void {
    if (sa.conn.ike.natTraversal === 'off') return;
    const n = (t: number) => findNotifies(ps).filter((x) => x.notifyType === t).map((x) => x.data);
    const src = n(NOTIFY.NAT_DETECTION_SOURCE_IP), dst = n(NOTIFY.NAT_DETECTION_DESTINATION_IP);
    if (src.length === 0 || dst.length === 0) return;
    const theirs = natdHash('sha1', sa.spiI, spiR, remote), ours = natdHash('sha1', sa.spiI, spiR, local);
    sa.nat = {
      remote: !src.some((h) => bytesEqual(h, theirs)),
      local: !dst.some((h) => bytesEqual(h, ours)) || sa.conn.ike.natTraversal === 'force',
    };
  }

  private onInitResponse(sa: Ikev2Sa, group: number, m: In): void {
    const ns = findNotifies(m.payloads);
    const cookie = ns.find((n) => n.notifyType === NOTIFY.COOKIE);
    if (cookie) return this.sendInit(sa, group, cookie.data.slice());
    const invalidKe = ns.find((n) => n.notifyType === NOTIFY.INVALID_KE_PAYLOAD);
    if (invalidKe && invalidKe.data.length === 2) {
      const want = (invalidKe.data[0] << 8) | invalidKe.data[1];
      const ok = want !== group && sa.conn.ike.proposals.some((p) => p.dh.some((d) => d.group === want));
      this.log.info({ event: 'ike.invalid_ke', ike: sa.id, conn: sa.conn.name, group, want }, `peer wants D-H group ${want}`);
      if (!ok) return this.fail(sa, `peer insists on D-H group ${want}, which we do not offer`, 'invalid_ke');
      // The exchange failed, the SA goes on with the group asked for: counted apart from the SA.
      this.counters.failed('ike', 'invalid_ke');
      return this.sendInit(sa, want);
    }
    const err = ns.find((n) => n.notifyType < 16384);
    if (err) {
      const reason = `peer sent ${constName(NOTIFY, err.notifyType)}`;
      this.peerError(sa, err.notifyType, 'ike', reason);
      return this.fail(sa, reason, failureOf(constName(NOTIFY, err.notifyType), 'ike'));
    }
    const bad = checkPayloads('init-resp', m.payloads);
    if (bad) return this.fail(sa, `IKE_SA_INIT response: ${bad}`, 'other');
    const choice = acceptIke(find(m.payloads, PAYLOAD.SA)!, sa.conn.ike.proposals);
    if ('reason' in choice) return this.fail(sa, choice.reason, 'no_proposal_chosen');
    const ke = find(m.payloads, PAYLOAD.KE)!;
    if (ke.group !== group || choice.dh.group !== group) return this.fail(sa, `the responder's KE is of group ${ke.group}, not ${group}`, 'invalid_ke');
    sa.spiR.set(m.header.spiR);
    sa.choice = choice;
    sa.Nr = find(m.payloads, PAYLOAD.NONCE)!.data.slice();
    sa.initResponse = m.raw;
    this.readPeerSupport(sa, m.payloads);
    this.readNatd(sa, m.payloads, sa.spiR, sa.local, sa.remote);
    try {
      this.computeKeys(sa, ke.data);
    } catch (err) {
      return this.fail(sa, (err as Error).message, 'other');
    }
    // §2.23: with a NAT in the path, move to port 4500 for IKE_AUTH.
    if (sa.nat.local || sa.nat.remote) this.floatTo4500(sa);
    this.sendAuth(sa);
  }

  private initResponse(header: Header, ps: Decoded[], from: Endpoint, to: Endpoint, data: Uint8Array): void {
    const found = this.sas.ours(header.spiI);
    const sa = found?.initiator && found.state === 'init-sent' ? found : undefined;
    if (!sa) return this.drop('unknown-sa', from, 'IKE_SA_INIT response');
    const out = this.outstanding.get(sa);
    if (!out || out.exchange !== EXCHANGE.IKE_SA_INIT || header.messageId !== 0) return this.drop('message-id', from);
    // RFC 7296 §2.21.1: nothing in IKE_SA_INIT is authenticated. A response that isn't well-formed
    // (payloads dropped, doubled or retyped on the way) is dropped and our request retransmitted —
    // not taken as the end of the negotiation (onInitResponse would fail the SA).
    const bad = checkPayloads('init-resp', ps);
    if (bad) return this.drop('rules', from, bad);
    this.trace('init-resp', header, ps);
    this.finish(sa, out);
    out.onResponse({ header, payloads: ps, from, to, raw: data });
  }

  private initRequest(header: Header, ps: Decoded[], from: Endpoint, to: Endpoint, data: Uint8Array): void {
    if (this.stopped || header.messageId !== 0) return this.drop('message-id', from);
    if (!isZero(header.spiR)) return this.drop('malformed', from, 'IKE_SA_INIT request with a responder SPI'); // §3.1: MUST be zero
    // A copy of a request we answered: the same answer (§2.1).
    const known = this.sas.answering(header.spiI, from.address);
    if (known) {
      const c = this.cached.get(known);
      if (c && c.messageId === 0 && bytesEqual(c.request, data)) for (const m of c.messages) this.o.transport.send(to, from, m);
      return this.drop('retransmit', from);
    }
    const bad = checkPayloads('init-req', ps);
    if (bad) return this.drop('rules', from, bad);
    this.trace('init-req', header, ps);
    const plain = (payloads: Payload[]) => this.o.transport.send(to, from, encodeMessage({ spiI: header.spiI, spiR: new Uint8Array(8), exchange: EXCHANGE.IKE_SA_INIT, flags: FLAG.RESPONSE, messageId: 0 }, payloads));
    const Ni = find(ps, PAYLOAD.NONCE)!.data;
    // §2.6: under load, a cookie first; and no more than a few half-open SAs per peer address.
    if (this.sas.halfOpenCount() >= (this.o.cookieThreshold ?? COOKIE_THRESHOLD)) {
      const want = this.cookie(Ni, from, header.spiI);
      const got = findNotifies(ps).find((n) => n.notifyType === NOTIFY.COOKIE);
      if (!got || !bytesEqual(got.data, want)) {
        this.drop('cookie', from);
        return plain([notify(NOTIFY.COOKIE, want)]);
      }
    }
    if (this.sas.halfOpenCount(from.address) >= HALF_OPEN_PER_PEER) return this.drop('half-open', from, 'too many half-open SAs from this peer');
    const candidates = this.candidates(to, from);
    if (candidates.length === 0) return this.drop('no-connection', from);
    const offer = find(ps, PAYLOAD.SA)!;
    let conn: Connection | undefined, choice: IkeChoice | undefined, reason = '';
    for (const c of candidates) {
      const r = selectIke(offer, c.ike.proposals);
      if ('reason' in r) reason = r.reason;
      else {
        [conn, choice] = [c, r];
        break;
      }
    }
    if (!conn || !choice) {
      this.log.warn({ event: 'proposal.mismatch', phase: 'ike', peer: endpointText(from), reason }, `no acceptable IKE proposal: ${reason}`);
      this.counters.failed('ike', 'no_proposal_chosen');
      return plain([notify(NOTIFY.NO_PROPOSAL_CHOSEN)]);
    }
    const ke = find(ps, PAYLOAD.KE)!;
    if (ke.group !== choice.dh.group) {
      // §1.2: tell the initiator which group we want; no state kept.
      this.log.info({ event: 'ike.invalid_ke', peer: endpointText(from), group: ke.group, want: choice.dh.group }, `asking for D-H group ${choice.dh.group}`);
      this.counters.failed('ike', 'invalid_ke');
      return plain([notify(NOTIFY.INVALID_KE_PAYLOAD, Uint8Array.of(choice.dh.group >> 8, choice.dh.group & 0xff))]);
    }
    const sa = new Ikev2Sa('responder', conn, to, from, header.spiI.slice());
    sa.choice = choice;
    sa.Ni = Ni.slice();
    sa.Nr = random(NONCE_BYTES);
    sa.initRequest = data;
    sa.dh = dhGroup(choice.dh.group)!.create();
    const ourKe = sa.dh.publicKey;
    this.readPeerSupport(sa, ps);
    this.readNatd(sa, ps, new Uint8Array(8), to, from);
    try {
      this.computeKeys(sa, ke.data);
    } catch (err) {
      this.drop('malformed', from, (err as Error).message);
      return plain([notify(NOTIFY.INVALID_SYNTAX)]);
    }
    this.sas.add(sa);
    const payloads: Payload[] = [
      ikeAnswer(choice, new Uint8Array(0)),
      { type: PAYLOAD.KE, group: choice.dh.group, data: ourKe },
      { type: PAYLOAD.NONCE, data: sa.Nr },
      ...this.natdPayloads(sa, sa.spiR),
      ...(conn.remote.auth === 'pubkey' ? [this.certReq(conn)] : []),
      notify(NOTIFY.IKEV2_FRAGMENTATION_SUPPORTED),
      notify(NOTIFY.SIGNATURE_HASH_ALGORITHMS, SIGNATURE_HASHES),
    ];
    const message = encodeMessage({ spiI: sa.spiI, spiR: sa.spiR, exchange: EXCHANGE.IKE_SA_INIT, flags: sa.flags(true), messageId: 0 }, payloads);
    sa.initResponse = message;
    this.cached.set(sa, { messageId: 0, request: data, messages: [message] });
    sa.expectedRequestId = 1;
    this.o.transport.send(to, from, message);
    this.log.debug({ event: 'ike.responding', ike: sa.id, conn: conn.name, peer: endpointText(from), version: 2 }, `IKE_SA_INIT from ${endpointText(from)}`);
    this.after(sa, HALF_OPEN_MS, () => {
      if (sa.state === 'init-done') this.fail(sa, 'half-open SA timed out', 'timeout');
    });
  }

  /** §2.6: a stateless cookie, Hash(Ni | IPi | SPIi | secret), with a version octet string. */
  private cookie(Ni: Uint8Array, from: Endpoint, spiI: Uint8Array): Uint8Array {
    const a = parseAddress(from.address);
    const h = createHash('sha256').update(Ni).update(a.bytes.subarray(0, a.family === 4 ? 4 : 16)).update(spiI).update(this.cookieSecret).digest();
    return new Uint8Array([0, 0, 0, 1, ...h]);
  }

  private readPeerSupport(sa: Ikev2Sa, ps: readonly Decoded[]): void {
    const ns = findNotifies(ps);
    sa.peerFragmentation = ns.some((n) => n.notifyType === NOTIFY.IKEV2_FRAGMENTATION_SUPPORTED);
    const sig = ns.find((n) => n.notifyType === NOTIFY.SIGNATURE_HASH_ALGORITHMS);
    sa.peerSignatureHashes = [];
    if (sig) for (let i = 0; i + 1 < sig.data.length; i += 2) sa.peerSignatureHashes.push((sig.data[i] << 8) | sig.data[i + 1]);
  }

  /** SKEYSEED and SK_* (§2.14) from the peer's KE; the D-H secret wiped once used. */
  private computeKeys(sa: Ikev2Sa, peerKe: Uint8Array): void {
    const c = sa.choice!;
    const gir = sa.dh!.computeSecret(peerKe);
    const seed = skeyseed(c.prfHash, sa.Ni!, sa.Nr!, gir);
    sa.keys = deriveIkeKeys({ prf: c.prfHash, skeyseed: seed, Ni: sa.Ni!, Nr: sa.Nr!, SPIi: sa.spiI, SPIr: sa.spiR, sizes: keySizes(c) });
    wipe(gir, seed);
    sa.dh!.destroy();
    sa.dh = undefined;
  }

  private floatTo4500(sa: Ikev2Sa): void {
    sa.local = { address: sa.local.address, port: NATT_PORT };
    if (sa.remote.port === 500) sa.remote = { address: sa.remote.address, port: NATT_PORT };
  }

  // ---- IKE_AUTH (§1.2, §2.15) -----------------------------------------------------------------

  private sendAuth(sa: Ikev2Sa): void {
    const creds = this.credentials(sa.conn);
    const id = ourId(sa, creds);
    const wanted = this.pending.get(sa.conn.name)?.shift();
    const payloads: Payload[] = [id, ...ourAuth(sa, creds, id).filter((p) => p.type === PAYLOAD.CERT)];
    if (this.initialContact(sa)) payloads.push(notify(NOTIFY.INITIAL_CONTACT));
    if (sa.conn.remote.auth === 'pubkey') payloads.push(this.certReq(sa.conn));
    if (sa.conn.remote.id !== undefined) payloads.push({ type: PAYLOAD.IDr, ...idFromString(sa.conn.remote.id) });
    payloads.push(...ourAuth(sa, creds, id).filter((p) => p.type === PAYLOAD.AUTH));
    if (wanted) {
      const sel = ourSelectors(sa, wanted.child);
      const ex: ChildExchange = {
        initiator: true, child: wanted.child, spiIn: this.o.kernel.allocSpi(),
        localTs: sel.local.map((p) => tsFromPrefix(p)), remoteTs: sel.remote.map((p) => tsFromPrefix(p)),
      };
      this.authChild.set(sa, ex);
      payloads.push(...childRequest(sa, ex, undefined));
    }
    sa.state = 'auth-sent';
    this.request(sa, EXCHANGE.IKE_AUTH, payloads, (m) => this.onAuthResponse(sa, m), 'IKE_AUTH');
  }

  private onAuthResponse(sa: Ikev2Sa, m: In): void {
    const ex = this.authChild.get(sa);
    const id = find(m.payloads, PAYLOAD.IDr), auth = find(m.payloads, PAYLOAD.AUTH);
    if (!id || !auth) {
      const err = findNotifies(m.payloads).find((n) => n.notifyType < 16384);
      const what = err ? constName(NOTIFY, err.notifyType) : 'no IDr and AUTH';
      if (err) this.peerError(sa, err.notifyType, 'ike', `peer sent ${what}`);
      return this.fail(sa, `peer sent ${what}`, err ? failureOf(what, 'ike') : 'other');
    }
    const bad = verifyPeer(sa, this.credentials(sa.conn), id, auth, findPayloads(m.payloads, PAYLOAD.CERT));
    if (bad) {
      this.log.warn({ event: 'auth.failed', ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), phase: 'ike', reason: bad }, `peer not authenticated: ${bad}`);
      this.counters.failed('ike', 'authentication_failed', sa);
      this.failures.note(sa.conn.name, undefined, 'ike', 'authentication_failed', `peer not authenticated: ${bad}`);
      return this.deleteIke(sa, true);
    }
    // Failures above report IKE_AUTH's child with the SA (fail); from here it has its own fate.
    this.authChild.delete(sa);
    this.established(sa, m.payloads);
    if (ex) this.finishChild(sa, ex, m.payloads);
    sa.authDone();
    this.drainPending(sa);
  }

  private authRequest(sa: Ikev2Sa, m: In, data: Uint8Array): void {
    if (sa.state !== 'init-done') return this.respond(sa, m.header, data, [notify(NOTIFY.INVALID_SYNTAX)]);
    const id = find(m.payloads, PAYLOAD.IDi)!, auth = find(m.payloads, PAYLOAD.AUTH)!;
    const refuse = (reason: string, n: number): void => {
      this.log.warn({ event: 'auth.failed', ike: sa.id, conn: sa.conn.name, peer: endpointText(m.from), phase: 'ike', reason }, `IKE_AUTH refused: ${reason}`);
      this.respond(sa, m.header, data, [notify(n)]);
      this.fail(sa, reason, failureOf(constName(NOTIFY, n), 'ike', 'other'));
    };
    // The identity picks the connection among those the addresses allow (roaming peers: remote.address any).
    const conn = this.candidates(m.to, m.from).find((c) => c.remote.id === undefined || c.remote.auth === 'pubkey' || idMatches(c.remote.id, id));
    if (!conn) return refuse(`no connection for the peer identity ${idText(id)}`, NOTIFY.AUTHENTICATION_FAILED);
    const before = sa.conn;
    sa.conn = conn;
    this.sas.moved(sa, before);
    const creds = this.credentials(conn);
    const bad = verifyPeer(sa, creds, id, auth, findPayloads(m.payloads, PAYLOAD.CERT));
    if (bad) return refuse(bad, NOTIFY.AUTHENTICATION_FAILED);
    sa.local = m.to;
    sa.remote = m.from;
    const ours = ourId(sa, creds);
    const reply: Payload[] = [ours, ...ourAuth(sa, creds, ours)];
    let result: { ex: ChildExchange; choice: Parameters<typeof childResult>[2]; peerKe?: Uint8Array } | undefined;
    if (find(m.payloads, PAYLOAD.SA)) {
      const r = respondChild(sa, conn, m.payloads, this.o.kernel.allocSpi(), undefined, undefined, conn.children);
      if ('notify' in r) {
        this.log.warn({ event: r.notify === NOTIFY.NO_PROPOSAL_CHOSEN ? 'proposal.mismatch' : 'child.failed', ike: sa.id, conn: conn.name, peer: endpointText(sa.remote), phase: 'child', reason: r.reason, notify: constName(NOTIFY, r.notify) }, `CHILD SA refused: ${r.reason}`);
        this.counters.failed('child', failureOf(constName(NOTIFY, r.notify), 'child', 'other'));
        reply.push(notify(r.notify));
      } else {
        reply.push(...r.payloads);
        result = r;
      }
    }
    this.respond(sa, m.header, data, reply);
    this.established(sa, m.payloads);
    if (result) this.install(sa, childResult(sa, result.ex, result.choice, result.peerKe), false);
    sa.authDone();
  }

  private established(sa: Ikev2Sa, ps: readonly Decoded[]): void {
    sa.state = 'established';
    this.sas.settled(sa);
    sa.establishedAt = Date.now();
    const c = sa.choice!;
    this.log.info({
      event: 'ike.established', ike: sa.id, conn: sa.conn.name, version: 2, role: sa.role,
      local: endpointText(sa.local), peer: endpointText(sa.remote), spis: sa.spis, peerId: sa.peerId ? idText(sa.peerId) : undefined,
      encr: c.encr.name, integ: c.integ?.name, prf: c.prf.name, group: c.dh.group, nat: sa.nat,
    }, `IKE SA established with ${endpointText(sa.remote)}`);
    if (findNotifies(ps).some((n) => n.notifyType === NOTIFY.INITIAL_CONTACT)) this.initialContactReceived(sa);
    this.lifetimes(sa);
    if (sa.conn.ike.dpd) this.startDpd(sa);
    if (sa.nat.local) this.startKeepalives(sa);
  }

  // ---- CHILD SAs: IKE_AUTH's, and CREATE_CHILD_SA (§1.3) -----------------------------------------

  private requestChild(conn: Connection, child: Child, rekeyOf?: ChildRecord<Ikev2Sa>): void {
    if (this.stopped) return;
    const sa = this.liveSa(conn);
    if (sa) return this.startChild(sa, child, rekeyOf);
    const list = this.pending.get(conn.name) ?? [];
    if (!list.some((p) => p.child === child)) list.push({ child, rekeyOf });
    this.pending.set(conn.name, list);
    if (!this.sas.of(conn).some((s) => s.initiator && s.state !== 'deleted' && s.state !== 'rekeyed')) this.initiateIke(conn);
  }

  private drainPending(sa: Ikev2Sa): void {
    const waiting = this.pending.get(sa.conn.name) ?? [];
    this.pending.delete(sa.conn.name);
    for (const w of waiting) this.startChild(sa, w.child, w.rekeyOf);
  }

  private startChild(sa: Ikev2Sa, child: Child, rekeyOf?: ChildRecord<Ikev2Sa>): void {
    const sel = ourSelectors(sa, child);
    const ex: ChildExchange = {
      initiator: true, child, spiIn: this.o.kernel.allocSpi(), rekeyOf: rekeyOf?.result.spiIn,
      localTs: rekeyOf ? rekeyOf.result.localTs.map((p) => tsFromPrefix(p)) : sel.local.map((p) => tsFromPrefix(p)),
      remoteTs: rekeyOf ? rekeyOf.result.remoteTs.map((p) => tsFromPrefix(p)) : sel.remote.map((p) => tsFromPrefix(p)),
    };
    this.request(sa, EXCHANGE.CREATE_CHILD_SA, () => childRequest(sa, ex, random(NONCE_BYTES)), (m) => {
      this.finishChild(sa, ex, m.payloads);
    }, 'CREATE_CHILD_SA');
  }

  /** Initiator: the answer to a child request (IKE_AUTH's or CREATE_CHILD_SA's). */
  private finishChild(sa: Ikev2Sa, ex: ChildExchange, ps: readonly Decoded[]): void {
    const a = acceptChildAnswer(ex, ps);
    if ('notify' in a) {
      ex.dh?.destroy();
      this.children.rekeyFailed(ex.rekeyOf);
      this.log.warn({ event: a.notify === NOTIFY.NO_PROPOSAL_CHOSEN ? 'proposal.mismatch' : 'child.failed', ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), phase: 'child', child: ex.child.name, notify: constName(NOTIFY, a.notify), reason: a.reason }, `CHILD SA '${ex.child.name}' not established: ${constName(NOTIFY, a.notify)} (${a.reason})`);
      const why = failureOf(constName(NOTIFY, a.notify), 'child');
      this.counters.failed('child', why);
      if (a.notify === NOTIFY.NO_PROPOSAL_CHOSEN) this.log.warn({ event: 'child.failed', conn: sa.conn.name, child: ex.child.name, reason: a.reason }, 'CHILD SA failed');
      this.failures.note(sa.conn.name, ex.child.name, 'child', why, `${constName(NOTIFY, a.notify)} (${a.reason})`);
      return;
    }
    const nonces = [ex.Ni!, ex.Nr!] as const, rekeyOf = ex.rekeyOf;
    const r = this.install(sa, childResult(sa, ex, a.choice, a.peerKe), true);
    if (r && rekeyOf !== undefined) this.childRace.note(rekeyOf, 'ours', nonces, r);
  }

  private install(sa: Ikev2Sa, result: ChildResult, initiator: boolean): ChildRecord<Ikev2Sa> | undefined {
    const r = this.children.install(sa, sa.conn, result, sa.local, sa.remote, { active: true, initiator });
    if (typeof r === 'string') {
      this.log.warn({ event: 'child.failed', ike: sa.id, conn: sa.conn.name, child: result.child.name, reason: r }, r);
      this.failures.note(sa.conn.name, result.child.name, 'child', 'other', r);
      this.counters.failed('child', 'other');
      return undefined;
    }
    const key = `${sa.conn.name}/${result.child.name}`, held = this.held.get(key);
    this.held.delete(key);
    for (const p of held ?? []) this.o.deliver?.(p);
    return r;
  }

  private childCollision(keep: ChildRecord<Ikev2Sa>, drop: ChildRecord<Ikev2Sa>, oursRedundant: boolean): void {
    this.log.info({ event: 'child.rekey_collision', conn: keep.conn.name, child: keep.child.name, keep: spiHex(keep.result.spiIn), redundant: spiHex(drop.result.spiIn), deletedBy: oursRedundant ? 'us' : 'peer' },
      'both ends rekeyed the CHILD SA at once: the redundant pair goes');
    this.children.promote(keep);
    if (oursRedundant) void this.children.remove(drop, true, 'rekey collision (RFC 7296 §2.8.1)');
  }

  private ikeCollision(keep: Ikev2Sa, drop: Ikev2Sa, oursRedundant: boolean): void {
    this.log.info({ event: 'ike.rekey_collision', conn: keep.conn.name, keep: keep.spis, redundant: drop.spis, deletedBy: oursRedundant ? 'us' : 'peer' },
      'both ends rekeyed the IKE SA at once: the redundant one goes');
    for (const r of this.children.all()) if (r.ike === drop) r.ike = keep;
    if (oursRedundant) this.deleteIke(drop, true);
  }

  private createChildRequest(sa: Ikev2Sa, m: In, data: Uint8Array): void {
    const offer = find(m.payloads, PAYLOAD.SA)!;
    if (offer.proposals.some((p) => p.protocolId === PROTOCOL.IKE)) return this.ikeRekeyRequest(sa, m, data);
    if (!sa.established) return this.respond(sa, m.header, data, [notify(NOTIFY.TEMPORARY_FAILURE)]);
    const rekey = findNotifies(m.payloads).find((n) => n.notifyType === NOTIFY.REKEY_SA);
    const old = rekey && rekey.spi.length === 4 ? this.children.byOutboundSpi(sa.conn, rekey.protocolId === PROTOCOL.AH ? 'ah' : 'esp', readU32(rekey.spi)) : undefined;
    if (rekey && !old) return this.respond(sa, m.header, data, [{ ...notify(NOTIFY.CHILD_SA_NOT_FOUND), protocolId: rekey.protocolId, spi: rekey.spi }]);
    const Ni = find(m.payloads, PAYLOAD.NONCE)!.data;
    const r = respondChild(sa, sa.conn, m.payloads, this.o.kernel.allocSpi(), random(NONCE_BYTES), old?.result.spiIn, old ? [old.child] : sa.conn.children);
    if ('notify' in r) {
      this.log.warn({ event: r.notify === NOTIFY.NO_PROPOSAL_CHOSEN ? 'proposal.mismatch' : 'child.failed', ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), phase: 'child', reason: r.reason, notify: constName(NOTIFY, r.notify) }, `CHILD SA refused: ${r.reason}`);
      this.counters.failed('child', failureOf(constName(NOTIFY, r.notify), 'child', 'other'));
      return this.respond(sa, m.header, data, [notify(r.notify, r.group !== undefined ? Uint8Array.of(r.group >> 8, r.group & 0xff) : undefined)]);
    }
    r.ex.Ni = Ni.slice();
    const nonces = [r.ex.Ni, r.ex.Nr!] as const;
    this.respond(sa, m.header, data, r.payloads);
    const made = this.install(sa, childResult(sa, r.ex, r.choice, r.peerKe), false);
    if (made && old) this.childRace.note(old.result.spiIn, 'theirs', nonces, made);
  }

  // ---- IKE SA rekey (§1.3.2, §2.18) -----------------------------------------------------------

  private rekeyIke(sa: Ikev2Sa): void {
    if (!sa.established || this.stopped) return;
    const group = sa.conn.ike.proposals[0].dh[0].group;
    const next = new Ikev2Sa('initiator', sa.conn, sa.local, sa.remote);
    next.dh = dhGroup(group)!.create();
    next.Ni = random(NONCE_BYTES);
    this.log.info({ event: 'ike.rekeying', ike: sa.id, conn: sa.conn.name, by: 'time' }, 'rekeying the IKE SA');
    this.request(sa, EXCHANGE.CREATE_CHILD_SA, [
      ikeOffer(sa.conn.ike.proposals, next.spiI, group),
      { type: PAYLOAD.NONCE, data: next.Ni },
      { type: PAYLOAD.KE, group, data: next.dh.publicKey },
    ], (m) => {
      const err = findNotifies(m.payloads).find((n) => n.notifyType < 16384);
      const choice = err ? undefined : acceptIke(find(m.payloads, PAYLOAD.SA)!, sa.conn.ike.proposals);
      const ke = find(m.payloads, PAYLOAD.KE), nr = find(m.payloads, PAYLOAD.NONCE);
      if (!choice || 'reason' in choice || !ke || !nr || ke.group !== group || choice.spi.length !== 8) {
        next.destroy();
        const why = err ? constName(NOTIFY, err.notifyType) : choice && 'reason' in choice ? choice.reason : 'incomplete answer';
        this.log.warn({ event: 'ike.rekey_failed', ike: sa.id, conn: sa.conn.name, reason: why }, `IKE SA rekey failed: ${why}`);
        // The old SA carries on: a failed exchange, not a failed SA.
        this.counters.failed('ike', err ? failureOf(why, 'ike') : choice && 'reason' in choice ? 'no_proposal_chosen' : 'other');
        return;
      }
      next.spiR.set(choice.spi);
      next.Nr = nr.data.slice();
      this.replaceIke(sa, next, choice, ke.data);
      this.ikeRace.note(sa, 'ours', [next.Ni!, next.Nr], next);
      // The initiator of the rekey deletes the old SA (§1.3.2).
      this.request(sa, EXCHANGE.INFORMATIONAL, [deleteIkePayload()], () => this.forget(sa), 'Delete');
    }, 'IKE SA rekey');
  }

  private ikeRekeyRequest(sa: Ikev2Sa, m: In, data: Uint8Array): void {
    if (!sa.established) return this.respond(sa, m.header, data, [notify(NOTIFY.TEMPORARY_FAILURE)]);
    const choice = selectIke(find(m.payloads, PAYLOAD.SA)!, sa.conn.ike.proposals);
    if ('reason' in choice || choice.spi.length !== 8) {
      this.counters.failed('ike', 'no_proposal_chosen');
      return this.respond(sa, m.header, data, [notify(NOTIFY.NO_PROPOSAL_CHOSEN)]);
    }
    const ke = find(m.payloads, PAYLOAD.KE);
    if (!ke || ke.group !== choice.dh.group) {
      this.counters.failed('ike', 'invalid_ke');
      return this.respond(sa, m.header, data, [notify(NOTIFY.INVALID_KE_PAYLOAD, Uint8Array.of(choice.dh.group >> 8, choice.dh.group & 0xff))]);
    }
    const next = new Ikev2Sa('responder', sa.conn, sa.local, sa.remote, choice.spi.slice());
    next.Ni = find(m.payloads, PAYLOAD.NONCE)!.data.slice();
    next.Nr = random(NONCE_BYTES);
    next.dh = dhGroup(choice.dh.group)!.create();
    const publicKey = next.dh.publicKey;
    this.respond(sa, m.header, data, [ikeAnswer(choice, next.spiR), { type: PAYLOAD.NONCE, data: next.Nr }, { type: PAYLOAD.KE, group: choice.dh.group, data: publicKey }]);
    this.replaceIke(sa, next, choice, ke.data);
    this.ikeRace.note(sa, 'theirs', [next.Ni, next.Nr], next);
    this.after(sa, REKEYED_IKE_MS, () => this.forget(sa));
  }

  /** §2.18: the new SA's keys from the old SK_d and a fresh exchange; the children move over. */
  private replaceIke(old: Ikev2Sa, next: Ikev2Sa, choice: IkeChoice, peerKe: Uint8Array): void {
    next.choice = choice;
    const gir = next.dh!.computeSecret(peerKe);
    const seed = rekeySkeyseed(old.choice!.prfHash, old.keys!.SK_d, gir, next.Ni!, next.Nr!);
    next.keys = deriveIkeKeys({ prf: choice.prfHash, skeyseed: seed, Ni: next.Ni!, Nr: next.Nr!, SPIi: next.spiI, SPIr: next.spiR, sizes: keySizes(choice) });
    wipe(gir, seed);
    next.dh!.destroy();
    next.dh = undefined;
    next.nat = old.nat;
    next.peerId = old.peerId;
    next.peerFragmentation = old.peerFragmentation;
    next.peerSignatureHashes = old.peerSignatureHashes;
    next.state = 'established';
    next.establishedAt = Date.now();
    old.state = 'rekeyed';
    this.sas.add(next);
    for (const r of this.children.all()) if (r.ike === old) r.ike = next;
    this.log.info({ event: 'ike.rekeyed', ike: next.id, old: old.id, conn: next.conn.name, peer: endpointText(next.remote), spis: next.spis }, 'IKE SA rekeyed');
    this.counters.rekeyed('ike');
    this.lifetimes(next);
    if (next.conn.ike.dpd) this.startDpd(next);
    if (next.nat.local) this.startKeepalives(next);
  }

  private lifetimes(sa: Ikev2Sa): void {
    const l = limits(sa.conn.ike.lifetime, sa.initiator), now = Date.now();
    const reauth = sa.conn.ike.reauth;
    // Reauthentication replaces rekeying when it comes first (strongSwan: whichever is due).
    if (reauth !== undefined && reauth * 1000 <= l.softMs) {
      const at = limits({ time: reauth }, sa.initiator).softMs;
      sa.reauthAt = now + at;
      return this.after(sa, at, () => this.reauthenticate(sa));
    }
    sa.rekeyAt = now + l.softMs;
    sa.expiresAt = now + l.hardMs;
    this.after(sa, l.softMs, () => this.rekeyIke(sa));
    this.after(sa, l.hardMs, () => {
      if (sa.state !== 'established') return;
      this.log.info({ event: 'ike.expired', ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), by: 'time' }, 'IKE SA lifetime over');
      this.deleteIke(sa, true);
    });
  }

  /**
   * Reauthentication (RFC 7296 §2.8.3), make-before-break: a new IKE SA from IKE_SA_INIT and
   * IKE_AUTH, the old one's CHILD SAs negotiated anew on it (outbound traffic moves as each comes
   * up), and only then the old IKE SA deleted with its children. If the new one fails, the old
   * carries on until its lifetime ends.
   */
  private reauthenticate(old: Ikev2Sa): void {
    if (!old.established || this.stopped || old.conn.remote.address === 'any') return;
    const wanted = [...new Set(this.children.all().filter((r) => r.ike === old).map((r) => r.child))];
    this.log.info({ event: 'ike.reauthenticating', ike: old.id, conn: old.conn.name, children: wanted.length }, 'reauthenticating the IKE SA');
    this.pending.set(old.conn.name, wanted.map((child) => ({ child })));
    const next = this.initiateIke(old.conn, old);
    const started = Date.now();
    const check = setInterval(() => {
      const moved = this.children.all().filter((r) => r.ike === next && r.state === 'active').length;
      if (next.state === 'deleted' || old.state === 'deleted') return clearInterval(check);
      if (next.established && (moved >= wanted.length || Date.now() - started > HALF_OPEN_MS)) {
        clearInterval(check);
        this.log.info({ event: 'ike.reauthenticated', ike: next.id, old: old.id, conn: old.conn.name }, 'IKE SA reauthenticated');
        this.counters.rekeyed('ike');
        this.deleteIke(old, true);
      }
    }, 100);
    check.unref?.();
  }

  // ---- INFORMATIONAL (§1.4): Delete, liveness ---------------------------------------------------

  private informationalRequest(sa: Ikev2Sa, m: In, data: Uint8Array): void {
    const reply: Payload[] = [];
    let ikeGone = false;
    for (const del of findPayloads(m.payloads, PAYLOAD.D)) {
      if (del.protocolId === PROTOCOL.IKE) {
        ikeGone = true;
        continue;
      }
      if (del.protocolId !== PROTOCOL.ESP && del.protocolId !== PROTOCOL.AH) continue; // §3.11: nothing else has SAs to delete
      const proto = del.protocolId === PROTOCOL.AH ? 'ah' : 'esp';
      const ours: number[] = [];
      for (const spi of del.spis) {
        const r = spi.length === 4 ? this.children.byOutboundSpi(sa.conn, proto, readU32(spi)) : undefined;
        if (!r) continue;
        // §1.4.1: answer with the inbound SPIs of the pairs that go — unless they are going anyway (rekeyed).
        if (r.state !== 'rekeyed') ours.push(r.result.spiIn);
        void this.children.remove(r, false, 'deleted by the peer');
      }
      if (ours.length) reply.push(deleteChild(proto, ours));
    }
    this.respond(sa, m.header, data, reply);
    if (ikeGone) {
      this.log.info({ event: 'ike.deleted', ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), by: 'peer' }, 'peer deleted the IKE SA');
      for (const r of this.children.all()) if (r.ike === sa) void this.children.remove(r, false, 'IKE SA deleted by the peer');
      this.forget(sa);
    }
  }

  /** Deletes an IKE SA with its children; with `tell`, a Delete goes to the peer first (not retransmitted). */
  private deleteIke(sa: Ikev2Sa, tell: boolean): void {
    if (sa.state === 'deleted') return;
    if (tell && sa.keys && sa.state !== 'init-done') {
      const messages = this.messages(sa, EXCHANGE.INFORMATIONAL, [deleteIkePayload()], false, sa.nextRequestId++);
      for (const m of messages) this.o.transport.send(sa.local, sa.remote, m);
    }
    for (const r of this.children.all()) if (r.ike === sa) void this.children.remove(r, false, 'IKE SA deleted');
    this.log.info({ event: 'ike.deleted', ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), by: 'us', told: tell }, 'IKE SA deleted');
    this.forget(sa);
  }

  /**
   * RFC 7296 §2.4: liveness — an empty INFORMATIONAL when we heard nothing for `delay`. The peer is
   * dead when the retransmissions run out (strongSwan's way), or earlier once `timeout` passed
   * without an answer, when configured (as IKEv1's dpd_timeout).
   */
  private startDpd(sa: Ikev2Sa): void {
    const dpd = sa.conn.ike.dpd!;
    let sent = 0;
    const tick = setInterval(() => {
      if (sa.state !== 'established') return clearInterval(tick);
      const now = Date.now();
      const traffic = Math.max(sa.lastHeard, ...this.children.all().filter((r) => r.ike === sa).map((r) => this.children.usage(r).lastIn));
      if (sent && dpd.timeout !== undefined && now - traffic > dpd.timeout * 1000 && now - sent > dpd.timeout * 1000) {
        clearInterval(tick);
        return this.peerGone(sa, `no answer to a liveness check within ${dpd.timeout} s`);
      }
      if (now - traffic < dpd.delay * 1000) {
        sent = 0;
        return;
      }
      if (this.outstanding.has(sa)) return;
      sent = now;
      this.request(sa, EXCHANGE.INFORMATIONAL, [], () => {}, 'a liveness check');
    }, dpd.delay * 1000);
    tick.unref?.();
    this.timers.get(sa)?.push(tick) ?? this.timers.set(sa, [tick]);
  }

  /** Retransmissions ran out: the peer is gone. DPD's action (clear, hold, restart) applies. */
  private peerGone(sa: Ikev2Sa, reason: string): void {
    const conn = sa.conn;
    if (!sa.established) {
      this.log.warn({ event: 'ike.timeout', ike: sa.id, conn: conn.name, peer: endpointText(sa.remote), reason }, reason);
      return this.fail(sa, reason, 'timeout');
    }
    const action = conn.ike.dpd?.action ?? 'clear';
    this.log.warn({ event: 'dpd.timeout', ike: sa.id, conn: conn.name, peer: endpointText(sa.remote), action, reason }, `peer ${endpointText(sa.remote)} is dead: ${action}`);
    const children = this.children.all().filter((r) => r.ike === sa);
    for (const r of children) void this.children.remove(r, false, 'peer dead');
    this.forget(sa);
    if (action === 'hold') {
      for (const r of children) {
        const id = this.nextTrapId++;
        this.trapIds.set(id, { conn, child: r.child });
        this.o.kernel.trap(`${conn.name}/${r.child.name}`, r.result.localTs, r.result.remoteTs, id);
      }
    } else if (action === 'restart' && conn.remote.address !== 'any') {
      for (const child of new Set(children.map((r) => r.child))) this.requestChild(conn, child);
    }
  }

  private startKeepalives(sa: Ikev2Sa): void {
    const t = setInterval(() => {
      if (sa.state !== 'established') return clearInterval(t);
      if (sa.local.port === NATT_PORT) this.o.transport.keepalive(sa.local, sa.remote);
    }, 20_000);
    t.unref?.();
    this.timers.get(sa)?.push(t) ?? this.timers.set(sa, [t]);
  }

  /** RFC 7296 §2.4: the peer has no state from before; what we hold with that identity is stale. */
  private initialContactReceived(sa: Ikev2Sa): void {
    for (const o of this.sas.of(sa.conn)) {
      if (o === sa || !o.peerId || !sa.peerId || o.peerId.idType !== sa.peerId.idType || !bytesEqual(o.peerId.data, sa.peerId.data)) continue;
      this.log.info({ event: 'ike.initial_contact', ike: o.id, conn: o.conn.name }, 'peer restarted (INITIAL_CONTACT): old IKE SA removed');
      this.deleteIke(o, false);
    }
  }

  /**
   * RFC 7296 §2.4: INITIAL_CONTACT says this is the only IKE SA between us and the peer — not just
   * the only one of this connection. A peer takes it literally (strongSwan deletes every other IKE
   * SA with the same identities, whatever their connection), so with any other SA to that peer
   * it must not be sent: a connection set up anew (reload, `up`) would take its siblings down.
   */
  private initialContact(sa: Ikev2Sa): boolean {
    return ![...this.sas].some((o) => o !== sa && o.established && o.remote.address === sa.remote.address);
  }

  // ---- Bookkeeping ------------------------------------------------------------------------------

  /**
   * An error notify from the peer, under a stable event name: proposal.mismatch for
   * NO_PROPOSAL_CHOSEN, auth.failed for AUTHENTICATION_FAILED, ike.peer_error for the rest.
   */
  private peerError(sa: Ikev2Sa, notifyType: number, phase: 'ike' | 'child', reason: string): void {
    const notify = constName(NOTIFY, notifyType);
    this.log.warn({
      event: notifyType === NOTIFY.NO_PROPOSAL_CHOSEN ? 'proposal.mismatch' : notifyType === NOTIFY.AUTHENTICATION_FAILED ? 'auth.failed' : 'ike.peer_error',
      ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), phase, notify, reason,
    }, `peer reports ${notify}`);
  }

  /**
   * An IKE SA that will not be; `why`: the reason the metrics count it under, and (for our own
   * SAs only: a peer's failed attempt is its business) what `ipsecgw up` reports.
   */
  private fail(sa: Ikev2Sa, reason: string, why: IkeFailure): void {
    if (sa.state === 'deleted') return;
    this.log.warn({ event: 'ike.failed', ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), reason }, `IKE SA failed: ${reason}`);
    this.counters.failed('ike', why, sa);
    if (sa.initiator) this.failures.note(sa.conn.name, undefined, 'ike', why, reason);
    const ex = this.authChild.get(sa);
    if (ex) this.children.rekeyFailed(ex.rekeyOf);
    if (sa.initiator && !this.sas.of(sa.conn).some((o) => o !== sa && o.state !== 'deleted')) {
      const waiting = this.pending.get(sa.conn.name) ?? [];
      this.pending.delete(sa.conn.name);
      for (const w of [...(ex ? [{ child: ex.child }] : []), ...waiting]) {
        this.log.warn({ event: 'child.failed', conn: sa.conn.name, child: w.child.name, reason }, `child '${w.child.name}' not established: ${reason}`);
      }
    }
    this.forget(sa);
  }

  private forget(sa: Ikev2Sa): void {
    const out = this.outstanding.get(sa);
    if (out?.timer) clearTimeout(out.timer);
    for (const t of this.timers.get(sa) ?? []) clearTimeout(t);
    this.authChild.get(sa)?.dh?.destroy();
    for (const m of [this.outstanding, this.queued, this.cached, this.reassembly, this.timers, this.authChild] as Map<Ikev2Sa, unknown>[]) m.delete(sa);
    this.sas.delete(sa);
    sa.destroy();
  }

  private after(sa: Ikev2Sa, ms: number, fn: () => void): void {
    const t = setTimeout(fn, ms);
    t.unref?.();
    this.timers.get(sa)?.push(t) ?? this.timers.set(sa, [t]);
  }

  /**
   * An authenticated message: the peer lives. §2.23: behind a NAT, the peer is where it sent from —
   * a NAT whose mapping changed moves it — and IKE and the UDP-encapsulated CHILD SAs follow.
   */
  private heard(sa: Ikev2Sa, from: Endpoint): void {
    sa.lastHeard = Date.now();
    if (!sa.established || !sa.nat.remote || (from.address === sa.remote.address && from.port === sa.remote.port)) return;
    this.log.info({ event: 'ike.peer_moved', ike: sa.id, conn: sa.conn.name, from: endpointText(sa.remote), to: endpointText(from) }, 'peer address changed');
    sa.remote = from;
    this.children.follow(sa, from);
  }

  private liveSa(conn: Connection): Ikev2Sa | undefined {
    return this.sas.of(conn).filter((s) => s.established).sort((a, b) => b.establishedAt! - a.establishedAt!)[0];
  }

  private candidates(to: Endpoint, from: Endpoint): Connection[] {
    const ok = this.connections.filter((c) =>
      (c.local.address === undefined || formatAddress(c.local.address) === to.address) &&
      (c.remote.address === 'any' || formatAddress(c.remote.address) === from.address));
    return [...ok.filter((c) => c.remote.address !== 'any'), ...ok.filter((c) => c.remote.address === 'any')];
  }

  private sourceFor(remote: string): string {
    const family = parseAddress(remote).family;
    const a = this.o.listen.find((l) => parseAddress(l).family === family);
    if (!a) throw new Error(`no listen address of IPv${family} for ${remote}`);
    return a;
  }

  private credentials(conn: Connection): Credentials {
    return this.creds.get(conn);
  }


  /** CERTREQ (§3.7): SHA-1 hashes of our trust anchors' public keys. */
  private certReq(conn: Connection): Payload {
    const hashes = this.credentials(conn).cas.map((ca) => createHash('sha1').update(ca.publicKey.export({ type: 'spki', format: 'der' })).digest());
    return { type: PAYLOAD.CERTREQ, encoding: 4, data: new Uint8Array(Buffer.concat(hashes)) };
  }

  /**
   * One accepted message in the notation of RFC 7296 §1.2 — "IKE_AUTH SK { IDi, AUTH, SA, TSi, TSr } -->":
   * the arrow points away from the original initiator's side; KE and Nonce are "i" in requests.
   */
  private trace(kind: MessageKind, header: Header, ps: readonly Decoded[]): void {
    if (!this.o.trace) return;
    const request = kind.endsWith('req');
    const names = ps.map((d) => {
      const p = d.payload;
      if (p.type === PAYLOAD.N) return `N(${constName(NOTIFY, (p as NotifyPayload).notifyType)})`;
      if (p.type === PAYLOAD.KE || p.type === PAYLOAD.NONCE) return `${p.type === PAYLOAD.KE ? 'KE' : 'N'}${request ? 'i' : 'r'}`;
      return constName(PAYLOAD, p.type);
    });
    const name = constName(EXCHANGE, header.exchange);
    const body = `${name}${header.exchange === EXCHANGE.IKE_SA_INIT ? '' : ' SK'} { ${names.join(', ')} }`;
    this.o.trace((header.flags & FLAG.INITIATOR) !== 0 ? `${body} -->` : `<-- ${body}`);
  }

  /** The state of every IKE SA and CHILD SA, for the metrics endpoint. */
  states(): { ike: string[]; children: string[] } {
    return { ike: [...this.sas].map((sa) => ikeState(sa.state)), children: this.children.all().map((r) => r.state) };
  }

  /** What `ipsecgw status` shows (status.ts). */
  status(): IkeDaemonStatus {
    const now = Date.now();
    return {
      ike: [...this.sas].map((sa): IkeSaStatus => {
        const c = sa.choice;
        return {
          id: sa.id, conn: sa.conn.name, version: 2, step: sa.state, role: sa.role,
          state: ikeState(sa.state),
          local: endStatus(sa.local, sa.established ? idText(ourId(sa, this.credentials(sa.conn))) : undefined),
          remote: endStatus(sa.remote, sa.peerId ? idText(sa.peerId) : undefined),
          spiI: hex(sa.spiI), spiR: hex(sa.spiR), nat: { ...sa.nat },
          ...(c ? ikeAlgorithms(c.encr, c.integ, c.prf, c.dh) : {}),
          established: secondsSince(sa.establishedAt, now),
          ...(sa.established ? { rekeyIn: secondsUntil(sa.rekeyAt, now), reauthIn: secondsUntil(sa.reauthAt, now), expiresIn: secondsUntil(sa.expiresAt, now) } : {}),
        };
      }),
      children: this.children.status(),
      stats: this.stats,
    };
  }
}



function keySizes(c: IkeChoice) {
  const ek = c.encr.keyBytes + c.encr.saltBytes, ik = c.integ?.keyBytes ?? 0;
  return { ai: ik, ar: ik, ei: ek, er: ek, d: c.prf.keyBytes, pi: c.prf.keyBytes, pr: c.prf.keyBytes };
}

const deleteChild = (protocol: 'esp' | 'ah', spis: number[]): DeletePayload =>
  ({ type: PAYLOAD.D, protocolId: protocol === 'esp' ? PROTOCOL.ESP : PROTOCOL.AH, spiSize: 4, spis: spis.map(u32) });
const deleteIkePayload = (): DeletePayload => ({ type: PAYLOAD.D, protocolId: PROTOCOL.IKE, spiSize: 0, spis: [] });

function idMatches(text: string, id: { idType: number; data: Uint8Array }): boolean {
  const want = idFromString(text);
  return want.idType === id.idType && bytesEqual(want.data, id.data);
}

const idText = (id: { idType: number; data: Uint8Array }): string => idToString(id.idType, id.data);
