// The running gateway (main thread): the TUN device and sockets, the ESP engine in shared memory,
// the datapath workers, the SAs and policies of the configuration, the control socket.
//
//   start:  TUN up with its MTU, routes to the remote selectors into it, sockets for the outer
//           families in use, SAs and policies into the engine, workers (tx, rx), IKE (UDP 500 here,
//           4500 through the rx worker) with its traps and `start: start` children, control socket
//   reload: SAs whose configuration changed (or went away) are retired, new ones installed; the
//           others keep their state and traffic
//   stop:   IKE SAs deleted (a Delete to each peer), workers stopped, every SA wiped, descriptors
//           closed (the TUN device and its routes go with its descriptor), control socket removed
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Server } from 'node:net';
import { rmSync } from 'node:fs';
import type { Config, ManualSa } from '../config/types.js';
import { formatAddress, parseAddress, type Prefix } from '../dataplane/addr.js';
import { Engine, type PolicySpec, type SaSpec, type SelectorSpec } from '../dataplane/engine.js';
import {
  loadNative, oneSlot, TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6, TUN_F_TSO_ECN, TUN_F_USO4, TUN_F_USO6, type Native,
} from '../dataplane/native.js';
import { engineAlgorithms } from '../dataplane/suite.js';
import type { Role, WorkerMessage, WorkerSetup } from '../dataplane/worker.js';
import { Ikev1Daemon } from '../ike/v1/daemon.js';
import { Ikev2Daemon } from '../ike/v2/daemon.js';
import type { Logger } from '../log.js';
import { EngineKernel } from '../policy/kernel.js';
import { serveControl } from './control.js';
import { IkeIo } from './ike-io.js';

