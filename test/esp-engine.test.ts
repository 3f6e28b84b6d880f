// The engine as the gateway uses it: SPD actions and order, sequence number limits, ESN across the
// 32-bit wrap, peer address changes, checksums behind a NAT, counters, and SA removal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Engine, Lane, sortPolicies, type SaSpec } from '../src/dataplane/engine.js';
import { outerFields, tcpPacket, transportChecksumOk, udpPacket } from './util/packets.js';
import { toHex } from './util/vectors.js';

const gcm = (key = randomBytes(20)): Pick<SaSpec, 'enc' | 'encKeyBytes' | 'integ' | 'key'> =>
  ({ enc: 'aes-gcm', encKeyBytes: 16, integ: 'none', key });
const tunnel = { mode: 'tunnel' as const, src: '192.0.2.1', dst: '192.0.2.2' };

test('SPD: policies are ordered more specific first, whatever order they come in', () => {
  const given = [
    { local: '10.1.0.0/16', remote: '10.2.0.0/16', action: 'trap' as const, id: 1 },
    { local: '10.1.0.0/24', remote: '10.2.0.0/24', action: 'trap' as const, id: 2 },
    { local: '10.1.0.0/24', remote: '10.2.0.0/24', protocol: 6, action: 'trap' as const, id: 3 },
    { local: '10.1.0.0/24', remote: '10.2.0.0/24', protocol: 6, remotePorts: [443, 443] as [number, number], action: 'trap' as const, id: 4 },
    { local: '10.1.0.0/24', remote: '10.2.0.7/32', action: 'trap' as const, id: 5 },
    { local: '10.1.0.0/24', remote: '10.2.0.0/24', action: 'trap' as const, id: 6 }, // same as 2: stays after it
  ];
  assert.deepEqual(sortPolicies(given).map((p) => p.id), [5, 4, 3, 2, 6, 1]);
  const e = new Engine({ maxSas: 1, batch: 4 });
  e.setPolicies(given);
  const r = e.run('encap', [tcpPacket('10.1.0.9', '10.2.0.7', 1, 443, randomBytes(4)), tcpPacket('10.1.0.9', '10.2.0.8', 1, 443, randomBytes(4)),
    udpPacket('10.1.0.9', '10.2.0.8', 1, 443, randomBytes(4)), udpPacket('10.1.9.9', '10.2.9.9', 1, 443, randomBytes(4))]);
  assert.deepEqual(r.map((x) => x.aux), [5, 4, 2, 1]);
});

test('SPD: first match in order, with protect, bypass, drop and trap', () => {
  const e = new Engine({ maxSas: 4, batch: 8 });
  const a = e.installSa({ ...tunnel, ...gcm(), spi: 0xa, direction: 'out' });
  const b = e.installSa({ ...tunnel, ...gcm(), spi: 0xb, direction: 'out' });
  e.setPolicies([
    { local: '10.1.0.0/24', remote: '10.2.0.5/32', action: 'protect', sa: b }, // more specific first
    { local: '10.1.0.0/24', remote: '10.2.0.0/24', protocol: 17, remotePorts: [53, 53], action: 'drop' },
    { local: '10.1.0.0/24', remote: '10.2.0.0/24', protocol: 1, action: 'bypass' },
    { local: '10.1.0.0/24', remote: '10.2.0.0/24', action: 'protect', sa: a },
    { local: '10.1.0.0/24', remote: '10.3.0.0/16', action: 'trap', id: 77 },
  ]);
  const pkt = (dst: string, dport = 80, proto: 'udp' | 'tcp' = 'tcp'): Uint8Array =>
    (proto === 'udp' ? udpPacket : tcpPacket)('10.1.0.9', dst, 40000, dport, randomBytes(8));
  const icmp = udpPacket('10.1.0.9', '10.2.0.7', 1, 2, randomBytes(4));
  icmp[9] = 1; // now "ICMP" as far as the selector goes
  const r = e.run('encap', [pkt('10.2.0.5', 53, 'udp'), pkt('10.2.0.6', 53, 'udp'), icmp, pkt('10.2.0.6'), pkt('10.3.1.1'), pkt('10.9.0.1')]);
  assert.deepEqual(r.map((x) => [x.verdict, x.reason, x.sa]), [
    ['send', '', b], ['drop', 'spd', -1], ['bypass', '', -1], ['send', '', a], ['control', 'trap', 4], ['drop', 'no-policy', -1],
  ]);
  assert.equal(r[4].aux, 77);
  // A protect policy whose SA is gone asks for one, like a trap.
  e.removeSa(a);
  const [again] = e.run('encap', [pkt('10.2.0.6')]);
  assert.deepEqual([again.verdict, again.reason, again.aux], ['control', 'trap', 3]);
});

