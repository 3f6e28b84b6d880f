// A datapath worker (a worker_threads thread). Its loop, per direction (a 'both' worker does each
// as its fds become readable):
//
//   tx: 1. wait for the TUN device (or the wake-up eventfd)
//       2. read a batch of packets straight into this lane's slots in shared WebAssembly memory
//       3. split GSO super-packets, if the device hands them over (IFF_VNET_HDR)
//       4. encapsulate the batch in WebAssembly (SPD lookup, ESP, headers)
//       5. send each protected packet on the socket of its kind (raw ESP / UDP 4500, IPv4 / IPv6);
//          on UDP, runs of equal-sized datagrams to one peer as one UDP_SEGMENT send
//   rx: 1. wait for the ESP and UDP 4500 sockets
//       2. read a batch from each readable socket (whole IP packets, see native.ts)
//       3. decapsulate in WebAssembly (SPI, replay, ICV, decrypt, policy)
//       4. coalesce TCP segments into GSO super-packets, if the device takes them (IFF_VNET_HDR)
//       5. write the inner packets to the TUN device
//
// Each SA is used by one worker only — outbound SAs by tx, inbound by rx, all by a lone 'both' —
// so sequence numbers, replay windows and counters need no atomics. Packets for the control plane
// (a trap policy without an SA, IKE behind the non-ESP marker) are posted to the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { Activity, ACTIVITY_WORDS, attachLane, TUN_SLOT_BYTES, type EnginePlan, type Lane } from './engine.js';
import { loadNative, type Kind as IoKind, type Native, type NativeError } from './native.js';

export type Role = 'tx' | 'rx' | 'both';

export interface WorkerSetup {
  plan: EnginePlan;
  lane: number;
  role: Role;
  tun: { fd: number; vnetHdr: boolean };
  /** Sockets by kind: raw ESP (raw4 / raw6) and UDP 4500 (udp4 / udp6). */
  sockets: Partial<Record<'raw4' | 'raw6' | 'udp4' | 'udp6', number>>;
  /** eventfd the main thread signals to wake the worker (to stop it). */
  wake: number;
  /** Int32Array over a SharedArrayBuffer: [0] = 1 asks the worker to stop. */
  control: SharedArrayBuffer;
}

/** What a worker posts to the main thread. */
export type WorkerMessage =
  | { type: 'ready'; role: Role }
  | { type: 'control'; reason: string; sa: number; aux: number; packet: Uint8Array }
  | { type: 'error'; message: string }
  | { type: 'segment-off'; code: string }
  | { type: 'stopped'; role: Role };

const OUT_KINDS = ['raw4', 'raw6', 'udp4', 'udp6'] as const;
/** Verdicts the worker gives SEND slots, one per output socket kind, for writeBatch to pick them. */
const SEND_AS = { raw4: 100, raw6: 101, udp4: 102, udp6: 103 } as const;

class Worker {
  private readonly lane: Lane;
  private readonly C: Readonly<Record<string, number>>;
  private readonly native: Native;
  private readonly stop: Int32Array;
  /** The lane's shared Activity words (this worker counts its own drops there). */
  private readonly activity: Int32Array;
  /** tx: UDP datagrams go in UDP_SEGMENT runs (off if the kernel ever refuses one). */
  private segment = true;
  /**
   * Whether one wake-up reads a source until it is empty. A 'both' worker takes one batch from
   * each ready source in turn instead, so that a flood one way never holds up the other (nor the
   * IKE messages and DPD that come in on UDP 4500).
   */
  private readonly drain: boolean;
  /** rx: coalesce into GSO super-packets before the TUN device (off if the kernel ever refuses one). */
  private gro: boolean;

