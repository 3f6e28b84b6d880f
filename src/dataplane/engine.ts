// The host side of the ESP engine (assembly/esp). Its memory is laid out as
//
//   heapBase | SPD header | SAD (maxSas records) | SPI index | SPD ×2 (swapped on update)
//            | lane 0: scratch, slots, packet buffers | lane 1 … | lane N …
//
// A lane is one WebAssembly instance working on that memory with scratch, slots and buffers of its
// own: lane 0 belongs to the Engine (the control side, and tests), the others to datapath workers
// in other threads (attachLane), which then share the memory — a SharedArrayBuffer. SAs and
// policies are written field by field at the offsets the module exports (assembly/esp/layout.ts),
// so the two sides cannot disagree about a layout. Packets go through in batches of slots.
import { randomBytes } from 'node:crypto';
import { instantiate, preferredVariant, SHARED_MAX_PAGES, type Datapath, type Variant } from './wasm.js';
import { parseAddress, parsePrefix, type Address } from './addr.js';
import { BATCH_HISTOGRAM_BYTES, BatchHistogram, type BatchSnapshot } from './batch-histogram.js';

export type EncAlgorithm = 'null' | 'aes-cbc' | 'aes-gcm' | 'chacha20-poly1305' | '3des-cbc' | 'des-cbc';
export type IntegAlgorithm = 'none' | 'hmac-sha1' | 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512';

const ENC_IDS: Record<EncAlgorithm, string> = {
  'null': 'ENC_NULL', 'aes-cbc': 'ENC_AES_CBC', 'aes-gcm': 'ENC_AES_GCM',
  'chacha20-poly1305': 'ENC_CHACHA20_POLY1305', '3des-cbc': 'ENC_3DES_CBC',
  // Single DES (RFC 2405) is the module's 3DES with K1 = K2 = K3: EDE with one key is DES (SP 800-67,
  // keying option 3). installSa writes the key three times.
  'des-cbc': 'ENC_3DES_CBC',
};
const INTEG_IDS: Record<IntegAlgorithm, string> = {
  'none': 'INTEG_NONE', 'hmac-sha1': 'INTEG_HMAC_SHA1', 'hmac-sha256': 'INTEG_HMAC_SHA256',
  'hmac-sha384': 'INTEG_HMAC_SHA384', 'hmac-sha512': 'INTEG_HMAC_SHA512',
};

export interface SelectorSpec {
  /** This side's prefix: the inner source of outbound packets ("10.1.0.0/24"). */
  local: string;
  remote: string;
  /** IP protocol number; 0 or absent: any. */
  protocol?: number;
  localPorts?: [number, number];
  remotePorts?: [number, number];
}

export interface SaSpec {
  spi: number;
  direction: 'in' | 'out';
  protocol?: 'esp' | 'ah';
  mode: 'tunnel' | 'transport';
  /** Outer addresses: ours then the peer's when outbound, the peer's then ours when inbound. */
  src: string;
  dst: string;
  /** UDP encapsulation (RFC 3948): source and destination ports of the outer UDP header. */
  encap?: { sport: number; dport: number };
  esn?: boolean;
  df?: 'copy' | 'set' | 'clear';
  ttl?: number;
  enc: EncAlgorithm;
  /** Encryption key bytes, without the AEAD salt. */
  encKeyBytes: number;
  integ: IntegAlgorithm;
  /** GCM's ICV length: 8, 12 or 16. */
  icvBytes?: number;
  /** Keying material: encryption key, salt (AEADs), integrity key. */
  key: Uint8Array;
  /** Inbound replay window, in packets (default 1024). */
  window?: number;
  /** Outbound: the last sequence number sent (default 0). Inbound: the highest received. */
  seq?: bigint;
  softSeq?: bigint;
  hardSeq?: bigint;
  selectors?: SelectorSpec[];
  /** Transport mode behind a NAT: recompute inner TCP/UDP checksums (RFC 3948 §3.1.2). */
  fixChecksum?: boolean;
}

export interface PolicySpec extends SelectorSpec {
  action: 'bypass' | 'drop' | 'protect' | 'trap';
  /** The outbound SA of a protect policy. */
  sa?: number;
  /** Reported with a trap, so the control plane knows which policy asks. */
  id?: number;
}

export type Verdict = 'drop' | 'send' | 'control' | 'bypass';