test('sequence numbers: soft limit flags a rekey, hard limit stops the SA', () => {
  const e = new Engine({ maxSas: 2, batch: 8 });
  const sa = e.installSa({ ...tunnel, ...gcm(), spi: 1, direction: 'out', softSeq: 2n, hardSeq: 4n });
  e.setPolicies([{ local: '0.0.0.0/0', remote: '0.0.0.0/0', action: 'protect', sa }]);
  const p = udpPacket('10.1.0.2', '10.2.0.2', 1, 2, randomBytes(8));
  assert.deepEqual(e.run('encap', [p, p]).map((x) => x.verdict), ['send', 'send']);
  assert.equal(e.saStatus(sa).soft, false);
  assert.deepEqual(e.run('encap', [p, p, p]).map((x) => x.reason || x.verdict), ['send', 'send', 'expired']);
  const st = e.saStatus(sa);
  assert.equal(st.soft, true);
  assert.equal(st.state, 'expired');
  assert.equal(st.seq, 4n);
  // Without ESN the number never passes 2^32 - 1, whatever limit the host gave (RFC 4303 §3.3.3).
  const e2 = new Engine({ maxSas: 2, batch: 4 });
  const sb = e2.installSa({ ...tunnel, ...gcm(), spi: 2, direction: 'out', seq: 2n ** 32n - 2n });
  e2.setPolicies([{ local: '0.0.0.0/0', remote: '0.0.0.0/0', action: 'protect', sa: sb }]);
  assert.deepEqual(e2.run('encap', [p, p]).map((x) => x.reason || x.verdict), ['send', 'expired']);
});

test('ESN: traffic continues across the 32-bit wrap of the sequence number', () => {
  const key = randomBytes(20);
  const tx = new Engine({ maxSas: 2, batch: 8 }), rx = new Engine({ maxSas: 2, batch: 8 });
  const out = tx.installSa({ ...tunnel, ...gcm(key), spi: 5, direction: 'out', esn: true, seq: 2n ** 32n - 3n });
  rx.installSa({ ...tunnel, ...gcm(key), spi: 5, direction: 'in', esn: true, src: '192.0.2.2', dst: '192.0.2.1', seq: 2n ** 32n - 10n });
  tx.setPolicies([{ local: '0.0.0.0/0', remote: '0.0.0.0/0', action: 'protect', sa: out }]);
  const p = udpPacket('10.1.0.2', '10.2.0.2', 1, 2, randomBytes(8));
  const wire = tx.run('encap', [p, p, p, p, p]).map((x) => x.packet);
  // On the wire only the low 32 bits: ffff_fffe, ffff_ffff, 0, 1, 2.
  assert.deepEqual(wire.map((w) => new DataView(w.buffer).getUint32(24)), [0xfffffffe, 0xffffffff, 0, 1, 2]);
  const got = rx.run('decap', [wire[0], wire[2], wire[1], wire[4], wire[3], wire[2]]);
  assert.deepEqual(got.map((x) => x.reason || x.verdict), ['send', 'send', 'send', 'send', 'send', 'replay']);
});

test('inbound: a packet from a new address or port is accepted and reported', () => {
  const key = randomBytes(20);
  const tx = new Engine({ maxSas: 2, batch: 4 }), rx = new Engine({ maxSas: 2, batch: 4 });
  const enc = { sport: 4500, dport: 4500 };
  const out = tx.installSa({ ...gcm(key), mode: 'tunnel', src: '198.51.100.7', dst: '192.0.2.1', spi: 9, direction: 'out', encap: { sport: 31000, dport: 4500 } });
  const inn = rx.installSa({ ...gcm(key), mode: 'tunnel', src: '192.0.2.2', dst: '192.0.2.1', spi: 9, direction: 'in', encap: enc });
  tx.setPolicies([{ local: '0.0.0.0/0', remote: '0.0.0.0/0', action: 'protect', sa: out }]);
  const [w] = tx.run('encap', [udpPacket('10.2.0.2', '10.1.0.2', 1, 2, randomBytes(8))]);
  const [r] = rx.run('decap', [w.packet]);
  assert.equal(r.verdict, 'send');
  const st = rx.saStatus(inn);
  assert.equal(st.peerMoved, true);
  assert.deepEqual(Array.from(st.peer!.bytes.subarray(0, 4)), [198, 51, 100, 7]);
  assert.equal(st.peerPort, 31000);
});

