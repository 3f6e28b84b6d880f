// ipsecgw/esp against published whole-packet ESP vectors (test/vectors/esp.ts):
//   RFC 3602 §4 cases #5–#8 (AES-CBC), draft-mcgrew-gcm-test-01 §4 (AES-GCM, with and without ESN),
//   RFC 7634 Appendix A (ChaCha20-Poly1305).
// First the typed-in data is checked against node:crypto alone, so a typo shows up as a data error
// and never as an engine bug. Then, for each vector in each framing of test/util/esp-cases.ts
// (IPv4, IPv6, each plain or UDP-encapsulated): espDecap of the outer packet gives the inner packet,
// and espEncap with the vector's IV and sequence number reproduces the ESP bytes. Outer IPv4
// identification is never compared (no RFC, nor the contract, fixes it).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { espDecap, espEncap } from '../src/dataplane/esp.js';
import { MCGREW_GCM, RFC3602, RFC7634_ESP } from './vectors/esp.js';
import { hex, toHex } from './util/vectors.js';
import { addrBytes, concat, espPart, ip, ipHeader, PROTO } from './util/packets.js';
import { aeadEsp, aeadOpen, aeadSeal, cbc, cbcHmacEsp, chachaPolyKey, hmacIcv, minimalPad, parseTrailer, snoopPackets } from './util/esp-reference.js';
import { assertOuter, CASES, frame, framingsOf, seqOf } from './util/esp-cases.js';

const be32 = (v: number): Uint8Array => hex(v.toString(16).padStart(8, '0'));

// ───────────────────────────── 1. the data, against node:crypto ─────────────────────────────

