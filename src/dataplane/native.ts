// The TypeScript face of the N-API shim (native/ipsecgw.c, built by `npm install` through node-gyp).
// Syscalls only: the TUN device, the raw ESP/AH and UDP sockets, batches of packets between them
// and packet slots in WebAssembly memory, poll(2) for the datapath workers, and capabilities (the
// calling thread's sets; dropping them in every thread of the process).
//
// Errors: a failing syscall throws an Error whose `code` is the errno name ('EPERM', 'EBADF'),
// `errno` its number, `syscall` the call, and whose message names the function and the call
// ("tunOpen: ioctl(TUNSETIFF): Operation not permitted"). Bad arguments throw TypeError /
// RangeError (code ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE), as do slots that point outside
// their buffer or outside `mem`.
import { createRequire } from 'node:module';

/** What a batch reads from or writes to, which decides the framing of the packet in the slot. */
export type Kind = 'tun' | 'raw4' | 'raw6' | 'udp4' | 'udp6';

export interface TunOptions {
  /** IFF_MULTI_QUEUE: each open of the same name adds a queue (one per worker). */
  multiQueue?: boolean;
  /** IFF_VNET_HDR with a VNET_HDR_LEN-byte little-endian virtio_net_hdr_v1 before each packet. */
  vnetHdr?: boolean;
}

export interface TunWriteOptions {
  /** Send each slot's own virtio_net_hdr from its BUF instead of a zeroed one. */
  slotHeaders?: boolean;
}

export interface UdpWriteOptions {
  /** Send only the slots whose UDP source port is this (the others are left for another socket). */
  udpPort?: number;
  /**
   * UDP_SEGMENT: runs of datagrams to one destination, all of one size but a shorter last, as one
   * send each (one trip through the stack; a UDP_GRO receiver reads the run as one). The kernel
   * may refuse a run it will not segment (EMSGSIZE: over the route's MTU; EINVAL, EIO), like any
   * other error.
   */
  segment?: boolean;
}

export interface UdpOptions {
  /** SO_REUSEPORT: one socket per worker on the same address and port. */
  reusePort?: boolean;
  /** UDP_GRO when the kernel has it (no error when it has not; `udpGro(fd)` tells). */
  gro?: boolean;
}

/** Counters of packets readBatch dropped or split, process-wide since the shim was loaded. */
export interface NativeStats {
  /** Packets larger than the room of their slot ([OFF, BUF + CAP)): dropped. */
  truncated: number;
  /** Reads that carried a UDP GRO aggregate of several datagrams. */
  groReads: number;
  /** Datagrams split out of GRO aggregates into slots of their own. */
  groSplit: number;
  /** Datagrams of an aggregate that found no free slot (batches of fewer than 64 slots). */
  groDropped: number;
}

/** A thread's capability sets, each as the capability numbers it holds, ascending. */
export interface CapabilitySets {
  effective: number[];
  permitted: number[];
  inheritable: number[];
  bounding: number[];
  ambient: number[];
}

/** The Error a failing syscall throws. */
export interface NativeError extends Error {
  code: string;
  errno: number;
  syscall: string;
  /** readBatch / writeBatch: the slot at which the batch failed. */
  index?: number;
  /** writeBatch: packets sent before it (readBatch: slots filled before it, now lost). */
  sent?: number;
  /** writeBatch with `segment`: datagrams in the failed message (more than 1: a UDP_SEGMENT run). */
  segments?: number;
  /** writeBatch with `segment`: the slot after the failed message's last datagram. */
  next?: number;
}

export interface Native {
  /** The symbolic name of an errno value ("ENOENT"), or "E<n>". */
  errnoName(errno: number): string;

  /**
   * Opens /dev/net/tun (O_NONBLOCK) and attaches it to the TUN device `name` (created if absent;
   * "ipsec%d" lets the kernel number it): IFF_TUN | IFF_NO_PI, plus IFF_MULTI_QUEUE / IFF_VNET_HDR.
   * With vnetHdr the header is VNET_HDR_LEN (12) bytes and little-endian (TUNSETVNETHDRSZ,
   * TUNSETVNETLE).
   */
  tunOpen(name: string, opts?: TunOptions): { fd: number; name: string };
  /** TUNSETOFFLOAD with TUN_F_* flags (vnet-header devices); 0 turns every offload off. */
  tunSetOffload(fd: number, flags: number): void;
  /** SIOCSIFMTU, then IFF_UP with SIOCSIFFLAGS. Addresses and routes stay with ip(8). */
  linkUp(name: string, mtu: number): void;