export interface SlotResult {
  verdict: Verdict;
  /** For drops: the reason ("icv", "replay", …); for control: "trap" or "ike". */
  reason: string;
  /** The SA (or, for a trap, the SPD entry index) involved, or -1. */
  sa: number;
  /** For a trap: the policy id. */
  aux: number;
  /** The packet as it now is in the slot (to send, to write, to hand on). */
  packet: Uint8Array;
}

export interface EngineOptions {
  maxSas?: number;
  maxPolicies?: number;
  /** Slots per batch. */
  batch?: number;
  /** Bytes per packet buffer, headroom included. */
  bufferSize?: number;
  /** Bytes reserved before each packet for the headers encapsulation adds. */
  headroom?: number;
  variant?: Variant;
  /** Lanes for datapath workers besides the Engine's own; > 0 puts the memory in a SharedArrayBuffer. */
  workers?: number;
  /**
   * Per worker lane: slots for reads from a TUN device with offloads, each large enough for a
   * 64 KB GSO super-packet and its virtio header (0: none). gsoSplit cuts them into the lane's
   * ordinary slots.
   */
  tunSlots?: number;
}

/** A TUN read slot: the virtio header at its start, headroom, then up to 64 KB of packet. */
export const TUN_SLOT_BYTES = 65536 + 256;

/**
 * A packet buffer that takes a UDP GRO aggregate (up to 64 KB of datagrams, read into one slot and
 * then split into the slots before it, native.ts readBatch) after the default headroom and the IP
 * and UDP header readBatch puts before it: the size of a TUN slot.
 */
export const AGGREGATE_BUFFER_BYTES = TUN_SLOT_BYTES;

/**
 * A lane's activity words (Int32, shared): the batch epoch and busy flag that let the control side
 * retire an SA safely (Engine.retireSa), and the drops the lane's worker counts itself.
 */
export enum Activity { Epoch, Busy, TunMalformed, SendFailed }
export const ACTIVITY_WORDS = Activity.SendFailed + 1;

/** Where everything is: enough for another thread to attach a lane to the same memory. */
export interface EnginePlan {
  variant: Variant;
  /** The shared memory, when there are worker lanes. */
  memory?: WebAssembly.Memory;
  spdHeader: number;
  sad: number;
  maxSas: number;
  spiTable: number;
  buckets: number;
  spd: [number, number];
  maxPolicies: number;
  batch: number;
  bufferSize: number;
  headroom: number;
  /**
   * Per lane: its scratch, slots, packet buffers, three int32 (epoch and busy for SA removal, TUN
   * drops) and its batch-size histogram (batch-histogram.ts).
   */
  lanes: Array<{ scratch: number; slots: number; buffers: number; activity: number; batches: number; tunSlots: number; tunBuffers: number }>;
  /** TUN read slots per worker lane (see EngineOptions). */
  tunSlots: number;
}

const align64 = (n: number): number => (n + 63) & ~63;

function plan(dp: Datapath, o: Required<Omit<EngineOptions, 'variant'>>, variant: Variant): { plan: EnginePlan; end: number } {
  const C = dp.consts;
  let at = align64(dp.heapBase);
  const take = (bytes: number): number => {
    const p = at;
    at = align64(at + bytes);
    return p;
  };
  const spdHeader = take(8);
  const sad = take(o.maxSas * C.SA_SIZE);
  const buckets = 2 ** Math.ceil(Math.log2(Math.max(2, o.maxSas * 2)));
  const spiTable = take(buckets * 4);
  const spd: [number, number] = [take(o.maxPolicies * C.SPD_SIZE), take(o.maxPolicies * C.SPD_SIZE)];
  const lanes = Array.from({ length: 1 + o.workers }, (_, i) => ({
    scratch: take(C.SCRATCH_SIZE),
    slots: take(o.batch * C.SLOT_SIZE),
    buffers: take(o.batch * o.bufferSize),
    activity: take(ACTIVITY_WORDS * 4),
    batches: take(BATCH_HISTOGRAM_BYTES),
    tunSlots: take(i ? o.tunSlots * C.SLOT_SIZE : 0),
    tunBuffers: take(i ? o.tunSlots * TUN_SLOT_BYTES : 0),
  }));
  const p: EnginePlan = {
    variant, spdHeader, sad, maxSas: o.maxSas, spiTable, buckets, spd, maxPolicies: o.maxPolicies,
    batch: o.batch, bufferSize: o.bufferSize, headroom: o.headroom, lanes, tunSlots: o.tunSlots,
  };
  return { plan: p, end: at };
}

