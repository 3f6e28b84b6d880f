// The running gateway (main thread): the TUN device and sockets, the ESP engine in shared memory,
// the datapath workers, the SAs and policies of the configuration, the control socket.
//
//   start:  TUN up with its MTU, routes to the remote selectors into it, sockets for the outer
//           families in use, SAs and policies into the engine, workers (tx, rx), IKE (UDP 500 here,
//           4500 through the rx worker) with its traps and `start: start` children, control socket,
//           metrics endpoint (when configured); then every capability but CAP_NET_ADMIN is dropped,
//           in every thread (privileges.ts)
//   reload: the file is read again (reload.ts compares it); manual SAs and IKE connections whose
//           configuration changed (or went away) are taken down — IKE SAs with a Delete to the
//           peer — and set up anew; the others keep their SAs, traps, timers and traffic
//   stop:   metrics endpoint closed, IKE SAs deleted (a Delete to each peer), workers stopped, every
//           SA wiped, descriptors closed (the TUN device and its routes go with its descriptor),
//           control socket removed
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import type { Server } from 'node:net';
import { rmSync } from 'node:fs';
import { formatDiagnostic } from '../config/diagnostics.js';
import type { Config, Connection, Diagnostic, LoadResult, ManualSa } from '../config/types.js';
import { formatAddress, parseAddress, type Prefix } from '../dataplane/addr.js';
import { AGGREGATE_BUFFER_BYTES, Engine, type PolicySpec, type SaSpec, type SelectorSpec } from '../dataplane/engine.js';
import {
  loadNative, oneSlot, TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6, TUN_F_TSO_ECN, TUN_F_USO4, TUN_F_USO6, type Native,
} from '../dataplane/native.js';
import { engineAlgorithms } from '../dataplane/suite.js';
import type { Role, WorkerMessage, WorkerSetup } from '../dataplane/worker.js';
import { Ikev1Daemon } from '../ike/v1/daemon.js';
import { Ikev2Daemon } from '../ike/v2/daemon.js';
import type { Logger } from '../log.js';
import { GatewayMetrics, type MetricsSnapshot } from '../metrics/registry.js';
import { serveMetrics, type MetricsServer } from '../metrics/server.js';
import { EngineKernel, pairTraffic, plusTraffic, type Traffic } from '../policy/kernel.js';
import { serveControl } from './control.js';
import { IkeIo } from './ike-io.js';
import { dropPrivileges } from './privileges.js';
import { down, up, type IkeControl } from './initiate.js';
import type { GatewayStatus, ManualSaStatus } from './status.js';
import { compare, connectionFingerprint, fixedSettingsChanged, manualFingerprint, planConnections, type Changes, type ConnectionPlan, type ReloadResult } from './reload.js';

const WORKER_URL = new URL('../dataplane/worker.js', import.meta.url);
const ESP = 50, AH = 51, NATT_PORT = 4500;
const SOCKET_BUFFER = 8 << 20;
/** The longest an `up` request waits for its outcome (the retransmissions of IKE end well before). */
const MAX_UP_WAIT_MS = 600_000;

const prefixText = (p: Prefix): string => `${formatAddress(p)}/${p.len}`;

/** What a manual entry installed: its SAs (engine indexes), policies and routes, and a fingerprint. */
interface Installed {
  sa: ManualSa;
  fingerprint: string;
  out: number;
  in: number;
  routes: string[];
}

export class Gateway {
  private readonly native: Native = loadNative();
  private engine!: Engine;
  private tun = -1;
  private readonly sockets: WorkerSetup['sockets'] = {};
  private readonly workers: Worker[] = [];
  /** The workers' roles, in lane order (lane 0 is the main thread's, the workers' from 1 on). */
  private roles: Role[] = [];
  private readonly installed = new Map<string, Installed>();
  private control?: Server;
  private readonly stopFlag = new SharedArrayBuffer(4);
  private wake = -1;
  private readonly startedAt = Date.now();
  private controlPackets = 0;
  private kernel!: EngineKernel;
  private ikeIo?: IkeIo;
  private ikev1?: Ikev1Daemon;
  private ikev2?: Ikev2Daemon;
  private metrics?: GatewayMetrics;
  private metricsServer?: MetricsServer;
  /** What manual entries that were replaced or removed (reload) carried: their counters go on from there. */
  private readonly manualRetired = new Map<string, Traffic>();
  /** Each connection's fingerprint as it was set up (reload.ts): what a reload compares against. */
  private readonly connectionPrints = new Map<string, string>();
  /** Reloads one at a time (a SIGHUP during `ipsecgw reload` waits for it). */
  private reloading: Promise<unknown> = Promise.resolve();

