// Network namespaces for labs — tests, benchmarks, the demo: hA — gwA ==== gwB — hB, as in
// ../shared/examples/strongswan-netns.sh, joined only by veth pairs. Names are unique per run;
// `destroy()` kills every process in them, runs the cleanups registered with `onDestroy`, deletes
// them and their /etc/netns/<ns> directories, also after a failure. Nothing here touches the root
// namespace's interfaces: every veth is created directly inside its namespaces.
//
// With `createTopology({ nat: true })` a fifth namespace sits on the wire, hA — gwA — nat — gwB — hB:
//
//   gwA 192.168.77.2/24 ── 192.168.77.1 [nat] 192.0.2.3 (+ .4 spare) ── 192.0.2.2/24 gwB
//       2001:db8:77::2/64 ─ 2001:db8:77::1     2001:db8::3          ── 2001:db8::2/64
//
// IPv4 is masqueraded (nftables, postrouting on the interface towards gwB): gwB sees gwA as 192.0.2.3.
// IPv6 is routed through the nat namespace untranslated (there is no NAT66 here): gwB sees gwA's own
// 2001:db8:77::2 and has a route back to 2001:db8:77::/64. gwA has no default route — only the wire
// subnets — so traffic between the sites can never leak around a tunnel in clear text.
//
// What Linux masquerade does to IKE's ports (measured here, kernel 6.18): the source port is KEPT
// when it is free — gwA's 500 leaves as 192.0.2.3:500 and its 4500 as 192.0.2.3:4500; NAT is still
// detected (NAT-D hashes cover the address), and an IKEv1/IKEv2 initiator floats to 4500 as usual.
// Real CGNs often change the port: `nat: { ports: 'remap' }` maps every flow to a port from
// 40000–40999 instead (`masquerade to :40000-40999`), so gwB sees e.g. 192.0.2.3:40123 for gwA's 500
// and another port for its 4500. `t.nat.flush()` forgets every mapping (a ctnetlink flush, no
// conntrack-tools needed); with `{ newPort: true }` the next mappings come from a fresh port block and
// with `{ newAddress: true }` from the other outer address, so the peer sees gwA move (RFC 3947 §5 /
// RFC 7296 §2.23 address updates). UDP mappings expire after 30 s without traffic, 120 s once
// both ways were seen (nf_conntrack_udp_timeout[_stream], the kernel defaults, left alone): NAT-T
// keepalives (20 s) keep them.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

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

/** Why a NAT topology cannot be built here, or null. */
export const canUseNat = (): string | null => {
  const why = canUseNetns();
  if (why) return why;
  try {
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'needs nftables (`nft`) for the NAT namespace';
  }
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'needs python3 (flushing NAT mappings over ctnetlink)';
  }
  return null;
};

let counter = 0;

export interface SiteAddrs {
  /** The address this gateway uses on the wire (its own interface's). */
  wire4: string;
  wire6: string;
  /** The address the other gateway sees for this one: behind the NAT, the nat namespace's outer address (IPv4). */
  seen4: string;
  seen6: string;
  lan4: string;
  lan6: string;
}

export interface Topology {
  /** What every namespace name of this topology starts with: the prefix, this process's pid and a counter. */
  prefix: string;
  /** Namespace names. */
  hA: string;
  gwA: string;
  gwB: string;
  hB: string;
  /** Every namespace of this topology (including the nat namespace when there is one). */
  namespaces: string[];
  /** Addresses: the wire between the gateways and the two sites, IPv4 and IPv6. */
  addr: {
    gwA: SiteAddrs;
    gwB: SiteAddrs;
    hA: { lan4: string; lan6: string };
    hB: { lan4: string; lan6: string };
    netA4: string;
    netA6: string;
    netB4: string;
    netB6: string;
    /** Whether gwA sits behind the nat namespace (IPv4). */
    nat: boolean;
  };
  /** Interface names on the wire, in gwA and gwB. */
  wireA: string;
  wireB: string;
  /** The NAT between gwA and gwB, with `{ nat: true }`. */
  nat?: Nat;
  /** Runs a command in a namespace; its stdout (with allowFail, stdout and stderr even when it fails). */
  exec(ns: string, cmd: string, args: string[], opts?: { input?: string | Buffer; timeout?: number; allowFail?: boolean }): string;
  spawn(ns: string, cmd: string, args: string[]): ChildProcess;
  /** The processes running in a namespace. */
  pids(ns: string): number[];
  /** Registers a cleanup that destroy() runs (newest first) before the namespaces are deleted; errors are ignored. */
  onDestroy(fn: () => void): void;
  destroy(): void;
}

export interface NatOptions {
  /**
   * 'preserve' (the default, plain `masquerade`): source ports are kept when free, 500 → 500 and
   * 4500 → 4500. 'remap': every new mapping takes a port from 40000–40999.
   */
  ports?: 'preserve' | 'remap';
}

export interface TopologyOptions {
  /** A NAT namespace between gwA and gwB (see the file header). */
  nat?: boolean | NatOptions;
  /** The start of every namespace and interface name, at most 6 characters (default 'ig'). */
  prefix?: string;
}