  /**
   * A raw socket for IP protocol `protocol` (50 ESP, 51 AH), non-blocking, close-on-exec.
   * IPv4: IP_HDRINCL and IP_PMTUDISC_DONT. IPv6: IPV6_HDRINCL and IPV6_RECVPKTINFO.
   * With the header included the kernel refuses packets above the route's MTU (EMSGSIZE).
   */
  rawSocket(family: 4 | 6, protocol: number): number;
  /** A bound, non-blocking UDP socket with IP_PKTINFO / IPV6_RECVPKTINFO (and IPV6_V6ONLY). */
  udpSocket(family: 4 | 6, address: string, port: number, opts?: UdpOptions): number;
  /** Turns UDP_GRO on (or off); false when the kernel does not have it (ENOPROTOOPT). */
  udpGro(fd: number, on?: boolean): boolean;
  /**
   * Sets SO_RCVBUF / SO_SNDBUF (SO_*BUFFORCE when allowed, past net.core.rmem_max / wmem_max);
   * -1 leaves one as it is. Returns what the kernel has now (twice what was asked: socket(7)).
   * The defaults hold only a few dozen 1400-byte packets — less than one peer's sendmmsg burst.
   */
  socketBuffers(fd: number, rcvbuf: number, sndbuf: number): { rcvbuf: number; sndbuf: number };
  close(fd: number): void;

  /**
   * Reads up to `n` packets without blocking into the slots at byte offset `slots` of `mem` (a
   * Uint8Array over WebAssembly memory, shared or not). The host fills each slot's BUF, CAP and
   * OFF (with HEADROOM[kind] bytes at least between BUF and OFF; VNET_HDR_LEN for a vnet TUN);
   * this writes LEN, and moves OFF back over the headers it builds:
   *  - 'tun': one packet per slot at OFF; with a vnet header, the header goes to BUF.
   *  - 'raw4': the whole IPv4 packet, as the kernel delivers it.
   *  - 'raw6': the payload, with a 40-byte IPv6 header built in front (hop limit 64; source from
   *    the sender's address, destination from IPV6_PKTINFO, next header the socket's protocol).
   *  - 'udp4' / 'udp6': the datagram, with an IPv4 (valid checksum) or IPv6 header and a UDP
   *    header (checksum 0) built in front, as if from a raw socket. A UDP GRO aggregate is split
   *    into consecutive slots; with GRO on, give batches of 64 slots or more, each with room for
   *    64 KiB (see native/ipsecgw.c, read_sock).
   * Packets too large for their slot are dropped (stats().truncated). Returns how many slots were
   * filled, 0 when there was nothing to read.
   */
  readBatch(fd: number, kind: Kind, mem: Uint8Array, slots: number, n: number): number;
  /**
   * Sends every slot among the `n` whose VERDICT equals `verdict`, the packet being [OFF, OFF+LEN):
   *  - 'tun': the IP packet (after a zeroed vnet header when the device has one). With
   *    `{ slotHeaders: true }` (vnet devices only, else TypeError) each slot's own header is sent
   *    instead, from [BUF, BUF + VNET_HDR_LEN), which must lie before OFF: GSO super-packets and
   *    partial checksums (groCoalesce writes them). The kernel refuses a bad one (EINVAL).
   *  - 'raw4' / 'raw6': the whole IP packet, to the destination in its header.
   *  - 'udp4' / 'udp6': the slot holds IP + UDP + payload; only the payload is sent, to the IP
   *    header's destination address and the UDP header's destination port (UdpWriteOptions).
   * Returns how many were sent; EAGAIN ends the batch early. Other errors throw a NativeError with
   * `index` and `sent`, so the caller can resume after the failed slot.
   */
  writeBatch(fd: number, kind: 'tun', mem: Uint8Array, slots: number, n: number, verdict: number, opts?: TunWriteOptions): number;
  writeBatch(fd: number, kind: Kind, mem: Uint8Array, slots: number, n: number, verdict: number, opts?: UdpWriteOptions): number;