  /** `reread`: the configuration again, from where it came (`run -c FILE`), for SIGHUP and `ipsecgw reload`. */
  constructor(private config: Config, private readonly log: Logger, private readonly reread?: () => LoadResult) {
    for (const c of config.connections) this.connectionPrints.set(c.name, connectionFingerprint(c));
  }

  async start(): Promise<void> {
    const g = this.config.gateway;
    // With offloads the kernel hands over TCP/UDP super-packets (fewer reads) with checksums left to
    // finish; the workers cut them up (assembly/esp/gso.ts). USO needs Linux 6.2: tried, not required.
    this.tun = this.native.tunOpen(g.tun, { vnetHdr: true }).fd;
    const tso = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
    try {
      this.native.tunSetOffload(this.tun, tso | TUN_F_USO4 | TUN_F_USO6);
    } catch {
      this.native.tunSetOffload(this.tun, tso);
    }
    this.native.linkUp(g.tun, g.mtu);
    // A lane per worker: one that does both directions (`workers: 1`), or one outbound and one
    // inbound (more are not used yet: SAs would have to be shared out among them). SAs: both
    // directions of every manual entry and of every child (three generations each: a rekey
    // installs the new before the old goes), with room to spare for reloads that install the new
    // before retiring the old.
    const children = this.config.connections.reduce((n, c) => n + c.children.length, 0);
    const roaming = this.config.connections.some((c) => c.remote.address === 'any');
    const maxSas = g.maxSas ?? Math.max(64, 4 * this.config.manual.length + 8 * children + (roaming ? 4096 : 0));
    this.roles = g.workers === 1 ? ['both'] : ['tx', 'rx'];
    // Packet buffers take a UDP GRO aggregate (openSocket): untouched, their pages cost nothing.
    this.engine = new Engine({
      workers: this.roles.length, maxSas, maxPolicies: roaming ? Math.max(256, maxSas >> 1) : 256, batch: 128, tunSlots: 32,
      bufferSize: AGGREGATE_BUFFER_BYTES,
    });
    this.kernel = new EngineKernel(this.engine, {
      route: (op, prefix) => ip(prefix.includes(':') ? '-6' : '-4', 'route', op === 'add' ? 'replace' : 'del', prefix, 'dev', g.tun, ...(op === 'del' ? [{ quiet: true }] : [])),
      policiesChanged: () => this.applyPolicies(),
    });
    this.openSockets(this.config.manual);
    if (this.config.connections.length) this.openIkeSockets();
    for (const m of this.config.manual) this.install(m);
    this.applyPolicies();
    this.wake = this.native.eventfd();
    for (const [i, role] of this.roles.entries()) this.workers.push(await this.spawn(role, i + 1));
    if (g.metrics) this.metrics = new GatewayMetrics(() => this.metricsSnapshot());
    if (this.config.connections.length) await this.startIke();
    this.control = await serveControl(g.socket, (req) => this.handle(req));
    if (this.metrics && g.metrics) this.metricsServer = await serveMetrics(g.metrics.host, g.metrics.port, this.metrics, this.log);
    // Everything that takes privilege is open: from here on only ip(8) needs any, for routes.
    const privileges = dropPrivileges(this.native);
    this.log.info({ event: 'gateway.privileges', ...privileges }, `capabilities kept: ${privileges.kept.join(', ') || 'none'}`);
    this.log.info({ event: 'gateway.started', name: g.name, tun: g.tun, mtu: g.mtu, manual: this.config.manual.length, socket: g.socket }, 'gateway up');
  }