  constructor(private readonly s: WorkerSetup) {
    this.lane = attachLane(s.plan, s.lane);
    this.C = this.lane.dp.consts;
    this.native = loadNative();
    this.stop = new Int32Array(s.control);
    this.activity = new Int32Array(this.lane.dp.memory.buffer, s.plan.lanes[s.lane].activity, ACTIVITY_WORDS);
    // BUF and CAP of the slots never change.
    const v = this.view();
    for (let i = 0; i < this.lane.batch; i++) {
      const slot = this.lane.slots + i * this.C.SLOT_SIZE;
      v.setUint32(slot + this.C.SLOT_BUF, this.lane.buffers + i * this.lane.bufferSize, true);
      v.setUint32(slot + this.C.SLOT_CAP, this.lane.bufferSize, true);
    }
    // rx (or both) with offloads: the lane's TUN slots take the super-packets, virtio header at BUF (esp/gro.ts).
    this.gro = s.role !== 'tx' && s.tun.vnetHdr && s.plan.tunSlots > 0;
    this.drain = s.role !== 'both';
    if (this.gro) {
      const lane = s.plan.lanes[s.lane];
      for (let i = 0; i < s.plan.tunSlots; i++) {
        const slot = lane.tunSlots + i * this.C.SLOT_SIZE, buf = lane.tunBuffers + i * TUN_SLOT_BYTES;
        v.setUint32(slot + this.C.SLOT_BUF, buf, true);
        v.setUint32(slot + this.C.SLOT_CAP, TUN_SLOT_BYTES, true);
        v.setUint32(slot + this.C.SLOT_OFF, buf + 16, true);
      }
    }
  }

  private view(): DataView {
    return new DataView(this.lane.dp.memory.buffer);
  }

  private mem(): Uint8Array {
    return new Uint8Array(this.lane.dp.memory.buffer);
  }

  /** Slots from `first` on get OFF = buffer + headroom, ready for a read. */
  private prepare(first: number): void {
    const v = this.view();
    for (let i = first; i < this.lane.batch; i++) {
      const slot = this.lane.slots + i * this.C.SLOT_SIZE;
      v.setUint32(slot + this.C.SLOT_OFF, this.lane.buffers + i * this.lane.bufferSize + this.lane.headroom, true);
    }
  }

  run(): void {
    const sockets = Object.values(this.s.sockets) as number[];
    const fds = this.s.role === 'tx' ? [this.s.tun.fd] : this.s.role === 'rx' ? sockets : [this.s.tun.fd, ...sockets];
    parentPort!.postMessage({ type: 'ready', role: this.s.role } satisfies WorkerMessage);
    while (Atomics.load(this.stop, 0) === 0) {
      const ready = this.native.wait([...fds, this.s.wake], 100);
      this.lane.maybeReseed();
      if (ready.includes(this.s.wake)) this.native.eventfdClear(this.s.wake);
      if (this.s.role !== 'rx' && ready.includes(this.s.tun.fd)) this.transmit();
      if (this.s.role !== 'tx') {
        for (const [kind, fd] of Object.entries(this.s.sockets) as Array<[IoKind, number]>) {
          if (ready.includes(fd)) this.receive(fd, kind);
        }
      }
    }
    parentPort!.postMessage({ type: 'stopped', role: this.s.role } satisfies WorkerMessage);
  }

  /** TUN → encap → sockets, until the device has nothing more to read (one batch when not draining). */
  private transmit(): void {
    if (this.s.tun.vnetHdr) return this.transmitOffloaded();
    for (;;) {
      this.prepare(0);
      const n = this.native.readBatch(this.s.tun.fd, 'tun', this.mem(), this.lane.slots, this.lane.batch);
      if (n === 0) return;
      this.flush(n);
      if (n < this.lane.batch || !this.drain) return;
    }
  }

