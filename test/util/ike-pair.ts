// Two IKE daemons in one process, joined by an in-memory "wire" — the wireguard-go way of testing
// a protocol core without sockets. Each side has a real ESP engine behind an EngineKernel, so a
// test can push a packet through the CHILD SAs both ways and prove the two sides derived the same
// keys. The wire can drop, duplicate or rewrite datagrams (a NAT), and records a transcript of
// the messages as their receivers decoded them.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/load.js';
import type { IkeDaemonStatus } from '../../src/ike/status.js';
import type { Config } from '../../src/config/types.js';
import { Engine } from '../../src/dataplane/engine.js';
import type { Endpoint, IkeTransport } from '../../src/ike/endpoint.js';
import { Ikev1Daemon, type RetransmitPolicy } from '../../src/ike/v1/daemon.js';
import { Ikev2Daemon } from '../../src/ike/v2/daemon.js';
import { createLogger, type Logger } from '../../src/log.js';
import { EngineKernel } from '../../src/policy/kernel.js';
import { udpPacket } from './packets.js';

/** What the tests use of either daemon. */
export interface Daemon {
  receive(to: Endpoint, from: Endpoint, data: Uint8Array): void;
  start(): void;
  stop(): Promise<void>;
  status(): IkeDaemonStatus;
  initiate(conn: string, child?: string): void;
}

export interface Side {
  name: 'A' | 'B';
  config: Config;
  engine: Engine;
  kernel: EngineKernel;
  daemon: Daemon;
  /** Every log line as an object. */
  logs: Array<Record<string, unknown>>;
  /** Every log line as pino wrote it (JSON text). */
  lines: string[];
  log: Logger;
}

export interface Datagram {
  from: Endpoint;
  to: Endpoint;
  data: Uint8Array;
}

/** Decides a datagram's fate on the wire: deliver (possibly rewritten), or drop (null). */
export type WireFilter = (d: Datagram, sender: 'A' | 'B') => Datagram | null;