/** "DROP_NO_SA" → "no-sa": reason names come from the module's own constant names. */
function reasonNames(consts: Record<string, number>, prefix: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const [name, value] of Object.entries(consts)) {
    if (name.startsWith(prefix) && name !== 'DROP_REASONS') {
      names.set(value, name.slice(prefix.length).toLowerCase().replace(/_/g, '-'));
    }
  }
  return names;
}

/**
 * One instance working on the engine's memory through its lane: runs batches. The Engine has lane
 * 0; a worker thread attaches its own with attachLane().
 */
export class Lane {
  readonly slots: number;
  readonly buffers: number;
  readonly batch: number;
  readonly bufferSize: number;
  readonly headroom: number;
  private readonly C: Readonly<Record<string, number>>;
  /** DROP_* code → name ("no-sa"). */
  readonly dropReasons: Map<number, string>;
  private readonly controls: Map<number, string>;
  private seededAt = 0;
  /** The IV generator is reseeded from the OS this often (ms). */
  static readonly RESEED_MS = 60_000;
  /** This lane's Activity words, shared with the control side. */
  private readonly activity: Int32Array;
  /** Packets per batch, read by the control side for the metrics endpoint. */
  private readonly batches: BatchHistogram;

  constructor(readonly dp: Datapath, readonly plan: EnginePlan, readonly index: number) {
    const lane = plan.lanes[index];
    this.C = dp.consts;
    this.slots = lane.slots;
    this.buffers = lane.buffers;
    this.batch = plan.batch;
    this.bufferSize = plan.bufferSize;
    this.headroom = plan.headroom;
    // Per-call scratch of this instance (assembly/scratch.ts), then the shared tables.
    dp.fn.setScratch(lane.scratch);
    dp.fn.sadInit(plan.sad, plan.maxSas, plan.spiTable, plan.buckets);
    dp.fn.spdInit(plan.spdHeader);
    this.dropReasons = reasonNames(this.C, 'DROP_');
    this.controls = reasonNames(this.C, 'CONTROL_');
    this.activity = new Int32Array(dp.memory.buffer, lane.activity, ACTIVITY_WORDS);
    this.batches = new BatchHistogram(dp.memory.buffer, lane.batches);
    this.seedRng();
  }

  /**
   * Mixes fresh entropy from the operating system into this lane's IV generator. The seed passes
   * through the first bytes of the slot table, which are put back afterwards: a worker sets each
   * slot's BUF and CAP once and only rewrites OFF per batch (a zeroed slot 0 made the next
   * readBatch throw and the worker die a minute after start — the first reseed).
   */
  seedRng(): void {
    this.seededAt = Date.now();
    const seed = randomBytes(32), mem = this.bytes();
    const p = this.slots, saved = mem.slice(p, p + 32);
    mem.set(seed, p);
    this.dp.fn.rngSeed(p);
    mem.set(saved, p);
    seed.fill(0);
  }

  /** Reseeds when the last seed is older than RESEED_MS (workers call this between batches). */
  maybeReseed(now = Date.now()): void {
    if (now - this.seededAt > Lane.RESEED_MS) this.seedRng();
  }

  bytes(): Uint8Array {
    return new Uint8Array(this.dp.memory.buffer);
  }

  /** The name of a drop reason or control code. */
  reasonName(verdict: Verdict, code: number): string {
    return verdict === 'drop' ? this.dropReasons.get(code) ?? String(code) : verdict === 'control' ? this.controls.get(code) ?? String(code) : '';
  }

