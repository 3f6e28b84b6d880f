// TCP segments coalesced into GSO super-packets for the TUN device (assembly/esp/gro.ts).
//
// The decisions (what joins, what ends a super-packet) are table-driven: each case is a batch of
// packets and the groups of input indices the output must hold, in any order across flows but in
// order within a flow. Every output is checked on its own terms, independently of gro.ts: a plain
// packet must be one of the inputs byte for byte with a header of zeros; a super-packet must have
// the virtio_net_hdr_v1, lengths and partial checksum Linux's GRO leaves (finishing it gives the
// full checksum), and gsoSplit (esp/gso.ts, tested against its own reference) must cut it back
// into the original segments byte for byte.
//
// Every run lays the slots out with one input packet ending exactly at the end of linear memory
// (a read past it traps) and fills everything else with a pattern that must be unchanged
// afterwards except where groCoalesce may write: the output slots' LEN and VERDICT and their
// buffers. The last part needs root: the kernel takes a super-packet written through writeBatch
// with the slot's own header, delivers it to a local TCP socket, and segments it again on its way
// out of a veth into another namespace, where the TCP stack verifies every checksum.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { instantiate, preferredVariant, type Datapath, type Variant } from '../src/dataplane/wasm.js';
import { concat, filler, inetChecksum, udpPacket, innerPacket } from './util/packets.js';
import { checksumsVerify, layout as ipLayout, pseudo, VNET } from './util/gso-reference.js';
import { readPcap } from './util/pcap.js';
import type { DriverArgs, DriverResult } from './util/gro-tun-driver.js';
import { tcpRun, tcpSegment, type SegmentOptions } from './util/tcp-segment.js';

const SLOT = 32, GUARD = 160, VNET_LEN = 12, SEND = 1;
const NO_ROOM = -1, MALFORMED = -2;
const align = (n: number): number => (n + 63) & ~63;

const instances = new Map<Variant, Datapath>();
function dpOf(variant: Variant = preferredVariant()): Datapath {
  let dp = instances.get(variant);
  if (!dp) instances.set(variant, (dp = instantiate(variant)));
  return dp;
}
const splitter = instantiate('strict'); // gsoSplit, on an instance of its own

let seed = 1;
let pattern = filler(1 << 18, 3);
function canary(n: number): Uint8Array {
  if (pattern.length < n + 4096) pattern = filler(n + 4096, 3);
  const at = (seed++ * 197) % 4096;
  return pattern.subarray(at, at + n);
}

interface Input {
  packet: Uint8Array;
  /** VERDICT of the input slot (SEND when not given): others must be ignored. */
  verdict?: number;
}
interface Setup {
  outMax?: number;
  /** Capacity of each output buffer (default 64 KB + 64), and OFF − BUF in it (default 16). */
  outCap?: number;
  outHead?: number;
  /** OFF − BUF of the input slots. */
  inHead?: number;
  /** Which input's buffer ends where memory ends (default: the last one). */
  atEnd?: number;
  /** Changes to the slot records before the call. */
  tweak?: (dv: DataView, inSlots: number, outSlots: number, outBufs: number[]) => void;
}
interface Out {
  vnet: Uint8Array;
  packet: Uint8Array;
}
interface Run {
  rc: number;
  out: Out[];
}

/** Runs groCoalesce once and checks that nothing outside what it may write changed. */
function coalesce(inputs: Input[], s: Setup = {}, dp: Datapath = dpOf()): Run {
  const n = inputs.length, outMax = s.outMax ?? Math.max(1, n);
  const outCap = s.outCap ?? 65536 + 64, outHead = s.outHead ?? 16, inHead = s.inHead ?? 24;
  const atEnd = s.atEnd ?? n - 1;
  const base = align(dp.heapBase);
  const inSlots = base;
  const outSlots = align(inSlots + SLOT * n + GUARD);
  let at = align(outSlots + SLOT * (outMax + 1) + GUARD);
  const outBufs: number[] = [];
  for (let i = 0; i <= outMax; i++) { // one more: a decoy after the last, never to be used
    outBufs.push(at);
    at = align(at + outCap + GUARD);
  }
  const inBufs: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i === atEnd) {
      inBufs.push(-1);
      continue;
    }
    inBufs.push(at);
    at = align(at + inHead + inputs[i].packet.length + GUARD);
  }
  const lastCap = atEnd >= 0 && atEnd < n ? inHead + inputs[atEnd].packet.length : 0;
  const need = at + lastCap + GUARD;
  if (need > dp.memory.buffer.byteLength) dp.memory.grow(Math.ceil((need - dp.memory.buffer.byteLength) / 65536));
  const end = dp.memory.buffer.byteLength;
  if (atEnd >= 0 && atEnd < n) inBufs[atEnd] = end - lastCap;
  const mem = new Uint8Array(dp.memory.buffer);
  const dv = new DataView(dp.memory.buffer);
  mem.set(canary(end - base), base);
  const setSlot = (slot: number, buf: number, cap: number, off: number): void => {
    dv.setUint32(slot, buf, true);
    dv.setUint32(slot + 4, cap, true);
    dv.setUint32(slot + 8, off, true);
  };
  inputs.forEach((x, i) => {
    const slot = inSlots + SLOT * i, buf = inBufs[i];
    setSlot(slot, buf, inHead + x.packet.length, buf + inHead);
    dv.setUint32(slot + 12, x.packet.length, true);
    dv.setUint32(slot + 16, x.verdict ?? SEND, true);
    mem.set(x.packet, buf + inHead);
  });
  outBufs.forEach((b, i) => setSlot(outSlots + SLOT * i, b, outCap, b + outHead));
  s.tweak?.(dv, inSlots, outSlots, outBufs);
  const before = mem.slice(base, end);

  const rc = dp.fn.groCoalesce(inSlots, n, outSlots, outMax);
  assert.ok(rc >= MALFORMED && rc <= outMax, `groCoalesce returned ${rc} with ${outMax} output slots`);

  const now = new Uint8Array(dp.memory.buffer);
  const after = now.slice(base, end);
  const allow = (from: number, len: number): void => after.set(before.subarray(from - base, from - base + len), from - base);
  const writable = rc === NO_ROOM ? outMax : Math.max(rc, 0); // after -1, any output slot may hold junk
  const out: Out[] = [];
  for (let i = 0; i < writable; i++) {
    const slot = outSlots + SLOT * i;
    const buf = dv.getUint32(slot, true), cap = dv.getUint32(slot + 4, true);
    const off = dv.getUint32(slot + 8, true), len = dv.getUint32(slot + 12, true);
    if (i < rc) {
      assert.equal(dv.getUint32(slot + 16, true), SEND, `output ${i}: VERDICT_SEND`);
      assert.ok(off + len <= buf + cap && off >= buf + VNET_LEN, `output ${i} lies in its buffer`);
      out.push({ vnet: now.slice(buf, buf + VNET_LEN), packet: now.slice(off, off + len) });
    }
    allow(slot + 12, 8);
    allow(buf, cap);
  }
  if (Buffer.compare(after, before) !== 0) {
    const i = after.findIndex((x, k) => x !== before[k]);
    assert.fail(`groCoalesce returned ${rc} and wrote at ${base + i}, outside what it may write`);
  }
  return { rc, out };
}