  /**
   * Raw ESP / AH sockets per outer family in use, UDP 4500 sockets where UDP encapsulation is.
   * Every raw socket gets a copy of every ESP packet, so there is one per family, read by the rx
   * worker alone. Buffers are large: the default (~200 KB) overflows on one burst of a fast peer,
   * and a raw socket that drops makes the kernel answer "protocol unreachable".
   */
  private openSockets(entries: readonly ManualSa[]): void {
    for (const m of entries) {
      if (m.encap) this.openSocket(m.local.family, 'udp');
      else this.openSocket(m.local.family, m.protocol === 'ah' ? AH : ESP);
    }
  }

  /** IKE may negotiate plain or UDP-encapsulated ESP: both socket kinds for every listen family. */
  private openIkeSockets(): void {
    for (const family of new Set(this.config.gateway.listen.map((a) => a.family))) {
      this.openSocket(family, 'udp');
      this.openSocket(family, ESP);
    }
  }

  /**
   * The raw socket of an IP protocol, or the UDP 4500 socket, of a family, unless it is open. UDP
   * takes GRO aggregates (UDP_GRO): a peer's UDP_SEGMENT run arrives as one read, which readBatch
   * cuts into datagrams; without it the kernel cuts it up on receive, datagram by datagram
   * (measured: bench e2e aes128gcm16 9–16 % faster with it, in alternating runs).
   */
  private openSocket(family: 4 | 6, what: 'udp' | typeof ESP | typeof AH): void {
    const kind = what === 'udp' ? (family === 4 ? 'udp4' : 'udp6') : family === 4 ? 'raw4' : 'raw6';
    if (this.sockets[kind] !== undefined) return;
    const fd = what === 'udp'
      ? this.native.udpSocket(family, family === 4 ? '0.0.0.0' : '::', NATT_PORT, { reusePort: true, gro: true })
      : this.native.rawSocket(family, what);
    this.native.socketBuffers(fd, SOCKET_BUFFER, SOCKET_BUFFER);
    this.sockets[kind] = fd;
  }

  private async startIke(): Promise<void> {
    const listen = this.config.gateway.listen.map(formatAddress);
    this.ikeIo = new IkeIo(this.native, { udp4: this.sockets.udp4, udp6: this.sockets.udp6 }, this.log);
    const o = { connections: this.config.connections, transport: this.ikeIo, kernel: this.kernel, log: this.log, listen, deliver: (p: Uint8Array) => this.reinject(p) };
    this.ikev1 = new Ikev1Daemon({ ...o, counters: this.metrics?.counters(1) });
    this.ikev2 = new Ikev2Daemon({ ...o, counters: this.metrics?.counters(2) });
    this.ikeIo.onMessage((to, from, message) => {
      // RFC 2408 §3.1 / RFC 7296 §3.1: the version byte tells IKEv1 (1.x) from IKEv2 (2.x).
      const major = message.length > 17 ? message[17] >> 4 : 0;
      if (major === 1) this.ikev1?.receive(to, from, message);
      else if (major === 2) this.ikev2?.receive(to, from, message);
    });
    await this.ikeIo.open(listen.filter((a) => !isUnspecifiedText(a)));
    this.ikev1.start();
    this.ikev2.start();
  }

  private spawn(role: Role, lane: number): Promise<Worker> {
    const setup: WorkerSetup = {
      plan: this.engine.plan, lane, role, tun: { fd: this.tun, vnetHdr: true }, sockets: this.sockets,
      wake: this.wake, control: this.stopFlag,
    };
    const w = new Worker(WORKER_URL, { workerData: setup });
    w.on('message', (m: WorkerMessage) => this.onWorker(m));
    w.on('error', (err) => this.log.error({ event: 'worker.failed', role, err: err.message }, 'datapath worker failed'));
    w.on('exit', (code) => {
      if (Atomics.load(new Int32Array(this.stopFlag), 0) === 0) this.log.error({ event: 'worker.exited', role, code }, `datapath worker ${role} exited: no traffic flows that way`);
    });
    return new Promise((resolve, reject) => {
      w.once('message', (m: WorkerMessage) => (m.type === 'ready' ? resolve(w) : reject(new Error(m.type === 'error' ? m.message : `worker ${role}: ${m.type}`))));
      w.once('error', reject);
    });
  }