  /**
   * poll(2) for POLLIN: the fds that are readable (or have an error pending), [] on timeout.
   * Blocks the calling thread — for worker threads. timeoutMs < 0 waits without end.
   */
  wait(fds: readonly number[], timeoutMs: number): number[];
  /** A non-blocking eventfd(2), to wake a worker blocked in wait(). */
  eventfd(): number;
  eventfdSignal(fd: number): void;
  eventfdClear(fd: number): void;

  stats(): NativeStats;

  /** The calling thread's capability sets (capabilities(7)), as capability numbers (CAP_NET_ADMIN = 12). */
  capabilities(): CapabilitySets;
  /**
   * Every thread of the process keeps only the capabilities numbered in `keep` (of those it has):
   * effective = permitted = inheritable = keep; ambient = keep when not root (root's children get
   * theirs from the bounding set); the bounding set = keep when the thread holds CAP_SETPCAP;
   * no_new_privs set. Linux keeps all of these per thread, so each thread is signalled to drop its
   * own (native/caps.c). `threads`: how many did; `bounding`: whether the bounding set shrank.
   * Throws a NativeError (ETIMEDOUT when a thread does not answer within 2 s).
   */
  dropCapabilities(keep: readonly number[]): { threads: number; bounding: boolean };
  /** The constants the C side was built with (the same as the exports below; a test checks). */
  readonly constants: Readonly<Record<string, number>>;
}

// TUN_F_* of include/uapi/linux/if_tun.h, for tunSetOffload.
export const TUN_F_CSUM = 0x01; // checksums may be left partial (VIRTIO_NET_HDR_F_NEEDS_CSUM)
export const TUN_F_TSO4 = 0x02; // TCP segmentation offload, IPv4
export const TUN_F_TSO6 = 0x04; // … IPv6
export const TUN_F_TSO_ECN = 0x08; // … with the ECN CWR bit
export const TUN_F_USO4 = 0x20; // UDP segmentation offload, IPv4 (Linux 6.2)
export const TUN_F_USO6 = 0x40; // … IPv6

/** Bytes of the virtio-net header on a vnet TUN (struct virtio_net_hdr_v1). */
export const VNET_HDR_LEN = 12;

// Packet slot fields (u32, little-endian) the shim reads and writes: the same as the ESP engine's
// SLOT_* (assembly/esp/layout.ts; test/native.test.ts checks).
export const SLOT_BUF = 0;
export const SLOT_CAP = 4;
export const SLOT_OFF = 8;
export const SLOT_LEN = 12;
export const SLOT_VERDICT = 16;
export const SLOT_SIZE = 32;

/**
 * One packet as a batch of one, for a writeBatch from the main thread (an IKE datagram on 4500,
 * a held packet sent again): the slot at offset 0, the packet behind it, verdict 1.
 */
export function oneSlot(packet: Uint8Array): Uint8Array {
  const mem = new Uint8Array(SLOT_SIZE + packet.length);
  const v = new DataView(mem.buffer);
  v.setUint32(SLOT_BUF, SLOT_SIZE, true);
  v.setUint32(SLOT_CAP, packet.length, true);
  v.setUint32(SLOT_OFF, SLOT_SIZE, true);
  v.setUint32(SLOT_LEN, packet.length, true);
  v.setUint32(SLOT_VERDICT, 1, true);
  mem.set(packet, SLOT_SIZE);
  return mem;
}

/** Bytes readBatch writes in front of what the kernel delivers: the least OFF − BUF it accepts. */
export const HEADROOM: Readonly<Record<Kind, number>> = { tun: 0, raw4: 0, raw6: 40, udp4: 28, udp6: 48 };

let native: Native | undefined;

export function loadNative(): Native {
  native ??= createRequire(import.meta.url)('../../../build/Release/ipsecgw.node') as Native;
  return native;
}
