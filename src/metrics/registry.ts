// The gateway's Prometheus metrics (prom-client), in the text exposition format. Two kinds:
//
//   collected at scrape time, from a snapshot of the gateway (GatewayMetrics.scrape): SAs by state,
//     bytes and packets per child and per manual entry (the engine's per-SA counters, summed over
//     rekeys by the kernel), datapath drops by reason and batch sizes (per lane, in shared memory)
//   counted as they happen, by the IKE daemons (ike/counters.ts): rekeys, failed negotiations
//
// Names follow Prometheus' conventions: an `ipsecgw_` prefix, `_total` on counters, the unit last
// (`_bytes`, `_packets`). The process' own figures (CPU, memory, event loop lag, GC) come from
// prom-client's default metrics, under their usual names (process_*, nodejs_*) so that the
// dashboards made for them work.
import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import { BATCH_BUCKETS, type BatchSnapshot } from '../dataplane/batch-histogram.js';
import { IKE_FAILURES, type IkeCounters, type IkeFailure, type SaKind } from '../ike/counters.js';
import type { Traffic } from '../policy/kernel.js';

/** What the gateway is, at the moment of a scrape. */
export interface MetricsSnapshot {
  /** Per running IKE daemon: the state of each of its IKE SAs and CHILD SAs. */
  readonly ike: ReadonlyArray<{ readonly version: 1 | 2; readonly ike: readonly string[]; readonly children: readonly string[] }>;
  /** Per configured child that has had an SA: its traffic since the start (ike/children.ts via policy/kernel.ts). */
  readonly children: ReadonlyArray<Traffic & { readonly connection: string; readonly child: string }>;
  /** Per manual entry, also those removed by a reload: its traffic since the start. */
  readonly manual: ReadonlyArray<Traffic & { readonly entry: string }>;
  /** Per installed manual entry: the datapath state of its SA pair ('active', 'expired'). */
  readonly manualStates: readonly string[];
  /** Per datapath worker: drops by reason (Engine.laneStats) and batch sizes (Engine.laneBatches). */
  readonly lanes: ReadonlyArray<{ readonly role: string; readonly drops: Readonly<Record<string, bigint>>; readonly batches: BatchSnapshot }>;
}

export interface MetricsOptions {
  /** prom-client's process and Node.js metrics (default true; tests leave them out for exact output). */
  readonly defaultMetrics?: boolean;
}

