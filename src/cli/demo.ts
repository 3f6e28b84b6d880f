// `ipsecgw demo`: the embedded default. Two sites in network namespaces, hA — gwA ==== gwB — hB
// (src/lab/netns.ts), an ipsecgw gateway in each running the example pair config/demo-a.yaml and
// demo-b.yaml (staged by src/lab/demo.ts), an IKE tunnel brought up between them, ping both ways,
// a short iperf3 run, both gateways' status — then everything removed again: gateways stopped
// (they delete their SAs with the peer), namespaces deleted, temporary files gone. The same
// cleanup runs on failure (after the gateways' last log lines) and on SIGINT / SIGTERM.
//
// Exit codes: 0 done; 1 a step failed; 77 not root (sysexits.h EX_NOPERM); 69 a facility the demo
// needs is missing (EX_UNAVAILABLE); 128 + signal when interrupted (130 for Ctrl-C).
import { rmSync } from 'node:fs';
import { constants } from 'node:os';
import { relative } from 'node:path';
import type { CommandModule } from 'yargs';
import { request } from '../gateway/control.js';
import { bringUp, stageDemo, type StagedDemo, type TunnelUp } from '../lab/demo.js';
import { runGateway, type RunningGateway } from '../lab/gateways.js';
import { canUseNat, canUseNetns, createTopology, type Topology } from '../lab/netns.js';
import { haveIperf3, iperf, ping, type IperfResult, type PingResult } from '../lab/traffic.js';
import { formatPretty } from '../log.js';
import { EXIT } from './exit-codes.js';
import { formatStatus } from './status.js';

interface DemoArgs {
  ikev1: boolean;
  nat: boolean;
  seconds: number;
}

export const EXIT_NOT_ROOT = EXIT.NO_PERMISSION;
/** Network namespaces (or nftables, for --nat) cannot be used here. */
export const EXIT_UNAVAILABLE = EXIT.UNAVAILABLE;
/** Namespaces and interfaces of the demo start with this, then the pid (netns.ts). */
export const DEMO_PREFIX = 'igdemo';

const STEPS = 6;

/** Thrown at the next step once a signal asked the demo to stop. */
class Interrupted extends Error {}

class Demo {
  t?: Topology;
  staged?: StagedDemo;
  readonly gateways: Array<{ label: string; gw: RunningGateway }> = [];
  /** Log lines of a gateway that failed to start (runGateway's error carries them). */
  startFailure?: { label: string; lines: string[] };
  interrupted?: NodeJS.Signals;
  private cleaning?: Promise<string[]>;
  /** Rejects when a gateway exits before the cleanup stops it: every step races it. */
  private readonly died: Promise<never>;
  private gatewayDied!: (err: Error) => void;

  constructor(private readonly args: DemoArgs, private readonly say: (line: string) => void) {
    this.died = new Promise<never>((_, reject) => (this.gatewayDied = reject));
    this.died.catch(() => undefined); // raced by the steps; unobserved between them
  }