/** One connection the NAT tracks, as /proc/net/nf_conntrack shows it. */
export interface NatMapping {
  proto: string;
  /** As gwA sent it. */
  src: string;
  sport?: number;
  dst: string;
  dport?: number;
  /** gwA's source as the far side sees it (the reply's destination). */
  mappedSrc: string;
  mappedSport?: number;
}

export interface Nat {
  ns: string;
  /** Interface names in the nat namespace: towards gwA, towards gwB. */
  inside: string;
  outside: string;
  /** The outer address new mappings get now (192.0.2.3, or 192.0.2.4 after flush({ newAddress })). */
  readonly publicAddr4: string;
  /** The port range new mappings get now; null while ports are preserved. */
  readonly portRange: [number, number] | null;
  /** The NAT's current mappings (its conntrack table). */
  mappings(): NatMapping[];
  /**
   * Forgets every mapping (ctnetlink flush in the nat namespace), as a NAT box that reboots or times
   * out does. newPort: later mappings take ports from a fresh block; newAddress: later mappings use
   * the other outer address. The rule is replaced before the flush, so no packet is mapped the old way.
   */
  flush(opts?: { newPort?: boolean; newAddress?: boolean }): void;
}

function sh(cmd: string, args: string[], opts: { input?: string | Buffer; timeout?: number } = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input: opts.input, timeout: opts.timeout ?? 60_000, stdio: ['pipe', 'pipe', 'pipe'] });
}

// ctnetlink flush: IPCTNL_MSG_CT_DELETE without a tuple deletes every entry of the namespace
// (nlmsghdr + nfgenmsg, NETLINK_NETFILTER = 12, type NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_DELETE,
// flags NLM_F_REQUEST | NLM_F_ACK); the ack's error field must be 0. What `conntrack -F` sends.
const CT_FLUSH_PY = `
import socket, struct, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)
s.bind((0, 0))
s.send(struct.pack('=IHHII', 20, (1 << 8) | 2, 1 | 4, 1, 0) + struct.pack('=BBH', 0, 0, 0))
r = s.recv(4096)
err = struct.unpack_from('=i', r, 16)[0]
sys.exit(0 if err == 0 else 'ctnetlink flush: errno %d' % -err)
`;

function parseConntrack(text: string): NatMapping[] {
  const out: NatMapping[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const kv = f.filter((x) => x.includes('=')).map((x) => x.split('=') as [string, string]);
    const first = (k: string, n = 0): string | undefined => kv.filter(([key]) => key === k)[n]?.[1];
    const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
    const src = first('src'), dst = first('dst'), replyDst = first('dst', 1);
    if (!src || !dst || !replyDst) continue;
    out.push({ proto: f[2], src, sport: num(first('sport')), dst, dport: num(first('dport')), mappedSrc: replyDst, mappedSport: num(first('dport', 1)) });
  }
  return out;
}

