// Two ipsecgw gateways in a namespace topology (netns.ts), manually keyed: configuration files,
// processes, readiness, and a stop that checks nothing was left behind.
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  /** SIGTERM both; resolves with their exit codes. */
  stop(): Promise<{ a: number | null; b: number | null }>;
}

/** Writes mirrored configurations for gwA and gwB and starts both; waits until both answer `status`. */
export async function startGateways(t: Topology, c: TunnelCase): Promise<Gateways> {
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
  const config = (name: string, local: string, remote: string, lts: string, rts: string, inSpi: string, inKey: string, outSpi: string, outKey: string): string => [
    'gateway:',
    `  name: ${name}`,
    '  tun: ipsec0',
    `  listen: [${local}]`,
    `  socket: ${join(dir, `${name}.sock`)}`,
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
  const logs = { a: [] as string[], b: [] as string[] };
  const run = (ns: string, file: string, log: string[]): ChildProcess => {
    const p = t.spawn(ns, process.execPath, [CLI, 'run', '-c', file]);
    p.stdout!.setEncoding('utf8').on('data', (d: string) => log.push(d));
    p.stderr!.setEncoding('utf8').on('data', (d: string) => log.push(d));
    return p;
  };
  const procs = { a: run(t.gwA, configs.a, logs.a), b: run(t.gwB, configs.b, logs.b) };
  const sockets = { a: join(dir, 'a.sock'), b: join(dir, 'b.sock') };
  const exits = {
    a: new Promise<number | null>((r) => procs.a.once('exit', (code) => r(code))),
    b: new Promise<number | null>((r) => procs.b.once('exit', (code) => r(code))),
  };
  const g: Gateways = {
    dir, sockets, configs, procs, logs,
    async stop() {
      procs.a.kill('SIGTERM');
      procs.b.kill('SIGTERM');
      const timeout = sleep(10_000).then(() => 'timeout' as const);
      const codes = await Promise.race([Promise.all([exits.a, exits.b]), timeout]);
      if (codes === 'timeout') throw new Error('gateways did not exit within 10 s of SIGTERM');
      return { a: codes[0], b: codes[1] };
    },
  };
  for (const s of [sockets.a, sockets.b]) {
    for (let i = 0; ; i++) {
      try {
        await request(s, { cmd: 'status' }, 1000);
        break;
      } catch (err) {
        if (i > 100) throw new Error(`gateway at ${s} did not come up: ${(err as Error).message}\nA: ${logs.a.join('')}\nB: ${logs.b.join('')}`);
        await sleep(100);
      }
    }
  }
  return g;
}

/** Removes the temporary directory (configurations, keys). */
export function cleanup(g: Gateways | undefined): void {
  if (g && existsSync(g.dir)) rmSync(g.dir, { recursive: true, force: true });
}