/** gsoSplit of a super-packet (on its own instance): the segments. */
function resplit(o: Out): Uint8Array[] {
  const dp = splitter;
  const base = align(dp.heapBase), maxSegs = 80, segCap = 66000;
  const need = base + SLOT * (maxSegs + 1) + (maxSegs + 1) * segCap + 128;
  if (need > dp.memory.buffer.byteLength) dp.memory.grow(Math.ceil((need - dp.memory.buffer.byteLength) / 65536));
  const mem = new Uint8Array(dp.memory.buffer), dv = new DataView(dp.memory.buffer);
  const bufs = align(base + SLOT * (maxSegs + 1));
  const setSlot = (slot: number, buf: number, off: number, len: number): void => {
    dv.setUint32(slot, buf, true);
    dv.setUint32(slot + 4, segCap, true);
    dv.setUint32(slot + 8, off, true);
    dv.setUint32(slot + 12, len, true);
  };
  setSlot(base, bufs, bufs + 64, o.packet.length);
  mem.set(o.vnet, bufs);
  mem.set(o.packet, bufs + 64);
  for (let i = 0; i < maxSegs; i++) setSlot(base + SLOT * (i + 1), bufs + segCap * (i + 1), bufs + segCap * (i + 1) + 64, 0);
  const rc = dp.fn.gsoSplit(base, base + SLOT, maxSegs);
  assert.ok(rc > 1, `gsoSplit of a super-packet gave ${rc}`);
  return Array.from({ length: rc }, (_, i) => {
    const slot = base + SLOT * (i + 1), off = dv.getUint32(slot + 8, true), len = dv.getUint32(slot + 12, true);
    return mem.slice(off, off + len);
  });
}

const be16 = (b: Uint8Array, at: number): number => (b[at] << 8) | b[at + 1];

/**
 * Checks a super-packet's header and fields (independently of gro.ts) and returns its segments:
 * virtio_net_hdr_v1 (NEEDS_CSUM, TCPV4/TCPV6, hdr_len, gso_size, csum_start, csum_offset 16,
 * num_buffers 0), the IP length fields, the IPv4 header checksum, the TCP checksum field holding
 * the folded pseudo-header sum over the whole TCP length — so that finishing it over the packet
 * (skb_checksum_help) gives the checksum a full computation gives.
 */
