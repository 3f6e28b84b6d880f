// ESP and AH through the engine and back: every suite × tunnel / transport × IPv4 / IPv6 (inner and
// outer) × plain / UDP-encapsulated × 32 / 64-bit sequence numbers, with the wire format checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { espDecap, espEncap, type EspSa } from '../src/dataplane/esp.js';
import { espSuiteOf } from '../src/dataplane/suite.js';
import { Engine } from '../src/dataplane/engine.js';
import { inetChecksum, innerPacket, outerFields, tcpPacket, transportChecksumOk, udpPacket } from './util/packets.js';
import { toHex } from './util/vectors.js';

/** Suites with their keying material length (encryption key, salt, integrity key). */
const SUITES: Array<[string, number]> = [
  ['aes128gcm16', 20], ['aes192gcm16', 28], ['aes256gcm16', 36], ['aes128gcm8', 20], ['aes256gcm12', 36],
  ['aes128-sha1', 36], ['aes192-sha256', 56], ['aes256-sha256', 64], ['aes128-sha384', 64], ['aes256-sha512', 96],
  ['chacha20poly1305', 36], ['3des-sha1', 44], ['des-sha1', 28], ['null-sha256', 32],
];

const OUTER = { 4: ['192.0.2.1', '192.0.2.2'], 6: ['2001:db8::1', '2001:db8::2'] } as const;
const INNER = { 4: ['10.1.0.2', '10.2.0.2'], 6: ['fd00:1::2', 'fd00:2::2'] } as const;

function somePacket(family: 4 | 6, n: number): Uint8Array {
  const [s, d] = INNER[family];
  const data = randomBytes(n);
  return [udpPacket(s, d, 1234, 53, data), tcpPacket(s, d, 40000, 443, data), innerPacket('icmp', s, d, data)][n % 3];
}

test('ESP round trips: every suite, mode, family and encapsulation', () => {
  let cases = 0;
  for (const [esp, keyLen] of SUITES) {
    const suite = espSuiteOf(esp);
    for (const mode of ['tunnel', 'transport'] as const) {
      for (const outer of [4, 6] as const) {
        for (const inner of mode === 'transport' ? [outer] : [4, 6] as const) {
          for (const encap of [undefined, { sport: 4500, dport: 4500 }]) {
            for (const esn of [false, true]) {
              const sa: EspSa = {
                spi: 0xc0010001, mode, src: OUTER[outer][0], dst: OUTER[outer][1], esp, key: randomBytes(keyLen),
                seq: esn ? 2n ** 32n + 7n : 7, encap, esn,
              };
              const pkt = somePacket(inner, randomInt(0, 300));
              const wire = espEncap(sa, pkt);
              const f = outerFields(wire);
              const label = `${esp} ${mode} outer v${outer} inner v${inner} ${encap ? 'udp' : 'esp'} ${esn ? 'esn' : ''}`;
              assert.equal((f.version === 6), outer === 6, label);
              assert.equal(f.totalLength, wire.length, label);
              assert.ok(f.checksumOk, `${label}: IPv4 header checksum`);
              assert.equal(f.proto, encap ? 17 : 50, label);
              const esp0 = f.headerLength + (encap ? 8 : 0);
              const v = new DataView(wire.buffer, wire.byteOffset);
              if (encap) {
                assert.equal(v.getUint16(f.headerLength), 4500);
                assert.equal(v.getUint16(f.headerLength + 4), wire.length - f.headerLength, `${label}: UDP length`);
                if (outer === 6) assert.ok(transportChecksumOk(wire), `${label}: UDP checksum over IPv6`);
              }
              assert.equal(v.getUint32(esp0), 0xc0010001, `${label}: SPI`);
              assert.equal(v.getUint32(esp0 + 4), 7, `${label}: low 32 bits of the sequence number`);
              // ESP payload (after the header) minus IV and ICV is padded to the cipher's block.
              // The proposal module's sizes, an independent statement of RFC 3602 / 4106 / 7634 / 4868.
              const block = suite.encr.aead || suite.encr.family === 'null' ? 4 : suite.encr.blockBytes;
              const iv = suite.encr.ivBytes;
              const icv = suite.encr.aead ? suite.encr.icvBytes : suite.integ!.icvBytes;
              assert.equal((wire.length - esp0 - 8 - iv - icv) % block, 0, `${label}: padding`);
              if (mode === 'transport') {
                // The packet's own header stays, with the protocol and lengths changed.
                assert.equal(toHex(wire.subarray(outer === 6 ? 8 : 12, outer === 6 ? 40 : 20)),
                  toHex(pkt.subarray(outer === 6 ? 8 : 12, outer === 6 ? 40 : 20)), `${label}: addresses kept`);
              }
              const back = espDecap({ ...sa, seq: esn ? 2n ** 32n : 0 }, wire);
              assert.ok(back instanceof Uint8Array, `${label}: ${JSON.stringify(back)}`);
              assert.equal(toHex(back), toHex(pkt), label);
              cases++;
            }
          }
        }
      }
    }
  }
  assert.equal(cases, SUITES.length * (2 * 2 * 2 * 2 + 2 * 1 * 2 * 2));
});