  private onWorker(m: WorkerMessage): void {
    if (m.type === 'control') {
      // An IKE message on 4500, or a packet that hit a trap policy (its id in aux).
      this.controlPackets++;
      if (m.reason === 'ike') this.ikeIo?.fromDatapath(m.packet);
      else if (m.reason === 'trap') {
        // Each daemon knows its own trap IDs.
        this.ikev1?.acquire(m.aux);
        this.ikev2?.acquire(m.aux, m.packet);
      }
      else this.log.debug({ event: 'datapath.control', reason: m.reason, bytes: m.packet.length }, 'packet for the control plane');
    } else if (m.type === 'error') {
      this.log.error({ event: 'worker.failed', err: m.message }, 'datapath worker failed');
    } else if (m.type === 'segment-off') {
      this.log.warn({ event: 'datapath.segment_off', code: m.code }, 'the kernel refused a UDP_SEGMENT send: ESP-in-UDP goes datagram by datagram from now on');
    }
  }

  /**
   * A packet that waited for its SA, sent again: through the raw socket it is routed like any
   * locally sent packet — into the TUN device, where the datapath now finds its SA.
   */
  private reinject(packet: Uint8Array): void {
    const v6 = packet[0] >> 4 === 6, fd = v6 ? this.sockets.raw6 : this.sockets.raw4;
    if (fd === undefined) return;
    try {
      this.native.writeBatch(fd, v6 ? 'raw6' : 'raw4', oneSlot(packet), 0, 1, 1);
    } catch (err) {
      this.log.debug({ event: 'datapath.reinject_failed', err: (err as Error).message }, 'held packet not sent');
    }
  }

  /** The engine SAs of a manual entry (both directions) and the routes into the TUN device. */
  private install(m: ManualSa): void {
    const alg = engineAlgorithms(m.suite);
    const selectors: SelectorSpec[] = pairs(m).map(([l, r]) => ({ local: prefixText(l), remote: prefixText(r) }));
    const common: Omit<SaSpec, 'spi' | 'direction' | 'src' | 'dst' | 'key'> = {
      ...alg, mode: m.mode, protocol: m.protocol, esn: m.suite.esn, df: m.df,
      encap: m.encap, selectors: selectors.slice(0, 8),
    };
    const local = formatAddress(m.local), remote = formatAddress(m.remote);
    const out = this.engine.installSa({ ...common, spi: m.out.spi, direction: 'out', src: local, dst: remote, key: m.out.key });
    const inn = this.engine.installSa({
      ...common, spi: m.in.spi, direction: 'in', src: remote, dst: local, key: m.in.key, window: m.replayWindow,
      encap: m.encap ? { sport: m.encap.dport, dport: m.encap.sport } : undefined,
    });
    const routes = m.mode === 'tunnel' ? m.remoteTs.map(prefixText) : [];
    for (const r of routes) ip(r.includes(':') ? '-6' : '-4', 'route', 'replace', r, 'dev', this.config.gateway.tun);
    this.installed.set(m.name, { sa: m, fingerprint: manualFingerprint(m), out, in: inn, routes });
    this.log.info({
      event: 'manual.installed', name: m.name, local, remote, mode: m.mode, protocol: m.protocol, encr: m.suite.encr.name, integ: m.suite.integ?.name,
      encap: m.encap ? 'udp' : 'none', spiIn: hex(m.in.spi), spiOut: hex(m.out.spi),
    }, 'manual SA installed');
  }

  private async uninstall(name: string): Promise<void> {
    const it = this.installed.get(name);
    if (!it) return;
    this.installed.delete(name);
    this.applyPolicies();
    for (const r of it.routes) ip(r.includes(':') ? '-6' : '-4', 'route', 'del', r, 'dev', this.config.gateway.tun, { quiet: true });
    const [o, i] = await Promise.all([this.engine.retireSa(it.out), this.engine.retireSa(it.in)]);
    this.manualRetired.set(name, plusTraffic(this.manualRetired.get(name), pairTraffic(i, o)));
    this.log.info({ event: 'manual.removed', name }, 'manual SA removed');
  }

  /** Outbound policies: every selector pair of every manual entry → its outbound SA; then IKE's children and traps. */
  private applyPolicies(): void {
    const policies: PolicySpec[] = [];
    for (const it of this.installed.values()) {
      for (const [l, r] of pairs(it.sa)) policies.push({ local: prefixText(l), remote: prefixText(r), action: 'protect', sa: it.out });
    }
    policies.push(...this.kernel.policies());
    this.engine.setPolicies(policies);
  }

