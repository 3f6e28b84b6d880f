// TUN GSO super-packets split in WebAssembly (assembly/esp/gso.ts): gsoSplit against a reference
// segmentation written independently (test/util/gso-reference.ts), on packets built the way the
// kernel hands them over and on packets captured from a real TUN device; vnetFinish for checksums
// left to the device; malformed input refused without a byte written outside the slots.
//
// Every run lays the slots out in the module's memory with the input buffer ending exactly at the
// end of linear memory (a read past it traps), and everything else — slot records, the output
// buffers and the gaps between them — filled with a pattern that must be unchanged afterwards
// except where gsoSplit is allowed to write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instantiate, preferredVariant, type Datapath, type Variant } from '../src/dataplane/wasm.js';
import { concat, filler, inetChecksum } from './util/packets.js';
import {
  TCP_FLAGS, VNET, checksumsVerify, layout, parseVnet, pseudo, referenceSegments, superPacket, vnetBytes, type SuperOptions,
} from './util/gso-reference.js';
import { captured } from './util/gso-captured.js';

const SLOT = 32; // SLOT_SIZE
const GUARD = 192; // pattern bytes between buffers
const align = (n: number): number => (n + 63) & ~63;

interface Setup {
  vnet: Uint8Array;
  packet: Uint8Array;
  outMax: number;
  /** Capacity of each output buffer, and the headroom before OFF in it. */
  outCap?: number;
  outHead?: number;
  /** OFF − BUF of the input slot: where the packet starts after the virtio_net_hdr. */
  inHead?: number;
  /** Changes to the slot records (DataView over memory, input slot and output slots' addresses). */
  tweak?: (dv: DataView, input: number, out: number) => void;
}

interface Run {
  rc: number;
  segments: Uint8Array[];
  /** The input packet and its virtio_net_hdr after the call. */
  packet: Uint8Array;
  vnet: Uint8Array;
}

const instances = new Map<Variant, Datapath>();
function dpOf(variant: Variant = preferredVariant()): Datapath {
  let dp = instances.get(variant);
  if (!dp) instances.set(variant, (dp = instantiate(variant)));
  return dp;
}

let seed = 1;
let pattern = filler(1 << 18, 7);
/** Pattern bytes for the canary: a window into one long filler, moved on at every run. */
function canary(n: number): Uint8Array {
  if (pattern.length < n + 4096) pattern = filler(n + 4096, 7);
  const at = (seed++ * 331) % 4096;
  return pattern.subarray(at, at + n);
}

/** Runs gsoSplit on one input slot and checks that nothing outside the allowed bytes changed. */
function split(s: Setup, dp: Datapath = dpOf()): Run {
  const outCap = s.outCap ?? 2048, outHead = s.outHead ?? 64, inHead = s.inHead ?? s.vnet.length;
  const base = align(dp.heapBase);
  const slots = base;
  let at = align(slots + SLOT * (2 + s.outMax) + GUARD);
  const outBufs: number[] = [];
  for (let i = 0; i <= s.outMax; i++) { // one more: a decoy slot after the last, which must not be used
    outBufs.push(at);
    at = align(at + outCap + GUARD);
  }
  const inCap = inHead + s.packet.length;
  const need = at + inCap + GUARD;
  if (need > dp.memory.buffer.byteLength) dp.memory.grow(Math.ceil((need - dp.memory.buffer.byteLength) / 65536));
  const end = dp.memory.buffer.byteLength;
  const inBuf = end - inCap; // the input's buffer ends where memory does
  const mem = new Uint8Array(dp.memory.buffer);
  mem.set(canary(end - base), base);
  const dv = new DataView(dp.memory.buffer);
  const setSlot = (slot: number, buf: number, cap: number, off: number, len: number): void => {
    dv.setUint32(slot, buf, true);
    dv.setUint32(slot + 4, cap, true);
    dv.setUint32(slot + 8, off, true);
    dv.setUint32(slot + 12, len, true);
  };
  setSlot(slots, inBuf, inCap, inBuf + inHead, s.packet.length);
  mem.set(s.vnet, inBuf);
  mem.set(s.packet, inBuf + inHead);
  outBufs.forEach((b, i) => setSlot(slots + SLOT * (1 + i), b, outCap, b + outHead, 0xdeadbeef));
  s.tweak?.(dv, slots, slots + SLOT);
  const before = mem.slice(base, end);

  const rc = dp.fn.gsoSplit(slots, slots + SLOT, s.outMax);
  assert.ok(rc <= s.outMax && rc >= -2, `gsoSplit returned ${rc} with ${s.outMax} output slots`);

  const after = new Uint8Array(dp.memory.buffer).slice(base, end);
  const segments: Uint8Array[] = [];
  const allow = (from: number, len: number): void => after.set(before.subarray(from - base, from - base + len), from - base);
  if (rc > 0) {
    for (let i = 0; i < rc; i++) {
      const slot = slots + SLOT * (1 + i);
      const off = dv.getUint32(slot + 8, true), len = dv.getUint32(slot + 12, true);
      assert.ok(len <= outCap - outHead, `segment ${i} is longer than its slot`);
      segments.push(new Uint8Array(dp.memory.buffer).slice(off, off + len));
      allow(slot + 12, 4);
      allow(off, len);
    }
  }
  const inOff = dv.getUint32(slots + 8, true), inLen = dv.getUint32(slots + 12, true);
  const packet = new Uint8Array(dp.memory.buffer).slice(inOff, inOff + s.packet.length);
  const vnet = new Uint8Array(dp.memory.buffer).slice(inBuf, inBuf + s.vnet.length);
  if (rc === 0) {
    allow(inOff, inLen);
    allow(inBuf, 1);
  }
  if (Buffer.compare(after, before) !== 0) {
    const i = after.findIndex((x, k) => x !== before[k]);
    assert.fail(`gsoSplit returned ${rc} and wrote at ${base + i}, outside what it may write`);
  }
  return { rc, segments, packet, vnet };
}