export function createTopology(opts: TopologyOptions = {}): Topology {
  // Short (interface names are limited to 15 bytes: prefix + 4 + 2 + "lga" at most), and unambiguous
  // between processes: the pid in a fixed width, then this process's counter.
  const prefix = opts.prefix ?? 'ig';
  if (!/^[a-z][a-z0-9]{0,5}$/.test(prefix)) throw new Error(`namespace prefix '${prefix}': 1 to 6 lower-case letters and digits`);
  const id = `${(process.pid % 1_000_000).toString(36).padStart(4, '0')}${(counter++ % 1296).toString(36)}`;
  const p = `${prefix}${id}`;
  const natOn = opts.nat !== undefined && opts.nat !== false;
  const natOpts: NatOptions = typeof opts.nat === 'object' ? opts.nat : {};
  const ns = { hA: `${p}hA`, gwA: `${p}gwA`, gwB: `${p}gwB`, hB: `${p}hB`, ...(natOn ? { nat: `${p}nat` } : {}) };
  const names = Object.values(ns);
  // Only what this call created is ever killed or deleted — never a namespace of the same name that
  // someone else made (`ip netns add` fails on it, and destroy() must then leave it alone).
  const created: string[] = [];
  const children = new Set<ChildProcess>();
  const cleanups: Array<() => void> = [];
  const gwA: SiteAddrs = natOn
    ? { wire4: '192.168.77.2', wire6: '2001:db8:77::2', seen4: '192.0.2.3', seen6: '2001:db8:77::2', lan4: '10.1.0.1', lan6: 'fd00:1::1' }
    : { wire4: '192.0.2.1', wire6: '2001:db8::1', seen4: '192.0.2.1', seen6: '2001:db8::1', lan4: '10.1.0.1', lan6: 'fd00:1::1' };
  const t: Topology = {
    prefix: p,
    hA: ns.hA, gwA: ns.gwA, gwB: ns.gwB, hB: ns.hB,
    namespaces: names,
    addr: {
      gwA,
      gwB: { wire4: '192.0.2.2', wire6: '2001:db8::2', seen4: '192.0.2.2', seen6: '2001:db8::2', lan4: '10.2.0.1', lan6: 'fd00:2::1' },
      hA: { lan4: '10.1.0.2', lan6: 'fd00:1::2' },
      hB: { lan4: '10.2.0.2', lan6: 'fd00:2::2' },
      netA4: '10.1.0.0/24', netA6: 'fd00:1::/64', netB4: '10.2.0.0/24', netB6: 'fd00:2::/64',
      nat: natOn,
    },
    wireA: `${p}wa`,
    wireB: `${p}wb`,
    exec: (n, cmd, args, o) => {
      try {
        return sh('ip', ['netns', 'exec', n, cmd, ...args], o);
      } catch (err) {
        if (!o?.allowFail) throw err;
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
    onDestroy: (fn) => {
      cleanups.push(fn);
    },
    destroy: () => {
      for (const fn of cleanups.splice(0).reverse()) {
        try {
          fn();
        } catch { /* best effort: the namespaces go anyway */ }
      }
      for (const c of children) c.kill('SIGKILL');
      for (const n of created) {
        try {
          const pids = sh('ip', ['netns', 'pids', n]).split('\n').filter(Boolean);
          for (const pid of pids) {
            try {
              process.kill(Number(pid), 'SIGKILL');
            } catch { /* gone already */ }
          }
        } catch { /* no such namespace */ }
      }
      for (const n of created.splice(0)) {
        try {
          sh('ip', ['netns', 'del', n]);
        } catch { /* no such namespace */ }
        // Per-namespace /etc overlays (strongSwan's configuration, …): ours alone, by the unique name.
        rmSync(`/etc/netns/${n}`, { recursive: true, force: true });
      }
    },
  };
  try {
    for (const n of names) {
      sh('ip', ['netns', 'add', n]);
      created.push(n);
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
    if (ns.nat) {
      const inside = `${p}ni`, outside = `${p}no`;
      link(ns.gwA, t.wireA, ns.nat, inside, [`${a.gwA.wire4}/24`, `${a.gwA.wire6}/64`], ['192.168.77.1/24', '2001:db8:77::1/64']);
      link(ns.nat, outside, ns.gwB, t.wireB, ['192.0.2.3/24', '192.0.2.4/24', '2001:db8::3/64'], [`${a.gwB.wire4}/24`, `${a.gwB.wire6}/64`]);
      t.exec(ns.gwA, 'ip', ['route', 'add', '192.0.2.0/24', 'via', '192.168.77.1']);
      t.exec(ns.gwA, 'ip', ['-6', 'route', 'add', '2001:db8::/64', 'via', '2001:db8:77::1']);
      t.exec(ns.gwB, 'ip', ['-6', 'route', 'add', '2001:db8:77::/64', 'via', '2001:db8::3']);
      t.exec(ns.nat, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
      t.nat = makeNat(t, ns.nat, inside, outside, natOpts);
    } else {
      link(ns.gwA, t.wireA, ns.gwB, t.wireB, [`${a.gwA.wire4}/24`, `${a.gwA.wire6}/64`], [`${a.gwB.wire4}/24`, `${a.gwB.wire6}/64`]);
    }
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

const OUTER4 = ['192.0.2.3', '192.0.2.4'] as const;
const REMAP: [number, number] = [40000, 40999];

function makeNat(t: Topology, ns: string, inside: string, outside: string, o: NatOptions): Nat {
  let address: string = OUTER4[0];
  let range: [number, number] | null = o.ports === 'remap' ? REMAP : null;
  let block = 0;
  // The primary outer address: plain masquerade; the spare one: snat to it. A port range (which nft
  // takes only after a transport protocol match) for UDP and TCP; ICMP and the rest are mapped without.
  const rules = (): string[] => {
    const to = (ports: string): string => (address === OUTER4[0] ? `masquerade${ports ? ` to ${ports}` : ''}` : `snat ip to ${address}${ports}`);
    return [
      ...(range ? [`oifname "${outside}" meta l4proto { tcp, udp } ${to(`:${range[0]}-${range[1]}`)}`] : []),
      `oifname "${outside}" ${to('')}`,
    ];
  };
  const load = (): void => {
    t.exec(ns, 'nft', ['-f', '-'], {
      input: [
        'table ip lab_nat {}',
        'flush table ip lab_nat',
        'table ip lab_nat {',
        '  chain postrouting {',
        '    type nat hook postrouting priority srcnat; policy accept;',
        ...rules().map((r) => `    ${r}`),
        '  }',
        '}',
        '',
      ].join('\n'),
    });
  };
  load();
  return {
    ns, inside, outside,
    get publicAddr4() {
      return address;
    },
    get portRange() {
      return range;
    },
    mappings: () => parseConntrack(t.exec(ns, 'cat', ['/proc/net/nf_conntrack'])),
    flush: (f = {}) => {
      if (f.newAddress) address = address === OUTER4[0] ? OUTER4[1] : OUTER4[0];
      if (f.newPort) {
        block = (block % 19) + 1; // 21000–39999, clear of the 'remap' block
        range = [20000 + 1000 * block, 20999 + 1000 * block];
      }
      if (f.newAddress || f.newPort) load();
      t.exec(ns, 'python3', ['-c', CT_FLUSH_PY]);
    },
  };
}