  /**
   * SIGHUP and `ipsecgw reload`: the configuration file read again and applied. A file with errors
   * changes nothing: its diagnostics are logged (FILE:LINE:COL) and returned.
   */
  async rereadConfig(): Promise<ReloadResult | { errors: string[] }> {
    if (!this.reread) throw new Error('this gateway was not started from a file: nothing to reload');
    const { config, diagnostics } = this.reread();
    logDiagnostics(this.log, diagnostics);
    if (!config) {
      const errors = diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
      this.log.error({ event: 'config.reload_failed', reason: `${errors.length} error(s) in the file`, errors: errors.length }, 'configuration has errors: keeping the running one');
      return { errors };
    }
    return this.reload(config);
  }

  /** Applies a new configuration: entries whose configuration changed are replaced, the others untouched. */
  reload(config: Config): Promise<ReloadResult> {
    const run = this.reloading.then(() => this.apply(config));
    this.reloading = run.catch(() => undefined);
    return run;
  }

  private async apply(next: Config): Promise<ReloadResult> {
    const restart = fixedSettingsChanged(this.config.gateway, next.gateway);
    // The datapath workers got their sockets at start and cannot take more, nor can the gateway open
    // one (CAP_NET_RAW and CAP_NET_BIND_SERVICE are dropped after start): an entry that needs one
    // the gateway has not opened waits for a restart (as does IKE, when it was not started).
    const runningManual = new Map(this.config.manual.map((m) => [m.name, m]));
    const manual = next.manual.flatMap((m) => {
      if (this.hasSocketFor(m)) return [m];
      restart.push(`manual.${m.name}`);
      const was = runningManual.get(m.name);
      return was ? [was] : [];
    });
    let connections = next.connections;
    if (!this.ikev1 && connections.length) {
      restart.push(...connections.map((c) => `connections.${c.name}`));
      connections = [];
    }
    if (restart.length) {
      this.log.warn({ event: 'config.restart_needed', settings: restart }, `${restart.join(', ')}: not changed while running (a restart applies it); the running state stays`);
    }

    const m = await this.reloadManual(manual);
    const c = await this.reloadConnections(connections);
    const held = new Set(restart);
    const r: ReloadResult = {
      kept: [...m.kept, ...c.kept].filter((n) => !held.has(`manual.${n}`)),
      replaced: [...m.replaced, ...c.replaced],
      added: [...m.added, ...c.added],
      removed: [...m.removed, ...c.removed],
      restart,
    };
    this.config = { ...next, gateway: this.config.gateway, manual, connections: c.connections };
    this.log.info({ event: 'config.reloaded', kept: r.kept, replaced: r.replaced, added: r.added, removed: r.removed, restart: r.restart.length ? r.restart : undefined }, 'configuration reloaded');
    return r;
  }

  /** Whether the worker threads have the socket this manual entry sends and receives on. */
  private hasSocketFor(m: ManualSa): boolean {
    const fam = m.local.family;
    return this.sockets[m.encap ? (fam === 4 ? 'udp4' : 'udp6') : fam === 4 ? 'raw4' : 'raw6'] !== undefined;
  }

  private async reloadManual(entries: readonly ManualSa[]): Promise<Changes> {
    const changes = compare(new Map([...this.installed].map(([name, it]) => [name, it.fingerprint])), new Map(entries.map((m) => [m.name, manualFingerprint(m)])));
    for (const name of [...changes.replaced, ...changes.removed]) await this.uninstall(name);
    for (const m of entries) if (!this.installed.has(m.name)) this.install(m);
    this.applyPolicies();
    return changes;
  }

  /**
   * IKE connections: the daemons get the new list with the unchanged connections as the objects
   * they run with, take down the changed and removed ones (a Delete to the peer) and set up the
   * changed and added ones per `start`.
   */
  private async reloadConnections(entries: readonly Connection[]): Promise<ConnectionPlan> {
    const plan = planConnections(this.config.connections, this.connectionPrints, entries);
    await Promise.all([this.ikev1?.reload(plan.connections, plan.gone, plan.fresh), this.ikev2?.reload(plan.connections, plan.gone, plan.fresh)]);
    this.connectionPrints.clear();
    for (const [name, fp] of plan.prints) this.connectionPrints.set(name, fp);
    return plan;
  }

