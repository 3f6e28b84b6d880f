// Two ipsecgw gateways in a namespace topology (netns.ts), manually keyed: configuration files,
// processes, readiness, and a stop that checks nothing was left behind.
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { request } from '../gateway/control.js';
import { espKeyBytes } from '../config/proposal.js';
import { espSuiteOf } from '../dataplane/suite.js';
import type { Topology } from './netns.js';

export const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

export interface TunnelCase {
  esp: string;
  encap: 'none' | 'udp';
  /** Outer family, inner family. */
  outer: 4 | 6;
  inner: 4 | 6;
}

export interface Gateways {
  dir: string;
  sockets: { a: string; b: string };
  configs: { a: string; b: string };
  procs: { a: ChildProcess; b: ChildProcess };
  logs: { a: string[]; b: string[] };
  /** The manual keys, hex: gwA → gwB and gwB → gwA (for tests that look for them where they must not be). */
  keys: { ab: string; ba: string };
  /** SIGTERM both; resolves with their exit codes. */
  stop(): Promise<{ a: number | null; b: number | null }>;
}

/** How `ipsecgw run` is started: `--log-level` (default info) and `--pretty`; by default as root, with this checkout's CLI. */
export interface RunOptions {
  logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  pretty?: boolean;
  /** A command that execs the rest, e.g. setpriv's (src/lab/unprivileged.ts). */
  prefix?: string[];
  /** The CLI to run (a copy of the checkout the prefix's user can read). */
  cli?: string;
}

export interface GatewaysOptions {
  /** `gateway.metrics` of gwA and of gwB (HOST:PORT inside its namespace). */
  metrics?: { a?: string; b?: string };
  /** `gateway.workers` of both (default: the gateway's own). */
  workers?: number;
  /** How each gateway is run. */
  a?: RunOptions;
  b?: RunOptions;
  /** The user the configurations, keys and control sockets belong to (a gateway run as that user). */
  owner?: { uid: number; gid: number };
}

/** Writes mirrored configurations for gwA and gwB and starts both; waits until both answer `status`. */
export async function startGateways(t: Topology, c: TunnelCase, o: GatewaysOptions = {}): Promise<Gateways> {
  const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-e2e-'));
  const bytes = espKeyBytes(espSuiteOf(c.esp)).total;
  const keyAB = randomBytes(bytes).toString('hex'), keyBA = randomBytes(bytes).toString('hex');
  const wire = (gw: 'gwA' | 'gwB'): string => (c.outer === 4 ? t.addr[gw].wire4 : t.addr[gw].wire6);
  const nets = (site: 'A' | 'B'): string => (c.inner === 4 ? t.addr[`net${site}4`] : t.addr[`net${site}6`]);
  const keyFile = (name: string, hex: string): string => {
    const f = join(dir, `${name}.hex`);
    writeFileSync(f, `${hex}\n`);
    chmodSync(f, 0o600);
    return f;
  };
  const ab = keyFile('a-to-b', keyAB), ba = keyFile('b-to-a', keyBA);
  const config = (name: 'a' | 'b', local: string, remote: string, lts: string, rts: string, inSpi: string, inKey: string, outSpi: string, outKey: string): string => [
    'gateway:',
    `  name: ${name}`,
    '  tun: ipsec0',
    `  listen: [${local}]`,
    `  socket: ${join(dir, `${name}.sock`)}`,
    ...(o.metrics?.[name] ? [`  metrics: '${o.metrics[name]}'`] : []),
    ...(o.workers ? [`  workers: ${o.workers}`] : []),
    'manual:',
    '  link:',
    `    local: ${local}`,
    `    remote: ${remote}`,
    `    local-ts: [${lts}]`,
    `    remote-ts: [${rts}]`,
    '    mode: tunnel',
    `    encap: ${c.encap}`,
    `    esp: ${c.esp}`,
    `    in: { spi: ${inSpi}, key: { file: ${inKey} } }`,
    `    out: { spi: ${outSpi}, key: { file: ${outKey} } }`,
    '',
  ].join('\n');
  const configs = { a: join(dir, 'a.yaml'), b: join(dir, 'b.yaml') };
  writeFileSync(configs.a, config('a', wire('gwA'), wire('gwB'), nets('A'), nets('B'), '0xc0010002', ba, '0xc0010001', ab));
  writeFileSync(configs.b, config('b', wire('gwB'), wire('gwA'), nets('B'), nets('A'), '0xc0010001', ab, '0xc0010002', ba));
  if (o.owner) {
    for (const f of [dir, ab, ba, configs.a, configs.b]) chownSync(f, o.owner.uid, o.owner.gid);
  }
  const [a, b] = await Promise.all([
    runGateway(t, t.gwA, configs.a, join(dir, 'a.sock'), o.a),
    runGateway(t, t.gwB, configs.b, join(dir, 'b.sock'), o.b),
  ]);
  return {
    dir, configs,
    sockets: { a: a.socket, b: b.socket },
    procs: { a: a.proc, b: b.proc },
    logs: { a: a.logs, b: b.logs },
    keys: { ab: keyAB, ba: keyBA },
    async stop() {
      const [ca, cb] = await Promise.all([a.stop(), b.stop()]);
      return { a: ca, b: cb };
    },
  };
}