describe('the ESP vectors as typed in agree with themselves under node:crypto', () => {
  for (const v of MCGREW_GCM) {
    test(v.name, () => {
      const key = hex(v.key), nonce = hex(v.nonce), aad = hex(v.aad), pt = hex(v.plaintext);
      const sealed = hex(v.ctextTag), packet = hex(v.packet), seq = hex(v.seq);
      assert.ok([16, 24, 32].includes(key.length), 'AES key length');
      assert.equal(nonce.length, 12, 'nonce = 4-byte salt ‖ 8-byte IV (RFC 4106 §4)');
      assert.ok(seq.length === 4 || seq.length === 8);
      assert.equal(toHex(aad), v.spi + toHex(seq), 'AAD = SPI ‖ (extended) sequence number (RFC 4106 §5)');
      // The packet carries only the low 32 bits of an ESN (RFC 4303 §2.2.1).
      assert.equal(toHex(packet), v.spi + toHex(seq.subarray(seq.length - 4)) + toHex(nonce.subarray(4)) + toHex(sealed), 'packet = SPI ‖ Seq ‖ IV ‖ ciphertext ‖ ICV');
      assert.equal(sealed.length, pt.length + 16, '16-byte ICV');
      assert.equal(toHex(aeadOpen('aes-gcm', key, nonce, aad, sealed) ?? new Uint8Array()), toHex(pt), 'GCM opens to the plaintext');
      assert.equal(toHex(aeadSeal('aes-gcm', key, nonce, aad, pt)), toHex(sealed), 'GCM seals to ctext+tag');
      const t = parseTrailer(pt);
      assert.equal(t.nextHeader, PROTO.ICMP, 'every case carries Next Header 1');
      assert.ok(t.monotonic, 'padding 1, 2, 3, … (RFC 4303 §2.4)');
      assert.equal(t.padLength, minimalPad(t.payload.length, 4), 'minimal padding for 4-byte alignment: our encap can reproduce it');
    });
  }

  for (const c of RFC3602) {
    test(c.name, () => {
      const key = hex(c.key), iv = hex(c.iv), esp = hex(c.esp), original = hex(c.original), trailerBytes = hex(c.trailer);
      const outerHeader = hex(c.outerHeader);
      assert.equal(toHex(esp.subarray(0, 8)), toHex(concat(be32(c.spi), be32(c.seq))), 'SPI ‖ Seq');
      assert.equal(toHex(esp.subarray(8, 24)), toHex(iv), 'explicit IV (RFC 3602 §3)');
      const ct = esp.subarray(24);
      assert.equal(ct.length % 16, 0, 'whole AES blocks');
      const orig = ipHeader(original);
      assert.ok(orig.checksumOk && orig.totalLength === original.length, 'original packet: IPv4 header checksum and length');
      const payload = c.mode === 'tunnel' ? original : original.subarray(20);
      const plain = cbc('decrypt', 'aes', key, iv, ct);
      assert.equal(toHex(plain), toHex(concat(payload, trailerBytes)), 'CBC decrypts to payload ‖ padding ‖ pad length ‖ next header');
      const t = parseTrailer(plain);
      assert.equal(t.nextHeader, c.mode === 'tunnel' ? PROTO.IPIP : orig.proto);
      assert.ok(t.monotonic, 'padding 1, 2, 3, …');
      assert.equal(t.padLength, minimalPad(payload.length, 16), 'minimal padding to the AES block');
      const outer = concat(outerHeader, esp);
      const oh = ipHeader(outer);
      assert.ok(oh.checksumOk, 'outer IPv4 header checksum');
      assert.equal(oh.totalLength, outer.length, 'outer total length');
      assert.equal(oh.proto, PROTO.ESP);
      assert.deepEqual([toHex(oh.src), toHex(oh.dst)], [toHex(addrBytes(c.src)), toHex(addrBytes(c.dst))]);
      if (c.mode === 'transport') {
        // RFC 4303 §3.1.1: the original header, protocol 50, its length and checksum updated.
        const rebuilt = ip(c.src, c.dst, PROTO.ESP, esp, { id: (original[4] << 8) | original[5], ttl: original[8] });
        assert.equal(toHex(rebuilt), toHex(outer), 'transport: outer header = original header with protocol 50');
      }
    });
  }

  test(RFC7634_ESP.name, () => {
    const v = RFC7634_ESP;
    const keymat = hex(v.keymat), key = keymat.subarray(0, 32), salt = keymat.subarray(32);
    const nonce = hex(v.nonce), iv = hex(v.iv), aad = hex(v.aad), pt = hex(v.plaintext), ct = hex(v.ciphertext), tag = hex(v.tag);
    assert.equal(keymat.length, 36, '32-byte key ‖ 4-byte salt (RFC 7634 §2)');
    assert.equal(toHex(nonce), toHex(concat(salt, iv)), 'nonce = salt ‖ IV');
    assert.equal(toHex(aad), toHex(concat(be32(v.spi), be32(v.seq))), 'AAD = SPI ‖ Seq (RFC 7634 §2.1)');
    assert.equal(toHex(chachaPolyKey(key, nonce)), toHex(hex(v.polyKey)), 'Poly1305 one-time key');
    assert.equal(toHex(aeadOpen('chacha20-poly1305', key, nonce, aad, concat(ct, tag)) ?? new Uint8Array()), toHex(pt), 'opens to the plaintext');
    assert.equal(toHex(pt), toHex(concat(hex(v.sourcePacket), hex('01 02 02 04'))), 'plaintext = source packet ‖ 1 2 ‖ pad length 2 ‖ next header 4');
    const packet = hex(v.espPacket);
    const h = ipHeader(packet);
    assert.ok(h.checksumOk && h.totalLength === packet.length && h.proto === PROTO.ESP);
    assert.deepEqual([toHex(h.src), toHex(h.dst)], [toHex(addrBytes(v.src)), toHex(addrBytes(v.dst))]);
    assert.equal(toHex(espPart(packet)), toHex(concat(be32(v.spi), be32(v.seq), iv, ct, tag)), 'ESP = SPI ‖ Seq ‖ IV ‖ ciphertext ‖ tag');
    // The appendix's snoop file (Ethernet frames) carries the same two packets.
    const frames = snoopPackets(new Uint8Array(Buffer.from(v.snoop, 'base64')));
    assert.equal(toHex(frames[0].subarray(14)), toHex(hex(v.sourcePacket)), 'snoop packet 1 = source packet');
    assert.equal(toHex(frames[1].subarray(14)), toHex(packet), 'snoop packet 2 = ESP packet');
  });
});