  private async handle(req: { cmd: string; name?: string; child?: string; timeout?: number }): Promise<unknown> {
    switch (req.cmd) {
      case 'status': return this.status();
      case 'reload': return this.rereadConfig();
      case 'up': {
        const { conn, daemon } = this.ikeConnection(req.name);
        if (req.child !== undefined && !conn.children.some((c) => c.name === req.child)) {
          throw new Error(`connection '${conn.name}' has no child '${req.child}' (its children: ${conn.children.map((c) => c.name).join(', ')})`);
        }
        // With a timeout (ms, at most MAX_UP_WAIT_MS), the answer waits for the outcome (initiate.ts); without, it comes at once.
        const timeout = typeof req.timeout === 'number' && req.timeout > 0 ? Math.min(req.timeout, MAX_UP_WAIT_MS) : undefined;
        return up(daemon, conn, req.child, timeout);
      }
      case 'down': {
        const { conn, daemon } = this.ikeConnection(req.name);
        return down(daemon, conn);
      }
      default: throw new Error(`unknown command '${req.cmd}'`);
    }
  }

  /** A connection by name, with the daemon of its version; the error lists the names there are. */
  private ikeConnection(name: string | undefined): { conn: Connection; daemon: IkeControl } {
    const conns = this.config.connections;
    const conn = conns.find((c) => c.name === name);
    if (!conn) {
      const manual = this.config.manual.some((m) => m.name === name);
      const known = conns.length ? `connections: ${conns.map((c) => c.name).join(', ')}` : 'no IKE connections are configured';
      throw new Error(name === undefined ? `name a connection (${known})`
        : manual ? `'${name}' is a manual entry: its SAs are installed as long as it is configured (${known})`
          : `no connection '${name}' (${known})`);
    }
    const daemon = conn.version === 1 ? this.ikev1 : this.ikev2;
    if (!daemon) throw new Error(`connection '${conn.name}': IKE is not running`);
    return { conn, daemon };
  }

