// Bad input to the ESP engine: every truncation, every byte flipped, garbage, and hand-made packets
// with one thing wrong each. A bad packet is dropped and counted, with its reason; it never makes
// the engine trap, never gives back an inner packet that differs from what was sent, and never
// touches memory outside its slot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { Engine, type SaSpec } from '../src/dataplane/engine.js';
import { craftGcm, withTrailer } from './util/esp-craft.js';
import { innerPacket, ip, udpPacket } from './util/packets.js';
import { toHex } from './util/vectors.js';

const gcmKey = randomBytes(20);
const sas: Array<Omit<SaSpec, 'direction'>> = [
  { spi: 0x1001, mode: 'tunnel', src: '192.0.2.1', dst: '192.0.2.2', enc: 'aes-gcm', encKeyBytes: 16, integ: 'none', key: gcmKey },
  { spi: 0x1002, mode: 'tunnel', src: '192.0.2.1', dst: '192.0.2.2', enc: 'aes-cbc', encKeyBytes: 16, integ: 'hmac-sha256', key: randomBytes(48), encap: { sport: 4500, dport: 4500 } },
  { spi: 0x1003, mode: 'transport', src: '2001:db8::1', dst: '2001:db8::2', enc: 'chacha20-poly1305', encKeyBytes: 32, integ: 'none', key: randomBytes(36), esn: true },
  { spi: 0x1004, mode: 'tunnel', src: '192.0.2.1', dst: '192.0.2.2', protocol: 'ah', enc: 'null', encKeyBytes: 0, integ: 'hmac-sha1', key: randomBytes(20) },
];

/** Two engines, the sender's and the receiver's (the receiver's SAs are inbound, src/dst swapped). */
function pair(): { tx: Engine; rx: Engine; wire: Uint8Array[]; inner: Uint8Array[] } {
  const tx = new Engine({ maxSas: 8, batch: 8 }), rx = new Engine({ maxSas: 8, batch: 2 });
  const inner: Uint8Array[] = [], wire: Uint8Array[] = [];
  for (const s of sas) {
    const out = tx.installSa({ ...s, direction: 'out' });
    rx.installSa({ ...s, direction: 'in', src: s.dst, dst: s.src });
    const v6 = s.src.includes(':');
    const [a, b] = s.mode === 'transport' ? [s.src, s.dst] : ['10.1.0.2', '10.2.0.2'];
    tx.setPolicies([{ local: v6 ? '::/0' : '0.0.0.0/0', remote: v6 ? '::/0' : '0.0.0.0/0', action: 'protect', sa: out }]);
    const pkt = udpPacket(a, b, 1000, 2000, randomBytes(40));
    const [r] = tx.run('encap', [pkt]);
    assert.equal(r.verdict, 'send');
    inner.push(pkt);
    wire.push(r.packet);
  }
  return { tx, rx, wire, inner };
}

/** Decaps one packet in slot 0 while slot 1's buffer holds a canary that must survive. */
function decapGuarded(rx: Engine, pkt: Uint8Array): ReturnType<Engine['run']>[number] {
  const mem = new Uint8Array(rx.dp.memory.buffer);
  const canary = rx.buffers + rx.bufferSize;
  mem.fill(0xa5, canary, canary + rx.bufferSize);
  const [r] = rx.run('decap', [pkt]);
  const after = new Uint8Array(rx.dp.memory.buffer, canary, rx.bufferSize);
  assert.ok(after.every((b) => b === 0xa5), 'memory outside the slot was written');
  return r;
}

test('truncations, bit flips and garbage are dropped, never accepted changed', (t) => {
  let cases = 0;
  for (let k = 0; k < sas.length; k++) {
    const { rx, wire, inner } = pair();
    const p = wire[k];
    for (let n = 0; n < p.length; n++) {
      const r = decapGuarded(rx, p.subarray(0, n));
      assert.notEqual(r.verdict, 'send', `sa ${k}, truncated to ${n}`);
      cases++;
    }
    for (let i = 0; i < p.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const q = p.slice();
        q[i] ^= mask;
        const r = decapGuarded(rx, q);
        // Bytes of the outer header that ESP does not authenticate may change; what it protects may
        // not: the inner packet in tunnel mode, the upper layer in transport mode (whose IP header
        // is the outer one).
        if (r.verdict === 'send') {
          const skip = sas[k].mode === 'transport' ? (inner[k][0] >> 4 === 6 ? 40 : 20) : 0;
          assert.equal(toHex(r.packet.subarray(skip)), toHex(inner[k].subarray(skip)), `sa ${k}, byte ${i} ^ ${mask}`);
        }
        cases++;
      }
    }
  }
  const { rx } = pair();
  for (let i = 0; i < 3000; i++) {
    const junk = randomBytes(randomInt(0, 200));
    if (i % 2 && junk.length >= 24) {
      // Make it look like IPv4 with ESP to one of our SPIs, so the deeper checks run.
      junk.set(ip('192.0.2.2', '192.0.2.1', 50, new Uint8Array(0)).subarray(0, 20));
      new DataView(junk.buffer, junk.byteOffset).setUint16(2, junk.length);
      new DataView(junk.buffer, junk.byteOffset).setUint32(20, 0x1001 + (i % 4));
    }
    const r = decapGuarded(rx, junk);
    assert.notEqual(r.verdict, 'send', 'garbage accepted');
    cases++;
  }
  const stats = rx.stats();
  const dropped = Object.values(stats.drops).reduce((a, b) => a + b, 0n);
  assert.ok(dropped >= 3000n, `drops counted: ${dropped}`);
  t.diagnostic(`malformed ESP cases run: ${cases}`);
});