  /** A step's work, cut short when a gateway dies meanwhile. */
  private guard<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.died]);
  }

  private step(n: number, text: string): void {
    if (this.interrupted) throw new Interrupted();
    this.say(`[${n}/${STEPS}] ${text}`);
  }

  async run(): Promise<void> {
    const { ikev1, nat } = this.args;
    const version = ikev1 ? 'IKEv1 main mode' : 'IKEv2';
    this.say(`ipsecgw demo: two sites in network namespaces, an ${version} tunnel with a pre-shared key between them${nat ? ', a NAT on the way' : ''}`);

    this.step(1, 'building namespaces…');
    const t = (this.t = createTopology({ nat, prefix: DEMO_PREFIX }));
    const a = t.addr;
    this.say(`      ${t.namespaces.join(', ')}`);
    this.say(`      hA ${a.hA.lan4} — gwA ${a.gwA.wire4}${nat ? ` — NAT ${a.gwA.seen4} — ` : ' ==== '}gwB ${a.gwB.wire4} — hB ${a.hB.lan4}`);

    const d = (this.staged = stageDemo(t, { ikev1 }));
    const shown = (p: string): string => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p));
    this.step(2, `configurations ${shown(d.a.source)} and ${shown(d.b.source)}, copied to ${d.dir} (secrets at mode 0600); changed in the copies:`);
    for (const c of d.changes) this.say(`      ${c}`);

    this.step(3, `starting the gateways: ${d.a.name} in ${d.a.ns}, ${d.b.name} in ${d.b.ns}…`);
    await this.guard(Promise.all([this.start('gwA', d.a.ns, d.a.config, d.a.socket), this.start('gwB', d.b.ns, d.b.config, d.b.socket)]));

    this.step(4, `bringing the tunnel up (ipsecgw up ${d.a.conn}, on gwA)…`);
    const up = await this.guard(bringUp(d));
    this.say(`      tunnel up in ${up.seconds.toFixed(2)} s (${describe(up)})`);

    this.step(5, 'ping across the tunnel…');
    const pings = [
      { from: 'hA', to: 'hB', r: await this.guard(ping(t, t.hA, a.hB.lan4)) },
      { from: 'hB', to: 'hA', r: await this.guard(ping(t, t.hB, a.hA.lan4)) },
    ];
    for (const p of pings) this.say(`      ${p.from} → ${p.to} ${(p.to === 'hA' ? a.hA : a.hB).lan4}: ${pingText(p.r)}`);
    const lost = pings.find((p) => p.r.received === 0);
    if (lost) throw new Error(`no ping reply from ${lost.to} to ${lost.from}: the tunnel carries no traffic`);

    let throughput: IperfResult | undefined;
    if (this.args.seconds <= 0) this.step(6, 'throughput: skipped (--seconds 0)');
    else if (!haveIperf3()) this.step(6, 'throughput: skipped, iperf3 is not installed (apt-get install iperf3)');
    else {
      this.step(6, `throughput: iperf3, TCP from hA to hB for ${this.args.seconds} s…`);
      throughput = await this.guard(iperf(t, 1, this.args.seconds));
      this.say(`      ${throughput.gbps.toFixed(2)} Gbit/s, ${throughput.retransmits} retransmits`);
    }

    for (const { label, gw } of [...this.gateways].sort((x, y) => x.label.localeCompare(y.label))) {
      if (this.interrupted) throw new Interrupted();
      const status = await this.guard(request(gw.socket, { cmd: 'status' }));
      this.say(`\n── status of ${label} (ipsecgw status --socket ${gw.socket}) ──`);
      this.say(formatStatus(status as Parameters<typeof formatStatus>[0]));
    }
    const pingSum = pings.reduce((s, p) => ({ sent: s.sent + p.r.sent, received: s.received + p.r.received }), { sent: 0, received: 0 });
    this.say(`\nfigures: tunnel up in ${up.seconds.toFixed(2)} s · ping ${pingSum.received}/${pingSum.sent} replies, ` +
      `${pings.map((p) => (p.r.rttMs !== undefined ? `${p.r.rttMs.toFixed(2)} ms` : '–')).join(' / ')} average · ` +
      `throughput ${throughput ? `${throughput.gbps.toFixed(2)} Gbit/s` : 'not measured'}`);
  }

  private async start(label: string, ns: string, config: string, socket: string): Promise<void> {
    try {
      const gw = await runGateway(this.t!, ns, config, socket);
      this.gateways.push({ label, gw });
      gw.proc.once('exit', (code, signal) => {
        if (!this.cleaning) this.gatewayDied(new Error(`the gateway in ${label} exited unexpectedly (${signal ?? `exit code ${code}`})`));
      });
    } catch (err) {
      // runGateway's message: the reason, then every log line of the gateway.
      const [reason, ...lines] = (err as Error).message.split('\n');
      this.startFailure = { label, lines };
      throw new Error(reason);
    }
  }

  /** Gateways stopped, namespaces deleted, files removed — once, however often it is asked; what went wrong. */
  cleanup(): Promise<string[]> {
    this.cleaning ??= (async () => {
      const problems: string[] = [];
      const stopped = await Promise.allSettled(this.gateways.map(({ gw }) => gw.stop()));
      for (const s of stopped) if (s.status === 'rejected') problems.push((s.reason as Error).message);
      try {
        this.t?.destroy(); // kills whatever still runs in the namespaces (ping, iperf3, a gateway starting)
      } catch (err) {
        problems.push(`deleting the namespaces: ${(err as Error).message}`);
      }
      if (this.staged) rmSync(this.staged.dir, { recursive: true, force: true });
      return problems;
    })();
    return this.cleaning;
  }

  /** The last log lines of every gateway, readable. */
  lastLogLines(n = 12): string[] {
    const out: string[] = [];
    const logs = [
      ...this.gateways.map(({ label, gw }) => ({ label, lines: gw.logs.join('').split('\n') })),
      ...(this.startFailure ? [this.startFailure] : []),
    ].sort((x, y) => x.label.localeCompare(y.label));
    for (const { label, lines } of logs) {
      const tail = lines.filter((l) => l.trim()).slice(-n);
      out.push(`last log lines of ${label}:`, ...(tail.length ? tail.map((l) => `  ${formatPretty(l).trimEnd()}`) : ['  (none)']));
    }
    return out;
  }
}

