// ESP_DES (RFC 2405) with HMAC-SHA1-96 (RFC 2404) in the datapath, which runs single DES as its
// 3DES with K|K|K (engine.ts): the DES known answers through the engine's key path, and packets
// checked both ways against a second DES, OpenSSL's own des-cbc from its legacy provider.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { espDecap, espEncap } from '../src/dataplane/esp.js';
import { engineAlgorithms, espSuiteOf } from '../src/dataplane/suite.js';
import { concat, espPart, ip, PROTO, udpPacket } from './util/packets.js';
import { PERMUTATION_OPERATION, VARIABLE_KEY_CT } from './util/des-kat.js';
import { hex, toHex } from './util/vectors.js';

const SA = { spi: 0xc0de0001, mode: 'tunnel', src: '192.0.2.1', dst: '192.0.2.2', esp: 'des-sha1' } as const;

/** openssl enc -des-cbc, no padding; undefined when this OpenSSL has no legacy provider. */
function opensslDes(key: Uint8Array, iv: Uint8Array, data: Uint8Array, decrypt: boolean): Uint8Array | undefined {
  try {
    return new Uint8Array(execFileSync('openssl', ['enc', '-des-cbc', ...(decrypt ? ['-d'] : []), '-nopad', '-K', toHex(key), '-iv', toHex(iv),
      '-provider', 'legacy', '-provider', 'default'], { input: data, stdio: ['pipe', 'pipe', 'ignore'] }));
  } catch {
    return undefined;
  }
}

const icv = (key: Uint8Array, data: Uint8Array) => new Uint8Array(createHmac('sha1', key).update(data).digest().subarray(0, 12));

test('des-sha1: 8-byte DES key and 20-byte HMAC key; the engine runs it as 3DES-CBC', () => {
  assert.deepEqual(engineAlgorithms(espSuiteOf('des-sha1')), { enc: 'des-cbc', encKeyBytes: 8, icvBytes: undefined, integ: 'hmac-sha1' });
});

test('ESP_DES through the engine: the SP 800-20 permutation operation and variable key known answers', () => {
  // With the IV set to the inner packet's first 8 bytes, the first CBC block is DES_K(0): the KAT's
  // plaintext. The ciphertext follows SPI, sequence number and IV (RFC 2405 §3).
  const inner = udpPacket('10.1.0.1', '10.2.0.1', 1, 2, new Uint8Array(4));
  const iv = inner.slice(0, 8);
  const variableKey = VARIABLE_KEY_CT.map((ct, i): [string, string] => {
    const k = new Uint8Array(8).fill(0x01);
    k[Math.floor(i / 7)] = 0x80 >> (i % 7);
    return [toHex(k), ct];
  });
  for (const [k, ct] of [...PERMUTATION_OPERATION, ...variableKey]) {
    const esp = espPart(espEncap({ ...SA, key: concat(hex(k), new Uint8Array(20)), seq: 1, iv }, inner));
    assert.equal(toHex(esp.subarray(16, 24)), ct.toLowerCase(), `key ${k}`);
  }
});

test('ESP_DES against OpenSSL des-cbc: encapsulation decrypts, a hand-built packet decapsulates', (t) => {
  const encKey = new Uint8Array(randomBytes(8)), integKey = new Uint8Array(randomBytes(20)), key = concat(encKey, integKey);
  if (!opensslDes(encKey, new Uint8Array(8), new Uint8Array(8), false)) {
    t.skip('openssl has no legacy provider here');
    return;
  }
  for (const size of [0, 1, 7, 8, 100, 1400]) {
    const inner = udpPacket('10.1.0.5', '10.2.0.7', 1234, 5678, new Uint8Array(randomBytes(size)));
    const iv = new Uint8Array(randomBytes(8));
    // Outbound: HMAC over SPI‖seq‖IV‖ciphertext (RFC 4303 §3.3.2), then DES-CBC open (RFC 2405 §2).
    const esp = espPart(espEncap({ ...SA, key, seq: 5, iv }, inner));
    assert.deepEqual(esp.subarray(8, 16), iv, `IV, ${size}`);
    const body = esp.subarray(0, esp.length - 12);
    assert.deepEqual(esp.subarray(esp.length - 12), icv(integKey, body), `ICV, ${size}`);
    const plain = opensslDes(encKey, iv, body.subarray(16), true)!;
    const padLength = plain[plain.length - 2];
    assert.equal(plain[plain.length - 1], PROTO.IPIP, 'next header: IPv4');
    assert.equal(plain.length % 8, 0);
    assert.deepEqual(plain.subarray(0, plain.length - 2 - padLength), inner, `inner packet, ${size}`);

    // Inbound: the same construction by hand, padding 1, 2, 3, … (RFC 4303 §2.4).
    const padded = new Uint8Array(Math.ceil((inner.length + 2) / 8) * 8);
    padded.set(inner);
    const pad = padded.length - inner.length - 2;
    for (let i = 0; i < pad; i++) padded[inner.length + i] = i + 1;
    padded[padded.length - 2] = pad;
    padded[padded.length - 1] = PROTO.IPIP;
    const header = new Uint8Array(8);
    new DataView(header.buffer).setUint32(0, SA.spi);
    new DataView(header.buffer).setUint32(4, 9);
    const signed = concat(header, iv, opensslDes(encKey, iv, padded, false)!);
    const outer = ip(SA.dst, SA.src, PROTO.ESP, concat(signed, icv(integKey, signed)));
    assert.deepEqual(espDecap({ ...SA, src: SA.dst, dst: SA.src, key, seq: 0 }, outer), inner, `decap, ${size}`);
  }
});

test('ESP_DES: a wrong key length is refused by the engine', () => {
  assert.throws(() => espEncap({ ...SA, key: randomBytes(27), seq: 1 }, udpPacket('10.1.0.1', '10.2.0.1', 1, 2, new Uint8Array(1))));
});
