// The CHILD SAs of both IKE versions, from install to removal: the part of the SA manager that
// does not care how a CHILD SA was negotiated. A daemon hands over a negotiated pair (ChildResult);
// this installs it in the datapath, moves outbound traffic onto it (make-before-break when it
// replaces another), runs its lifetimes — soft by time and bytes asks the daemon to rekey, unless
// the SA carried nothing (then it is closed and its trap, if any, takes over: RFC 4301 §4.4.2.1
// lets an idle SA go), hard removes — and removes it, telling the peer through the daemon.
import type { EspSuite } from '../config/proposal.js';
import type { Child, Connection, Lifetime } from '../config/types.js';
import { formatAddress, type Prefix } from '../dataplane/addr.js';
import type { Logger } from '../log.js';
import { NO_COUNTERS, type IkeCounters } from './counters.js';
import type { Kernel, KernelChild } from '../policy/kernel.js';
import { limits, type Limits } from '../policy/lifetimes.js';
import type { Endpoint } from './endpoint.js';
import { dhByGroup, secondsSince, secondsUntil, swanctlName, type ChildSaStatus } from './status.js';

/** A negotiated CHILD SA pair, ready for the datapath. */
export interface ChildResult {
  readonly child: Child;
  readonly protocol: 'esp' | 'ah';
  readonly mode: 'tunnel' | 'transport';
  readonly udp: boolean;
  readonly suite: EspSuite;
  readonly spiIn: number;
  readonly spiOut: number;
  readonly keyIn: Uint8Array;
  readonly keyOut: Uint8Array;
  /** Traffic selectors as negotiated (this side's view). */
  readonly localTs: readonly Prefix[];
  readonly remoteTs: readonly Prefix[];
  readonly lifetime: Lifetime;
  /** The original addresses for transport mode behind a NAT (NAT-OA, RFC 3947 §5.2). */
  readonly natOa?: { readonly local?: string; readonly remote?: string };
  /** The group used for PFS, or 0. */
  readonly pfsGroup: number;
  /** What the SA replaces, when it is a rekey: the old inbound SPI. */
  readonly rekeyOf?: number;
}

/** What the manager needs to know of the IKE SA a child came from. */
export interface ChildOwner {
  readonly id: number;
  readonly established: boolean;
}

export interface ChildRecord<S extends ChildOwner = ChildOwner> {
  readonly conn: Connection;
  readonly child: Child;
  /** The negotiated child, without its keys (wiped once the datapath has them). */
  readonly result: Omit<ChildResult, 'keyIn' | 'keyOut'>;
  readonly kernel: KernelChild;
  /** We started the exchange that made it (we rekey it; the peer rekeys the others too, if it likes). */
  readonly initiator: boolean;
  readonly installedAt: number;
  readonly limits: Limits;
  /** The IKE SA it belongs to: IKEv1 children outlive theirs (undefined then); IKEv2 ones move on IKE rekey. */
  ike?: S;
  state: 'installed' | 'active' | 'rekeying' | 'rekeyed' | 'gone';
  timers: NodeJS.Timeout[];
}

export interface ChildHooks<S extends ChildOwner> {
  /** Soft lifetime reached with traffic: negotiate the replacement (state is 'rekeying' meanwhile). */
  rekey(r: ChildRecord<S>): void;
  /** The pair is going: tell the peer (a Delete), if there is an SA to say it with. */
  tellDelete(r: ChildRecord<S>): void;
  /** Outbound traffic is now on the pair (IKEv1 PFS of identities deletes the ISAKMP SA here). */
  activated?(r: ChildRecord<S>): void;
}

/** How long a rekeyed SA's inbound half keeps accepting stragglers before it goes. */
export const REKEY_GRACE_MS = 2000;

export class ChildManager<S extends ChildOwner> {
  private readonly records = new Set<ChildRecord<S>>();
  private stopped = false;

  constructor(
    private readonly kernel: Kernel, private readonly log: Logger, private readonly hooks: ChildHooks<S>,
    private readonly counters: IkeCounters = NO_COUNTERS,
  ) {}

  all(): ChildRecord<S>[] {
    return [...this.records];
  }

  find(pred: (r: ChildRecord<S>) => boolean): ChildRecord<S> | undefined {
    return this.all().find(pred);
  }

  /** The pair whose outbound SPI the peer names (its inbound: a Delete, a rekey). */
  byOutboundSpi(conn: Connection, protocol: 'esp' | 'ah', spi: number): ChildRecord<S> | undefined {
    return this.find((r) => r.conn === conn && r.result.protocol === protocol && r.result.spiOut === spi);
  }

  /** The pair with our inbound SPI. */
  byInboundSpi(spi: number): ChildRecord<S> | undefined {
    return this.find((r) => r.result.spiIn === spi);
  }

  /** A live (or coming) pair of this child: acquires and restarts need not negotiate another. */
  busy(conn: Connection, child: Child): boolean {
    return this.all().some((r) => r.conn === conn && r.child === child && r.state !== 'gone' && r.state !== 'rekeyed');
  }

