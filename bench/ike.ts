// `ipsecgw bench ike`: IKE SAs (each with one CHILD SA) established per second, and memory per
// established SA, with ipsecgw as the responder and with strongSwan (charon, kernel-libipsec) as the
// responder, under the same load generator (ike-load.ts) — same topology, same run, alternating,
// because the machine is shared and noisy.
//
//   gwA: the generator, sending from `sources` extra addresses 192.0.2.100… on the wire
//   gwB: the responder at 192.0.2.2 — `ipsecgw run` (runGateway), then charon (startCharon)
//
// Both responders: PSK, aes128gcm16-prfsha256-x25519 for IKE, aes128gcm16 for the CHILD SA, any
// peer (remote %any), the child 10.2.0.0/24 (theirs) ↔ 10.1.0.0/24 (the generator's), and their
// default limits (ipsecgw: 5 half-open per peer address, cookies above 30 half-open; strongSwan:
// block_threshold 5, cookie_threshold 30). Memory: VmRSS of the responder process before the load
// and once every SA is up, the difference divided by the SAs established (ipsecgw's V8 heap too,
// from `status`). The processes and namespaces go at the end, also after a failure or Ctrl-C.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from '../src/gateway/control.js';
import type { GatewayStatus } from '../src/gateway/status.js';
import { runGateway, type RunningGateway } from '../src/lab/gateways.js';
import { createTopology, type Topology } from '../src/lab/netns.js';
import { haveStrongswan, startCharon, type Charon, type SwanConfig } from '../src/lab/strongswan.js';
import type { LoadResult } from './ike-load.js';
import { formatSpread, spread, type Spread } from './measure.js';

export const LOADER = fileURLToPath(new URL('./ike-load.js', import.meta.url));
export const IKE_PROPOSAL = 'aes128gcm16-prfsha256-x25519';
export const ESP_PROPOSAL = 'aes128gcm16';
const PSK = 'bench ike: not a secret';
/** The responder's address, and the generator's first extra address (then .101, .102, …). */
const RESPONDER = '192.0.2.2';
const SOURCE_BASE = 100;
const THEIR_TS = '10.2.0.0/24', OUR_TS = '10.1.0.0/24';

export type Responder = 'ipsecgw' | 'strongSwan';

export interface IkeBenchOptions {
  /** IKE SAs per measurement. */
  sas: number;
  concurrency: number;
  /** Stop starting new SAs after this long. */
  seconds?: number;
  /** Source addresses of the generator. */
  sources: number;
  /** Measurements per responder (alternating). */
  runs: number;
  /** Which responders (in this order each run). */
  responders: Responder[];
  /**
   * strongSwan's charon.ikesa_table_size (and 4 segments): its default, 1, keeps every IKE SA in one
   * list, which its documentation says to raise for many SAs; 0 leaves strongSwan's default.
   */
  swanTableSize: number;
  progress?: (line: string) => void;
}

export interface IkeMeasurement {
  responder: Responder;
  run: number;
  load: LoadResult;
  /** The responder process's VmRSS, kB, before the load and once every SA is up. */
  rssBeforeKb: number;
  rssAfterKb: number;
  /** (after − before) / established, kB. */
  rssPerSaKb: number;
  /** CPU time (user + system, all threads) the responder used while the load ran, ms, and per SA. */
  responderCpuMs: number;
  cpuMsPerSa: number;
  /** ipsecgw: V8 heap used before / after (kB), and per SA. */
  heapBeforeKb?: number;
  heapAfterKb?: number;
  heapPerSaKb?: number;
  /** What the responder itself counts once the load is over. */
  responderIkeSas?: number;
  responderChildSas?: number;
  /** ipsecgw: distinct peer addresses among its IKE SAs. */
  responderPeers?: number;
  /** ipsecgw: CHILD SAs negotiated but refused by the datapath (its SAD is full). */
  childRefused?: number;
}

export interface IkeSummary {
  responder: Responder;
  runs: number;
  /** Steady-state SAs/s: median, min, max over the runs. */
  rate: Spread;
  rssPerSaKb: Spread;
  heapPerSaKb?: Spread;
  rssAfterMb: Spread;
  /** Responder CPU time per SA, ms (less sensitive to the neighbours than the rate). */
  cpuMsPerSa: Spread;
  established: number;
  failed: number;
}