// ───────────────────────────── 2. the engine against the vectors ─────────────────────────────
// (framings: test/util/esp-cases.ts)

describe('espDecap / espEncap reproduce the published ESP vectors', () => {
  for (const c of CASES) {
    // RFC 4303 §2.1: SPI 0 "MUST NOT be sent on the wire", yet draft-mcgrew-gcm-test-01 page 10 uses
    // it. The engine may refuse it (drop, or throw on encap); if it takes it, the bytes must be right.
    const spiZero = c.spi === 0;
    describe(c.name, () => {
      for (const f of framingsOf(c)) {
        const { sa, inner, outer } = frame(c, f);
        test(`${f}: espDecap gives the published inner packet`, () => {
          // seq on decap = the highest already received: the one before this packet's.
          const got = espDecap({ ...sa, seq: seqOf(c, c.seq - 1n) }, outer);
          if (spiZero && !(got instanceof Uint8Array)) return;
          assert.ok(got instanceof Uint8Array, `dropped: ${JSON.stringify(got)}`);
          assert.equal(toHex(got), toHex(inner));
        });
        test(`${f}: espEncap with the published IV and sequence number gives the published ESP bytes`, () => {
          let got: Uint8Array;
          try {
            got = espEncap({ ...sa, seq: seqOf(c, c.seq), iv: c.iv }, inner);
          } catch (e) {
            if (spiZero && !/not implemented/.test(String(e))) return;
            throw e;
          }
          assertOuter(got, sa, inner);
          assert.equal(toHex(espPart(got)), toHex(c.espBytes));
        });
      }
      const { sa, outer } = frame(c, 'IPv4');
      test('a replayed packet (its number already received) is dropped', () => {
        const got = espDecap({ ...sa, seq: seqOf(c, c.seq) }, outer);
        assert.ok(!(got instanceof Uint8Array) && typeof got.drop === 'string', 'RFC 4303 §3.4.3: duplicate');
      });
      test('a packet with one ICV bit flipped is dropped', () => {
        const bad = outer.slice();
        bad[bad.length - 1] ^= 0x01;
        const got = espDecap({ ...sa, seq: seqOf(c, c.seq - 1n) }, bad);
        assert.ok(!(got instanceof Uint8Array) && typeof got.drop === 'string', 'RFC 4303 §3.4.4: ICV mismatch');
      });
    });
  }
});

// ───────── 3. ESN with an HMAC: no published packet, and Scapy cannot check it (see esp-scapy) ─────────

describe('ESN with AES-CBC and HMAC (RFC 4303 §2.2.1, §3.3.2.1), against node:crypto', () => {
  // Not a published vector: the expected packet is built by test/util/esp-reference.ts with
  // node:crypto. The ICV covers SPI ‖ Seq(low) ‖ IV ‖ ciphertext ‖ Seq(high); the high half is not sent.
  const encKey = hex('000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f');
  const integKey = hex('202122232425262728292a2b2c2d2e2f 303132333435363738393a3b3c3d3e3f');
  const inner = hex(RFC7634_ESP.sourcePacket);
  for (const seq of [0x1_0000_0005n, 0x7fff_ffff_ffff_fff0n]) {
    const iv = hex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff');
    const expected = cbcHmacEsp({ cipher: 'aes', encKey, hash: 'sha256', integKey, spi: 0xc0010002, seq, esn: true, iv, payload: inner, nextHeader: PROTO.IPIP });
    const sa = { spi: 0xc0010002, mode: 'tunnel' as const, src: '192.0.2.1', dst: '192.0.2.2', esp: 'aes256-sha256', key: concat(encKey, integKey), esn: true };
    test(`seq 0x${seq.toString(16)}: espEncap gives the reference ESP bytes`, () => {
      const got = espEncap({ ...sa, seq, iv }, inner);
      assert.equal(toHex(espPart(got)), toHex(expected));
    });
    test(`seq 0x${seq.toString(16)}: espDecap of the reference packet gives the inner packet`, () => {
      const got = espDecap({ ...sa, seq: seq - 1n }, ip(sa.src, sa.dst, PROTO.ESP, expected));
      assert.ok(got instanceof Uint8Array, `dropped: ${JSON.stringify(got)}`);
      assert.equal(toHex(got), toHex(inner));
    });
    test(`seq 0x${seq.toString(16)}: the same packet without ESN's high half in the ICV is dropped`, () => {
      const head = expected.subarray(0, expected.length - 16);
      const noEsn = concat(head, hmacIcv('sha256', integKey, head));
      const got = espDecap({ ...sa, seq: seq - 1n }, ip(sa.src, sa.dst, PROTO.ESP, noEsn));
      assert.ok(!(got instanceof Uint8Array), 'an ICV computed without the high-order bits must not verify');
    });
  }
});