test('hand-made packets: each is dropped for its own reason', () => {
  const rx = new Engine({ maxSas: 4, batch: 16 });
  rx.installSa({ spi: 0x2001, direction: 'in', mode: 'tunnel', src: '192.0.2.2', dst: '192.0.2.1', enc: 'aes-gcm', encKeyBytes: 16, integ: 'none', key: gcmKey,
    selectors: [{ local: '10.1.0.0/24', remote: '10.2.0.0/24' }] });
  rx.installSa({ spi: 0x2002, direction: 'in', mode: 'tunnel', src: '192.0.2.2', dst: '192.0.2.1', enc: 'aes-cbc', encKeyBytes: 16, integ: 'hmac-sha1', key: randomBytes(36),
    encap: { sport: 4500, dport: 4500 } });
  const inner = udpPacket('10.2.0.2', '10.1.0.2', 53, 1000, randomBytes(20));
  let seq = 1;
  const gcm = (plain: Uint8Array): Uint8Array => craftGcm({ spi: 0x2001, seq: seq++, key: gcmKey }, plain);
  const trailerOk = withTrailer(inner, 4);
  const badPadLen = trailerOk.slice();
  badPadLen[badPadLen.length - 2] = 250; // pad length past the payload
  const badPadBytes = withTrailer(inner, 4, 4, 1);
  badPadBytes[inner.length] = 9; // padding must be 1, 2, 3, …
  const udpWrap = (payload: Uint8Array): Uint8Array => {
    const u = new Uint8Array(8 + payload.length);
    new DataView(u.buffer).setUint16(0, 4500);
    new DataView(u.buffer).setUint16(2, 4500);
    new DataView(u.buffer).setUint16(4, u.length);
    u.set(payload, 8);
    return ip('192.0.2.2', '192.0.2.1', 17, u);
  };
  const fragment = ip('192.0.2.2', '192.0.2.1', 50, new Uint8Array(40));
  fragment[6] = 0x20; // more fragments
  const cases: Array<[string, Uint8Array, string]> = [
    ['valid', gcm(trailerOk), 'send'],
    ['pad length past the payload', gcm(badPadLen), 'padding'],
    ['padding bytes not 1, 2, 3', gcm(badPadBytes), 'padding'],
    ['dummy packet (next header 59)', gcm(withTrailer(randomBytes(30), 59)), 'dummy'],
    ['transport payload on a tunnel SA', gcm(withTrailer(randomBytes(30), 6)), 'policy'],
    ['inner packet outside the selectors', gcm(withTrailer(udpPacket('10.9.0.2', '10.1.0.2', 1, 2, randomBytes(4)), 4)), 'policy'],
    ['inner header claims more than there is', gcm(withTrailer(inner.subarray(0, 30), 4)), 'malformed'],
    ['IPv6 next header over an IPv4 packet', gcm(withTrailer(inner, 41)), 'malformed'],
    ['unknown SPI', craftGcm({ spi: 0x9999, seq: 1, key: gcmKey }, trailerOk), 'no-sa'],
    ['shorter than header, IV and ICV', ip('192.0.2.2', '192.0.2.1', 50, new Uint8Array([0, 0, 0x20, 0x01, 0, 0, 0, 9, 1, 2, 3])), 'malformed'],
    ['CBC ciphertext not whole blocks', udpWrap(new Uint8Array([0, 0, 0x20, 0x02, 0, 0, 0, 1, ...randomBytes(16 + 20 + 12)])), 'malformed'],
    ['ESP for a UDP-encapsulated SA without UDP', ip('192.0.2.2', '192.0.2.1', 50, new Uint8Array([0, 0, 0x20, 0x02, 0, 0, 0, 1, ...randomBytes(16 + 32 + 12)])), 'unsupported'],
    ['NAT-T keepalive', udpWrap(new Uint8Array([0xff])), 'keepalive'],
    ['IKE behind the non-ESP marker', udpWrap(new Uint8Array([0, 0, 0, 0, ...randomBytes(28)])), 'ike'],
    ['outer fragment', fragment, 'unsupported'],
    ['not IP at all', new Uint8Array([0x12, 0x34, ...randomBytes(40)]), 'malformed'],
  ];
  const results = rx.run('decap', cases.map((c) => c[1]));
  cases.forEach(([name, , want], i) => {
    const r = results[i];
    assert.equal(r.verdict === 'send' ? 'send' : r.reason, want, name);
  });
  assert.equal(toHex(results[0].packet), toHex(inner));
  const { drops } = rx.stats();
  assert.equal(drops.padding, 2n);
  assert.equal(drops.dummy, 1n);
  assert.equal(drops.keepalive, 1n);
});

test('TFC padding after the inner packet is removed (RFC 4303 §2.7)', () => {
  const rx = new Engine({ maxSas: 2, batch: 2 });
  rx.installSa({ spi: 0x3001, direction: 'in', mode: 'tunnel', src: '192.0.2.2', dst: '192.0.2.1', enc: 'aes-gcm', encKeyBytes: 16, integ: 'none', key: gcmKey });
  const inner = innerPacket('icmp', '10.2.0.2', '10.1.0.2', randomBytes(20));
  const padded = new Uint8Array(inner.length + 100);
  padded.set(inner);
  const [r] = rx.run('decap', [craftGcm({ spi: 0x3001, seq: 1, key: gcmKey }, withTrailer(padded, 4))]);
  assert.equal(r.verdict, 'send');
  assert.equal(toHex(r.packet), toHex(inner));
});
