// The IKE daemons' view of the datapath — what strongSwan calls its kernel interface: install the
// two SAs of a CHILD SA, point outbound policies at them, trap traffic that has no SA yet, read
// the counters that lifetimes, idle checks and DPD need, and remove SAs again.
//
// EngineKernel implements it over the WebAssembly ESP engine (dataplane/engine.ts). Outbound
// policies are kept per child name ("conn/child"): a child's active SA pair, or its trap while it
// has none, so a make-before-break rekey is one policy switch. Routes into the TUN device are
// reference-counted: children and traps may share a remote prefix.
import { random } from '../ike/crypto/bytes.js';
import type { EspSuite } from '../config/proposal.js';
import { formatAddress, type Prefix } from '../dataplane/addr.js';
import type { Engine, PolicySpec, SaSpec, SaTotals, SelectorSpec } from '../dataplane/engine.js';
import { engineAlgorithms } from '../dataplane/suite.js';
import type { Endpoint } from '../ike/endpoint.js';

export interface ChildSpec {
  /** "connection/child": one outbound policy set per name. */
  readonly name: string;
  /** The configured names, which its traffic is counted under (traffic()). */
  readonly connection: string;
  readonly child: string;
  readonly protocol: 'esp' | 'ah';
  readonly mode: 'tunnel' | 'transport';
  readonly suite: EspSuite;
  /** Outer endpoints; with `udp`, their ports are the UDP encapsulation's (RFC 3948). */
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly udp: boolean;
  readonly localTs: readonly Prefix[];
  readonly remoteTs: readonly Prefix[];
  readonly spiIn: number;
  readonly spiOut: number;
  readonly keyIn: Uint8Array;
  readonly keyOut: Uint8Array;
  /** Transport mode behind a NAT: inner checksums are recomputed (RFC 3948 §3.1.2). */
  readonly fixChecksum?: boolean;
}

export interface KernelChild {
  /** What was installed, without the keys: the datapath holds them (the caller wipes its copies). */
  readonly spec: Omit<ChildSpec, 'keyIn' | 'keyOut'>;
  readonly in: number;
  readonly out: number;
}

/** Bytes and packets each way: of an SA pair, or summed over several. */
export interface Traffic {
  readonly bytesIn: bigint;
  readonly bytesOut: bigint;
  readonly packetsIn: bigint;
  readonly packetsOut: bigint;
}

/** a + b, field by field. */
export const plusTraffic = (a: Traffic | undefined, b: Traffic): Traffic => (a ? {
  bytesIn: a.bytesIn + b.bytesIn, bytesOut: a.bytesOut + b.bytesOut, packetsIn: a.packetsIn + b.packetsIn, packetsOut: a.packetsOut + b.packetsOut,
} : b);

/** An SA pair's retired totals from its two SAs' (Engine.retireSa). */
export const pairTraffic = (inn: SaTotals, out: SaTotals): Traffic => ({ bytesIn: inn.bytes, bytesOut: out.bytes, packetsIn: inn.packets, packetsOut: out.packets });

export interface Usage extends Traffic {
  /** Milliseconds since the epoch of the last packet each way, 0 if none. */
  readonly lastIn: number;
  readonly lastOut: number;
}

export interface Kernel {
  /** A random inbound SPI (RFC 4303 §2.1: 256 and up) that no SA holds. */
  allocSpi(): number;
  /** Installs both SAs; outbound traffic stays where it was until activate. */
  install(spec: ChildSpec): KernelChild;
  /** Outbound policies of spec.name now use this child's SA (the previous one, if any, no longer). */
  activate(child: KernelChild): void;
  /** Removes both SAs (keys wiped); the name's policies fall back to its trap, if any. */
  remove(child: KernelChild): Promise<void>;
  usage(child: KernelChild): Usage;
  /** The peer is now at `remote` (a NAT rebinding): outbound packets go there. */
  move(child: KernelChild, remote: Endpoint): void;
  /** Traffic for these selectors without an SA goes to the control plane with `id` (RFC 4301 §5.1 "trap"). */
  trap(name: string, localTs: readonly Prefix[], remoteTs: readonly Prefix[], id: number): void;
  untrap(name: string): void;
}