test('tunnel mode outer header: TTL 64, TOS copied, DF copied', () => {
  const sa: EspSa = { spi: 1, mode: 'tunnel', src: '192.0.2.1', dst: '192.0.2.2', esp: 'aes128gcm16', key: randomBytes(20), seq: 1 };
  for (const [tos, df] of [[0, false], [0xb8, true]] as const) {
    const f = outerFields(espEncap(sa, udpPacket('10.1.0.2', '10.2.0.2', 1, 2, randomBytes(10), { tos, df, ttl: 3 })));
    assert.equal(f.ttl, 64);
    assert.equal(f.tos, tos);
    assert.equal(f.df, df);
  }
});

/** AH: a changed immutable field fails the ICV, a changed mutable one (TTL, TOS) does not. */
test('AH round trips, and what its ICV covers', () => {
  const engine = new Engine({ maxSas: 4, batch: 4 });
  for (const [integ, keyLen] of [['hmac-sha1', 20], ['hmac-sha256', 32], ['hmac-sha384', 48], ['hmac-sha512', 64]] as const) {
    for (const mode of ['tunnel', 'transport'] as const) {
      for (const family of [4, 6] as const) {
        const key = randomBytes(keyLen);
        const [src, dst] = OUTER[family];
        const base = { protocol: 'ah' as const, mode, enc: 'null' as const, encKeyBytes: 0, integ, key, esn: family === 6 };
        const out = engine.installSa({ ...base, spi: 0x100, direction: 'out', src, dst });
        const inn = engine.installSa({ ...base, spi: 0x100, direction: 'in', src, dst });
        const [is, id] = mode === 'tunnel' ? INNER[family] : OUTER[family];
        engine.setPolicies([{ local: family === 4 ? '0.0.0.0/0' : '::/0', remote: family === 4 ? '0.0.0.0/0' : '::/0', action: 'protect', sa: out }]);
        const pkts = [udpPacket(is, id, 1, 2, randomBytes(33)), innerPacket('icmp', is, id, randomBytes(7))];
        const sent = engine.run('encap', pkts);
        const label = `AH ${integ} ${mode} v${family}`;
        assert.deepEqual(sent.map((r) => r.verdict), ['send', 'send'], label);
        assert.equal(outerFields(sent[0].packet).proto, 51, label);
        // Mutable fields change in transit: TTL / hop limit down by one, TOS / traffic class rewritten.
        const moved = sent[0].packet.slice();
        if (family === 4) {
          moved[8]--;
          moved[1] = 0x20;
          new DataView(moved.buffer).setUint16(10, 0);
          new DataView(moved.buffer).setUint16(10, inetChecksum(moved.subarray(0, 20)));
        } else {
          moved[7]--;
          moved[1] ^= 0x0f;
        }
        // An immutable one (the last payload byte) must not verify.
        const forged = sent[1].packet.slice();
        forged[forged.length - 1] ^= 1;
        const got = engine.run('decap', [moved, forged]);
        assert.equal(got[0].verdict, 'send', `${label}: ${got[0].reason}`);
        assert.equal(toHex(got[0].packet.subarray(family === 4 ? 9 : 6, family === 4 ? 10 : 7)), family === 4 ? '11' : '11', label);
        assert.equal(toHex(got[0].packet.subarray(family === 4 ? 12 : 8)), toHex(pkts[0].subarray(family === 4 ? 12 : 8)), label);
        assert.deepEqual([got[1].verdict, got[1].reason], ['drop', 'icv'], label);
        engine.removeSa(out);
        engine.removeSa(inn);
      }
    }
  }
});