/** Splits a super-packet and checks the segments against the reference, byte for byte. */
function splitsLikeLinux(o: SuperOptions, dp?: Datapath): Uint8Array[] {
  const { vnet, packet, hdrs } = superPacket(o);
  const want = referenceSegments(packet, o.gsoSize);
  const r = split({ vnet, packet, outMax: want.length + 2, outCap: hdrs + o.gsoSize + 64 }, dp);
  assert.equal(r.rc, want.length, 'number of segments');
  r.segments.forEach((seg, i) => {
    assert.deepEqual(seg, want[i], `segment ${i} of ${want.length}`);
    const v = checksumsVerify(seg);
    assert.deepEqual(v, { ip: true, l4: true, lengths: true }, `segment ${i}: checksums and lengths`);
    assert.ok(seg.length <= hdrs + o.gsoSize);
  });
  assert.deepEqual(concat(...r.segments.map((s) => s.subarray(hdrs))), o.payload, 'the payloads, concatenated');
  assert.deepEqual(r.packet, packet, 'the input is left as it was');
  return r.segments;
}

const tcpFlags = (seg: Uint8Array): number => seg[layout(seg).l3 + 13];
const be16At = (b: Uint8Array, at: number): number => (b[at] << 8) | b[at + 1];
const be32At = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset).getUint32(at);

test('TCP and UDP over IPv4 and IPv6: every size, split as Linux does, on both builds', () => {
  let cases = 0;
  for (const variant of ['strict', 'relaxed'] as const) {
    if (variant === 'relaxed' && preferredVariant() !== 'relaxed') continue;
    const dp = dpOf(variant);
    for (const family of [4, 6] as const) {
      for (const proto of ['tcp', 'udp'] as const) {
        for (const gsoSize of [1400, 1000, 536, 7, 2, 1]) {
          const sizes = gsoSize >= 536
            ? [gsoSize * 3, gsoSize * 3 + 1, gsoSize * 4 - 1, gsoSize + 1, gsoSize, 17, 1, gsoSize * 2 + 333]
            : [gsoSize * 5, gsoSize * 5 + 1, 1, gsoSize + 1, 31];
          for (const n of sizes) {
            splitsLikeLinux({ family, proto, gsoSize, payload: filler(n, n * 31 + gsoSize + family) }, dp);
            cases++;
          }
        }
      }
    }
  }
  assert.ok(cases >= 100);
});

test('TCP: sequence numbers, FIN and PSH on the last segment only, CWR on the first only, the rest copied', () => {
  for (const family of [4, 6] as const) {
    const all = TCP_FLAGS.FIN | TCP_FLAGS.PSH | TCP_FLAGS.ACK | TCP_FLAGS.CWR | TCP_FLAGS.ECE | TCP_FLAGS.URG;
    const segs = splitsLikeLinux({
      family, proto: 'tcp', gsoSize: 1000, payload: filler(3500, 5), flags: all, ecn: true, tos: 0x02, seq: 0xfffffc00,
      tcpOptions: new Uint8Array([1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]), // NOP NOP timestamps
    });
    assert.equal(segs.length, 4);
    const l3 = layout(segs[0]).l3;
    assert.deepEqual(segs.map(tcpFlags), [
      all & ~(TCP_FLAGS.FIN | TCP_FLAGS.PSH),
      all & ~(TCP_FLAGS.FIN | TCP_FLAGS.PSH | TCP_FLAGS.CWR),
      all & ~(TCP_FLAGS.FIN | TCP_FLAGS.PSH | TCP_FLAGS.CWR),
      all & ~TCP_FLAGS.CWR,
    ]);
    // The sequence number wraps past 2^32 (RFC 9293 §3.4: arithmetic modulo 2^32).
    assert.deepEqual(segs.map((s) => be32At(s, l3 + 4)), [0xfffffc00, 0xffffffe8, 0x3d0, 0x7b8]);
    for (const s of segs) {
      assert.equal(be32At(s, l3 + 8), 0x55667788, 'ack copied');
      assert.equal(be16At(s, l3 + 14), 502, 'window copied');
      assert.equal(s[l3 + 12] >> 4, 8, 'data offset copied');
      if (family === 4) assert.equal(s[1], 0x02, 'ECN codepoint copied');
      else assert.equal(((s[0] & 15) << 4) | (s[1] >> 4), 0x02, 'traffic class copied');
    }
    // A single segment keeps every flag.
    const one = splitsLikeLinux({ family, proto: 'tcp', gsoSize: 1000, payload: filler(1000, 6), flags: all, ecn: true });
    assert.deepEqual(one.map(tcpFlags), [all]);
  }
});