/** What a configured child carried since the start, all its SA pairs (rekeys, roaming peers) together. */
export interface ChildTraffic extends Traffic {
  readonly connection: string;
  readonly child: string;
}

const text = (p: Prefix): string => `${formatAddress(p)}/${p.len}`;

/** Every local × remote pair of one family: the selectors of a set of prefixes. */
export function selectorPairs(local: readonly Prefix[], remote: readonly Prefix[]): SelectorSpec[] {
  return local.flatMap((l) => remote.filter((r) => r.family === l.family).map((r) => ({ local: text(l), remote: text(r) })));
}

interface Entry {
  active?: KernelChild;
  trap?: { localTs: readonly Prefix[]; remoteTs: readonly Prefix[]; id: number };
  /** The routes this entry holds (prefix text). */
  routes: string[];
}

export interface EngineKernelOptions {
  /** Adds ('add') or removes ('del') a route to a prefix into the TUN device. */
  route(op: 'add' | 'del', prefix: string): void;
  /** The policy set changed: the owner merges it with its own (manual SAs) and calls engine.setPolicies. */
  policiesChanged(): void;
}

export class EngineKernel implements Kernel {
  private readonly entries = new Map<string, Entry>();
  private readonly routeRefs = new Map<string, number>();
  private readonly spis = new Set<number>();
  /** Installed pairs, until their SAs are wiped. */
  private readonly live = new Set<KernelChild>();
  /** The last counters of removed pairs, per connection and child: so traffic() never falls back on a rekey. */
  private readonly retired = new Map<string, ChildTraffic>();

  constructor(private readonly engine: Engine, private readonly o: EngineKernelOptions) {}

  allocSpi(): number {
    for (;;) {
      const b = random(4), spi = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
      // Above 0xc0000000 like strongSwan's, which makes ours easy to tell apart in captures.
      const v = (spi | 0xc0000000) >>> 0;
      if (!this.spis.has(v)) {
        this.spis.add(v);
        return v;
      }
    }
  }

  install(spec: ChildSpec): KernelChild {
    const alg = engineAlgorithms(spec.suite);
    const selectors = selectorPairs(spec.localTs, spec.remoteTs).slice(0, 8);
    const common: Omit<SaSpec, 'spi' | 'direction' | 'src' | 'dst' | 'key'> = {
      ...alg, mode: spec.mode, protocol: spec.protocol, esn: spec.suite.esn, selectors, fixChecksum: spec.fixChecksum,
    };
    const out = this.engine.installSa({
      ...common, spi: spec.spiOut, direction: 'out', src: spec.local.address, dst: spec.remote.address, key: spec.keyOut,
      encap: spec.udp ? { sport: spec.local.port, dport: spec.remote.port } : undefined,
    });
    let inn: number;
    try {
      inn = this.engine.installSa({
        ...common, spi: spec.spiIn, direction: 'in', src: spec.remote.address, dst: spec.local.address, key: spec.keyIn,
        encap: spec.udp ? { sport: spec.remote.port, dport: spec.local.port } : undefined,
      });
    } catch (err) {
      this.engine.removeSa(out);
      throw err;
    }
    this.spis.add(spec.spiIn);
    const { keyIn: _in, keyOut: _out, ...kept } = spec;
    const child = { spec: kept, in: inn, out };
    this.live.add(child);
    return child;
  }

  activate(child: KernelChild): void {
    const e = this.entry(child.spec.name);
    e.active = child;
    this.routes(e, child.spec.mode === 'tunnel' ? child.spec.remoteTs : []);
    this.o.policiesChanged();
  }