  usage(r: ChildRecord<S>) {
    return this.kernel.usage(r.kernel);
  }

  /**
   * Installs both SAs (the keys are wiped from `result` either way); `active` also moves outbound
   * traffic onto them; `initiator`: we started the exchange that made them. The reason when the
   * datapath refuses.
   */
  install(ike: S, conn: Connection, result: ChildResult, local: Endpoint, remote: Endpoint, o: { active: boolean; initiator: boolean }): ChildRecord<S> | string {
    let kernel: KernelChild;
    try {
      // Outbound policies are kept per name, and a new SA of the same name takes them over (a rekey).
      // Roaming peers of one connection each have their own selectors: one name per selector set.
      const name = `${conn.name}/${result.child.name}${conn.remote.address === 'any' ? `#${result.remoteTs.map(prefixText).join(',')}` : ''}`;
      kernel = this.kernel.install({
        name, connection: conn.name, child: result.child.name, protocol: result.protocol, mode: result.mode, suite: result.suite,
        local: result.udp ? local : { address: local.address, port: 0 }, remote: result.udp ? remote : { address: remote.address, port: 0 },
        udp: result.udp, localTs: result.localTs, remoteTs: result.remoteTs,
        spiIn: result.spiIn, spiOut: result.spiOut, keyIn: result.keyIn, keyOut: result.keyOut,
        fixChecksum: result.mode === 'transport' && result.udp,
      });
    } catch (err) {
      return `datapath refused the SA: ${(err as Error).message}`;
    } finally {
      result.keyIn.fill(0);
      result.keyOut.fill(0);
    }
    const { keyIn: _in, keyOut: _out, ...kept } = result; // wiped above; the datapath has them
    const r: ChildRecord<S> = {
      conn, child: result.child, result: kept, kernel, ike, initiator: o.initiator,
      installedAt: Date.now(), limits: limits(result.lifetime, o.initiator), state: 'installed', timers: [],
    };
    this.records.add(r);
    if (o.active) this.activate(r);
    return r;
  }

  /** Outbound traffic onto the pair; the pair it replaces (if any) is deleted after a grace period. */
  activate(r: ChildRecord<S>): void {
    if (r.state !== 'installed') return;
    this.kernel.activate(r.kernel);
    r.state = 'active';
    const old = r.result.rekeyOf !== undefined ? this.find((c) => c !== r && c.result.spiIn === r.result.rekeyOf) : undefined;
    const res = r.result;
    this.log.info({
      event: old ? 'child.rekeyed' : 'child.established', conn: r.conn.name, child: r.child.name, ike: r.ike?.id,
      protocol: res.protocol, mode: res.mode, encap: res.udp ? 'udp' : 'none', spiIn: spiHex(res.spiIn), spiOut: spiHex(res.spiOut),
      encr: res.suite.encr.name, integ: res.suite.integ?.name, pfs: res.pfsGroup || undefined, esn: res.suite.esn,
      localTs: res.localTs.map(prefixText), remoteTs: res.remoteTs.map(prefixText), lifetime: res.lifetime, natOa: res.natOa,
      ...(old ? { old: spiHex(old.result.spiIn) } : {}),
    }, old ? `CHILD SA '${r.child.name}' rekeyed` : `CHILD SA '${r.child.name}' established`);
    if (old) {
      this.counters.rekeyed('child');
      old.state = 'rekeyed';
      // The initiator of the rekey says so; either side removes the old pair after a grace period.
      const t = setTimeout(() => void this.remove(old, r.initiator, 'rekeyed'), REKEY_GRACE_MS);
      t.unref?.();
      old.timers.push(t);
    }
    this.schedule(r);
    this.hooks.activated?.(r);
  }

  /** Outbound traffic onto this (already active) pair again: another pair of the child took it meanwhile. */
  promote(r: ChildRecord<S>): void {
    if (r.state === 'active') this.kernel.activate(r.kernel);
  }

  /** Removes a pair (the trap, if configured, takes over); with `tell`, the peer hears of it. */
  async remove(r: ChildRecord<S>, tell: boolean, reason: string): Promise<void> {
    if (r.state === 'gone') return;
    r.state = 'gone';
    for (const t of r.timers) clearTimeout(t);
    this.records.delete(r);
    if (tell) this.hooks.tellDelete(r);
    this.log.info({ event: 'child.deleted', conn: r.conn.name, child: r.child.name, ike: r.ike?.id, spiIn: spiHex(r.result.spiIn), spiOut: spiHex(r.result.spiOut), told: tell, reason },
      `CHILD SA '${r.child.name}' deleted${reason ? `: ${reason}` : ''}`);
    await this.kernel.remove(r.kernel);
  }

  /** RFC 7296 §2.23: the peer of an IKE SA answers from a new address or port; its children follow. */
  follow(ike: S, remote: Endpoint): void {
    for (const r of this.records) if (r.ike === ike && r.result.udp) this.kernel.move(r.kernel, remote);
  }