  /**
   * Runs one batch: copies the packets into slots (after the headroom), calls the engine, and
   * returns each slot's verdict with the packet as it now is.
   */
  run(direction: 'encap' | 'decap', packets: Uint8Array[], now = BigInt(Date.now())): SlotResult[] {
    const C = this.C;
    if (packets.length > this.batch) throw new RangeError(`at most ${this.batch} packets per batch`);
    this.maybeReseed();
    const mem = this.bytes(), v = new DataView(mem.buffer);
    packets.forEach((pkt, i) => {
      const slot = this.slots + i * C.SLOT_SIZE, buf = this.buffers + i * this.bufferSize;
      if (this.headroom + pkt.length > this.bufferSize) throw new RangeError(`packet of ${pkt.length} bytes does not fit a slot`);
      mem.set(pkt, buf + this.headroom);
      v.setUint32(slot + C.SLOT_BUF, buf, true);
      v.setUint32(slot + C.SLOT_CAP, this.bufferSize, true);
      v.setUint32(slot + C.SLOT_OFF, buf + this.headroom, true);
      v.setUint32(slot + C.SLOT_LEN, pkt.length, true);
    });
    this.process(direction, packets.length, now);
    return packets.map((_, i) => this.result(i));
  }

  /**
   * Runs the engine on the first n slots, as they are. The lane is marked busy meanwhile, so that
   * the control side never wipes an SA a batch may be using (Engine.retireSa).
   */
  process(direction: 'encap' | 'decap', n: number, now: bigint): void {
    Atomics.store(this.activity, Activity.Busy, 1);
    try {
      (direction === 'encap' ? this.dp.fn.espEncapBatch : this.dp.fn.espDecapBatch)(this.slots, n, now);
    } finally {
      Atomics.store(this.activity, Activity.Busy, 0);
      Atomics.add(this.activity, Activity.Epoch, 1);
    }
    this.batches.record(n);
  }

  /** Slot i's verdict, reason, SA and packet after a batch. */
  result(i: number): SlotResult {
    const C = this.C, mem = this.bytes(), w = new DataView(mem.buffer);
    const slot = this.slots + i * C.SLOT_SIZE;
    const code = w.getUint32(slot + C.SLOT_VERDICT, true);
    const verdict: Verdict = code === C.VERDICT_SEND ? 'send' : code === C.VERDICT_CONTROL ? 'control'
      : code === C.VERDICT_BYPASS ? 'bypass' : 'drop';
    const off = w.getUint32(slot + C.SLOT_OFF, true), len = w.getUint32(slot + C.SLOT_LEN, true);
    return {
      verdict,
      reason: this.reasonName(verdict, w.getUint32(slot + C.SLOT_REASON, true)),
      sa: w.getInt32(slot + C.SLOT_SA, true),
      aux: w.getUint32(slot + C.SLOT_AUX, true),
      packet: mem.slice(off, off + len),
    };
  }

  /** This lane's counters: drops by reason, packets protected and accepted. */
  stats(): LaneStats {
    return readStats(this.dp, this.dropReasons, this.dp.fn.espStats());
  }
}

/** What an SA carried in its life: bytes and packets. */
export interface SaTotals {
  bytes: bigint;
  packets: bigint;
}

export interface LaneStats {
  drops: Record<string, bigint>;
  encap: bigint;
  decap: bigint;
}

/** The counters at p (assembly/esp/stats.ts): drops by reason, packets protected and accepted. */
function readStats(dp: Datapath, reasons: Map<number, string>, p: number): LaneStats {
  const C = dp.consts, v = new DataView(dp.memory.buffer);
  const drops: Record<string, bigint> = {};
  for (const [code, name] of reasons) drops[name] = v.getBigUint64(p + C.STATS_DROPS + 8 * code, true);
  return { drops, encap: v.getBigUint64(p + C.STATS_ENCAP, true), decap: v.getBigUint64(p + C.STATS_DECAP, true) };
}

/** In a worker thread: an instance on the engine's shared memory, bound to lane `index`. */
export function attachLane(plan: EnginePlan, index: number): Lane {
  if (!plan.memory) throw new Error('attachLane: this engine has no shared memory (workers: 0)');
  return new Lane(instantiate(plan.variant, plan.memory), plan, index);
}

/**
 * The control side: owns the memory, writes SAs and policies, reads status. Its own lane 0 runs
 * batches too (tests, tools, the one-shot ipsecgw/esp).
 */
/** How long retireSa waits for a busy lane (see there). */
const RETIRE_WAIT_MS = 2000;

export class Engine {
  readonly dp: Datapath;
  readonly plan: EnginePlan;
  readonly lane: Lane;
  readonly maxSas: number;
  private readonly C: Readonly<Record<string, number>>;
  private spdFront = 0;
  private readonly used = new Set<number>();
  private lowestFree = 0;