test('IPv4: ID + i per segment (wrapping), total length, header checksum, DF kept; for TCP and UDP alike', () => {
  for (const proto of ['tcp', 'udp'] as const) {
    for (const df of [true, false]) {
      const segs = splitsLikeLinux({ family: 4, proto, gsoSize: 1200, payload: filler(4000, 7), id: 0xfffe, df });
      assert.deepEqual(segs.map((s) => be16At(s, 4)), [0xfffe, 0xffff, 0, 1]);
      assert.deepEqual(segs.map((s) => be16At(s, 2)), proto === 'tcp' ? [1240, 1240, 1240, 440] : [1228, 1228, 1228, 428]);
      assert.ok(segs.every((s) => be16At(s, 6) === (df ? 0x4000 : 0)));
    }
  }
});

test('UDP: length per datagram; a checksum that comes to 0 is sent as 0xffff (RFC 768)', () => {
  for (const family of [4, 6] as const) {
    const segs = splitsLikeLinux({ family, proto: 'udp', gsoSize: 1000, payload: filler(2500, 8) });
    const l3 = layout(segs[0]).l3;
    assert.deepEqual(segs.map((s) => be16At(s, l3 + 4)), [1008, 1008, 508]);
    // Make the second datagram's checksum come to 0: put its would-be checksum into a payload word
    // that was 0 (adding ~S to a sum S gives all ones, whose complement is 0).
    const payload = filler(2500, 9);
    payload.fill(0, 1000, 1002);
    const { packet } = superPacket({ family, proto: 'udp', gsoSize: 1000, payload });
    const c = be16At(referenceSegments(packet, 1000)[1], l3 + 6);
    payload[1000] = c >> 8;
    payload[1001] = c & 0xff;
    const z = splitsLikeLinux({ family, proto: 'udp', gsoSize: 1000, payload });
    assert.equal(be16At(z[1], l3 + 6), 0xffff);
    // TCP has no such rule: Linux's tcp_gso_segment leaves a 0 as it is.
    const tp = filler(2500, 10);
    tp.fill(0, 1000, 1002);
    const t = superPacket({ family, proto: 'tcp', gsoSize: 1000, payload: tp });
    const tl3 = layout(t.packet).l3;
    const tc = be16At(referenceSegments(t.packet, 1000)[1], tl3 + 16);
    tp[1000] = tc >> 8;
    tp[1001] = tc & 0xff;
    const tz = splitsLikeLinux({ family, proto: 'tcp', gsoSize: 1000, payload: tp });
    assert.equal(be16At(tz[1], tl3 + 16), 0);
  }
});

test('64 KB super-packets at gso_size 1400, and the 12-byte virtio_net_hdr_v1', () => {
  for (const family of [4, 6] as const) {
    for (const proto of ['tcp', 'udp'] as const) {
      const hl = (family === 4 ? 20 : 40) + (proto === 'tcp' ? 20 : 8);
      const max = family === 4 ? 65535 - hl : 65535 - (hl - 40);
      const segs = splitsLikeLinux({ family, proto, gsoSize: 1400, payload: filler(max, family), vnetSize: 12 });
      assert.equal(segs.length, Math.ceil(max / 1400));
    }
  }
});

test('hdr_len is a hint: the exact header length, skb_headlen (older kernels) or 0 all give the same segments', () => {
  for (const hdrLen of ['exact', 'headlen', 0] as const) {
    splitsLikeLinux({ family: 4, proto: 'tcp', gsoSize: 1000, payload: filler(2100, 11), hdrLen });
    splitsLikeLinux({ family: 6, proto: 'udp', gsoSize: 1000, payload: filler(2100, 12), hdrLen });
  }
});