/** A gateway's log chunks, parsed into its events (the lines that are JSON). */
export function logEvents(chunks: string[]): Array<Record<string, unknown>> {
  return chunks.join('').split('\n').flatMap((l) => {
    try {
      return l.startsWith('{') ? [JSON.parse(l) as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

/** One ipsecgw gateway running in a namespace. */
export interface RunningGateway {
  socket: string;
  proc: ChildProcess;
  /** stdout and stderr chunks: pino JSON lines (with --pretty, its lines). */
  logs: string[];
  /** The log lines parsed (those that are JSON). */
  events(): Array<Record<string, unknown>>;
  /** SIGTERM; resolves with the exit code (throws after 10 s). */
  stop(): Promise<number | null>;
}

/** Starts `ipsecgw run -c config` in namespace `ns`; resolves once it answers `status` on `socket`. */
export async function runGateway(t: Topology, ns: string, config: string, socket: string, run: RunOptions = {}): Promise<RunningGateway> {
  const logs: string[] = [];
  const argv = [process.execPath, run.cli ?? CLI, 'run', '-c', config, ...(run.logLevel ? ['--log-level', run.logLevel] : []), ...(run.pretty ? ['--pretty'] : [])];
  const [cmd, ...args] = [...(run.prefix ?? []), ...argv];
  const proc = t.spawn(ns, cmd, args);
  // IPSECGW_LAB_LOGS=DIR keeps every lab gateway's log in DIR/<namespace>.log (for a failure's post-mortem).
  const keepDir = process.env.IPSECGW_LAB_LOGS;
  if (keepDir) mkdirSync(keepDir, { recursive: true });
  const keep = keepDir ? join(keepDir, `${ns}.log`) : undefined;
  const log = (d: string): void => {
    logs.push(d);
    if (keep) appendFileSync(keep, d);
  };
  proc.stdout!.setEncoding('utf8').on('data', log);
  proc.stderr!.setEncoding('utf8').on('data', log);
  const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const g: RunningGateway = {
    socket, proc, logs,
    events: () => logEvents(logs),
    async stop() {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      // Unref'd: the timer must not hold the test process for 10 s after a quick exit.
      const code = await Promise.race([exit, sleep(10_000, undefined, { ref: false }).then(() => 'timeout' as const)]);
      if (code === 'timeout') {
        // Nothing may outlive the test: the failure is reported, the process goes anyway.
        proc.kill('SIGKILL');
        throw new Error(`gateway in ${ns} did not exit within 10 s of SIGTERM`);
      }
      return code;
    },
  };
  for (let i = 0; ; i++) {
    try {
      await request(socket, { cmd: 'status' }, 1000);
      return g;
    } catch (err) {
      if (proc.exitCode !== null || i > 100) {
        proc.kill('SIGKILL');
        throw new Error(`gateway in ${ns} did not come up: ${(err as Error).message}\n${logs.join('')}`);
      }
      await sleep(100);
    }
  }
}

/** Removes the temporary directory (configurations, keys). */
export function cleanup(g: Gateways | undefined): void {
  if (g && existsSync(g.dir)) rmSync(g.dir, { recursive: true, force: true });
}