  /** A rekey that failed: the old pair carries on (and will try again at its next soft limit… or expire). */
  rekeyFailed(spiIn: number | undefined): void {
    const old = spiIn !== undefined ? this.byInboundSpi(spiIn) : undefined;
    if (old?.state === 'rekeying') old.state = 'active';
  }

  /** No more rekeys (SIGTERM): lifetimes still end SAs. */
  stop(): void {
    this.stopped = true;
  }

  /** Rekey and expiry timers, by time, and by bytes and packets through a once-a-second poll. */
  private schedule(r: ChildRecord<S>): void {
    const soft = setTimeout(() => this.softExpire(r), r.limits.softMs);
    const hard = setTimeout(() => this.hardExpire(r), r.limits.hardMs);
    r.timers.push(soft, hard);
    const l = r.limits;
    if (l.hardBytes !== undefined || l.hardPackets !== undefined) {
      const poll = setInterval(() => {
        if (r.state === 'gone') return clearInterval(poll);
        const u = this.kernel.usage(r.kernel), bytes = u.bytesIn + u.bytesOut, packets = u.packetsIn + u.packetsOut;
        const past = (n: bigint, limit?: bigint): boolean => limit !== undefined && n >= limit;
        if (past(bytes, l.hardBytes) || past(packets, l.hardPackets)) this.hardExpire(r);
        else if ((past(bytes, l.softBytes) || past(packets, l.softPackets)) && r.state === 'active') this.softExpire(r);
      }, 1000);
      r.timers.push(poll);
    }
    for (const t of r.timers) t.unref?.();
  }

  /** Soft lifetime: rekey — unless the SA carried nothing since it was made. */
  private softExpire(r: ChildRecord<S>): void {
    if (r.state !== 'active' || this.stopped) return;
    const u = this.kernel.usage(r.kernel);
    if (u.packetsIn === 0n && u.packetsOut === 0n) {
      this.log.info({ event: 'child.idle', conn: r.conn.name, child: r.child.name, spiIn: spiHex(r.result.spiIn) }, 'CHILD SA carried no traffic: closed instead of rekeyed');
      void this.remove(r, true, 'idle');
      return;
    }
    this.log.info({ event: 'child.rekeying', conn: r.conn.name, child: r.child.name, spiIn: spiHex(r.result.spiIn) }, 'rekeying CHILD SA');
    r.state = 'rekeying';
    this.hooks.rekey(r);
  }

  private hardExpire(r: ChildRecord<S>): void {
    if (r.state === 'gone') return;
    this.log.info({ event: 'child.expired', conn: r.conn.name, child: r.child.name, spiIn: spiHex(r.result.spiIn) }, 'CHILD SA lifetime over');
    void this.remove(r, true, 'expired');
  }

  /** Per pair, what `ipsecgw status` shows (status.ts). */
  status(): ChildSaStatus[] {
    const now = Date.now();
    return this.all().map((r): ChildSaStatus => {
      const u = this.kernel.usage(r.kernel), res = r.result, pfs = dhByGroup(res.pfsGroup);
      const { encr, integ, esn } = res.suite;
      return {
        conn: r.conn.name, child: r.child.name, version: r.conn.version, ...(r.ike ? { ike: r.ike.id } : {}), state: r.state,
        protocol: res.protocol, mode: res.mode, encap: res.udp ? 'udp' : 'none', spiIn: spiHex(res.spiIn), spiOut: spiHex(res.spiOut),
        algorithms: { encr: encr.name, ...(integ ? { integ: integ.name } : {}), ...(pfs ? { dh: pfs.name } : {}), esn },
        // swanctl leaves encryption out of AH ("AH:HMAC_SHA2_256_128") and the default NO_EXT_SEQ out of both.
        proposal: [res.protocol === 'ah' ? undefined : encr, integ, pfs].filter((t) => t !== undefined).map((t) => swanctlName(t!)).join('/') + (esn ? '/ESN' : ''),
        localTs: res.localTs.map(prefixText), remoteTs: res.remoteTs.map(prefixText),
        bytesIn: String(u.bytesIn), bytesOut: String(u.bytesOut), packetsIn: String(u.packetsIn), packetsOut: String(u.packetsOut),
        ...(u.lastIn ? { lastIn: secondsSince(u.lastIn, now) } : {}), ...(u.lastOut ? { lastOut: secondsSince(u.lastOut, now) } : {}),
        installed: secondsSince(r.installedAt, now) ?? 0,
        ...(r.state === 'active' ? { rekeyIn: secondsUntil(r.installedAt + r.limits.softMs, now) } : {}),
        expiresIn: secondsUntil(r.installedAt + r.limits.hardMs, now) ?? 0,
      };
    });
  }
}

export const spiHex = (spi: number): string => `0x${spi.toString(16).padStart(8, '0')}`;
export const prefixText = (p: Prefix): string => `${formatAddress(p)}/${p.len}`;
