// `ipsecgw bench e2e`: TCP through a site-to-site tunnel in network namespaces (hA — gwA ==== gwB —
// hB), iperf3 from hA to hB, with 1 and 4 streams: ipsecgw ↔ ipsecgw (manually keyed), strongSwan ↔
// strongSwan (kernel-libipsec, IKEv2), and plain routing, all in the same run and the same topology,
// so that the ratios between them mean something on a shared machine. Needs root, iperf3, and
// strongSwan for its column. ipsecgw's ESP goes in UDP 4500 (RFC 3948) unless told otherwise:
// kernel-libipsec always encapsulates (src/lab/strongswan.ts), so that is like for like. Each
// gateway runs one datapath worker unless told otherwise (`gateway.workers: 1`): the two gateways
// share the machine's CPUs with iperf3 and the kernel, and two threads a gateway on two CPUs
// measured 5–9 % slower here (aes128gcm16, three alternating runs; perf showed the time in thread
// switches and wake-ups).
import { createTopology } from '../src/lab/netns.js';
import { cleanup, startGateways, type TunnelCase } from '../src/lab/gateways.js';
import { haveStrongswan, startSwan } from '../src/lab/strongswan.js';
import { haveIperf3, iperf, reachable } from '../src/lab/traffic.js';
import { formatSpread, spread } from './measure.js';

export const E2E_SUITES = ['aes128gcm16', 'aes128-sha256', 'chacha20poly1305'];
export const E2E_STREAMS = [1, 4];
export const E2E_ENCAPS: ReadonlyArray<TunnelCase['encap']> = ['none', 'udp'];
export const E2E_ENCAP: TunnelCase['encap'] = 'udp';
export const E2E_WORKERS = 1;

export type Setup = 'plain routing' | 'ipsecgw ↔ ipsecgw' | 'strongSwan ↔ strongSwan';

export interface E2eRow {
  suite: string;
  setup: Setup;
  streams: number;
  /** Which round (1 …): every setup is measured once a round, in turn. */
  run: number;
  gbps: number;
  retransmits: number;
}

export interface E2eOptions {
  seconds: number;
  suites?: string[];
  streams?: number[];
  strongswan?: boolean;
  /** ipsecgw ↔ ipsecgw: UDP-encapsulated (the default, as strongSwan's) or plain ESP. */
  encap?: TunnelCase['encap'];
  /** ipsecgw ↔ ipsecgw: `gateway.workers` of each gateway. */
  workers?: number;
  /** Rounds (default 1): each measures every setup once, so that a slow spell of the host hits all. */
  runs?: number;
  progress?: (line: string) => void;
}

async function measure(setup: Setup, suite: string, run: number, o: E2eOptions, rows: E2eRow[], total: number): Promise<void> {
  const t = createTopology();
  let stop: () => Promise<void> = async () => undefined;
  try {
    if (setup === 'plain routing') {
      t.exec(t.gwA, 'ip', ['route', 'add', t.addr.netB4, 'via', t.addr.gwB.wire4]);
      t.exec(t.gwB, 'ip', ['route', 'add', t.addr.netA4, 'via', t.addr.gwA.wire4]);
    } else if (setup === 'ipsecgw ↔ ipsecgw') {
      const g = await startGateways(t, { esp: suite, encap: o.encap ?? E2E_ENCAP, outer: 4, inner: 4 }, { workers: o.workers ?? E2E_WORKERS });
      stop = async () => {
        await g.stop();
        cleanup(g);
      };
    } else {
      const s = await startSwan(t, [
        { ns: t.gwA, local: t.addr.gwA.wire4, remote: t.addr.gwB.wire4, localTs: t.addr.netA4, remoteTs: t.addr.netB4 },
        { ns: t.gwB, local: t.addr.gwB.wire4, remote: t.addr.gwA.wire4, localTs: t.addr.netB4, remoteTs: t.addr.netA4 },
      ], { version: 2, esp: suite });
      stop = () => s.stop();
    }
    await reachable(t, t.hA, t.addr.hB.lan4);
    for (const streams of o.streams ?? E2E_STREAMS) {
      const r = await iperf(t, streams, o.seconds);
      rows.push({ suite, setup, streams, run, ...r });
      o.progress?.(`[${rows.length}/${total}] ${setup}${setup === 'plain routing' ? '' : ` ${suite}`}, ${streams} stream${streams > 1 ? 's' : ''}: ${r.gbps.toFixed(3)} Gbit/s`);
    }
  } finally {
    await stop().catch(() => undefined);
    t.destroy();
  }
}

export async function runE2e(o: E2eOptions): Promise<E2eRow[]> {
  if (process.getuid?.() !== 0) throw new Error('bench e2e needs root (network namespaces)');
  if (!haveIperf3()) throw new Error('bench e2e needs iperf3 (apt-get install iperf3)');
  const suites = o.suites ?? E2E_SUITES, streams = o.streams ?? E2E_STREAMS;
  const swan = (o.strongswan ?? true) && haveStrongswan();
  const setups: Setup[] = ['ipsecgw ↔ ipsecgw', ...(swan ? ['strongSwan ↔ strongSwan' as const] : [])];
  const runs = o.runs ?? 1;
  const total = runs * streams.length * (1 + suites.length * setups.length);
  const rows: E2eRow[] = [];
  for (let run = 1; run <= runs; run++) {
    await measure('plain routing', '-', run, o, rows, total);
    for (const suite of suites) for (const setup of setups) await measure(setup, suite, run, o, rows, total);
  }
  return rows;
}

/**
 * One line per suite and stream count: Gbit/s as the median over the runs (min–max when there were
 * several), and the ratios of the medians.
 */
export function e2eTable(rows: E2eRow[]): string {
  const of = (setup: Setup, suite: string, streams: number) => {
    const xs = rows.filter((r) => r.setup === setup && r.streams === streams && (setup === 'plain routing' || r.suite === suite));
    return xs.length ? spread(xs.map((r) => r.gbps)) : undefined;
  };
  const lines = [
    '| suite | streams | ipsecgw Gbit/s | strongSwan Gbit/s | plain Gbit/s | × strongSwan | % of plain |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const cases = new Map(rows.filter((x) => x.setup === 'ipsecgw ↔ ipsecgw').map((r) => [`${r.suite} ${r.streams}`, r]));
  for (const { suite, streams } of cases.values()) {
    const ours = of('ipsecgw ↔ ipsecgw', suite, streams)!, swan = of('strongSwan ↔ strongSwan', suite, streams), plain = of('plain routing', suite, streams);
    lines.push(`| ${suite} | ${streams} | ${formatSpread(ours, 3)} | ${swan ? formatSpread(swan, 3) : '–'} | ${plain ? formatSpread(plain, 2) : '–'} | ` +
      `${swan ? (ours.median / swan.median).toFixed(1) : '–'} | ${plain ? ((100 * ours.median) / plain.median).toFixed(0) : '–'} |`);
  }
  return lines.join('\n');
}