// ───────── 4. padding longer than the minimum is accepted (RFC 4303 §2.4: 0 to 255 bytes) ─────────

describe('espDecap accepts more padding than the minimum (RFC 4303 §2.4)', () => {
  // Scapy, like our encap, pads minimally, so the cross-check never sends longer padding; these
  // packets are built with node:crypto. Padding stays 1, 2, 3, … (the default the receiver may check).
  const inner = hex(RFC7634_ESP.sourcePacket);
  const src = '192.0.2.1', dst = '192.0.2.2';
  for (const padLength of [6, 102, 254]) {
    test(`aes128gcm16, ${padLength} bytes of padding`, () => {
      const key = hex('000102030405060708090a0b0c0d0e0f'), salt = hex('a0a1a2a3'), iv = hex('0000000000000009');
      const esp = aeadEsp({ alg: 'aes-gcm', key, salt, spi: 0x1001, seq: 9, iv, payload: inner, nextHeader: PROTO.IPIP, padLength });
      const got = espDecap({ spi: 0x1001, mode: 'tunnel', src, dst, esp: 'aes128gcm16', key: concat(key, salt), seq: 8 }, ip(src, dst, PROTO.ESP, esp));
      assert.ok(got instanceof Uint8Array, `dropped: ${JSON.stringify(got)}`);
      assert.equal(toHex(got), toHex(inner));
    });
  }
  for (const extraPad of [16, 160]) {
    test(`aes128-sha1, ${extraPad} bytes more padding than the block needs`, () => {
      const encKey = hex('000102030405060708090a0b0c0d0e0f'), integKey = hex('101112131415161718191a1b1c1d1e1f20212223');
      const esp = cbcHmacEsp({ cipher: 'aes', encKey, hash: 'sha1', integKey, spi: 0x1002, seq: 9n, esn: false, iv: hex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff'), payload: inner, nextHeader: PROTO.IPIP, extraPad });
      const got = espDecap({ spi: 0x1002, mode: 'tunnel', src, dst, esp: 'aes128-sha1', key: concat(encKey, integKey), seq: 8 }, ip(src, dst, PROTO.ESP, esp));
      assert.ok(got instanceof Uint8Array, `dropped: ${JSON.stringify(got)}`);
      assert.equal(toHex(got), toHex(inner));
    });
  }
});

// Keep the helpers honest: the framing of the published IPv4 packets is the published one.
describe('the framing built here reproduces the published outer packets', () => {
  test('RFC 7634 Appendix A: outer packet', () => {
    const c = CASES.find((x) => x.esp === 'chacha20poly1305')!;
    assert.equal(toHex(frame(c, 'IPv4').outer), toHex(hex(RFC7634_ESP.espPacket)));
  });
  for (const c of RFC3602) {
    test(`${c.name}: inner packet, and outer packet but for our ICV`, () => {
      const vc = CASES.find((x) => x.name === c.name)!;
      const { inner, outer } = frame(vc, 'IPv4');
      assert.equal(toHex(inner), toHex(hex(c.original)));
      // Without the ICV the outer packet is the published one; with it, 12 bytes longer.
      const h = hex(c.outerHeader), esp = hex(c.esp);
      assert.equal(toHex(outer.subarray(20, outer.length - 12)), toHex(esp));
      assert.equal(toHex(ip(c.src, c.dst, PROTO.ESP, esp, { id: vc.published!.id, ttl: vc.published!.ttl, df: (h[6] & 0x40) !== 0 })), toHex(concat(h, esp)));
    });
  }
});