test('IPv4 options and IPv6 Hop-by-Hop / Destination Options headers are copied into every segment', () => {
  const ra = new Uint8Array([1, 1, 148, 4, 0, 0, 0, 0]); // NOP NOP Router Alert, End
  for (const proto of ['tcp', 'udp'] as const) {
    const segs = splitsLikeLinux({ family: 4, proto, gsoSize: 900, payload: filler(2000, 13), ipv4Options: ra });
    assert.ok(segs.every((s) => s[0] === 0x47));
    const pad = new Uint8Array([1, 4, 0, 0, 0, 0]); // PadN
    const ext = [{ type: 0, body: pad }, { type: 60, body: concat(pad, new Uint8Array(8)) }];
    const six = splitsLikeLinux({ family: 6, proto, gsoSize: 900, payload: filler(2000, 14), ipv6Ext: ext });
    assert.ok(six.every((s) => s[6] === 0 && s[40] === 60 && layout(s).l3 === 40 + 8 + 16));
  }
});

/** A valid super-packet, and a run of it with one thing changed. */
function base(o: Partial<SuperOptions> = {}): { vnet: Uint8Array; packet: Uint8Array } {
  return superPacket({ family: 4, proto: 'tcp', gsoSize: 1000, payload: filler(2500, 15), ...o });
}
function setVnet(vnet: Uint8Array, change: Partial<ReturnType<typeof parseVnet>>): Uint8Array {
  return vnetBytes({ ...parseVnet(vnet), ...change }, vnet.length as 10 | 12);
}
/** Recomputes the IPv4 header checksum after a change (so the change itself is what is tested). */
function fixIp(p: Uint8Array): Uint8Array {
  if (p[0] >> 4 !== 4) return p;
  const l3 = (p[0] & 15) * 4;
  p[10] = p[11] = 0;
  const c = inetChecksum(p.subarray(0, l3));
  p[10] = c >> 8;
  p[11] = c & 0xff;
  return p;
}
const MALFORMED = -2, NO_ROOM = -1;

test('malformed super-packets are refused (-2) and nothing is written', () => {
  const cases: Array<[string, { vnet: Uint8Array; packet: Uint8Array }]> = [];
  const add = (name: string, o: Partial<SuperOptions>, f: (b: { vnet: Uint8Array; packet: Uint8Array }) => void): void => {
    const b = base(o);
    f(b);
    cases.push([name, b]);
  };
  add('gso_size 0', {}, (b) => { b.vnet = setVnet(b.vnet, { gsoSize: 0 }); });
  for (const t of [2, 3, 6, 7, 0x7f, 0x80, 0x83]) add(`gso_type ${t}`, {}, (b) => { b.vnet = setVnet(b.vnet, { gsoType: t }); });
  add('UDP_L4 with the ECN bit', { proto: 'udp' }, (b) => { b.vnet = setVnet(b.vnet, { gsoType: VNET.UDP_L4 | VNET.ECN }); });
  add('hdr_len past the end', {}, (b) => { b.vnet = setVnet(b.vnet, { hdrLen: b.packet.length + 1 }); });
  add('TCPV4 on an IPv6 packet', { family: 6 }, (b) => { b.vnet = setVnet(b.vnet, { gsoType: VNET.TCPV4 }); });
  add('TCPV6 on an IPv4 packet', {}, (b) => { b.vnet = setVnet(b.vnet, { gsoType: VNET.TCPV6 }); });
  add('TCPV4 on a UDP packet', { proto: 'udp' }, (b) => { b.vnet = setVnet(b.vnet, { gsoType: VNET.TCPV4 }); });
  add('UDP_L4 on a TCP packet', {}, (b) => { b.vnet = setVnet(b.vnet, { gsoType: VNET.UDP_L4 }); });
  add('csum_start not at the TCP header', {}, (b) => { b.vnet = setVnet(b.vnet, { csumStart: 24 }); });
  add('csum_offset not the TCP checksum', {}, (b) => { b.vnet = setVnet(b.vnet, { csumOffset: 6 }); });
  add('csum_offset not the UDP checksum', { proto: 'udp' }, (b) => { b.vnet = setVnet(b.vnet, { csumOffset: 16 }); });
  add('IPv4 total length short', {}, (b) => { b.packet[3]--; fixIp(b.packet); });
  add('IPv4 total length long', {}, (b) => { b.packet[3]++; fixIp(b.packet); });
  add('IPv4 IHL 4', {}, (b) => { b.packet[0] = 0x44; fixIp(b.packet); });
  add('IPv4 IHL past the end', {}, (b) => { b.packet = b.packet.slice(0, 40); b.packet[0] = 0x4f; b.packet[2] = 0; b.packet[3] = 40; fixIp(b.packet); });
  add('IPv4 more fragments', {}, (b) => { b.packet[6] |= 0x20; fixIp(b.packet); });
  add('IPv4 fragment offset', {}, (b) => { b.packet[7] = 1; fixIp(b.packet); });
  add('IPv4 loose source route', { ipv4Options: new Uint8Array([1, 131, 7, 4, 10, 3, 0, 1]) }, () => {});
  add('IPv4 strict source route', { ipv4Options: new Uint8Array([1, 137, 7, 4, 10, 3, 0, 1]) }, () => {});
  add('IPv4 option length 1', { ipv4Options: new Uint8Array([1, 1, 148, 1]) }, () => {});
  add('IPv4 option past the header', { ipv4Options: new Uint8Array([1, 1, 148, 6]) }, () => {});
  add('version 5', {}, (b) => { b.packet[0] = 0x55; });
  add('IPv6 payload length short', { family: 6 }, (b) => { b.packet[5]--; });
  add('IPv6 payload length long', { family: 6 }, (b) => { b.packet[5]++; });
  add('IPv6 Routing header', { family: 6, ipv6Ext: [{ type: 43, body: new Uint8Array(6) }] }, () => {});
  add('IPv6 Fragment header', { family: 6, ipv6Ext: [{ type: 44, body: new Uint8Array(6) }] }, () => {});
  add('IPv6 Hop-by-Hop not first', { family: 6, ipv6Ext: [{ type: 60, body: new Uint8Array(6) }, { type: 0, body: new Uint8Array(6) }] }, () => {});
  add('IPv6 extension header past the end', { family: 6, ipv6Ext: [{ type: 60, body: new Uint8Array(6) }] }, (b) => { b.packet[41] = 200; });
  add('IPv4 carrying ICMP', {}, (b) => { b.packet[9] = 1; fixIp(b.packet); });
  add('TCP data offset 4', {}, (b) => { b.packet[32] = 0x40; });
  add('TCP data offset past the end', { payload: filler(30, 1) }, (b) => { b.packet[32] = 0xf0; });
  add('TCP headers only', { payload: new Uint8Array(0) }, () => {});
  add('UDP header only', { proto: 'udp', payload: new Uint8Array(0) }, () => {});
  add('IPv4 header only', {}, (b) => { b.packet = b.packet.slice(0, 20); b.packet[2] = 0; b.packet[3] = 20; fixIp(b.packet); });
  add('TCP header cut', {}, (b) => { b.packet = b.packet.slice(0, 30); b.packet[2] = 0; b.packet[3] = 30; fixIp(b.packet); });
  add('UDP header cut', { proto: 'udp' }, (b) => { b.packet = b.packet.slice(0, 27); b.packet[2] = 0; b.packet[3] = 27; fixIp(b.packet); });
  add('empty', {}, (b) => { b.packet = new Uint8Array(0); });
  for (const [name, b] of cases) {
    const r = split({ ...b, outMax: 8 });
    assert.equal(r.rc, MALFORMED, name);
  }
});