const WORKER_URL = new URL('../dataplane/worker.js', import.meta.url);
const ESP = 50, AH = 51, NATT_PORT = 4500;
const SOCKET_BUFFER = 8 << 20;

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

  constructor(private config: Config, private readonly log: Logger) {}

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
    // Two lanes for the workers; SAs: both directions of every manual entry and of every child
    // (three generations each: a rekey installs the new before the old goes), with room to spare
    // for reloads that install the new before retiring the old.
    const children = this.config.connections.reduce((n, c) => n + c.children.length, 0);
    const roaming = this.config.connections.some((c) => c.remote.address === 'any');
    const maxSas = g.maxSas ?? Math.max(64, 4 * this.config.manual.length + 8 * children + (roaming ? 4096 : 0));
    this.engine = new Engine({ workers: 2, maxSas, maxPolicies: roaming ? Math.max(256, maxSas >> 1) : 256, batch: 128, tunSlots: 32 });
    this.kernel = new EngineKernel(this.engine, {
      route: (op, prefix) => ip(prefix.includes(':') ? '-6' : '-4', 'route', op === 'add' ? 'replace' : 'del', prefix, 'dev', g.tun, ...(op === 'del' ? [{ quiet: true }] : [])),
      policiesChanged: () => this.applyPolicies(),
    });
    this.openSockets(this.config.manual);
    if (this.config.connections.length) this.openIkeSockets();
    for (const m of this.config.manual) this.install(m);
    this.applyPolicies();
    this.wake = this.native.eventfd();
    for (const [i, role] of (['tx', 'rx'] as Role[]).entries()) this.workers.push(await this.spawn(role, i + 1));
    if (this.config.connections.length) await this.startIke();
    this.control = await serveControl(g.socket, (req) => this.handle(req));
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
      const fam = m.local.family;
      const kind = m.encap ? (fam === 4 ? 'udp4' : 'udp6') : fam === 4 ? 'raw4' : 'raw6';
      if (this.sockets[kind] !== undefined) continue;
      const fd = m.encap
        ? this.native.udpSocket(fam, fam === 4 ? '0.0.0.0' : '::', NATT_PORT, { reusePort: true })
        : this.native.rawSocket(fam, m.protocol === 'ah' ? AH : ESP);
      this.native.socketBuffers(fd, SOCKET_BUFFER, SOCKET_BUFFER);
      this.sockets[kind] = fd;
    }
  }

  /** IKE may negotiate plain or UDP-encapsulated ESP: both socket kinds for every listen family. */
  private openIkeSockets(): void {
    for (const family of new Set(this.config.gateway.listen.map((a) => a.family))) {
      const udp = family === 4 ? 'udp4' : 'udp6', raw = family === 4 ? 'raw4' : 'raw6';
      if (this.sockets[udp] === undefined) {
        this.sockets[udp] = this.native.udpSocket(family, family === 4 ? '0.0.0.0' : '::', NATT_PORT, { reusePort: true });
        this.native.socketBuffers(this.sockets[udp]!, SOCKET_BUFFER, SOCKET_BUFFER);
      }
      if (this.sockets[raw] === undefined) {
        this.sockets[raw] = this.native.rawSocket(family, ESP);
        this.native.socketBuffers(this.sockets[raw]!, SOCKET_BUFFER, SOCKET_BUFFER);
      }
    }
  }

  private async startIke(): Promise<void> {
    const listen = this.config.gateway.listen.map(formatAddress);
    this.ikeIo = new IkeIo(this.native, { udp4: this.sockets.udp4, udp6: this.sockets.udp6 }, this.log);
    const o = { connections: this.config.connections, transport: this.ikeIo, kernel: this.kernel, log: this.log, listen, deliver: (p: Uint8Array) => this.reinject(p) };
    this.ikev1 = new Ikev1Daemon(o);
    this.ikev2 = new Ikev2Daemon(o);
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
    this.installed.set(m.name, { sa: m, fingerprint: fingerprint(m), out, in: inn, routes });
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
    await Promise.all([this.engine.retireSa(it.out), this.engine.retireSa(it.in)]);
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

  /** SIGHUP: entries whose configuration changed are replaced, the others untouched. */
  async reload(config: Config): Promise<{ kept: string[]; replaced: string[]; added: string[]; removed: string[] }> {
    const next = new Map(config.manual.map((m) => [m.name, m]));
    const kept: string[] = [], replaced: string[] = [], added: string[] = [], removed: string[] = [];
    for (const [name, it] of [...this.installed]) {
      const m = next.get(name);
      if (m && fingerprint(m) === it.fingerprint) kept.push(name);
      else {
        await this.uninstall(name);
        (m ? replaced : removed).push(name);
      }
    }
    this.openSockets(config.manual); // a new entry may need a socket the old ones did not
    for (const m of config.manual) {
      if (this.installed.has(m.name)) continue;
      this.install(m);
      if (!replaced.includes(m.name)) added.push(m.name);
    }
    this.applyPolicies();
    this.config = config;
    this.log.info({ event: 'config.reloaded', kept, replaced, added, removed }, 'configuration reloaded');
    return { kept, replaced, added, removed };
  }

  private async handle(req: { cmd: string; name?: string; child?: string }): Promise<unknown> {
    switch (req.cmd) {
      case 'status': return this.status();
      case 'up':
        if (!req.name) throw new Error("'up' needs a connection name");
        this.ikeDaemon(req.name).initiate(req.name, req.child);
        return { initiated: req.name };
      case 'down':
        if (!req.name) throw new Error("'down' needs a connection name");
        await this.ikeDaemon(req.name).terminate(req.name);
        return { terminated: req.name };
      default: throw new Error(`unknown command '${req.cmd}'`);
    }
  }

  private ikeDaemon(name: string): Ikev1Daemon | Ikev2Daemon {
    const conn = this.config.connections.find((c) => c.name === name);
    if (!conn) throw new Error(`no connection '${name}'`);
    const d = conn.version === 1 ? this.ikev1 : this.ikev2;
    if (!d) throw new Error(`connection '${name}': IKE is not running`);
    return d;
  }

  status(): unknown {
    const sa = (i: number, spi: number): object => ({ spi: hex(spi), ...this.engine.saStatus(i) });
    return {
      gateway: this.config.gateway.name,
      uptime: Math.round((Date.now() - this.startedAt) / 1000),
      tun: this.config.gateway.tun,
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
      ...(this.ikev1 ? { ikev1: this.ikev1.status() } : {}),
      ...(this.ikev2 ? { ikev2: this.ikev2.status() } : {}),
      datapath: this.engine.plan.lanes.slice(1).map((_, i) => this.engine.laneStats(i + 1)),
      controlPackets: this.controlPackets,
      // Bytes: rss, heapTotal, heapUsed, external, arrayBuffers (the engine's shared memory counts there).
      memory: process.memoryUsage(),
    };
  }

  async stop(): Promise<void> {
    // IKE first, while the workers still run: Deletes reach the peers, SAs retire cleanly.
    await Promise.all([this.ikev1?.stop(), this.ikev2?.stop()]);
    this.ikeIo?.close();
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

/** What decides whether a reload must replace an entry: everything, keys included (hashed). */
function fingerprint(m: ManualSa): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(m, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v)));
  return h.digest('hex');
}

const isUnspecifiedText = (a: string): boolean => parseAddress(a).bytes.every((b) => b === 0);

const hex = (spi: number): string => `0x${spi.toString(16).padStart(8, '0')}`;

function ip(...args: Array<string | { quiet: boolean }>): void {
  const quiet = typeof args[args.length - 1] === 'object';
  const argv = args.filter((a): a is string => typeof a === 'string');
  try {
    execFileSync('ip', argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    if (!quiet) throw new Error(`ip ${argv.join(' ')}: ${(err as { stderr?: Buffer }).stderr?.toString().trim() ?? err}`);
  }
}