  constructor(opts: EngineOptions = {}) {
    const variant = opts.variant ?? preferredVariant();
    const o = {
      maxSas: opts.maxSas ?? 64, maxPolicies: opts.maxPolicies ?? 64, batch: opts.batch ?? 64,
      bufferSize: opts.bufferSize ?? 2048, headroom: opts.headroom ?? 128, workers: opts.workers ?? 0,
      tunSlots: opts.tunSlots ?? 0,
    };
    let memory: WebAssembly.Memory | undefined;
    if (o.workers > 0) {
      // Sized by a throw-away instance's plan: shared memory is reserved once, at its final size.
      const probe = plan(instantiate(variant), o, variant);
      const pages = Math.ceil(probe.end / 65536) + 1;
      if (pages > SHARED_MAX_PAGES) throw new RangeError(`engine needs ${pages} pages, more than ${SHARED_MAX_PAGES}`);
      memory = new WebAssembly.Memory({ initial: pages, maximum: SHARED_MAX_PAGES, shared: true });
    }
    this.dp = instantiate(variant, memory);
    const { plan: p, end } = plan(this.dp, o, variant);
    p.memory = memory;
    const missing = end - this.dp.memory.buffer.byteLength;
    if (missing > 0) this.dp.memory.grow(Math.ceil(missing / 65536));
    this.plan = p;
    this.C = this.dp.consts;
    this.maxSas = o.maxSas;
    this.lane = new Lane(this.dp, p, 0);
    this.dp.fn.spdSet(p.spd[0], 0);
  }

  get slots(): number { return this.lane.slots; }
  get buffers(): number { return this.lane.buffers; }
  get bufferSize(): number { return this.lane.bufferSize; }
  get headroom(): number { return this.lane.headroom; }

  private bytes(): Uint8Array {
    return new Uint8Array(this.dp.memory.buffer);
  }

  private view(): DataView {
    return new DataView(this.dp.memory.buffer);
  }

  saAddress(index: number): number {
    return this.plan.sad + index * this.C.SA_SIZE;
  }