test('every truncation of a super-packet is refused; with its length fields made to match, only whole headers pass', () => {
  for (const o of [{ family: 4, proto: 'tcp' }, { family: 6, proto: 'udp' }, { family: 6, proto: 'tcp', tcpOptions: new Uint8Array(12) }] as const) {
    const b = base({ ...o, payload: filler(40, 16), gsoSize: 16 });
    const { hdrs } = superPacket({ ...o, payload: new Uint8Array(0), gsoSize: 16 });
    for (let n = 0; n < b.packet.length; n++) {
      const cut = b.packet.slice(0, n);
      assert.equal(split({ vnet: b.vnet, packet: cut, outMax: 4 }).rc, MALFORMED, `cut to ${n}`);
      if (n < (o.family === 4 ? 20 : 40)) continue;
      if (o.family === 4) {
        cut[2] = n >> 8;
        cut[3] = n & 0xff;
        fixIp(cut);
      } else {
        cut[4] = (n - 40) >> 8;
        cut[5] = (n - 40) & 0xff;
      }
      const r = split({ vnet: b.vnet, packet: cut, outMax: 4 });
      assert.equal(r.rc, n <= hdrs ? MALFORMED : Math.ceil((n - hdrs) / 16), `cut to ${n}, lengths fixed`);
      r.segments.forEach((s) => assert.deepEqual(checksumsVerify(s), { ip: true, l4: true, lengths: true }));
    }
  }
});

