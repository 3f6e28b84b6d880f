// strongSwan in the lab's gateway namespaces (the way ../shared/examples/strongswan-netns.sh runs
// it): one charon per gateway, each in its network namespace and a mount namespace of its own with
// a private /run, configured through /etc/netns/<ns>/ (which `ip netns exec` bind-mounts over /etc),
// ESP in userspace with the kernel-libipsec plugin (this kernel has no ESP). Used by the benchmarks
// as the baseline, and later as the IKE peer of the interop tests.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Topology } from './netns.js';

export const CHARON = '/usr/lib/ipsec/charon';
export const haveStrongswan = (): boolean => existsSync(CHARON) && existsSync('/usr/sbin/swanctl');

export interface SwanPeer {
  ns: string;
  local: string;
  remote: string;
  localTs: string;
  remoteTs: string;
}

export interface SwanOptions {
  /** IKE version. */
  version: 1 | 2;
  /** ESP proposal, strongSwan syntax. */
  esp: string;
  /** IKE proposal; IKEv2 with an AEAD needs an explicit PRF. */
  ike?: string;
  /** Log level for charon's default subsystem. */
  logLevel?: number;
}

const PLUGINS = 'random nonce openssl pem pkcs1 x509 pubkey curve25519 kdf hmac gcm chapoly aes sha1 sha2 socket-default vici updown kernel-libipsec kernel-netlink';

export interface Swan {
  procs: ChildProcess[];
  logs: string[][];
  /** swanctl in gateway i's namespaces. */
  swanctl(i: 0 | 1, ...args: string[]): string;
  stop(): Promise<void>;
}

function configure(p: SwanPeer, o: SwanOptions): void {
  const dir = `/etc/netns/${p.ns}`;
  mkdirSync(`${dir}/swanctl/conf.d`, { recursive: true });
  writeFileSync(`${dir}/strongswan.conf`, [
    'charon {',
    `  load = ${PLUGINS}`,
    '  install_routes = yes',
    '  plugins { vici { socket = unix:///run/ch.vici } }',
    `  filelog { stderr { default = ${o.logLevel ?? 0} } }`,
    '}',
    '',
  ].join('\n'));
  writeFileSync(`${dir}/swanctl/swanctl.conf`, [
    'connections {',
    '  lab {',
    `    version = ${o.version}`,
    `    local_addrs = ${p.local}`,
    `    remote_addrs = ${p.remote}`,
    `    proposals = ${o.ike ?? 'aes128-sha256-x25519'}`,
    `    local { auth = psk\n      id = ${p.local} }`,
    `    remote { auth = psk\n      id = ${p.remote} }`,
    '    children {',
    '      lab {',
    `        local_ts = ${p.localTs}`,
    `        remote_ts = ${p.remoteTs}`,
    `        esp_proposals = ${o.esp}`,
    '        start_action = none',
    '      }',
    '    }',
    '  }',
    '}',
    'secrets { ike { secret = "lab only: not a secret" } }',
    '',
  ].join('\n'));
}

/** Starts charon in both gateways, loads the configuration, initiates from the first. */
export async function startSwan(t: Topology, peers: [SwanPeer, SwanPeer], o: SwanOptions): Promise<Swan> {
  const logs: string[][] = [[], []];
  const procs = peers.map((p, i) => {
    configure(p, o);
    const c = spawn('ip', ['netns', 'exec', p.ns, 'unshare', '-m', 'sh', '-c', `mount -t tmpfs t /run && exec ${CHARON}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout!.setEncoding('utf8').on('data', (d: string) => logs[i].push(d));
    c.stderr!.setEncoding('utf8').on('data', (d: string) => logs[i].push(d));
    return c;
  });
  const swanctl = (i: 0 | 1, ...args: string[]): string =>
    execFileSync('nsenter', ['-t', String(procs[i].pid), '-m', '-n', '--', 'swanctl', ...args, '--uri', 'unix:///run/ch.vici'],
      { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
  const s: Swan = {
    procs, logs, swanctl,
    async stop() {
      for (const c of procs) c.kill('SIGTERM');
      await Promise.all(procs.map((c) => (c.exitCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r)))));
      for (const p of peers) rmSync(`/etc/netns/${p.ns}`, { recursive: true, force: true });
    },
  };
  try {
    // charon needs a moment to create its vici socket.
    for (const i of [0, 1] as const) {
      for (let n = 0; ; n++) {
        try {
          swanctl(i, '--load-all');
          break;
        } catch (err) {
          if (n > 50) throw new Error(`charon ${i} did not come up: ${(err as Error).message}\n${logs[i].join('')}`);
          await sleep(100);
        }
      }
    }
    swanctl(0, '--initiate', '--child', 'lab');
    return s;
  } catch (err) {
    await s.stop();
    throw err;
  }
}