export interface Pair {
  a: Side;
  b: Side;
  /** Datagrams in flight are delivered asynchronously (setImmediate), in order. */
  filter: WireFilter;
  sent: Array<Datagram & { sender: 'A' | 'B' }>;
  /** Waits until `pred` holds, polling every 10 ms. */
  until(pred: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

/** A side's address on the wire: A is 192.0.2.1, B 192.0.2.2 (or the IPv6 pair). */
export const ADDR = { A: '192.0.2.1', B: '192.0.2.2' } as const;

/**
 * One side of the pair as the test configurations write it: its address and the peer's, its
 * default selectors (A: 10.1.0.0/24, B: 10.2.0.0/24) and the YAML lines every configuration
 * starts with (`gateway:` … `connections:`), connections to follow.
 */
export function sideOf(side: 'A' | 'B'): { me: string; peer: string; lts: string; rts: string; head: string[] } {
  const me = ADDR[side], peer = ADDR[side === 'A' ? 'B' : 'A'];
  const [lts, rts] = side === 'A' ? ['10.1.0.0/24', '10.2.0.0/24'] : ['10.2.0.0/24', '10.1.0.0/24'];
  return { me, peer, lts, rts, head: ['gateway:', `  name: ${side.toLowerCase()}`, `  listen: [${me}]`, 'connections:'] };
}

/** A configuration from YAML text, in a fresh directory with `files` (name → contents) beside it. */
export function sideConfig(yaml: string, files: Record<string, string> = {}): Config {
  const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-ike-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text, { mode: 0o600 });
  writeFileSync(join(dir, 'gw.yaml'), yaml);
  const r = loadConfig(join(dir, 'gw.yaml'));
  if (!r.config) throw new Error(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`).join('\n'));
  return r.config;
}

export interface PairOptions {
  /** Default: 300 ms × 1.5ⁿ, 5 tries — quick, for tests. */
  retransmit?: RetransmitPolicy;
  /** Both daemons' accepted messages, in the order received. */
  trace?: (line: string) => void;
  /** The wire's filter from the first datagram on (pair.filter may replace it later). */
  filter?: WireFilter;
  /** More daemon options for side A (say, the metrics' counters). */
  optionsA?: Record<string, unknown>;
  /** More daemon options for side B (say, IKEv2's cookieThreshold). */
  optionsB?: Record<string, unknown>;
  /** Both daemons' log level; default debug. */
  logLevel?: string;
}

export function createPair(configs: { a: Config; b: Config }, opts: PairOptions = {}): Pair {
  const sent: Pair['sent'] = [];
  let closed = false;
  const pair = { filter: opts.filter ?? (((d) => d) as WireFilter), sent } as Pair;
  const sides: Partial<Record<'A' | 'B', Side>> = {};
  const wire = (name: 'A' | 'B'): IkeTransport => ({
    send(local, remote, data) {
      const d0 = { from: local, to: remote, data: data.slice() };
      sent.push({ ...d0, sender: name });
      const d = pair.filter(d0, name);
      if (!d) return;
      const peer = sides[name === 'A' ? 'B' : 'A'];
      setImmediate(() => {
        if (!closed && peer && d.to.address === ADDR[peer.name]) peer.daemon.receive(d.to, d.from, d.data);
      });
    },
    keepalive() {},
  });
  const make = (name: 'A' | 'B', config: Config): Side => {
    const logs: Side['logs'] = [], lines: string[] = [];
    const log = createLogger({
      level: opts.logLevel ?? 'debug',
      destination: new Writable({
        write(chunk, _enc, cb) {
          for (const line of String(chunk).split('\n')) {
            if (!line) continue;
            lines.push(line);
            logs.push(JSON.parse(line) as Record<string, unknown>);
          }
          cb();
        },
      }),
    });
    const engine = new Engine({ maxSas: 64, maxPolicies: 64, batch: 8 });
    const kernel: EngineKernel = new EngineKernel(engine, { route: () => {}, policiesChanged: () => engine.setPolicies(kernel.policies()) });
    const o = {
      connections: config.connections, transport: wire(name), kernel, log, listen: [ADDR[name]],
      retransmit: opts.retransmit ?? { timeoutMs: 300, base: 1.5, tries: 5 }, trace: opts.trace,
      ...(name === 'A' ? opts.optionsA : opts.optionsB),
    };
    // One version per pair: the first connection's.
    const daemon = config.connections[0]?.version === 2 ? new Ikev2Daemon(o) : new Ikev1Daemon(o);
    return { name, config, engine, kernel, daemon, logs, lines, log };
  };
  pair.a = sides.A = make('A', configs.a);
  pair.b = sides.B = make('B', configs.b);
  pair.b.daemon.start();
  pair.a.daemon.start();
  pair.until = async (pred, timeoutMs = 5000, what = 'condition') => {
    const end = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}\nA: ${JSON.stringify(pair.a.logs.slice(-10))}\nB: ${JSON.stringify(pair.b.logs.slice(-10))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  pair.close = async () => {
    closed = true;
    await Promise.all([pair.a.daemon.stop(), pair.b.daemon.stop()]);
  };
  return pair;
}

/**
 * A packet each way through the CHILD SAs (one side's engine encapsulates, the other's must take
 * it back out unchanged): both sides derived the same keys. `hosts`: the inner source on A's side
 * and on B's.
 */
export function assertTraffic(pair: Pair, hosts: readonly [string, string] = ['10.1.0.5', '10.2.0.7']): void {
  for (const [from, to, src, dst] of [[pair.a, pair.b, hosts[0], hosts[1]], [pair.b, pair.a, hosts[1], hosts[0]]] as const) {
    const inner = udpPacket(src, dst, 1234, 5678, new TextEncoder().encode('through the tunnel'));
    const [out] = from.engine.run('encap', [inner]);
    assert.equal(out.verdict, 'send', `${from.name} encapsulates (${out.reason})`);
    const [back] = to.engine.run('decap', [out.packet]);
    assert.equal(back.verdict, 'send', `${to.name} decapsulates (${back.reason})`);
    assert.deepEqual(back.packet, inner);
  }
}

/** The log events of a side, in order. */
export const events = (s: Side): string[] => s.logs.map((l) => String(l.event));