/** The registry and its families; `scrape()` is what GET /metrics answers. */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly ikeSas: Gauge<'version' | 'state'>;
  private readonly childSas: Gauge<'version' | 'state'>;
  private readonly childBytes: Counter<'connection' | 'child' | 'direction'>;
  private readonly childPackets: Counter<'connection' | 'child' | 'direction'>;
  private readonly manualSas: Gauge<'state'>;
  private readonly manualBytes: Counter<'entry' | 'direction'>;
  private readonly manualPackets: Counter<'entry' | 'direction'>;
  private readonly drops: Counter<'role' | 'reason'>;
  private readonly batches: LaneHistogram;
  private readonly rekeys: Counter<'version' | 'kind'>;
  private readonly failures: Counter<'version' | 'kind' | 'reason'>;
  /** IKE SAs whose failure was counted (IkeCounters.failed: once per SA). */
  private readonly failedSas = new WeakSet<object>();

  constructor(private readonly snapshot: () => MetricsSnapshot, o: MetricsOptions = {}) {
    const registers = [this.registry];
    this.ikeSas = new Gauge({ name: 'ipsecgw_ike_sas', help: 'IKE SAs (IKEv1: ISAKMP SAs) by IKE version and state.', labelNames: ['version', 'state'], registers });
    this.childSas = new Gauge({ name: 'ipsecgw_child_sas', help: 'CHILD SAs (SA pairs) negotiated by IKE, by IKE version and state.', labelNames: ['version', 'state'], registers });
    this.childBytes = new Counter({
      name: 'ipsecgw_child_bytes_total', help: 'Bytes through the CHILD SAs of a configured child (all its SAs, rekeys included); in: decapsulated, out: encapsulated.',
      labelNames: ['connection', 'child', 'direction'], registers,
    });
    this.childPackets = new Counter({
      name: 'ipsecgw_child_packets_total', help: 'Packets through the CHILD SAs of a configured child (all its SAs, rekeys included).',
      labelNames: ['connection', 'child', 'direction'], registers,
    });
    this.manualSas = new Gauge({ name: 'ipsecgw_manual_sas', help: 'Manually keyed SA pairs by datapath state.', labelNames: ['state'], registers });
    this.manualBytes = new Counter({ name: 'ipsecgw_manual_bytes_total', help: 'Bytes through a manually keyed SA pair.', labelNames: ['entry', 'direction'], registers });
    this.manualPackets = new Counter({ name: 'ipsecgw_manual_packets_total', help: 'Packets through a manually keyed SA pair.', labelNames: ['entry', 'direction'], registers });
    this.drops = new Counter({ name: 'ipsecgw_datapath_drops_total', help: 'Packets the datapath dropped, by worker role (tx, rx, or both for a lone worker) and reason.', labelNames: ['role', 'reason'], registers });
    this.batches = new LaneHistogram('ipsecgw_datapath_batch_packets', 'Packets per batch through the ESP engine, by worker role (tx: encapsulation, rx: decapsulation, both: a lone worker).');
    this.registry.registerMetric(this.batches.asMetric());
    this.rekeys = new Counter({ name: 'ipsecgw_rekeys_total', help: 'SAs replaced by new ones: IKE SAs (rekeyed, renewed or reauthenticated) and CHILD SAs.', labelNames: ['version', 'kind'], registers });
    this.failures = new Counter({
      name: 'ipsecgw_ike_failures_total', help: 'Failed IKE negotiations, of an IKE SA or a CHILD SA, by reason (an IKE SA counts once).',
      labelNames: ['version', 'kind', 'reason'], registers,
    });
    // Counted series exist from the start, at 0: rate() and alerts need a series before the first event.
    for (const version of ['1', '2']) {
      for (const kind of ['ike', 'child']) {
        this.rekeys.inc({ version, kind }, 0);
        for (const reason of IKE_FAILURES) this.failures.inc({ version, kind, reason }, 0);
      }
    }
    if (o.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The daemon of one IKE version counts through this (Ikev1Options / Ikev2Options.counters). */
  counters(version: 1 | 2): IkeCounters {
    const v = String(version);
    return {
      rekeyed: (kind: SaKind) => this.rekeys.inc({ version: v, kind }),
      failed: (kind: SaKind, reason: IkeFailure, sa?: object) => {
        if (sa) {
          if (this.failedSas.has(sa)) return;
          this.failedSas.add(sa);
        }
        this.failures.inc({ version: v, kind, reason });
      },
    };
  }

  /** The exposition, with every collected family set from one snapshot. */
  async scrape(): Promise<string> {
    this.update(this.snapshot());
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private update(s: MetricsSnapshot): void {
    this.ikeSas.reset();
    this.childSas.reset();
    for (const d of s.ike) {
      const version = String(d.version);
      // An established series at 0 when there are none: "no SA up" is worth an alert.
      this.ikeSas.set({ version, state: 'established' }, 0);
      this.childSas.set({ version, state: 'active' }, 0);
      for (const state of d.ike) this.ikeSas.inc({ version, state });
      for (const state of d.children) this.childSas.inc({ version, state });
    }
    this.childBytes.reset();
    this.childPackets.reset();
    for (const c of s.children) {
      for (const [direction, bytes, packets] of [['in', c.bytesIn, c.packetsIn], ['out', c.bytesOut, c.packetsOut]] as const) {
        this.childBytes.inc({ connection: c.connection, child: c.child, direction }, Number(bytes));
        this.childPackets.inc({ connection: c.connection, child: c.child, direction }, Number(packets));
      }
    }
    this.manualSas.reset();
    this.manualBytes.reset();
    this.manualPackets.reset();
    this.manualSas.set({ state: 'active' }, 0);
    for (const state of s.manualStates) this.manualSas.inc({ state });
    for (const m of s.manual) {
      for (const [direction, bytes, packets] of [['in', m.bytesIn, m.packetsIn], ['out', m.bytesOut, m.packetsOut]] as const) {
        this.manualBytes.inc({ entry: m.entry, direction }, Number(bytes));
        this.manualPackets.inc({ entry: m.entry, direction }, Number(packets));
      }
    }
    this.drops.reset();
    for (const lane of s.lanes) {
      // DROP_NONE is the engine's "not dropped": not a reason.
      for (const [reason, n] of Object.entries(lane.drops)) if (reason !== 'none') this.drops.inc({ role: lane.role, reason }, Number(n));
    }
    this.batches.set(s.lanes.map((l) => ({ labels: { role: l.role }, value: l.batches })));
  }
}

/**
 * A histogram whose counts someone else keeps (the lanes', in shared memory): prom-client's
 * Histogram only observes one value at a time, so this hands the registry the samples of a
 * histogram family directly — `_bucket` per `le` (cumulative), `_sum`, `_count`.
 */
class LaneHistogram {
  private values: Array<{ labels: Record<string, string>; value: BatchSnapshot }> = [];

  constructor(readonly name: string, readonly help: string) {}

  set(values: Array<{ labels: Record<string, string>; value: BatchSnapshot }>): void {
    this.values = values;
  }

  /**
   * What Registry.registerMetric uses of a metric: its name, type and help, get() for the samples,
   * reset(). prom-client types that as its own four classes only, hence the cast.
   */
  asMetric(): Metric {
    const samples = () => this.values.flatMap(({ labels, value: h }) => [
      ...BATCH_BUCKETS.map((le, i) => ({ metricName: `${this.name}_bucket`, labels: { ...labels, le }, value: Number(h.buckets[i]) })),
      { metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: Number(h.count) },
      { metricName: `${this.name}_sum`, labels, value: Number(h.sum) },
      { metricName: `${this.name}_count`, labels, value: Number(h.count) },
    ]);
    const metric = {
      name: this.name, help: this.help, type: 'histogram', aggregator: 'sum',
      get: async () => ({ name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values: samples() }),
      reset: () => this.set([]),
    };
    return metric as unknown as Metric;
  }
}