  /**
   * The same with TUN offloads: reads land in the lane's large TUN slots (virtio header, then a
   * packet of up to 64 KB); gsoSplit cuts super-packets into the ordinary slots (or finishes a
   * partial checksum, and the packet is copied over whole); full batches are encapsulated and sent.
   */
  private transmitOffloaded(): void {
    const C = this.C, lane = this.s.plan.lanes[this.s.lane], count = this.s.plan.tunSlots;
    const fn = this.lane.dp.fn;
    for (;;) {
      const v = this.view();
      for (let i = 0; i < count; i++) {
        const slot = lane.tunSlots + i * C.SLOT_SIZE, buf = lane.tunBuffers + i * TUN_SLOT_BYTES;
        v.setUint32(slot + C.SLOT_BUF, buf, true);
        v.setUint32(slot + C.SLOT_CAP, TUN_SLOT_BYTES, true);
        v.setUint32(slot + C.SLOT_OFF, buf + 16, true); // after the virtio header
      }
      const n = this.native.readBatch(this.s.tun.fd, 'tun', this.mem(), lane.tunSlots, count);
      if (n === 0) return;
      let k = 0;
      this.prepare(0);
      for (let i = 0; i < n; i++) {
        const src = lane.tunSlots + i * C.SLOT_SIZE;
        let r = fn.gsoSplit(src, this.lane.slots + k * C.SLOT_SIZE, this.lane.batch - k);
        if (r === C.GSO_NO_ROOM && k > 0) {
          this.flush(k);
          k = 0;
          this.prepare(0);
          r = fn.gsoSplit(src, this.lane.slots, this.lane.batch);
        }
        if (r === 0) {
          // One ordinary packet (its checksum finished): copied into the next slot.
          const w = this.view(), mem = this.mem();
          const off = w.getUint32(src + C.SLOT_OFF, true), len = w.getUint32(src + C.SLOT_LEN, true);
          const slot = this.lane.slots + k * C.SLOT_SIZE;
          const to = w.getUint32(slot + C.SLOT_OFF, true);
          if (len + this.lane.headroom <= this.lane.bufferSize) {
            mem.copyWithin(to, off, off + len);
            w.setUint32(slot + C.SLOT_LEN, len, true);
            k++;
          } else Atomics.add(this.activity, Activity.TunMalformed, 1);
        } else if (r > 0) {
          k += r;
        } else {
          Atomics.add(this.activity, Activity.TunMalformed, 1); // a packet the kernel should not have handed over: counted
        }
        if (k === this.lane.batch) {
          this.flush(k);
          k = 0;
          this.prepare(0);
        }
      }
      if (k) this.flush(k);
      if (n < count || !this.drain) return;
    }
  }

  /** Encapsulates the first n slots and sends what is to be sent. */
  private flush(n: number): void {
    this.lane.process('encap', n, BigInt(Date.now()));
    this.dispatch(n);
  }

  /** A socket → decap → TUN, until the socket has nothing more to read (one batch when not draining). */
  private receive(fd: number, kind: IoKind): void {
    for (;;) {
      this.prepare(0);
      const n = this.native.readBatch(fd, kind, this.mem(), this.lane.slots, this.lane.batch);
      if (n === 0) return;
      this.lane.process('decap', n, BigInt(Date.now()));
      this.toTun(n);
      this.forwardControl(n);
      if (n < this.lane.batch || !this.drain) return;
    }
  }

  /**
   * Writes the decapsulated packets of the first n slots to the TUN device. With GRO, TCP segments
   * of a flow go as GSO super-packets (one write, one trip through the kernel's stack for up to
   * 64 KB) built in the lane's TUN slots; when those do not suffice (GRO_NO_ROOM) or on anything
   * else groCoalesce refuses, the packets go one by one as before.
   */
  private toTun(n: number): void {
    const C = this.C, lane = this.s.plan.lanes[this.s.lane];
    const m = this.gro ? this.lane.dp.fn.groCoalesce(this.lane.slots, n, lane.tunSlots, this.s.plan.tunSlots) : -1;
    if (m < 0) {
      this.native.writeBatch(this.s.tun.fd, 'tun', this.mem(), this.lane.slots, n, C.VERDICT_SEND);
      return;
    }
    for (let from = 0; from < m;) {
      try {
        this.native.writeBatch(this.s.tun.fd, 'tun', this.mem(), lane.tunSlots + from * C.SLOT_SIZE, m - from, C.VERDICT_SEND, { slotHeaders: true });
        return;
      } catch (err) {
        // The kernel checks the virtio header (virtio_net_hdr_to_skb). Should it refuse ours, that
        // one packet is lost, the rest goes on, and this worker writes plain packets from now on.
        const e = err as NativeError;
        if (e.code !== 'EINVAL' || e.index === undefined) throw err;
        this.gro = false;
        from += e.index + 1;
      }
    }
  }