test('slots that do not hold the input are refused (-2)', () => {
  const b = base();
  const slotCases: Array<[string, (dv: DataView, input: number) => void]> = [
    ['OFF before the virtio_net_hdr ends', (dv, s) => dv.setUint32(s + 8, dv.getUint32(s, true) + 9, true)],
    ['OFF before BUF', (dv, s) => dv.setUint32(s + 8, dv.getUint32(s, true) - 1, true)],
    ['LEN past CAP', (dv, s) => dv.setUint32(s + 12, dv.getUint32(s + 12, true) + 1, true)],
    ['CAP past the end of memory', (dv, s) => dv.setUint32(s + 4, dv.getUint32(s + 4, true) + 1, true)],
    ['BUF + CAP wraps around 2^32', (dv, s) => dv.setUint32(s + 4, 0xffffffff, true)],
    ['LEN huge', (dv, s) => dv.setUint32(s + 12, 0xfffffff0, true)],
  ];
  for (const [name, tweak] of slotCases) {
    assert.equal(split({ ...b, outMax: 8, tweak }).rc, MALFORMED, name);
    // The same for a packet that is not GSO: vnetFinish checks its slot too.
    const small = superPacket({ family: 4, proto: 'udp', gsoSize: 0, payload: filler(20, 1) });
    small.vnet = setVnet(small.vnet, { gsoType: VNET.NONE, gsoSize: 0, hdrLen: 0 });
    assert.equal(split({ ...small, outMax: 0, tweak }).rc, MALFORMED, `${name}, not GSO`);
  }
});

test('more segments than output slots, or a slot too small or overlapping the input: -1, nothing written', () => {
  const b = base({ payload: filler(2500, 17) }); // three segments of at most 1040 bytes
  assert.equal(split({ ...b, outMax: 2 }).rc, NO_ROOM);
  assert.equal(split({ ...b, outMax: 0 }).rc, NO_ROOM);
  assert.equal(split({ ...b, outMax: 3 }).rc, 3);
  assert.equal(split({ ...b, outMax: 3, outCap: 1040 + 64 }).rc, 3);
  assert.equal(split({ ...b, outMax: 3, outCap: 1039 + 64 }).rc, NO_ROOM);
  // Only the last segment is short: a slot that holds it but not a full one.
  assert.equal(split({ ...b, outMax: 3, tweak: (dv, _i, out) => dv.setUint32(out + SLOT * 1 + 4, 1000, true) }).rc, NO_ROOM);
  assert.equal(split({ ...b, outMax: 3, tweak: (dv, _i, out) => dv.setUint32(out + SLOT * 2 + 4, 604, true) }).rc, 3);
  assert.equal(split({ ...b, outMax: 3, tweak: (dv, _i, out) => dv.setUint32(out + SLOT * 2 + 4, 603, true) }).rc, NO_ROOM);
  // Output OFF before its BUF, or a segment landing on the input packet or its virtio_net_hdr.
  assert.equal(split({ ...b, outMax: 3, tweak: (dv, _i, out) => dv.setUint32(out + 8, dv.getUint32(out, true) - 1, true) }).rc, NO_ROOM);
  for (const shift of [0, 10, 2000, -1039]) {
    const tweak = (dv: DataView, input: number, out: number): void => {
      const at = dv.getUint32(input, true) + shift;
      dv.setUint32(out + SLOT, at - 64, true);
      dv.setUint32(out + SLOT + 4, dv.byteLength - (at - 64), true); // up to the end of memory: it fits
      dv.setUint32(out + SLOT + 8, at, true);
    };
    assert.equal(split({ ...b, outMax: 3, tweak }).rc, NO_ROOM, `output overlapping the input at ${shift}`);
  }
});

/** A packet that is not GSO, with its TCP/UDP checksum left to the device. */
function partialPacket(family: 4 | 6, proto: 'tcp' | 'udp', payload: Uint8Array): { vnet: Uint8Array; packet: Uint8Array; full: Uint8Array } {
  const { vnet, packet } = superPacket({ family, proto, gsoSize: 0, payload, flags: TCP_FLAGS.ACK | TCP_FLAGS.FIN });
  const full = packet.slice();
  const at = layout(full).l3 + (proto === 'tcp' ? 16 : 6);
  const c = l4Checksum(full) || 0xffff;
  full[at] = c >> 8;
  full[at + 1] = c & 0xff;
  return { vnet: setVnet(vnet, { gsoType: VNET.NONE, gsoSize: 0, hdrLen: 0 }), packet, full };
}

/** The TCP/UDP checksum of a packet, computed with its checksum field taken as 0. */
function l4Checksum(ip: Uint8Array): number {
  const { l3, proto, src, dst } = layout(ip);
  const l4 = ip.slice(l3);
  l4.fill(0, proto === 6 ? 16 : 6, proto === 6 ? 18 : 8);
  return inetChecksum(pseudo(src, dst, proto, l4.length), l4);
}