export interface IkeBenchReport {
  kind: 'ike';
  date: string;
  node: string;
  cpu: string;
  cpus: number;
  options: Omit<IkeBenchOptions, 'progress'>;
  measurements: IkeMeasurement[];
  summary: IkeSummary[];
  /** ipsecgw ÷ strongSwan, of the medians. */
  ratios?: { rate: number; rssPerSa: number; cpuPerSa: number };
}

const CLK_TCK = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process (every thread), ms (proc(5): fields 14 and 15, in clock ticks). */
const cpuMs = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
};

const rssKb = (pid: number): number => {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
};

/** The generator's extra addresses on gwA's wire interface. */
function addSources(t: Topology, n: number): string[] {
  if (n < 1 || n > 150) throw new Error(`--sources must be between 1 and 150, not ${n}`);
  const list = Array.from({ length: n }, (_, i) => `192.0.2.${SOURCE_BASE + i}`);
  t.exec(t.gwA, 'ip', ['-batch', '-'], { input: list.map((a) => `addr add ${a}/24 dev ${t.wireA}`).join('\n') + '\n' });
  return list;
}

/** Runs the generator in gwA; resolves with its result. */
export async function runGenerator(t: Topology, args: { sources: string[]; sas: number; concurrency: number; seconds?: number; pskFile: string; progress?: (l: string) => void }): Promise<LoadResult> {
  const p = t.spawn(t.gwA, process.execPath, [
    LOADER, '--target', RESPONDER, '--sources', args.sources.join(','), '--sas', String(args.sas), '--concurrency', String(args.concurrency),
    ...(args.seconds !== undefined ? ['--seconds', String(args.seconds)] : []),
    '--psk-file', args.pskFile, '--local-ts', OUR_TS, '--remote-ts', THEIR_TS, '--responder-id', RESPONDER,
  ]);
  let out = '', err = '';
  p.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  p.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    for (const line of d.split('\n')) if (line.trim()) args.progress?.(line);
  });
  const code = await new Promise<number | null>((r) => p.once('exit', (c) => r(c)));
  if (code !== 0) throw new Error(`load generator exited with ${code}:\n${err.slice(-4000)}`);
  return JSON.parse(out.trim().split('\n').pop()!) as LoadResult;
}

/** The ipsecgw responder's configuration, with datapath room for `sas` CHILD SAs (two SAs each, and spare). */
export function ipsecgwResponderYaml(dir: string, sas: number): string {
  return [
    'gateway:',
    '  name: bench-ike',
    `  listen: [${RESPONDER}]`,
    `  max-sas: ${Math.max(64, 2 * sas + 1024)}`,
    `  socket: ${join(dir, 'gw.sock')}`,
    'connections:',
    '  load:',
    '    version: 2',
    `    local: { address: ${RESPONDER}, id: ${RESPONDER}, auth: psk }`,
    '    remote: { address: any, auth: psk }',
    `    psk: { file: ${join(dir, 'psk')} }`,
    '    ike:',
    `      proposals: [${IKE_PROPOSAL}]`,
    '    children:',
    '      lan:',
    `        local-ts: [${THEIR_TS}]`,
    `        remote-ts: [${OUR_TS}]`,
    `        proposals: [${ESP_PROPOSAL}]`,
    '        start: none',
    '',
  ].join('\n');
}

/** strongSwan's responder: the same connection (swanctl names). */
export function swanResponderConfig(tableSize = 0): SwanConfig {
  return {
    ...(tableSize > 0 ? { charon: { settings: { ikesa_table_size: tableSize, ikesa_table_segments: 4 } } } : {}),
    connections: {
      load: {
        version: 2,
        local_addrs: RESPONDER,
        remote_addrs: '%any',
        proposals: IKE_PROPOSAL,
        local: { auth: 'psk', id: RESPONDER },
        remote: { auth: 'psk' },
        children: { lan: { local_ts: THEIR_TS, remote_ts: OUR_TS, esp_proposals: ESP_PROPOSAL, start_action: 'none' } },
      },
    },
    secrets: { ike: [{ secret: PSK }] },
  };
}

const status = async (g: RunningGateway): Promise<GatewayStatus> => (await request(g.socket, { cmd: 'status' }, 60_000)) as GatewayStatus;