test('transport mode behind a NAT: inner TCP checksums are recomputed when asked (RFC 3948 §3.1.2)', () => {
  const key = randomBytes(20);
  const tx = new Engine({ maxSas: 2, batch: 2 }), rx = new Engine({ maxSas: 2, batch: 2 });
  const enc = { sport: 4500, dport: 4500 };
  const out = tx.installSa({ ...gcm(key), mode: 'transport', src: '10.0.0.5', dst: '192.0.2.1', spi: 3, direction: 'out', encap: enc });
  rx.installSa({ ...gcm(key), mode: 'transport', src: '198.51.100.7', dst: '192.0.2.1', spi: 3, direction: 'in', encap: enc, fixChecksum: true });
  tx.setPolicies([{ local: '0.0.0.0/0', remote: '0.0.0.0/0', action: 'protect', sa: out }]);
  const [w] = tx.run('encap', [tcpPacket('10.0.0.5', '192.0.2.1', 40000, 22, randomBytes(30))]);
  // The NAT rewrites the source address (and its IPv4 header checksum; not the inner TCP one).
  const natted = w.packet.slice();
  natted.set([198, 51, 100, 7], 12);
  const [r] = rx.run('decap', [natted]);
  assert.equal(r.verdict, 'send');
  assert.ok(transportChecksumOk(r.packet), 'TCP checksum over the translated addresses');
});

test('outer header: DF set or cleared as configured; IPv6 outer for IPv4 inner', () => {
  const e = new Engine({ maxSas: 4, batch: 2 });
  const p = udpPacket('10.1.0.2', '10.2.0.2', 1, 2, randomBytes(8));
  for (const [df, want] of [['set', true], ['clear', false]] as const) {
    const sa = e.installSa({ ...tunnel, ...gcm(), spi: 1, direction: 'out', df, ttl: 17 });
    e.setPolicies([{ local: '0.0.0.0/0', remote: '0.0.0.0/0', action: 'protect', sa }]);
    const f = outerFields(e.run('encap', [p])[0].packet);
    assert.equal(f.df, want);
    assert.equal(f.ttl, 17);
    e.removeSa(sa);
  }
  const sa6 = e.installSa({ ...gcm(), mode: 'tunnel', src: '2001:db8::1', dst: '2001:db8::2', spi: 6, direction: 'out' });
  e.setPolicies([{ local: '0.0.0.0/0', remote: '0.0.0.0/0', action: 'protect', sa: sa6 }]);
  const f = outerFields(e.run('encap', [p])[0].packet);
  assert.equal((f.version === 6), true);
  assert.equal(f.proto, 50);
});

test('counters, SA errors, and removal zeroes the record', () => {
  const e = new Engine({ maxSas: 2, batch: 4 });
  const key = randomBytes(20);
  const sa = e.installSa({ ...tunnel, ...gcm(key), spi: 0x77, direction: 'in' });
  assert.throws(() => e.installSa({ ...tunnel, ...gcm(key), spi: 0x77, direction: 'in' }), /SPI already in use/);
  assert.throws(() => e.installSa({ ...tunnel, enc: 'aes-gcm', encKeyBytes: 17, integ: 'none', key: randomBytes(21), spi: 1, direction: 'out' }), /key length/);
  assert.throws(() => e.installSa({ ...tunnel, enc: 'aes-cbc', encKeyBytes: 16, integ: 'none', key: randomBytes(16), spi: 1, direction: 'out' }), /algorithm combination/);
  const tx = new Engine({ maxSas: 2, batch: 4 });
  const out = tx.installSa({ ...tunnel, ...gcm(key), spi: 0x77, direction: 'out', src: '192.0.2.2', dst: '192.0.2.1' });
  tx.setPolicies([{ local: '0.0.0.0/0', remote: '0.0.0.0/0', action: 'protect', sa: out }]);
  const inner = udpPacket('10.2.0.2', '10.1.0.2', 1, 2, randomBytes(100));
  const wire = tx.run('encap', [inner, inner, inner]).map((r) => r.packet);
  const got = e.run('decap', [...wire, wire[0]]);
  assert.equal(toHex(got[1].packet), toHex(inner));
  const st = e.saStatus(sa);
  assert.equal(st.packets, 3n);
  assert.equal(st.bytes, BigInt(3 * inner.length));
  assert.deepEqual(st.drops, { replay: 1 });
  assert.equal(e.stats().decap, 3n);
  assert.equal(e.stats().drops.replay, 1n);
  assert.equal(tx.stats().encap, 3n);
  e.removeSa(sa);
  const record = new Uint8Array(e.dp.memory.buffer, e.saAddress(sa), e.dp.consts.SA_SIZE);
  assert.ok(record.every((b) => b === 0), 'the SA record, keys and key schedules included, is zero');
  const [after] = e.run('decap', [wire[2]]);
  assert.equal(after.reason, 'no-sa');
});

test('a reseed of the IV generator leaves the slot table as it was (workers set BUF and CAP once)', () => {
  const e = new Engine({ maxSas: 1, batch: 4 });
  const lane = e.lane, size = 4 * lane.dp.consts.SLOT_SIZE, slots = e.plan.lanes[0].slots;
  const mem = lane.bytes();
  for (let i = 0; i < size; i++) mem[slots + i] = (i * 7 + 1) & 0xff;
  const before = mem.slice(slots, slots + size);
  lane.seedRng();
  lane.maybeReseed(Date.now() + 2 * Lane.RESEED_MS);
  assert.deepEqual(lane.bytes().slice(slots, slots + size), before);
});