  status(): GatewayStatus {
    const sa = (i: number, spi: number): ManualSaStatus => {
      const s = this.engine.saStatus(i);
      return {
        spi: hex(spi), state: s.state, seq: String(s.seq), packets: String(s.packets), bytes: String(s.bytes), used: String(s.used),
        soft: s.soft, peerMoved: s.peerMoved, ...(s.peer ? { peer: formatAddress(s.peer) } : {}), peerPort: s.peerPort, drops: s.drops,
      };
    };
    const v1 = this.ikev1?.status(), v2 = this.ikev2?.status();
    const strings = (r: Record<string, bigint>): Record<string, string> => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)]));
    return {
      gateway: this.config.gateway.name,
      uptime: Math.round((Date.now() - this.startedAt) / 1000),
      tun: this.config.gateway.tun,
      ike: [...(v1?.ike ?? []), ...(v2?.ike ?? [])],
      children: [...(v1?.children ?? []), ...(v2?.children ?? [])],
      manual: [...this.installed.values()].map((it) => ({
        name: it.sa.name,
        mode: it.sa.mode,
        protocol: it.sa.protocol,
        local: formatAddress(it.sa.local),
        remote: formatAddress(it.sa.remote),
        encap: it.sa.encap ? 'udp' : 'none',
        localTs: it.sa.localTs.map(prefixText),
        remoteTs: it.sa.remoteTs.map(prefixText),
        out: sa(it.out, it.sa.out.spi),
        in: sa(it.in, it.sa.in.spi),
      })),
      ikeMessages: { ...(v1 ? { v1: v1.stats } : {}), ...(v2 ? { v2: v2.stats } : {}) },
      datapath: this.roles.map((role, i) => {
        const l = this.engine.laneStats(i + 1);
        return { role, encap: String(l.encap), decap: String(l.decap), drops: strings(l.drops) };
      }),
      controlPackets: this.controlPackets,
      // Bytes: rss, heapTotal, heapUsed, external, arrayBuffers (the engine's shared memory counts there).
      memory: { ...process.memoryUsage() },
    };
  }

  /**
   * What the metrics endpoint shows, read in one go (a scrape never sees an SA pair both removed and
   * not yet counted as retired: both happen in one turn of the event loop).
   */
  private metricsSnapshot(): MetricsSnapshot {
    const manual = new Map(this.manualRetired);
    const states: string[] = [];
    for (const it of this.installed.values()) {
      const o = this.engine.saStatus(it.out), i = this.engine.saStatus(it.in);
      states.push(o.state !== 'active' ? o.state : i.state);
      manual.set(it.sa.name, plusTraffic(manual.get(it.sa.name), pairTraffic(i, o)));
    }
    const versions = new Set(this.config.connections.map((c) => c.version));
    return {
      ike: [
        ...(this.ikev1 && versions.has(1) ? [{ version: 1 as const, ...this.ikev1.states() }] : []),
        ...(this.ikev2 && versions.has(2) ? [{ version: 2 as const, ...this.ikev2.states() }] : []),
      ],
      children: this.kernel.traffic(),
      manual: [...manual].map(([entry, t]) => ({ entry, ...t })),
      manualStates: states,
      lanes: this.roles.map((role, i) => ({ role, drops: this.engine.laneStats(i + 1).drops, batches: this.engine.laneBatches(i + 1) })),
    };
  }

  async stop(): Promise<void> {
    await this.metricsServer?.close();
    // IKE first, while the workers still run: Deletes reach the peers, SAs retire cleanly.
    await Promise.all([this.ikev1?.stop(), this.ikev2?.stop()]);
    await this.ikeIo?.close();
    Atomics.store(new Int32Array(this.stopFlag), 0, 1);
    if (this.wake >= 0) this.native.eventfdSignal(this.wake);
    await Promise.all(this.workers.map((w) => new Promise<void>((resolve) => {
      w.once('exit', () => resolve());
      setTimeout(() => void w.terminate(), 2000).unref();
    })));
    // Workers are gone: SAs can be wiped at once, keys included.
    for (const it of this.installed.values()) {
      this.engine.removeSa(it.out);
      this.engine.removeSa(it.in);
    }
    this.installed.clear();
    for (const fd of [...Object.values(this.sockets), this.wake, this.tun]) if (fd !== undefined && fd >= 0) this.native.close(fd);
    if (this.control) {
      await new Promise<void>((resolve) => this.control!.close(() => resolve()));
      rmSync(this.config.gateway.socket, { force: true });
    }
    this.log.info({ event: 'gateway.stopped', name: this.config.gateway.name }, 'gateway stopped');
  }
}

/** The selector pairs of an entry: every local prefix with every remote prefix of its family. */
function pairs(m: ManualSa): Array<[Prefix, Prefix]> {
  return m.localTs.flatMap((l) => m.remoteTs.filter((r) => r.family === l.family).map((r): [Prefix, Prefix] => [l, r]));
}

/** Every diagnostic of a configuration as its own log line, FILE:LINE:COL: message. */
export function logDiagnostics(log: Logger, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    const line = formatDiagnostic(d);
    if (d.severity === 'error') log.error({ event: 'config.error', file: d.file, line: d.line, col: d.col }, line);
    else log.warn({ event: 'config.warning', file: d.file, line: d.line, col: d.col }, line);
  }
}

const isUnspecifiedText = (a: string): boolean => parseAddress(a).bytes.every((b) => b === 0);

const hex = (spi: number): string => `0x${spi.toString(16).padStart(8, '0')}`;

/** An `ip` route change takes milliseconds; one stuck longer must not freeze IKE and the control socket with it. */
const IP_TIMEOUT_MS = 10_000;

function ip(...args: Array<string | { quiet: boolean }>): void {
  const quiet = typeof args[args.length - 1] === 'object';
  const argv = args.filter((a): a is string => typeof a === 'string');
  try {
    execFileSync('ip', argv, { stdio: ['ignore', 'ignore', 'pipe'], timeout: IP_TIMEOUT_MS, killSignal: 'SIGKILL' });
  } catch (err) {
    const e = err as { stderr?: Buffer; code?: string; signal?: string };
    const why = e.signal ? `no answer within ${IP_TIMEOUT_MS / 1000} s` : e.stderr?.toString().trim() || String(err);
    if (!quiet) throw new Error(`ip ${argv.join(' ')}: ${why}`);
  }
}