function checkSuper(o: Out): Uint8Array[] {
  const p = o.packet, v = new DataView(o.vnet.buffer, o.vnet.byteOffset, VNET_LEN);
  const { v: fam, l3, proto, l4h, src, dst } = ipLayout(p);
  assert.equal(proto, 6, 'TCP');
  assert.equal(o.vnet[0], VNET.NEEDS_CSUM, 'flags NEEDS_CSUM');
  assert.equal(o.vnet[1], fam === 4 ? VNET.TCPV4 : VNET.TCPV6, 'gso_type');
  assert.equal(v.getUint16(2, true), l3 + l4h, 'hdr_len');
  assert.equal(v.getUint16(6, true), l3, 'csum_start');
  assert.equal(v.getUint16(8, true), 16, 'csum_offset');
  assert.equal(v.getUint16(10, true), 0, 'num_buffers');
  assert.ok(p.length <= 65535, 'at most 64 KB');
  if (fam === 4) {
    assert.equal(be16(p, 2), p.length, 'IPv4 total length');
    assert.equal(inetChecksum(p.subarray(0, 20)), 0, 'IPv4 header checksum');
  } else {
    assert.equal(be16(p, 4), p.length - 40, 'IPv6 payload length');
  }
  const l4 = p.subarray(l3);
  assert.equal(be16(p, l3 + 16), ~inetChecksum(pseudo(src, dst, 6, l4.length)) & 0xffff, 'partial checksum: the pseudo-header sum');
  const finished = inetChecksum(l4); // the field holds the pseudo-header's sum: summing from csum_start includes it
  const zeroed = l4.slice();
  zeroed[16] = zeroed[17] = 0;
  assert.equal(finished, inetChecksum(pseudo(src, dst, 6, l4.length), zeroed), 'finishing NEEDS_CSUM gives the full checksum');
  const segs = resplit(o);
  const gso = v.getUint16(4, true);
  assert.ok(segs.length <= 64, 'at most 64 segments');
  assert.equal(segs[0].length - l3 - l4h, gso, 'gso_size is the first segment\'s payload');
  return segs;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** IPv4 with the ID and header checksum blanked: to match segments of a fixed-ID flow. */
const noId = (b: Uint8Array): string => {
  if (b[0] >> 4 !== 4) return hex(b);
  const c = b.slice();
  c[4] = c[5] = c[10] = c[11] = 0;
  return hex(c);
};

/**
 * Which inputs each output holds: [i] for a packet copied alone (byte for byte, header zeros),
 * [i, j, …] for a super-packet whose segments are those inputs byte for byte. Every input sent
 * must be in exactly one output; inputs with another verdict in none.
 */
function explain(inputs: Input[], r: Run, o: { fixedId?: boolean } = {}): number[][] {
  assert.ok(r.rc >= 0, `rc ${r.rc}`);
  const byBytes = new Map<string, number[]>();
  const key = o.fixedId ? noId : hex;
  inputs.forEach((x, i) => {
    if ((x.verdict ?? SEND) !== SEND) return;
    const k = key(x.packet);
    byBytes.set(k, [...(byBytes.get(k) ?? []), i]);
  });
  const take = (b: Uint8Array, what: string): number => {
    const list = byBytes.get(key(b));
    assert.ok(list?.length, `${what} is none of the inputs`);
    return list.shift()!;
  };
  const groups = r.out.map((x, k) => {
    if (x.vnet.every((b) => b === 0)) return [take(x.packet, `output ${k}`)];
    return checkSuper(x).map((seg, j) => take(seg, `segment ${j} of output ${k}`));
  });
  for (const [k, rest] of byBytes) assert.equal(rest.length, 0, `input ${rest} (${k.slice(0, 16)}…) is in no output`);
  return groups;
}

/** The flow of a packet: addresses, protocol, ports — what keeps order within it. */
function flowOf(p: Uint8Array): string {
  const { l3, proto, src, dst } = ipLayout(p);
  const ports = proto === 6 || proto === 17 ? hex(p.subarray(l3, l3 + 4)) : '';
  return `${hex(src)}>${hex(dst)}/${proto}/${ports}`;
}

/** Groups as expected (order across flows free), and each flow's packets in input order in the output. */
function assertGroups(inputs: Input[], groups: number[][], want: number[][], name: string): void {
  const norm = (g: number[][]): number[][] => g.map((x) => [...x]).sort((a, b) => a[0] - b[0]);
  assert.deepEqual(norm(groups), norm(want), `${name}: groups`);
  assertFlowOrder(inputs, groups, name);
}
function assertFlowOrder(inputs: Input[], groups: number[][], name: string): void {
  const last = new Map<string, number>();
  for (const g of groups) {
    for (const i of g) {
      const f = flowOf(inputs[i].packet);
      assert.ok((last.get(f) ?? -1) < i, `${name}: input ${i} written after a later packet of its flow`);
      last.set(f, i);
    }
  }
}

// ---- the decisions ---------------------------------------------------------------------------

const A4: SegmentOptions = { src: '10.1.0.2', dst: '10.2.0.9', sport: 40001, dport: 5201, seq: 0x10000000, ack: 0x20000000, id: 0x3000 };
const B4: SegmentOptions = { ...A4, sport: 40002, seq: 0x50000000, id: 0x7000 };
const A6: SegmentOptions = { src: 'fd00:1::2', dst: 'fd00:2::9', sport: 40001, dport: 5201, seq: 0x10000000, ack: 0x20000000, flow: 0x12345 };
const PSH = 0x08, ACK = 0x10;
const TS = (v: number): Uint8Array => new Uint8Array([1, 1, 8, 10, (v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff, 0, 0, 0, 7]);
const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);
const sizes = (k: number, n = 1000): number[] => Array(k).fill(n);

/** A run with segment i changed by f (its checksums made right again). */
function runWith(o: SegmentOptions, sz: number[], change: Record<number, Partial<SegmentOptions>>, seedN = 1): Uint8Array[] {
  let seq = o.seq, id = o.id ?? 0x1000;
  return sz.map((n, i) => {
    const p = tcpSegment({ ...o, seq, id, payload: filler(n, seedN * 1000 + i), ...(change[i] ?? {}) });
    seq = (seq + n) >>> 0;
    id = (id + 1) & 0xffff;
    return p;
  });
}

/** The IPv6 packet p with an empty Hop-by-Hop Options header (PadN) before TCP (RFC 8200 §4.3). */
function withHopByHop(p: Uint8Array): Uint8Array {
  const out = concat(p.subarray(0, 40), new Uint8Array([p[6], 0, 1, 4, 0, 0, 0, 0]), p.subarray(40));
  out[6] = 0;
  new DataView(out.buffer).setUint16(4, out.length - 40);
  return out;
}

interface Case {
  name: string;
  packets: Uint8Array[];
  want: number[][];
  fixedId?: boolean;
}

const mid = (o: SegmentOptions, c: Partial<SegmentOptions>): Uint8Array[] => runWith(o, sizes(5), { 2: c });
const FLUSH_MIDDLE = [[0, 1], [2], [3, 4]];
const cases: Case[] = [
  { name: 'five full segments', packets: tcpRun(A4, sizes(5)), want: [range(0, 5)] },
  { name: 'a shorter last one joins and ends it', packets: tcpRun(A4, [1000, 1000, 1000, 1000, 300, 1000]), want: [range(0, 5), [5]] },
  { name: 'one byte, the shortest last', packets: tcpRun(A4, [1000, 1]), want: [[0, 1]] },
  { name: 'a shorter one ends it, the next starts another', packets: tcpRun(A4, [1000, 1000, 500, 1000, 1000]), want: [[0, 1, 2], [3, 4]] },
  { name: 'a longer one cannot follow a shorter gso_size', packets: tcpRun(A4, [500, 1000, 1000]), want: [[0], [1, 2]] },
  { name: 'PSH on the last joins and ends it', packets: runWith(A4, sizes(5), { 3: { flags: ACK | PSH } }), want: [range(0, 4), [4]] },
  { name: 'PSH on the first: alone', packets: runWith(A4, sizes(3), { 0: { flags: ACK | PSH } }), want: [[0], [1, 2]] },
  { name: 'sequence gap', packets: runWith(A4, sizes(4), { 2: { seq: A4.seq + 2001 } }), want: [[0, 1], [2], [3]] },
  { name: 'retransmission (same sequence number)', packets: [...tcpRun(A4, sizes(2)), ...tcpRun({ ...A4, id: 0x3002 }, sizes(2))], want: [[0, 1], [2, 3]] },
  { name: 'another ACK number', packets: mid(A4, { ack: 0x20000001 }), want: FLUSH_MIDDLE },
  { name: 'another window', packets: mid(A4, { window: 503 }), want: FLUSH_MIDDLE },
  { name: 'same options merge', packets: tcpRun({ ...A4, options: TS(77) }, sizes(4)), want: [range(0, 4)] },
  { name: 'other options bytes', packets: runWith({ ...A4, options: TS(77) }, sizes(4), { 2: { options: TS(78) }, 3: { options: TS(78) } }), want: [[0, 1], [2, 3]] },
  { name: 'other urgent pointer', packets: mid(A4, { urgent: 9 }), want: FLUSH_MIDDLE },
  { name: 'IPv4 other TOS (ECN CE)', packets: mid(A4, { tos: 3 }), want: FLUSH_MIDDLE },
  { name: 'IPv4 other TTL', packets: mid(A4, { ttl: 63 }), want: FLUSH_MIDDLE },
  { name: 'IPv4 other DF', packets: mid(A4, { df: false }), want: FLUSH_MIDDLE },
  { name: 'IPv4 ID not incrementing', packets: runWith(A4, sizes(4), { 2: { id: 0x3005 }, 3: { id: 0x3006 } }), want: [[0, 1], [2, 3]] },
  { name: 'IPv4 ID wraps', packets: tcpRun({ ...A4, id: 0xfffe }, sizes(4)), want: [range(0, 4)] },
  { name: 'IPv4 fixed ID with DF (decided at the second)', packets: runWith(A4, sizes(4), { 1: { id: 0x3000 }, 2: { id: 0x3000 }, 3: { id: 0x3000 } }), want: [range(0, 4)], fixedId: true },
  { name: 'IPv4 fixed ID, then incrementing: ends', packets: runWith(A4, sizes(3), { 1: { id: 0x3000 }, 2: { id: 0x3002 } }), want: [[0, 1], [2]], fixedId: true },
  { name: 'IPv4 fixed ID without DF', packets: runWith({ ...A4, df: false }, sizes(3), { 1: { id: 0x3000 }, 2: { id: 0x3000 } }), want: [[0], [1], [2]] },
  { name: 'IPv4 options: alone, and the flow stops', packets: mid(A4, { ipv4Options: new Uint8Array([1, 1, 1, 0]) }), want: [[0, 1], [2], [3, 4]] },
  // Packets that are no candidates but may be of the flow: they stop it, so that what follows goes after them.
  { name: 'IPv4 options on a pure ACK: alone, and the flow stops', packets: runWith(A4, [1000, 1000, 0, 1000, 1000], { 2: { ipv4Options: new Uint8Array([1, 1, 1, 0]) } }), want: FLUSH_MIDDLE },
  { name: 'IPv6 Hop-by-Hop header on a pure ACK: alone, and the flow stops', packets: ((r) => [r[0], r[1], withHopByHop(r[2]), r[3], r[4]])(runWith(A6, [1000, 1000, 0, 1000, 1000], {})), want: FLUSH_MIDDLE },
  { name: 'IPv6 Hop-by-Hop header on a segment: alone', packets: ((r) => [r[0], withHopByHop(r[1]), r[2]])(tcpRun(A6, sizes(3))), want: [[0], [1], [2]] },
  { name: 'IPv4 fragment (MF): alone, and the flow stops', packets: mid(A4, { frag: 0x2000 }), want: FLUSH_MIDDLE },
  { name: 'IPv4 reserved flag: alone', packets: mid(A4, { frag: 0xc000 }), want: FLUSH_MIDDLE },
  { name: 'bad TCP checksum: alone, as it is', packets: mid(A4, { badChecksum: true }), want: FLUSH_MIDDLE },
  { name: 'bad TCP checksum on a first segment', packets: runWith(A4, sizes(3), { 0: { badChecksum: true } }), want: [[0], [1, 2]] },
  { name: 'bad TCP checksum on a last segment', packets: runWith(A4, sizes(3), { 2: { badChecksum: true } }), want: [[0, 1], [2]] },
  ...(['SYN', 'FIN', 'RST', 'URG', 'ECE', 'CWR'] as const).map((f): Case => ({
    name: `${f} in the middle: alone`,
    packets: mid(A4, { flags: ACK | { SYN: 0x02, FIN: 0x01, RST: 0x04, URG: 0x20, ECE: 0x40, CWR: 0x80 }[f] }),
    want: FLUSH_MIDDLE,
  })),
  { name: 'FIN|PSH at the end: alone', packets: runWith(A4, sizes(3), { 2: { flags: ACK | PSH | 0x01 } }), want: [[0, 1], [2]] },
  { name: 'no ACK: alone', packets: mid(A4, { flags: 0 }), want: FLUSH_MIDDLE },
  { name: 'AE / reserved bits: alone', packets: mid(A4, { reserved: 1 }), want: FLUSH_MIDDLE },
  { name: 'a pure ACK stops the flow', packets: runWith(A4, [1000, 1000, 0, 1000, 1000], {}), want: FLUSH_MIDDLE },
  { name: '64 segments at most', packets: tcpRun(A4, sizes(70, 500)), want: [range(0, 64), range(64, 70)] },
  { name: '65535 bytes at most (IPv4: the total length)', packets: tcpRun(A4, [...sizes(46, 1400), 1095, 1000]), want: [range(0, 47), [47]] },
  { name: 'one byte more does not fit', packets: tcpRun(A4, [...sizes(46, 1400), 1096, 1000]), want: [range(0, 46), [46, 47]] },
  { name: 'sequence numbers wrap', packets: tcpRun({ ...A4, seq: 0xfffffc00 }, sizes(4)), want: [range(0, 4)] },
  { name: 'one segment alone: as it is', packets: tcpRun(A4, [1000]), want: [[0]] },
  { name: 'IPv6: five', packets: tcpRun(A6, sizes(5)), want: [range(0, 5)] },
  { name: 'IPv6: 65535 bytes at most (the whole packet)', packets: tcpRun(A6, [...sizes(46, 1400), 1075, 10]), want: [range(0, 47), [47]] },
  { name: 'IPv6: other traffic class', packets: mid(A6, { tos: 0x20 }), want: FLUSH_MIDDLE },
  { name: 'IPv6: other flow label', packets: mid(A6, { flow: 0x54321 }), want: FLUSH_MIDDLE },
  { name: 'IPv6: other hop limit', packets: mid(A6, { ttl: 3 }), want: FLUSH_MIDDLE },
  {
    name: 'two flows interleaved',
    packets: ((a, b) => [a[0], b[0], a[1], b[1], a[2], b[2]])(tcpRun(A4, sizes(3)), tcpRun(B4, sizes(3), 2)),
    want: [[0, 2, 4], [1, 3, 5]],
  },
  {
    name: 'same ports, IPv4 and IPv6',
    packets: ((a, b) => [a[0], b[0], a[1], b[1]])(tcpRun(A4, sizes(2)), tcpRun(A6, sizes(2), 2)),
    want: [[0, 2], [1, 3]],
  },
  {
    name: 'UDP and ICMP in between: alone, the flow goes on',
    packets: ((a) => [a[0], udpPacket('10.1.0.2', '10.2.0.9', 40001, 5201, filler(300, 1)), a[1], innerPacket('icmp', '10.1.0.2', '10.2.0.9', filler(56, 2)), a[2]])(tcpRun(A4, sizes(3))),
    want: [[0, 2, 4], [1], [3]],
  },
];

for (const variant of ['strict', 'relaxed'] as const) {
  test(`coalescing decisions, table-driven (${variant} build)`, { skip: variant === 'relaxed' && preferredVariant() !== 'relaxed' ? 'no relaxed SIMD here' : false }, () => {
    const dp = dpOf(variant);
    for (const c of cases) {
      const inputs = c.packets.map((packet) => ({ packet }));
      const r = coalesce(inputs, {}, dp);
      assertGroups(inputs, explain(inputs, r, { fixedId: c.fixedId }), c.want, c.name);
    }
  });
}

test('super-packets: lengths, PSH of the last, header fields; gsoSplit gives the segments back byte for byte', () => {
  for (const o of [A4, A6, { ...A4, options: TS(5) }, { ...A6, options: TS(5), tos: 0x28 }]) {
    const segs = runWith(o, [1200, 1200, 1200, 700], { 3: { flags: ACK | PSH } });
    const inputs = segs.map((packet) => ({ packet }));
    const r = coalesce(inputs);
    assert.equal(r.rc, 1);
    const sp = r.out[0].packet, { l3, l4h } = ipLayout(sp);
    assert.equal(sp.length, l3 + l4h + 4300);
    assert.equal(sp[l3 + 13], ACK | PSH, 'PSH from the last segment');
    assert.deepEqual(sp.subarray(l3 + l4h), concat(...segs.map((s) => s.subarray(l3 + l4h))), 'the payloads in order');
    assert.deepEqual(sp.subarray(l3 + 4, l3 + 8), segs[0].subarray(l3 + 4, l3 + 8), 'the first sequence number');
    assert.equal(new DataView(r.out[0].vnet.buffer).getUint16(4, true), 1200, 'gso_size');
    assert.deepEqual(checkSuper(r.out[0]), segs);
  }
});

test('IPv4 fixed IDs (with DF): coalesced; gsoSplit then counts them up, as the kernel\'s GSO will (RFC 6864 §4.1)', () => {
  const segs = runWith(A4, sizes(3), { 1: { id: 0x3000 }, 2: { id: 0x3000 } });
  const r = coalesce(segs.map((packet) => ({ packet })));
  assert.equal(r.rc, 1);
  const back = checkSuper(r.out[0]);
  assert.deepEqual(back.map((s) => be16(s, 4)), [0x3000, 0x3001, 0x3002]);
  back.forEach((s, i) => assert.equal(noId(s), noId(segs[i])));
});

test('many flows: more than the table has entries, interleaved — all written, each in order, most coalesced', () => {
  for (const flows of [8, 16, 40]) {
    const runs = Array.from({ length: flows }, (_, f) => tcpRun({ ...A4, sport: 30000 + f * 7, seq: f * 0x01000000, id: f * 100 }, sizes(4), f + 1));
    const packets: Uint8Array[] = [];
    for (let k = 0; k < 4; k++) for (const r of runs) packets.push(r[k]);
    const inputs = packets.map((packet) => ({ packet }));
    const r = coalesce(inputs, { outMax: packets.length });
    const groups = explain(inputs, r);
    assertFlowOrder(inputs, groups, `${flows} flows`);
    if (flows <= 8) assert.ok(groups.length < packets.length / 2, `${flows} flows: ${groups.length} outputs for ${packets.length} packets`);
  }
});

test('mixed batch: two TCP flows per family, UDP, ICMP, garbage, and slots of other verdicts (ignored)', () => {
  const a = tcpRun(A4, sizes(4)), b = tcpRun(B4, sizes(3), 2), c = tcpRun(A6, sizes(3), 3);
  const inputs: Input[] = [
    { packet: a[0] }, { packet: c[0] }, { packet: filler(64, 9), verdict: 0 }, { packet: b[0] }, { packet: a[1] },
    { packet: udpPacket('fd00:1::2', 'fd00:2::9', 1, 2, filler(100, 4)) }, { packet: c[1] }, { packet: a[2], verdict: 2 },
    { packet: b[1] }, { packet: new Uint8Array([0x45, 0, 0]) }, { packet: c[2] }, { packet: b[2] }, { packet: a[3] },
  ];
  const r = coalesce(inputs);
  const groups = explain(inputs, r);
  // a[2] was not to be sent: a[0], a[1] join; a[3] does not follow a[1] (sequence gap).
  assertGroups(inputs, groups, [[0, 4], [1, 6, 10], [3, 8, 11], [5], [9], [12]], 'mixed');
});

test('reads nothing outside the packets: each input in turn ends where memory does', () => {
  const packets = [...tcpRun(A4, [1000, 1000, 200]), udpPacket('10.1.0.2', '10.2.0.9', 1, 2, filler(50, 1)), ...tcpRun(A6, [800, 800]), new Uint8Array([0x60])];
  const inputs = packets.map((packet) => ({ packet }));
  for (let atEnd = 0; atEnd < packets.length; atEnd++) {
    const r = coalesce(inputs, { atEnd, inHead: 0 });
    assertGroups(inputs, explain(inputs, r), [[0, 1, 2], [3], [4, 5], [6]], `input ${atEnd} at the end`);
  }
});

test('output slots just large enough: nothing written past them; smaller ones get fewer segments', () => {
  const segs = tcpRun(A4, sizes(6));
  const inputs = segs.map((packet) => ({ packet }));
  // Room for exactly three segments after the header: 40 + 3000 bytes.
  const r = coalesce(inputs, { outCap: 16 + 3040, outHead: 16, outMax: 2 });
  assertGroups(inputs, explain(inputs, r), [[0, 1, 2], [3, 4, 5]], 'three per slot');
  const tight = coalesce(inputs, { outCap: 12 + 1040, outHead: 12, outMax: 6 });
  assertGroups(inputs, explain(inputs, tight), segs.map((_, i) => [i]), 'one per slot');
});

test('-1 when the output does not fit; -2 (nothing written) for input slots that do not hold their packet', () => {
  const flows = Array.from({ length: 5 }, (_, f) => tcpRun({ ...A4, sport: 1000 + f }, sizes(2), f + 1)[0]);
  const inputs = flows.map((packet) => ({ packet }));
  assert.equal(coalesce(inputs, { outMax: 4 }).rc, NO_ROOM, 'five flows, four slots');
  assert.equal(coalesce(inputs, { outMax: 5 }).rc, 5);
  assert.equal(coalesce(inputs, { outMax: 0 }).rc, NO_ROOM, 'no output slot');
  assert.equal(coalesce([{ packet: flows[0] }], { outCap: 12 + 1039, outHead: 12 }).rc, NO_ROOM, 'a slot one byte short');
  assert.equal(coalesce([{ packet: flows[0] }], { outHead: 11 }).rc, NO_ROOM, 'no room for the virtio header before OFF');
  const outsideMem = (dv: DataView, _i: number, out: number) => dv.setUint32(out + 4, 0xffff0000, true);
  assert.equal(coalesce([{ packet: flows[0] }], { tweak: outsideMem }).rc, NO_ROOM, 'an output buffer past the end of memory');
  const overlap = (dv: DataView, inSlots: number, out: number) => {
    dv.setUint32(out, dv.getUint32(inSlots + 8, true) - 16, true); // the output buffer over the input packet
    dv.setUint32(out + 8, dv.getUint32(inSlots + 8, true) + 100, true);
    dv.setUint32(out + 4, 4000, true);
  };
  assert.equal(coalesce(inputs.slice(0, 2), { tweak: overlap, atEnd: -1 }).rc, NO_ROOM, 'an output buffer over an input packet');
  assert.equal(coalesce([], { outMax: 1 }).rc, 0, 'nothing to do');
  assert.equal(coalesce([{ packet: flows[0], verdict: 0 }]).rc, 0, 'nothing to send');

  const bad: Array<[string, (dv: DataView, s: number) => void]> = [
    ['LEN past CAP', (dv, s) => dv.setUint32(s + 12, dv.getUint32(s + 12, true) + 1, true)],
    ['OFF before BUF', (dv, s) => dv.setUint32(s, dv.getUint32(s + 8, true) + 1, true)],
    ['LEN past the end of memory', (dv, s) => { dv.setUint32(s + 12, 0x7fffffff, true); dv.setUint32(s + 4, 0xffffffff, true); }],
    ['OFF + LEN past 2^32', (dv, s) => { dv.setUint32(s + 12, 0xffffffff, true); dv.setUint32(s + 4, 0xffffffff, true); }],
  ];
  for (const [name, f] of bad) {
    assert.equal(coalesce(inputs, { tweak: (dv, s) => f(dv, s + SLOT * 3) }).rc, MALFORMED, name);
  }
  // A malformed slot that is not to be sent is not looked at.
  assert.equal(coalesce([{ packet: flows[0] }, { packet: flows[1], verdict: 0 }], { tweak: (dv, s) => bad[0][1](dv, s + SLOT) }).rc, 1);
});

test('mutated batches: never a trap, never a write outside the slots, every packet written once, flows in order', () => {
  let x = 12345;
  const rnd = (n: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x % n;
  };
  for (let round = 0; round < 300; round++) {
    const runs = [tcpRun(A4, sizes(6, 700), 1), tcpRun(B4, sizes(6, 700), 2), tcpRun(A6, sizes(6, 700), 3)];
    const packets: Uint8Array[] = [];
    for (let k = 0; k < 6; k++) for (const r of runs) if (rnd(4)) packets.push(r[k].slice());
    for (let m = rnd(4); m > 0; m--) {
      const p = packets[rnd(packets.length)];
      const at = rnd(Math.min(p.length, 80));
      p[at] ^= 1 << rnd(8);
    }
    if (rnd(5) === 0) packets.splice(rnd(packets.length), 0, filler(rnd(120), round));
    const inputs = packets.map((packet) => ({ packet, verdict: rnd(10) ? SEND : 0 }));
    const r = coalesce(inputs, { outMax: inputs.length });
    const groups = explain(inputs, r, {});
    assertFlowOrder(inputs, groups, `round ${round}`);
  }
});

test('speed: 128 segments of 1400 bytes, one flow (release build, diagnostic only)', (t) => {
  const dp = dpOf();
  const inputs = tcpRun(A4, sizes(128, 1400)).map((packet) => ({ packet }));
  coalesce(inputs, { outMax: 16 }, dp); // lays it out; the layout stays for the timed calls
  const base = align(dp.heapBase), outSlots = align(base + SLOT * 128 + GUARD);
  const t0 = process.hrtime.bigint();
  let rc = 0;
  for (let i = 0; i < 2000; i++) rc = dp.fn.groCoalesce(base, 128, outSlots, 16);
  const ns = Number(process.hrtime.bigint() - t0) / 2000;
  assert.equal(rc, 3);
  t.diagnostic(`${(ns / 1000).toFixed(1)} µs per batch: ${((128 * 1440) / ns).toFixed(2)} GB/s`);
});

// ---- the kernel takes it ---------------------------------------------------------------------

function netnsSkipReason(): string | false {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, TUN devices)';
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `\`ip netns\` is not available (${r.error?.message ?? r.stderr.trim()})`;
  return false;
}
const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const ipIn = (ns: string, ...args: string[]): string =>
  execFileSync('ip', ['-n', ns, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * Two namespaces: A holds the TUN device (10.91.0.1/24, the driver's peer 10.91.0.2 behind it) and
 * forwards to B over a veth pair (A 10.92.0.1 — B 10.92.0.2). A's veth end has checksum and
 * segmentation offloads off, so a GSO packet forwarded there is segmented in software and each
 * segment's checksum computed from the partial one; B's TCP then verifies every segment.
 */
describe('super-packets through a vnet TUN device, in network namespaces', { skip: netnsSkipReason() }, () => {
  const A = `ipsecgw-gro-${process.pid}-a`, B = `ipsecgw-gro-${process.pid}-b`;
  const made: string[] = [];
  const children: ChildProcess[] = [];
  let tmp = '';
  const driver = fileURLToPath(new URL('./util/gro-tun-driver.js', import.meta.url));
  const cleanup = (): void => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const ns of made.splice(0)) spawnSync('ip', ['netns', 'del', ns]);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  };

  before(() => {
    process.once('exit', cleanup);
    tmp = mkdtempSync(join(tmpdir(), 'ipsecgw-gro-'));
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        cleanup();
        process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
      });
    }
    for (const ns of [A, B]) {
      execFileSync('ip', ['netns', 'add', ns]);
      made.push(ns);
      ipIn(ns, 'link', 'set', 'lo', 'up');
    }
    ipIn(A, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb', 'netns', B);
    ipIn(A, 'addr', 'add', '10.92.0.1/24', 'dev', 'va');
    ipIn(B, 'addr', 'add', '10.92.0.2/24', 'dev', 'vb');
    ipIn(A, 'link', 'set', 'va', 'up');
    ipIn(B, 'link', 'set', 'vb', 'up');
    ipIn(B, 'route', 'add', '10.91.0.0/24', 'via', '10.92.0.1');
    execFileSync('ip', ['netns', 'exec', A, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  });

  after(cleanup);

  /** Runs the driver in A; its one JSON line. */
  function drive(args: DriverArgs): Promise<DriverResult> {
    return new Promise((resolve, reject) => {
      const c = spawn('ip', ['netns', 'exec', A, process.execPath, driver, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(c);
      let out = '';
      c.stdout!.on('data', (d) => (out += d));
      const timer = setTimeout(() => c.kill('SIGKILL'), 30000);
      c.on('exit', () => {
        clearTimeout(timer);
        try {
          const r = JSON.parse(out.trim().split('\n').pop() ?? '');
          if (r.error) reject(new Error(`driver: ${r.error}`));
          else resolve(r);
        } catch {
          reject(new Error(`driver gave no result: ${out}`));
        }
      });
    });
  }

  const COUNT = 40, MSS = 1000; // 40 000 bytes: within the receive window a handshake without window scaling gives

  test('written with its own header: one packet for the kernel, every byte to a local TCP socket', async () => {
    const r = await drive({ local: true, dst: '10.91.0.1', dport: 5001, count: COUNT, mss: MSS, seed: 21 });
    assert.equal(r.rc, 1, 'forty segments, one super-packet');
    assert.equal(r.sent, 1);
    assert.equal(r.superLen, 40 + COUNT * MSS);
    // flags NEEDS_CSUM, TCPV4, hdr_len 40, gso_size 1000, csum_start 20, csum_offset 16, num_buffers 0
    assert.equal(r.vnet, '010128' + '00e803' + '1400' + '1000' + '0000');
    assert.equal(r.rxAfter - r.rxBefore, 1, 'the device counted one packet');
    assert.ok(r.acked, 'the server acknowledged every byte');
    const payload = filler(COUNT * MSS, 21);
    assert.deepEqual(r.received, { length: payload.length, sha: createHash('sha256').update(payload).digest('hex') });
    assert.match(r.errors.noVnet, /^TypeError: writeBatch: slotHeaders needs a TUN device with a vnet header/);
    assert.match(r.errors.noRoom, /^RangeError: writeBatch: slot 0: need BUF \+ 12 <= OFF/);
  });

  test('forwarded: segmented again by the kernel with checksums from the partial one, verified by TCP in another namespace', { skip: has('ethtool') ? false : 'needs ethtool (to turn the veth offloads off)' }, async () => {
    execFileSync('ip', ['netns', 'exec', A, 'ethtool', '-K', 'va', 'tx', 'off', 'tso', 'off', 'gso', 'off'], { stdio: 'ignore' });
    // The server in B reports what it received when the connection ends (the driver resets it).
    const server = spawn('ip', ['netns', 'exec', B, process.execPath, '-e', `
      const net = require('node:net'), crypto = require('node:crypto');
      const srv = net.createServer((c) => {
        const parts = [];
        c.on('data', (d) => parts.push(d));
        c.on('error', () => {});
        c.on('close', () => {
          const all = Buffer.concat(parts);
          process.stdout.write(JSON.stringify({ length: all.length, sha: crypto.createHash('sha256').update(all).digest('hex') }) + '\\n');
          process.exit(0);
        });
      });
      srv.listen(5002, '10.92.0.2', () => process.stdout.write('listening\\n'));`], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(server);
    let serverOut = '';
    const listening = new Promise<void>((resolve) => server.stdout!.on('data', (d) => {
      serverOut += d;
      if (serverOut.includes('listening')) resolve();
    }));
    const done = new Promise<void>((resolve) => server.on('exit', () => resolve()));
    await listening;
    // A capture in B, when tcpdump is there: the segments as they arrive.
    const pcap = join(tmp, 'b.pcap');
    let dump: ChildProcess | undefined;
    if (has('tcpdump')) {
      // --immediate-mode: without it the few packets may still sit in the capture ring when tcpdump stops.
      dump = spawn('ip', ['netns', 'exec', B, 'tcpdump', '-i', 'vb', '--immediate-mode', '-B', '16384', '-U', '-n', '-s', '0', '-w', pcap, 'tcp port 5002'], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(dump);
      await new Promise<void>((resolve) => dump!.stderr!.on('data', (d) => String(d).includes('listening on') && resolve()));
    }

    const r = await drive({ local: false, dst: '10.92.0.2', dport: 5002, count: COUNT, mss: MSS, seed: 22 });
    assert.equal(r.rc, 1);
    assert.equal(r.rxAfter - r.rxBefore, 1, 'one packet into A');
    assert.ok(r.acked, 'B acknowledged every byte: its TCP found every segment\'s checksum right');
    await Promise.race([done, new Promise((_, j) => setTimeout(() => j(new Error('the server in B did not finish')), 5000))]);
    const payload = filler(COUNT * MSS, 22);
    const got = JSON.parse(serverOut.slice(serverOut.indexOf('{')));
    assert.deepEqual(got, { length: payload.length, sha: createHash('sha256').update(payload).digest('hex') });

    if (dump) {
      await new Promise((r) => setTimeout(r, 500)); // SIGINT drops what tcpdump has not taken from its ring yet
      dump.kill('SIGINT');
      await new Promise((resolve) => dump!.on('exit', resolve));
      const data = readPcap(readFileSync(pcap)).map((c) => new Uint8Array(c.data)).filter((p) => p[9] === 6 && p.subarray(12, 16).join('.') === '10.91.0.2' && p.length > 20 + (p[32] >> 4) * 4); // data segments from the peer
      // The original segments, forwarded once: TTL one less, header checksum to match.
      const want = r.segments.map((h) => {
        const p = new Uint8Array(Buffer.from(h, 'hex'));
        p[8]--;
        p[10] = p[11] = 0;
        const c = inetChecksum(p.subarray(0, 20));
        p[10] = c >> 8;
        p[11] = c & 0xff;
        return hex(p);
      });
      assert.deepEqual(data.map(hex), want, 'the kernel cut the super-packet back into the original segments, byte for byte');
      for (const p of data) assert.deepEqual(checksumsVerify(p), { ip: true, l4: true, lengths: true });
    }
  });
});
