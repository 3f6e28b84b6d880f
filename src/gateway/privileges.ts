// The capabilities the gateway keeps once it has started (capabilities(7); docs/service.md).
//
// Gateway.start opens everything that takes privilege first: the TUN device (TUNSETIFF, the MTU and
// IFF_UP: CAP_NET_ADMIN), the raw ESP / AH sockets (CAP_NET_RAW), IKE's UDP port 500
// (CAP_NET_BIND_SERVICE), socket buffers past net.core.[rw]mem_max (SO_*BUFFORCE: CAP_NET_ADMIN).
// Then it keeps CAP_NET_ADMIN alone, in every thread (native/caps.c): routes into the TUN device are
// added and removed for as long as it runs, by ip(8), which must hold it too — through the ambient
// set when the gateway is not root (systemd's AmbientCapabilities=), through the bounding set when
// it is. No new privilege can be gained by what it runs (no_new_privs), which also makes inert what
// the bounding set still lists when the gateway may not shrink it (no CAP_SETPCAP: the unit's case).
//
// Nothing the gateway does later opens a socket: the datapath workers read the sockets of the start,
// so a reload that would need another is refused and waits for a restart (Gateway.reload).
import { readdirSync, readFileSync } from 'node:fs';
import type { Native } from '../dataplane/native.js';

/** include/uapi/linux/capability.h, by number. */
export const CAPABILITY_NAMES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;

export type CapabilityName = (typeof CAPABILITY_NAMES)[number];

/** What the gateway keeps after start: ip(8) adds and removes its routes. */
export const KEPT: readonly CapabilityName[] = ['CAP_NET_ADMIN'];

export const capabilityName = (n: number): string => CAPABILITY_NAMES[n] ?? `CAP_${n}`;

/** A capability's number from its name ('CAP_NET_RAW' or 'net_raw', as setpriv and systemd write them). */
export function capabilityNumber(name: string): number {
  const full = name.toUpperCase().startsWith('CAP_') ? name.toUpperCase() : `CAP_${name.toUpperCase()}`;
  const n = CAPABILITY_NAMES.indexOf(full as CapabilityName);
  if (n < 0) throw new RangeError(`unknown capability '${name}'`);
  return n;
}

/** The `gateway.privileges` log event's fields. */
export interface Privileges {
  uid: number;
  /** Effective (= permitted = inheritable) now, in every thread. */
  kept: string[];
  /** Permitted before, not any more. */
  dropped: string[];
  /** The bounding set now; `boundingReduced`: whether it could be reduced (CAP_SETPCAP). */
  bounding: string[];
  boundingReduced: boolean;
  /** What ip(8) and every other child inherits through the ambient set (empty for root). */
  ambient: string[];
  threads: number;
}

/** One thread's sets as /proc shows them (CapInh, CapPrm, CapEff, CapBnd, CapAmb and NoNewPrivs). */
export interface ThreadCaps {
  tid: number;
  inheritable: bigint;
  permitted: bigint;
  effective: bigint;
  bounding: bigint;
  ambient: bigint;
  noNewPrivs: boolean;
}

/** /proc/<pid>/status's capability lines (or /proc/<pid>/task/<tid>/status's). */
export function parseStatusCaps(text: string, tid = 0): ThreadCaps {
  const field = (k: string): string => {
    const m = new RegExp(`^${k}:\\s*(\\S+)`, 'm').exec(text);
    if (!m) throw new Error(`no ${k} line in the status`);
    return m[1];
  };
  const hex = (k: string): bigint => BigInt(`0x${field(k)}`);
  return {
    tid, inheritable: hex('CapInh'), permitted: hex('CapPrm'), effective: hex('CapEff'), bounding: hex('CapBnd'),
    ambient: hex('CapAmb'), noNewPrivs: field('NoNewPrivs') === '1',
  };
}

/** The capability names of a /proc mask. */
export function maskNames(mask: bigint): string[] {
  const out: string[] = [];
  for (let n = 0; n < 64; n++) if ((mask >> BigInt(n)) & 1n) out.push(capabilityName(n));
  return out;
}

/** Every thread of a process, from /proc/<pid>/task. */
export function threadCaps(pid: number | 'self' = 'self'): ThreadCaps[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
    try {
      return [parseStatusCaps(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'), Number(tid))];
    } catch {
      return []; // the thread ended meanwhile
    }
  });
}

/**
 * Keeps `keep` (KEPT by default) and drops every other capability in every thread, then checks in
 * /proc that every thread has nothing more. Throws (a NativeError with its errno name, or an Error
 * naming the thread) when that cannot be done: the gateway must not run with more than it says.
 */
export function dropPrivileges(native: Native, keep: readonly string[] = KEPT): Privileges {
  const numbers = keep.map(capabilityNumber);
  const before = native.capabilities();
  const { threads, bounding: boundingReduced } = native.dropCapabilities(numbers);
  const now = native.capabilities();
  const allowed = numbers.reduce((m, n) => m | (1n << BigInt(n)), 0n);
  for (const t of threadCaps()) {
    const extra = (t.effective | t.permitted | t.inheritable | t.ambient | (boundingReduced ? t.bounding : 0n)) & ~allowed;
    if (extra) throw new Error(`thread ${t.tid} still holds ${maskNames(extra).join(', ')} after the drop`);
    if (!t.noNewPrivs) throw new Error(`thread ${t.tid} may still gain privileges (no_new_privs not set)`);
  }
  return {
    uid: process.getuid?.() ?? -1,
    kept: now.effective.map(capabilityName),
    dropped: before.permitted.filter((n) => !now.permitted.includes(n)).map(capabilityName),
    bounding: now.bounding.map(capabilityName),
    boundingReduced,
    ambient: now.ambient.map(capabilityName),
    threads,
  };
}
