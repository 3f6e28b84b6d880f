// Network namespaces for labs — tests, benchmarks, the demo: hA — gwA ==== gwB — hB, as in
// ../shared/examples/strongswan-netns.sh, joined only by veth pairs. Names are unique per run;
// `destroy()` kills every process in them and deletes them, also after a failure. Nothing here
// touches the root namespace's interfaces.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export const canUseNetns = (): string | null => {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
  } catch {
    return "needs iproute2's `ip netns`";
  }
  if (!existsSync('/dev/net/tun')) return 'needs /dev/net/tun';
  return null;
};

let counter = 0;

export interface Topology {
  /** Namespace names. */
  hA: string;
  gwA: string;
  gwB: string;
  hB: string;
  /** Addresses: the wire between the gateways and the two sites, IPv4 and IPv6. */
  addr: {
    gwA: { wire4: string; wire6: string; lan4: string; lan6: string };
    gwB: { wire4: string; wire6: string; lan4: string; lan6: string };
    hA: { lan4: string; lan6: string };
    hB: { lan4: string; lan6: string };
    netA4: string;
    netA6: string;
    netB4: string;
    netB6: string;
  };
  /** Interface names on the wire, in gwA and gwB. */
  wireA: string;
  wireB: string;
  /** Runs a command in a namespace; its stdout (with allowFail, stdout and stderr even when it fails). */
  exec(ns: string, cmd: string, args: string[], opts?: { input?: string | Buffer; timeout?: number; allowFail?: boolean }): string;
  spawn(ns: string, cmd: string, args: string[]): ChildProcess;
  /** The processes running in a namespace. */
  pids(ns: string): number[];
  destroy(): void;
}

function sh(cmd: string, args: string[], opts: { input?: string | Buffer; timeout?: number } = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input: opts.input, timeout: opts.timeout ?? 60_000, stdio: ['pipe', 'pipe', 'pipe'] });
}

export function createTopology(): Topology {
  const id = `${process.pid % 100000}${counter++}`;
  const p = `ig${id}`; // short: interface names are limited to 15 bytes
  const ns = { hA: `${p}hA`, gwA: `${p}gwA`, gwB: `${p}gwB`, hB: `${p}hB` };
  const children = new Set<ChildProcess>();
  const t: Topology = {
    ...ns,
    addr: {
      gwA: { wire4: '192.0.2.1', wire6: '2001:db8::1', lan4: '10.1.0.1', lan6: 'fd00:1::1' },
      gwB: { wire4: '192.0.2.2', wire6: '2001:db8::2', lan4: '10.2.0.1', lan6: 'fd00:2::1' },
      hA: { lan4: '10.1.0.2', lan6: 'fd00:1::2' },
      hB: { lan4: '10.2.0.2', lan6: 'fd00:2::2' },
      netA4: '10.1.0.0/24', netA6: 'fd00:1::/64', netB4: '10.2.0.0/24', netB6: 'fd00:2::/64',
    },
    wireA: `${p}wa`,
    wireB: `${p}wb`,
    exec: (n, cmd, args, opts) => {
      try {
        return sh('ip', ['netns', 'exec', n, cmd, ...args], opts);
      } catch (err) {
        if (!opts?.allowFail) throw err;
        const e = err as { stdout?: string; stderr?: string };
        return `${e.stdout ?? ''}${e.stderr ?? ''}`;
      }
    },
    spawn: (n, cmd, args) => {
      const c = spawn('ip', ['netns', 'exec', n, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(c);
      c.on('exit', () => children.delete(c));
      return c;
    },
    pids: (n) => sh('ip', ['netns', 'pids', n]).split('\n').filter(Boolean).map(Number),
    destroy: () => {
      for (const c of children) c.kill('SIGKILL');
      for (const n of Object.values(ns)) {
        try {
          const pids = sh('ip', ['netns', 'pids', n]).split('\n').filter(Boolean);
          for (const pid of pids) {
            try {
              process.kill(Number(pid), 'SIGKILL');
            } catch { /* gone already */ }
          }
        } catch { /* no such namespace */ }
      }
      for (const n of Object.values(ns)) {
        try {
          sh('ip', ['netns', 'del', n]);
        } catch { /* no such namespace */ }
      }
    },
  };
  try {
    for (const n of Object.values(ns)) {
      sh('ip', ['netns', 'add', n]);
      t.exec(n, 'ip', ['link', 'set', 'lo', 'up']);
      // IPv6 addresses usable at once (no duplicate address detection), forwarding on.
      t.exec(n, 'sysctl', ['-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
    }
    const link = (a: string, ia: string, b: string, ib: string, addrA: string[], addrB: string[]): void => {
      sh('ip', ['link', 'add', ia, 'netns', a, 'type', 'veth', 'peer', 'name', ib, 'netns', b]);
      for (const x of addrA) t.exec(a, 'ip', ['addr', 'add', x, 'dev', ia, 'nodad'].filter((s) => !(s === 'nodad' && !x.includes(':'))));
      for (const x of addrB) t.exec(b, 'ip', ['addr', 'add', x, 'dev', ib, 'nodad'].filter((s) => !(s === 'nodad' && !x.includes(':'))));
      t.exec(a, 'ip', ['link', 'set', ia, 'up']);
      t.exec(b, 'ip', ['link', 'set', ib, 'up']);
    };
    const a = t.addr;
    link(ns.gwA, t.wireA, ns.gwB, t.wireB, [`${a.gwA.wire4}/24`, `${a.gwA.wire6}/64`], [`${a.gwB.wire4}/24`, `${a.gwB.wire6}/64`]);
    link(ns.hA, `${p}la`, ns.gwA, `${p}lga`, [`${a.hA.lan4}/24`, `${a.hA.lan6}/64`], [`${a.gwA.lan4}/24`, `${a.gwA.lan6}/64`]);
    link(ns.hB, `${p}lb`, ns.gwB, `${p}lgb`, [`${a.hB.lan4}/24`, `${a.hB.lan6}/64`], [`${a.gwB.lan4}/24`, `${a.gwB.lan6}/64`]);
    t.exec(ns.hA, 'ip', ['route', 'add', 'default', 'via', a.gwA.lan4]);
    t.exec(ns.hA, 'ip', ['-6', 'route', 'add', 'default', 'via', a.gwA.lan6]);
    t.exec(ns.hB, 'ip', ['route', 'add', 'default', 'via', a.gwB.lan4]);
    t.exec(ns.hB, 'ip', ['-6', 'route', 'add', 'default', 'via', a.gwB.lan6]);
    for (const gw of [ns.gwA, ns.gwB]) t.exec(gw, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
    return t;
  } catch (err) {
    t.destroy();
    throw err;
  }
}