  async remove(child: KernelChild): Promise<void> {
    const e = this.entries.get(child.spec.name);
    if (e?.active === child) {
      e.active = undefined;
      this.routes(e, e.trap?.remoteTs ?? []);
      this.o.policiesChanged();
      if (!e.trap) this.entries.delete(child.spec.name);
    }
    this.spis.delete(child.spec.spiIn);
    const [o, i] = await Promise.all([this.engine.retireSa(child.out), this.engine.retireSa(child.in)]);
    // In the same turn as the SAs were wiped: a scrape sees the pair either live or retired.
    this.live.delete(child);
    addTraffic(this.retired, child.spec, pairTraffic(i, o));
  }

  /** Per configured child: bytes and packets each way since the start, removed pairs included. */
  traffic(): ChildTraffic[] {
    const all = new Map(this.retired);
    for (const c of this.live) {
      addTraffic(all, c.spec, this.usage(c));
    }
    return [...all.values()];
  }

  move(child: KernelChild, remote: Endpoint): void {
    this.engine.moveSa(child.out, remote.address, child.spec.udp ? remote.port : 0);
  }

  usage(child: KernelChild): Usage {
    const i = this.engine.saStatus(child.in), o = this.engine.saStatus(child.out);
    return { bytesIn: i.bytes, bytesOut: o.bytes, packetsIn: i.packets, packetsOut: o.packets, lastIn: Number(i.used), lastOut: Number(o.used) };
  }

  trap(name: string, localTs: readonly Prefix[], remoteTs: readonly Prefix[], id: number): void {
    const e = this.entry(name);
    e.trap = { localTs, remoteTs, id };
    if (!e.active) this.routes(e, remoteTs);
    this.o.policiesChanged();
  }

  untrap(name: string): void {
    const e = this.entries.get(name);
    if (!e?.trap) return;
    e.trap = undefined;
    if (!e.active) {
      this.routes(e, []);
      this.entries.delete(name);
    }
    this.o.policiesChanged();
  }

  /** The outbound policies of every child: protect with its active SA, else trap. */
  policies(): PolicySpec[] {
    const out: PolicySpec[] = [];
    for (const e of this.entries.values()) {
      if (e.active) {
        for (const s of selectorPairs(e.active.spec.localTs, e.active.spec.remoteTs)) out.push({ ...s, action: 'protect', sa: e.active.out });
      } else if (e.trap) {
        for (const s of selectorPairs(e.trap.localTs, e.trap.remoteTs)) out.push({ ...s, action: 'trap', id: e.trap.id });
      }
    }
    return out;
  }

  private entry(name: string): Entry {
    let e = this.entries.get(name);
    if (!e) this.entries.set(name, (e = { routes: [] }));
    return e;
  }

  /** Moves an entry's routes to `prefixes`: new ones added before old ones go (no gap). */
  private routes(e: Entry, prefixes: readonly Prefix[]): void {
    const next = prefixes.map(text);
    for (const r of next) {
      const n = this.routeRefs.get(r) ?? 0;
      if (n === 0) this.o.route('add', r);
      this.routeRefs.set(r, n + 1);
    }
    for (const r of e.routes) {
      const n = this.routeRefs.get(r)! - 1;
      if (n === 0) {
        this.routeRefs.delete(r);
        this.o.route('del', r);
      } else this.routeRefs.set(r, n);
    }
    e.routes = next;
  }
}

/** Adds t to its connection's and child's entry of `totals`. */
function addTraffic(totals: Map<string, ChildTraffic>, c: { connection: string; child: string }, t: Traffic): void {
  const key = JSON.stringify([c.connection, c.child]);
  const { bytesIn, bytesOut, packetsIn, packetsOut } = plusTraffic(totals.get(key), t);
  totals.set(key, { connection: c.connection, child: c.child, bytesIn, bytesOut, packetsIn, packetsOut });
}