  /** Writes and activates an SA; returns its index. Throws on an inconsistent spec. */
  installSa(spec: SaSpec): number {
    if (spec.enc === 'des-cbc') {
      // K|K|K, then the integrity key: 3DES keying option 3 (see ENC_IDS).
      if (spec.encKeyBytes !== 8 || spec.key.length < 8) throw new RangeError(`SA ${spec.spi.toString(16)}: bad key length`);
      const key = new Uint8Array(16 + spec.key.length);
      key.set(spec.key.subarray(0, 8));
      key.set(spec.key.subarray(0, 8), 8);
      key.set(spec.key, 16);
      try {
        return this.installSa({ ...spec, enc: '3des-cbc', encKeyBytes: 24, key });
      } finally {
        key.fill(0);
      }
    }
    const C = this.C;
    // The lowest free slot: below `lowestFree` every slot is taken (kept so that thousands of SAs
    // are not a quadratic scan).
    let index = this.lowestFree;
    while (this.used.has(index)) index++;
    if (index >= this.maxSas) throw new RangeError(`SAD full (${this.maxSas} SAs)`);
    const sa = this.saAddress(index);
    const mem = this.bytes(), v = this.view();
    mem.fill(0, sa, sa + C.SA_SIZE);
    const src = parseAddress(spec.src), dst = parseAddress(spec.dst);
    if (src.family !== dst.family) throw new RangeError(`outer addresses of different families: ${spec.src}, ${spec.dst}`);
    v.setUint32(sa + C.SA_SPI, spec.spi >>> 0, true);
    v.setUint8(sa + C.SA_DIR, spec.direction === 'in' ? C.DIR_IN : C.DIR_OUT);
    v.setUint8(sa + C.SA_MODE, spec.mode === 'tunnel' ? C.MODE_TUNNEL : C.MODE_TRANSPORT);
    v.setUint8(sa + C.SA_PROTO, spec.protocol === 'ah' ? C.PROTO_AH : C.PROTO_ESP);
    v.setUint8(sa + C.SA_FAMILY, src.family);
    v.setUint8(sa + C.SA_ENCAP, spec.encap ? 1 : 0);
    v.setUint8(sa + C.SA_ESN, spec.esn ? 1 : 0);
    v.setUint8(sa + C.SA_DF, { copy: C.DF_COPY, set: C.DF_SET, clear: C.DF_CLEAR }[spec.df ?? 'copy']);
    v.setUint8(sa + C.SA_TTL, spec.ttl ?? 64);
    v.setUint16(sa + C.SA_SPORT, spec.encap?.sport ?? 0, true);
    v.setUint16(sa + C.SA_DPORT, spec.encap?.dport ?? 0, true);
    v.setUint8(sa + C.SA_ENC, C[ENC_IDS[spec.enc]]);
    v.setUint8(sa + C.SA_INTEG, C[INTEG_IDS[spec.integ]]);
    v.setUint8(sa + C.SA_ICV, spec.icvBytes ?? 16);
    v.setUint8(sa + C.SA_ENC_KEY, spec.encKeyBytes);
    const aead = spec.enc === 'aes-gcm' || spec.enc === 'chacha20-poly1305';
    v.setUint8(sa + C.SA_INTEG_KEY, spec.key.length - spec.encKeyBytes - (aead ? 4 : 0));
    v.setUint8(sa + C.SA_FLAGS, spec.fixChecksum ? C.FLAG_FIX_CHECKSUM : 0);
    v.setUint32(sa + C.SA_WINDOW, spec.window ?? 1024, true);
    mem.set(src.bytes, sa + C.SA_SRC);
    mem.set(dst.bytes, sa + C.SA_DST);
    const never = 2n ** 64n - 1n;
    v.setBigUint64(sa + C.SA_SEQ, spec.direction === 'out' ? spec.seq ?? 0n : 0n, true);
    v.setBigUint64(sa + C.SA_SOFT, spec.softSeq ?? never, true);
    v.setBigUint64(sa + C.SA_HARD, spec.hardSeq ?? never, true);
    const selectors = spec.selectors ?? [];
    if (selectors.length > C.MAX_SELECTORS) throw new RangeError(`at most ${C.MAX_SELECTORS} traffic selectors per SA`);
    v.setUint32(sa + C.SA_NSEL, selectors.length, true);
    selectors.forEach((sel, i) => this.writeSelector(sa + C.SA_SEL + i * C.SEL_SIZE, sel));
    if (spec.key.length > C.SA_KEY_MAX) throw new RangeError(`keying material longer than ${C.SA_KEY_MAX} bytes`);
    mem.set(spec.key, sa + C.SA_KEY);
    const err = this.dp.fn.saActivate(index);
    if (err !== C.SA_OK) {
      mem.fill(0, sa, sa + C.SA_SIZE);
      const what = ['', 'index', 'algorithm combination', 'key length', 'ICV length', 'SPI already in use', 'field'][err];
      throw new RangeError(`SA ${spec.spi.toString(16)}: bad ${what}`);
    }
    if (spec.direction === 'in' && spec.seq) this.dp.fn.replayInit(sa + C.SA_REPLAY, spec.seq);
    this.used.add(index);
    this.lowestFree = index + 1;
    return index;
  }

  /**
   * An outbound SA's peer moved (RFC 7296 §2.23: its NAT mapping changed; RFC 3948): the outer
   * destination address and UDP port of every later packet. The port is one 16-bit store; a new
   * address is written while the owning worker may encapsulate, so one packet in flight may carry
   * a half-written address — it is lost, as packets are when a NAT rebinds anyway.
   */
  moveSa(index: number, dst: string, dport: number): void {
    const C = this.C, sa = this.saAddress(index), a = parseAddress(dst);
    if (a.family !== this.view().getUint8(sa + C.SA_FAMILY)) throw new RangeError(`SA ${index}: cannot move to another address family (${dst})`);
    this.bytes().set(a.bytes, sa + C.SA_DST);
    this.view().setUint16(sa + C.SA_DPORT, dport, true);
  }

  /**
   * Deletes an SA at once; its record, keys included, is zeroed. Only when no other lane can be
   * using it (no workers, or they are stopped): otherwise use retireSa.
   */
  removeSa(index: number): void {
    this.dp.fn.saRemove(index);
    this.used.delete(index);
    if (index < this.lowestFree) this.lowestFree = index;
  }