test('NEEDS_CSUM without GSO: the checksum is finished in place, as skb_checksum_help does (0 → 0xffff)', () => {
  for (const family of [4, 6] as const) {
    for (const proto of ['tcp', 'udp'] as const) {
      for (const n of [0, 1, 2, 3, 15, 16, 17, 33, 1399, 8000]) {
        const { vnet, packet, full } = partialPacket(family, proto, filler(n, n + family));
        const r = split({ vnet, packet, outMax: 4 });
        assert.equal(r.rc, 0);
        assert.deepEqual(r.packet, full, `${proto}v${family}, ${n} bytes`);
        assert.deepEqual(checksumsVerify(r.packet), { ip: true, l4: true, lengths: true });
        assert.equal(r.vnet[0] & VNET.NEEDS_CSUM, 0, 'NEEDS_CSUM cleared');
        // Called again (the flag now clear), nothing changes.
        const again = split({ vnet: r.vnet, packet: r.packet, outMax: 4 });
        assert.deepEqual(again.packet, full);
      }
      // A checksum that comes to 0 is stored as 0xffff, for TCP too (CSUM_MANGLED_0).
      const payload = filler(64, 3);
      payload[10] = payload[11] = 0;
      const first = partialPacket(family, proto, payload);
      const at = layout(first.full).l3 + (proto === 'tcp' ? 16 : 6);
      payload[10] = first.full[at];
      payload[11] = first.full[at + 1];
      const z = partialPacket(family, proto, payload);
      const r = split({ vnet: z.vnet, packet: z.packet, outMax: 0 });
      assert.equal(l4Checksum(z.packet), 0, 'a case where the checksum comes to 0');
      assert.equal(be16At(r.packet, at), 0xffff);
      assert.deepEqual(checksumsVerify(r.packet), { ip: true, l4: true, lengths: true });
    }
  }
});