/** "IKEv2 aes256-sha256-…, ESP aes128gcm16, 10.1.0.0/24 === 10.2.0.0/24, …" from the status answers. */
function describe(up: TunnelUp): string {
  const { ike, child } = up;
  // strongSwan's proposal syntax, as in the configuration: aes256-sha256-prfsha256-x25519.
  const a = ike.algorithms;
  const ikeAlgs = a ? [a.encr, a.integ, a.prf, a.dh].filter((x) => x !== undefined).join('-') : '';
  const end = (e: { address: string; port: number }): string => `${e.address}[${e.port}]`;
  const natted = ike.nat.local || ike.nat.remote;
  return [
    `IKEv${ike.version} ${end(ike.local)} ⇄ ${end(ike.remote)}, ${ikeAlgs}`,
    `ESP ${[child.algorithms.encr, child.algorithms.integ].filter(Boolean).join('-')}${child.encap === 'udp' ? ' in UDP' : ''}, SPIs in ${child.spiIn} out ${child.spiOut}`,
    `${child.localTs.join(' ')} === ${child.remoteTs.join(' ')}`,
    ...(natted ? [`NAT detected (${ike.nat.local ? 'in front of gwA' : 'in front of gwB'})`] : []),
  ].join('; ');
}

function pingText(r: PingResult): string {
  return `${r.received}/${r.sent} replies${r.rttMs !== undefined ? `, ${r.rttMs.toFixed(2)} ms average` : ''}`;
}

export const demoCommand: CommandModule<object, DemoArgs> = {
  command: 'demo',
  describe: 'two sites in network namespaces, an IKE tunnel between them, traffic through it, status shown; cleans up after itself (root)',
  builder: (y) => y
    .option('ikev1', { type: 'boolean', default: false, describe: 'IKEv1 main mode instead of IKEv2' })
    .option('nat', { type: 'boolean', default: false, describe: 'a NAT between the gateways (NAT traversal: IKE and ESP in UDP 4500)' })
    .option('seconds', { type: 'number', default: 3, describe: 'length of the iperf3 throughput test; 0 skips it' })
    .example('sudo $0 demo', 'IKEv2 with a pre-shared key, from config/demo-a.yaml and demo-b.yaml')
    .example('sudo $0 demo --ikev1 --nat', 'IKEv1 main mode through a NAT') as never,
  handler: async (args) => {
    const say = (line: string): void => void process.stdout.write(`${line}\n`);
    const fail = (line: string): void => void process.stderr.write(`${line}\n`);
    if (process.getuid?.() !== 0) {
      fail('ipsecgw demo: needs root (it creates network namespaces and TUN devices): run it with sudo');
      process.exitCode = EXIT_NOT_ROOT;
      return;
    }
    const missing = args.nat ? canUseNat() : canUseNetns();
    if (missing) {
      fail(`ipsecgw demo: ${missing}`);
      process.exitCode = EXIT_UNAVAILABLE;
      return;
    }

    let quiet = false;
    const demo = new Demo(args, (line) => {
      if (!quiet) say(line);
    });
    const onSignal = (signal: NodeJS.Signals): void => {
      if (demo.interrupted) return say(`${signal}: still cleaning up…`);
      demo.interrupted = signal;
      quiet = true; // the steps under way end as their processes go; they say nothing more
      say(`\n${signal}: stopping the demo…`);
      void demo.cleanup().then((problems) => {
        for (const p of problems) fail(`cleanup: ${p}`);
        say('cleaned up: gateways stopped, namespaces deleted, temporary files removed');
        process.exit(128 + constants.signals[signal]);
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    let failed = false;
    try {
      await demo.run();
    } catch (err) {
      if (demo.interrupted) return new Promise<never>(() => undefined); // onSignal exits
      failed = true;
      quiet = true;
      fail(`\nipsecgw demo failed: ${(err as Error).message}`);
      for (const l of demo.lastLogLines()) fail(l);
    }
    if (demo.interrupted) return new Promise<never>(() => undefined);
    const problems = await demo.cleanup();
    for (const p of problems) fail(`cleanup: ${p}`);
    say('cleaned up: gateways stopped, namespaces deleted, temporary files removed');
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.exitCode = failed || problems.length ? EXIT.FAILURE : EXIT.SUCCESS;
  },
};