async function measureIpsecgw(t: Topology, dir: string, sources: string[], o: IkeBenchOptions, run: number): Promise<IkeMeasurement> {
  const config = join(dir, 'gw.yaml');
  writeFileSync(config, ipsecgwResponderYaml(dir, o.sas));
  const g = await runGateway(t, t.gwB, config, join(dir, 'gw.sock'));
  try {
    await sleep(300);
    const before = await status(g);
    const rssBeforeKb = rssKb(g.proc.pid!), cpuBefore = cpuMs(g.proc.pid!);
    const load = await runGenerator(t, { sources, sas: o.sas, concurrency: o.concurrency, seconds: o.seconds, pskFile: join(dir, 'psk'), progress: o.progress });
    const responderCpuMs = cpuMs(g.proc.pid!) - cpuBefore;
    await sleep(500); // the last responses' bookkeeping, a chance for the GC
    const after = await status(g);
    const rssAfterKb = rssKb(g.proc.pid!);
    const n = Math.max(1, load.established);
    const heapBeforeKb = Math.round((before.memory?.heapUsed ?? 0) / 1024), heapAfterKb = Math.round((after.memory?.heapUsed ?? 0) / 1024);
    const ikev2 = after.ike.filter((x) => x.version === 2);
    const peers = new Set(ikev2.map((x) => x.remote.address)).size;
    const childRefused = g.events().filter((e) => e.event === 'child.failed' && String(e.reason ?? '').startsWith('datapath refused')).length;
    return {
      responder: 'ipsecgw', run, load, rssBeforeKb, rssAfterKb, rssPerSaKb: (rssAfterKb - rssBeforeKb) / n, responderCpuMs, cpuMsPerSa: responderCpuMs / n,
      ...(after.memory ? { heapBeforeKb, heapAfterKb, heapPerSaKb: (heapAfterKb - heapBeforeKb) / n } : {}),
      responderIkeSas: ikev2.filter((s) => s.state === 'established').length,
      responderChildSas: after.children.filter((c) => c.version === 2).length,
      responderPeers: peers,
      childRefused,
    };
  } finally {
    // A clean stop deletes every SA (a Delete to each peer): with thousands that takes a while; the
    // topology's destroy() kills what is left anyway.
    await g.stop().catch(() => g.proc.kill('SIGKILL'));
  }
}

async function measureSwan(t: Topology, dir: string, sources: string[], o: IkeBenchOptions, run: number): Promise<IkeMeasurement> {
  const c: Charon = await startCharon(t, t.gwB, swanResponderConfig(o.swanTableSize), { logLevels: { default: 1 } });
  try {
    await sleep(300);
    const rssBeforeKb = rssKb(c.pid), cpuBefore = cpuMs(c.pid);
    const load = await runGenerator(t, { sources, sas: o.sas, concurrency: o.concurrency, seconds: o.seconds, pskFile: join(dir, 'psk'), progress: o.progress });
    const responderCpuMs = cpuMs(c.pid) - cpuBefore;
    await sleep(500);
    const rssAfterKb = rssKb(c.pid);
    // "IKE_SAs: 1000 total, 0 half-open"
    const stats = c.swanctl('--stats');
    const ike = stats.match(/IKE_SAs:\s+(\d+) total/);
    return {
      responder: 'strongSwan', run, load, rssBeforeKb, rssAfterKb, rssPerSaKb: (rssAfterKb - rssBeforeKb) / Math.max(1, load.established),
      responderCpuMs, cpuMsPerSa: responderCpuMs / Math.max(1, load.established),
      responderIkeSas: ike ? Number(ike[1]) : undefined,
    };
  } finally {
    // SIGKILL: a clean stop would send a Delete for every SA to a generator that is gone.
    await c.kill('SIGKILL').catch(() => undefined);
    await c.stop().catch(() => undefined);
  }
}

export function summarize(ms: IkeMeasurement[]): { summary: IkeSummary[]; ratios?: IkeBenchReport['ratios'] } {
  const summary: IkeSummary[] = [];
  for (const responder of ['ipsecgw', 'strongSwan'] as const) {
    const mine = ms.filter((m) => m.responder === responder);
    if (mine.length === 0) continue;
    const heaps = mine.flatMap((m) => (m.heapPerSaKb !== undefined ? [m.heapPerSaKb] : []));
    summary.push({
      responder, runs: mine.length,
      rate: spread(mine.map((m) => m.load.steadyRate)),
      rssPerSaKb: spread(mine.map((m) => m.rssPerSaKb)),
      ...(heaps.length ? { heapPerSaKb: spread(heaps) } : {}),
      rssAfterMb: spread(mine.map((m) => m.rssAfterKb / 1024)),
      cpuMsPerSa: spread(mine.map((m) => m.cpuMsPerSa)),
      established: mine.reduce((n, m) => n + m.load.established, 0),
      failed: mine.reduce((n, m) => n + m.load.failed, 0),
    });
  }
  const a = summary.find((s) => s.responder === 'ipsecgw'), b = summary.find((s) => s.responder === 'strongSwan');
  return { summary, ratios: a && b ? { rate: a.rate.median / b.rate.median, rssPerSa: a.rssPerSaKb.median / b.rssPerSaKb.median, cpuPerSa: a.cpuMsPerSa.median / b.cpuMsPerSa.median } : undefined };
}