test('not GSO: no NEEDS_CSUM leaves the packet alone; a checksum field outside the packet or at an odd offset is refused', () => {
  const { vnet, packet } = partialPacket(4, 'udp', filler(100, 4));
  for (const flags of [0, VNET.DATA_VALID]) {
    const r = split({ vnet: setVnet(vnet, { flags }), packet, outMax: 1 });
    assert.equal(r.rc, 0);
    assert.deepEqual(r.packet, packet);
  }
  const bad: Array<Partial<ReturnType<typeof parseVnet>>> = [
    { csumStart: packet.length - 1, csumOffset: 0 }, { csumStart: 20, csumOffset: packet.length - 21 },
    { csumStart: packet.length, csumOffset: 0 }, { csumStart: 0xffff, csumOffset: 0xffff }, { csumStart: 20, csumOffset: 7 },
  ];
  for (const change of bad) {
    const r = split({ vnet: setVnet(vnet, change), packet, outMax: 1 });
    assert.equal(r.rc, MALFORMED, JSON.stringify(change));
    assert.deepEqual(r.packet, packet);
  }
  // The last two bytes, at an even distance from csum_start, are a place it may go.
  assert.equal(split({ vnet: setVnet(vnet, { csumStart: 20, csumOffset: packet.length - 22 }), packet, outMax: 1 }).rc, 0);
  // The generic rule on a packet longer than any GSO packet (vnetFinish does not parse headers):
  // 1.1 MB of 0xff summed from 2, the result stored at 8. 0xffff words add up to 0xffff, so
  // the field (0 here) ends as 0xffff… and the lanes of the vector sum must not overflow on the way.
  const big = new Uint8Array(1_100_000).fill(0xff);
  big.fill(0, 8, 10);
  const rb = split({ vnet: vnetBytes({ flags: VNET.NEEDS_CSUM, gsoType: 0, hdrLen: 0, gsoSize: 0, csumStart: 2, csumOffset: 6 }), packet: big, outMax: 0 });
  assert.equal(rb.rc, 0);
  assert.equal(be16At(rb.packet, 8), (~0xffff & 0xffff) || 0xffff);
  const odd = filler(600_001, 5);
  odd.fill(0, 8, 10);
  const ro = split({ vnet: vnetBytes({ flags: VNET.NEEDS_CSUM, gsoType: 0, hdrLen: 0, gsoSize: 0, csumStart: 2, csumOffset: 6 }), packet: odd, outMax: 0 });
  let sum = 0; // folded as it goes: packets.ts inetChecksum is meant for packets, not 600 KB
  for (let i = 2; i < odd.length; i += 2) {
    sum += (odd[i] << 8) | (odd[i + 1] ?? 0);
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  assert.equal(be16At(ro.packet, 8), (~sum & 0xffff) || 0xffff);
});

test('packets captured from this kernel\'s TUN device split and finish as the reference says', () => {
  const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
  let gso = 0;
  for (const c of captured) {
    const bytes = hex(c.hex);
    const vnet = bytes.subarray(0, 10), packet = bytes.subarray(10), h = parseVnet(vnet);
    const { l3 } = layout(packet);
    // What the kernel says: hdr_len is the header length, csum_start the L4 header, and the
    // checksum field the pseudo-header's sum over the whole L4 length.
    assert.equal(h.flags, VNET.NEEDS_CSUM, c.name);
    assert.equal(h.csumStart, l3, c.name);
    const { src, dst, proto } = layout(packet);
    const partial = ~inetChecksum(pseudo(src, dst, proto, packet.length - l3)) & 0xffff;
    assert.equal(be16At(packet, l3 + h.csumOffset), partial, `${c.name}: the partial checksum`);
    if (h.gsoType === VNET.NONE) {
      const r = split({ vnet, packet, outMax: 1 });
      assert.equal(r.rc, 0);
      assert.deepEqual(checksumsVerify(r.packet), { ip: true, l4: true, lengths: true }, c.name);
      continue;
    }
    gso++;
    assert.equal(h.hdrLen, l3 + (proto === 6 ? (packet[l3 + 12] >> 4) * 4 : 8), `${c.name}: hdr_len`);
    const want = referenceSegments(packet, h.gsoSize);
    const r = split({ vnet, packet, outMax: 8, outCap: 1280 + 64 });
    assert.equal(r.rc, want.length, c.name);
    r.segments.forEach((s, i) => {
      assert.deepEqual(s, want[i], `${c.name}: segment ${i}`);
      assert.ok(s.length <= 1280, 'no longer than the MTU');
      assert.deepEqual(checksumsVerify(s), { ip: true, l4: true, lengths: true });
    });
  }
  assert.equal(gso, 4);
});

test('mutated super-packets: never a trap, never a write outside the slots, and what is split verifies', () => {
  const rnd = filler(4 * 4000, 99);
  let k = 0;
  const next = (m: number): number => (((rnd[k++ % rnd.length] << 8) | rnd[k++ % rnd.length]) % m);
  const seen = new Map<number, number>();
  for (let i = 0; i < 1500; i++) {
    const family = (i & 1 ? 4 : 6) as 4 | 6;
    const proto = i & 2 ? 'tcp' : 'udp';
    const b = superPacket({ family, proto, gsoSize: 1 + next(300), payload: filler(next(1200), i),
      ipv6Ext: family === 6 && i & 4 ? [{ type: 60, body: new Uint8Array(6) }] : undefined });
    const all = concat(b.vnet, b.packet);
    for (let f = 1 + next(3); f > 0; f--) all[next(Math.min(all.length, 10 + 80))] ^= 1 << next(8);
    const r = split({ vnet: all.subarray(0, 10), packet: all.subarray(10), outMax: 16, outCap: 512 });
    seen.set(Math.sign(r.rc), (seen.get(Math.sign(r.rc)) ?? 0) + 1);
    for (const s of r.segments) assert.deepEqual(checksumsVerify(s), { ip: true, l4: true, lengths: true }, `case ${i}`);
  }
  // Both outcomes occur: the mutations are not all refused.
  assert.ok((seen.get(1) ?? 0) > 50 && (seen.get(-1) ?? 0) > 50, JSON.stringify([...seen]));
});

test('speed: 64 KB TCP super-packets at gso_size 1400 (release build, diagnostic only)', (t) => {
  const dp = instantiate('strict');
  const { vnet, packet } = superPacket({ family: 4, proto: 'tcp', gsoSize: 1400, payload: filler(65495, 1) });
  const n = Math.ceil(65495 / 1400);
  const base0 = align(dp.heapBase), slots = base0, bufs = align(slots + SLOT * (n + 1)), inBuf = bufs + n * 2048;
  const need = inBuf + 10 + packet.length;
  if (need > dp.memory.buffer.byteLength) dp.memory.grow(Math.ceil((need - dp.memory.buffer.byteLength) / 65536));
  const dv = new DataView(dp.memory.buffer), mem = new Uint8Array(dp.memory.buffer);
  const set = (s: number, buf: number, cap: number, off: number, len: number): void => {
    [buf, cap, off, len].forEach((v, i) => dv.setUint32(s + 4 * i, v, true));
  };
  set(slots, inBuf, 10 + packet.length, inBuf + 10, packet.length);
  mem.set(vnet, inBuf);
  mem.set(packet, inBuf + 10);
  for (let i = 0; i < n; i++) set(slots + SLOT * (1 + i), bufs + i * 2048, 2048, bufs + i * 2048 + 64, 0);
  const gsoSplit = dp.fn.gsoSplit;
  for (let i = 0; i < 200; i++) assert.equal(gsoSplit(slots, slots + SLOT, n), n);
  const rounds = 2000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) gsoSplit(slots, slots + SLOT, n);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const mbs = (rounds * packet.length) / s / 1e6;
  t.diagnostic(`gsoSplit: ${mbs.toFixed(0)} MB/s (${(mbs * 8 / 1000).toFixed(1)} Gbit/s) of 64 KB TCPv4 super-packets into ${n} segments, ${(s / rounds * 1e6).toFixed(1)} µs each`);
  assert.ok(mbs > 0);
});