  /**
   * Deletes an SA that worker lanes may be using: it is marked dying at once (new packets no
   * longer use it), and wiped once every lane that was in a batch has finished that batch — a
   * batch half done with a wiped key would encrypt under a key of zeros.
   */
  async retireSa(index: number): Promise<SaTotals> {
    const C = this.C;
    // Sequentially consistent store, then loads: either a lane sees "dying" in its next batch, or
    // we see it busy and wait for that batch to end (the lane stores busy the same way).
    Atomics.store(new Int32Array(this.dp.memory.buffer, this.saAddress(index) + C.SA_STATE, 1), 0, C.SA_DYING);
    const waits = this.plan.lanes.slice(1).map((l) => {
      const a = new Int32Array(this.dp.memory.buffer, l.activity, ACTIVITY_WORDS);
      return { a, epoch: Atomics.load(a, Activity.Epoch), busy: Atomics.load(a, Activity.Busy) === 1 };
    });
    // A batch takes microseconds; a lane still "busy" after RETIRE_WAIT_MS has no live worker (it
    // died mid-batch), and waiting for it would hang every later removal and the shutdown.
    const deadline = Date.now() + RETIRE_WAIT_MS;
    for (const w of waits) {
      while (w.busy && Atomics.load(w.a, Activity.Epoch) === w.epoch && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    }
    // No batch uses it any more: these are its last counters (the metrics keep them).
    const { bytes, packets } = this.saStatus(index);
    this.removeSa(index);
    return { bytes, packets };
  }

  private writeSelector(p: number, sel: SelectorSpec): void {
    const C = this.C, mem = this.bytes(), v = this.view();
    const local = parsePrefix(sel.local), remote = parsePrefix(sel.remote);
    if (local.family !== remote.family) throw new RangeError(`selector ${sel.local} === ${sel.remote}: families differ`);
    v.setUint8(p + C.SEL_FAMILY, local.family);
    v.setUint8(p + C.SEL_PROTO, sel.protocol ?? 0);
    v.setUint8(p + C.SEL_LOCAL_LEN, local.len);
    v.setUint8(p + C.SEL_REMOTE_LEN, remote.len);
    const [llo, lhi] = sel.localPorts ?? [0, 65535], [rlo, rhi] = sel.remotePorts ?? [0, 65535];
    v.setUint16(p + C.SEL_LOCAL_PORTS, llo, true);
    v.setUint16(p + C.SEL_LOCAL_PORTS + 2, lhi, true);
    v.setUint16(p + C.SEL_REMOTE_PORTS, rlo, true);
    v.setUint16(p + C.SEL_REMOTE_PORTS + 2, rhi, true);
    mem.set(masked(local), p + C.SEL_LOCAL);
    mem.set(masked(remote), p + C.SEL_REMOTE);
  }

  /**
   * Replaces the SPD. The engine takes the first entry that matches, so entries are ordered as
   * strongSwan orders its policies: more specific first (sortPolicies); `keepOrder` uses the
   * order given instead.
   */
  setPolicies(policies: PolicySpec[], keepOrder = false): void {
    const C = this.C;
    if (policies.length > this.plan.maxPolicies) throw new RangeError(`at most ${this.plan.maxPolicies} policies`);
    if (!keepOrder) policies = sortPolicies(policies);
    const back = this.plan.spd[1 - this.spdFront];
    this.bytes().fill(0, back, back + policies.length * C.SPD_SIZE);
    const v = this.view();
    policies.forEach((pol, i) => {
      const e = back + i * C.SPD_SIZE;
      this.writeSelector(e, pol);
      v.setUint8(e + C.SPD_ACTION, { bypass: C.ACTION_BYPASS, drop: C.ACTION_DROP, protect: C.ACTION_PROTECT, trap: C.ACTION_TRAP }[pol.action]);
      v.setUint32(e + C.SPD_SA, pol.sa ?? 0, true);
      v.setUint32(e + C.SPD_ID, pol.id ?? i, true);
    });
    this.dp.fn.spdSet(back, policies.length);
    this.spdFront = 1 - this.spdFront;
  }

  /** Runs one batch on lane 0 (see Lane.run). */
  run(direction: 'encap' | 'decap', packets: Uint8Array[], now?: bigint): SlotResult[] {
    return this.lane.run(direction, packets, now);
  }

  /** An SA's counters and state. */
  saStatus(index: number): {
    state: 'free' | 'active' | 'expired' | 'dying'; seq: bigint; packets: bigint; bytes: bigint; used: bigint;
    soft: boolean; peerMoved: boolean; peer: Address | null; peerPort: number; drops: Record<string, number>;
  } {
    const C = this.C, v = this.view(), sa = this.saAddress(index);
    const state = v.getUint32(sa + C.SA_STATE, true);
    const flags = v.getUint8(sa + C.SA_FLAGS);
    const drops: Record<string, number> = {};
    for (const [code, name] of this.lane.dropReasons) {
      const n = v.getUint32(sa + C.SA_DROPS + 4 * code, true);
      if (n) drops[name] = n;
    }
    const moved = (flags & C.FLAG_PEER_MOVED) !== 0;
    const family = v.getUint8(sa + C.SA_FAMILY) as 4 | 6;
    return {
      state: state === C.SA_ACTIVE ? 'active' : state === C.SA_EXPIRED ? 'expired' : state === C.SA_DYING ? 'dying' : 'free',
      seq: v.getBigUint64(sa + C.SA_SEQ, true),
      packets: v.getBigUint64(sa + C.SA_PACKETS, true),
      bytes: v.getBigUint64(sa + C.SA_BYTES, true),
      used: v.getBigUint64(sa + C.SA_USED, true),
      soft: (flags & C.FLAG_SOFT) !== 0,
      peerMoved: moved,
      peer: moved ? { family, bytes: this.bytes().slice(sa + C.SA_PEER, sa + C.SA_PEER + 16) } : null,
      peerPort: v.getUint16(sa + C.SA_PEER_PORT, true),
      drops,
    };
  }

  /** Lane 0's counters. */
  stats(): LaneStats {
    return this.lane.stats();
  }

  /**
   * Lane i's counters, read from the shared memory (they sit at the same place in every lane's
   * scratch); with the drops its worker counts itself (see Activity): packets it took from the TUN
   * device and could not use (a GSO super-packet the splitter refuses, one too large for a slot),
   * reason 'tun-malformed', and packets the kernel would not send, reason 'send-failed'.
   */
  laneStats(i: number): LaneStats {
    const stats = readStats(this.dp, this.lane.dropReasons, this.plan.lanes[i].scratch + (this.dp.fn.espStats() - this.plan.lanes[0].scratch));
    const a = new Int32Array(this.dp.memory.buffer, this.plan.lanes[i].activity, ACTIVITY_WORDS);
    const count = (k: number): bigint => BigInt(Atomics.load(a, k) >>> 0);
    return { ...stats, drops: { ...stats.drops, 'tun-malformed': count(Activity.TunMalformed), 'send-failed': count(Activity.SendFailed) } };
  }

  /** Lane i's batch sizes so far (the lane's thread records them, see Lane.process). */
  laneBatches(i: number): BatchSnapshot {
    return new BatchHistogram(this.dp.memory.buffer, this.plan.lanes[i].batches).snapshot();
  }
}


/**
 * Policies, more specific first, as strongSwan prioritises them: longer prefixes (both sides
 * together) before shorter, then a named protocol before any, then narrower port ranges. The sort
 * is stable: equally specific policies keep the order they were given in.
 */
export function sortPolicies<T extends SelectorSpec>(policies: T[]): T[] {
  const span = (r?: [number, number]): number => (r ? r[1] - r[0] : 65535);
  const score = (p: SelectorSpec): number[] => {
    const l = parsePrefix(p.local), r = parsePrefix(p.remote);
    // IPv4 prefix lengths count as their IPv6-mapped equivalents, so families compare fairly.
    const bits = l.len + r.len + (l.family === 4 ? 192 : 0);
    return [bits, p.protocol ? 1 : 0, -(span(p.localPorts) + span(p.remotePorts))];
  };
  const keyed = policies.map((p, i) => ({ p, i, k: score(p) }));
  keyed.sort((a, b) => b.k[0] - a.k[0] || b.k[1] - a.k[1] || b.k[2] - a.k[2] || a.i - b.i);
  return keyed.map((x) => x.p);
}

/** A prefix's address with the host bits cleared, so that selectors compare networks. */
function masked(p: { bytes: Uint8Array; len: number }): Uint8Array {
  const out = p.bytes.slice();
  for (let bit = p.len; bit < 128; bit++) out[bit >> 3] &= ~(0x80 >> (bit & 7));
  return out;
}