/** The whole benchmark: `runs` measurements per responder, alternating, in one topology. */
export async function runIke(o: IkeBenchOptions): Promise<Pick<IkeBenchReport, 'measurements' | 'summary' | 'ratios'>> {
  if (process.getuid?.() !== 0) throw new Error('bench ike needs root (network namespaces)');
  const responders = o.responders.filter((r) => r !== 'strongSwan' || haveStrongswan());
  if (responders.length < o.responders.length) o.progress?.('strongSwan is not installed: measuring ipsecgw alone');
  if (responders.length === 0) throw new Error('no responder to measure');
  const t = createTopology();
  const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-bench-ike-'));
  // Ctrl-C / SIGTERM: namespaces, their processes and files go before we do.
  const onSignal = (sig: NodeJS.Signals): void => {
    o.progress?.(`${sig}: cleaning up`);
    t.destroy();
    rmSync(dir, { recursive: true, force: true });
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  // Anything else that ends the process (an uncaught error, EPIPE on stderr): destroy() is synchronous.
  const onExit = (): void => {
    t.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', onExit);
  try {
    writeFileSync(join(dir, 'psk'), PSK, { mode: 0o600 });
    const sources = addSources(t, o.sources);
    const measurements: IkeMeasurement[] = [];
    const total = o.runs * responders.length;
    for (let run = 1; run <= o.runs; run++) {
      for (const responder of responders) {
        o.progress?.(`[${measurements.length + 1}/${total}] ${responder} responder, run ${run}: ${o.sas} SAs, ${o.concurrency} in flight from ${sources.length} addresses`);
        const m = responder === 'ipsecgw' ? await measureIpsecgw(t, dir, sources, o, run) : await measureSwan(t, dir, sources, o, run);
        measurements.push(m);
        o.progress?.(`[${measurements.length}/${total}] ${responder}: ${m.load.steadyRate.toFixed(0)} SAs/s steady (${m.load.established} established, ${m.load.failed} failed), ` +
          `${m.cpuMsPerSa.toFixed(2)} ms CPU/SA (generator ${(m.load.generatorCpuMs / Math.max(1, m.load.established)).toFixed(2)}), ` +
          `RSS ${(m.rssBeforeKb / 1024).toFixed(1)} → ${(m.rssAfterKb / 1024).toFixed(1)} MB, ${m.rssPerSaKb.toFixed(2)} kB/SA`);
      }
    }
    return { measurements, ...summarize(measurements) };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
    t.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function ikeTable(r: Pick<IkeBenchReport, 'summary' | 'ratios' | 'measurements'>): string {
  const lines = [
    '| responder | runs | SAs/s steady, median (min–max) | responder CPU per SA, ms | established / failed | RSS after, MB | RSS per SA, kB | V8 heap per SA, kB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const s of r.summary) {
    lines.push(`| ${s.responder} | ${s.runs} | ${formatSpread(s.rate, 0)} | ${formatSpread(s.cpuMsPerSa, 2)} | ${s.established} / ${s.failed} | ${formatSpread(s.rssAfterMb, 1)} | ${formatSpread(s.rssPerSaKb, 2)} | ${s.heapPerSaKb ? formatSpread(s.heapPerSaKb, 2) : '–'} |`);
  }
  if (r.ratios) lines.push('', `ipsecgw ÷ strongSwan (medians): rate ×${r.ratios.rate.toFixed(2)}, CPU per SA ×${r.ratios.cpuPerSa.toFixed(2)}, RSS per SA ×${r.ratios.rssPerSa.toFixed(2)}`);
  const refused = r.measurements.reduce((n, m) => n + (m.childRefused ?? 0), 0);
  if (refused) lines.push('', `ipsecgw's datapath refused ${refused} negotiated CHILD SAs (SAD full): see the report.`);
  return lines.join('\n');
}