  /** Sends each protected (or bypassed) packet on the socket its outer header calls for. */
  private dispatch(n: number): void {
    const C = this.C, v = this.view(), mem = this.mem();
    const count: Partial<Record<(typeof OUT_KINDS)[number], number>> = {};
    for (let i = 0; i < n; i++) {
      const slot = this.lane.slots + i * C.SLOT_SIZE;
      const verdict = v.getUint32(slot + C.SLOT_VERDICT, true);
      if (verdict !== C.VERDICT_SEND && verdict !== C.VERDICT_BYPASS) continue;
      const p = v.getUint32(slot + C.SLOT_OFF, true);
      const v6 = mem[p] >> 4 === 6;
      const proto = v6 ? mem[p + 6] : mem[p + 9];
      const kind = proto === 17 && verdict === C.VERDICT_SEND ? (v6 ? 'udp6' : 'udp4') : v6 ? 'raw6' : 'raw4';
      v.setUint32(slot + C.SLOT_VERDICT, SEND_AS[kind], true);
      count[kind] = (count[kind] ?? 0) + 1;
    }
    for (const [kind, selected] of Object.entries(count) as Array<[(typeof OUT_KINDS)[number], number]>) {
      const fd = this.s.sockets[kind];
      if (fd !== undefined) this.send(fd, kind, n, selected);
    }
    this.forwardControl(n);
  }

  /**
   * Sends the `selected` slots among the first n that dispatch gave to `kind`. A packet the kernel
   * refuses (no route, a firewall's EPERM, …) or has no room for (EAGAIN) is lost and counted, as a
   * router drops it; the rest of the batch goes on. Should the kernel refuse to segment a
   * UDP_SEGMENT run (EMSGSIZE: the datagrams exceed the route's MTU, which one at a time the kernel
   * would fragment; EINVAL: no UDP_SEGMENT; EIO: no checksum offload on the way), the run is sent
   * again datagram by datagram and this worker stops segmenting.
   */
  private send(fd: number, kind: (typeof OUT_KINDS)[number], n: number, selected: number): void {
    const C = this.C, udp = kind === 'udp4' || kind === 'udp6';
    let sent = 0;
    for (let from = 0; from < n;) {
      const slots = this.lane.slots + from * C.SLOT_SIZE;
      try {
        sent += udp
          ? this.native.writeBatch(fd, kind, this.mem(), slots, n - from, SEND_AS[kind], { segment: this.segment })
          : this.native.writeBatch(fd, kind, this.mem(), slots, n - from, SEND_AS[kind]);
        break;
      } catch (err) {
        const e = err as NativeError;
        if (e.index === undefined) throw err;
        sent += e.sent ?? 0;
        const run = (e.segments ?? 1) > 1;
        if (run && ['EMSGSIZE', 'EINVAL', 'EIO'].includes(e.code)) {
          this.segment = false;
          parentPort!.postMessage({ type: 'segment-off', code: e.code } satisfies WorkerMessage);
          from += e.index;
        } else from += run ? e.next! : e.index + 1; // the message is lost, a run as a whole
      }
    }
    if (selected > sent) Atomics.add(this.activity, Activity.SendFailed, selected - sent);
  }

  /** Posts the slots that go to the control plane (a copy of each packet). */
  private forwardControl(n: number): void {
    const v = this.view();
    for (let i = 0; i < n; i++) {
      const slot = this.lane.slots + i * this.C.SLOT_SIZE;
      if (v.getUint32(slot + this.C.SLOT_VERDICT, true) !== this.C.VERDICT_CONTROL) continue;
      const r = this.lane.result(i);
      parentPort!.postMessage({ type: 'control', reason: r.reason, sa: r.sa, aux: r.aux, packet: r.packet } satisfies WorkerMessage);
    }
  }
}

if (parentPort && workerData) {
  try {
    new Worker(workerData as WorkerSetup).run();
  } catch (err) {
    parentPort.postMessage({ type: 'error', message: (err as Error).stack ?? String(err) } satisfies WorkerMessage);
  }
}
