// ChaCha20, Poly1305 and AEAD_CHACHA20_POLY1305 (RFC 8439): RFC vectors, Wycheproof, and
// differential tests against node:crypto (OpenSSL) and a BigInt Poly1305.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes, randomInt } from 'node:crypto';
import { aeadOpen, aeadSeal } from '../src/crypto/index.js';
import { datapath } from '../src/dataplane/wasm.js';
import { read, stage, wipe } from '../src/crypto/scratch.js';
import { hex, toHex, wycheproof } from './util/vectors.js';
import { AEADS, BLOCKS, ENCRYPTIONS, IETF_NOTE, INTERNET_DRAFTS, JABBERWOCKY, KEYGENS, MACS, SUNSCREEN } from './util/rfc8439.js';
import { poly1305Reference } from './util/poly1305-reference.js';

const ALG = 'chacha20-poly1305';
const bytes = (v: Uint8Array | string): Uint8Array => (typeof v === 'string' ? new TextEncoder().encode(v) : v);

// Static memory of the module (tables, scratch) before any call: every call must leave it as it
// found it, i.e. wipe its key material and key stream. Checked after every call below.
const dp = datapath();
const staticBefore = new Uint8Array(dp.memory.buffer, 0, dp.heapBase).slice();
const assertStaticWiped = (what: string): void => {
  const now = new Uint8Array(dp.memory.buffer, 0, dp.heapBase);
  assert.ok(Buffer.from(now).equals(staticBefore), `static memory not wiped after ${what}`);
};

// The one-shot faces stage key, nonce and data in scratch memory above heapBase and must zero it.
const assertScratchWiped = (what: string, len: number): void => {
  const scratch = new Uint8Array(dp.memory.buffer, dp.heapBase, Math.min(4096 + 4 * len + 1024, dp.memory.buffer.byteLength - dp.heapBase));
  assert.ok(scratch.every((b) => b === 0), `scratch memory not wiped after ${what}`);
};

function seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): Uint8Array {
  const sealed = aeadSeal(ALG, key, nonce, aad, pt);
  assertStaticWiped('seal');
  assertScratchWiped('seal', aad.length + pt.length);
  return sealed;
}

function open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null {
  const opened = aeadOpen(ALG, key, nonce, aad, sealed);
  assertStaticWiped('open');
  assertScratchWiped('open', aad.length + sealed.length);
  return opened;
}

// The part exports, called through scratch memory as the one-shot faces do.
function chacha20(key: Uint8Array, nonce: Uint8Array, counter: number, data: Uint8Array): Uint8Array {
  const s = stage([key, nonce, data], [data.length]);
  const [k, n, src, out] = s.ptr;
  s.fn.chacha20Xor(k, n, counter, src, data.length, out);
  assertStaticWiped('chacha20Xor');
  const result = read(out, data.length);
  wipe(out + data.length - k);
  return result;
}

function poly1305(key: Uint8Array, msg: Uint8Array): Uint8Array {
  const s = stage([key, msg], [16]);
  const [k, m, out] = s.ptr;
  s.fn.poly1305Mac(k, m, msg.length, out);
  assertStaticWiped('poly1305Mac');
  const result = read(out, 16);
  wipe(out + 16 - k);
  return result;
}

// OpenSSL's AEAD, per packet, as the differential reference.
function nodeSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): Uint8Array {
  const c = createCipheriv(ALG, key, nonce, { authTagLength: 16 });
  c.setAAD(aad, { plaintextLength: pt.length });
  return Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
}

test('RFC 8439 texts have the lengths the RFC gives', () => {
  assert.equal(bytes(SUNSCREEN).length, 114);
  assert.equal(bytes(IETF_NOTE).length, 375);
  assert.equal(bytes(JABBERWOCKY).length, 127);
  assert.equal(bytes(INTERNET_DRAFTS).length, 265);
});

test('ChaCha20 block function: §2.3.2 and A.1', () => {
  for (const v of BLOCKS) {
    const ks = chacha20(hex(v.key), hex(v.nonce), v.counter, new Uint8Array(64));
    assert.equal(toHex(ks), toHex(hex(v.keyStream)), v.name);
  }
});

test('ChaCha20 encryption: §2.4.2 and A.2, both directions', () => {
  for (const v of ENCRYPTIONS) {
    const pt = bytes(v.plaintext);
    const ct = chacha20(hex(v.key), hex(v.nonce), v.counter, pt);
    assert.equal(toHex(ct), toHex(hex(v.ciphertext)), v.name);
    assert.equal(toHex(chacha20(hex(v.key), hex(v.nonce), v.counter, ct)), toHex(pt), `${v.name} decrypt`);
  }
});

test('Poly1305: §2.5.2 and A.3 (with the limb-wrapping edge cases #5–#11)', () => {
  for (const v of MACS) {
    assert.equal(toHex(poly1305(hex(v.key), bytes(v.message))), toHex(hex(v.tag)), v.name);
    // The BigInt reference must agree with the RFC too, or it is no reference.
    assert.equal(toHex(poly1305Reference(hex(v.key), bytes(v.message))), toHex(hex(v.tag)), `${v.name} (reference)`);
  }
});

test('Poly1305 key generation: §2.6.2, §2.8.2 and A.4 (block 0, first 32 bytes)', () => {
  for (const v of KEYGENS) {
    const otk = chacha20(hex(v.key), hex(v.nonce), 0, new Uint8Array(32));
    assert.equal(toHex(otk), toHex(hex(v.oneTimeKey)), v.name);
  }
});

test('AEAD: §2.8.2 seals and A.5 opens', () => {
  for (const v of AEADS) {
    const [key, nonce, aad, pt] = [hex(v.key), hex(v.nonce), hex(v.aad), bytes(v.plaintext)];
    const sealed = new Uint8Array([...hex(v.ciphertext), ...hex(v.tag)]);
    assert.equal(toHex(seal(key, nonce, aad, pt)), toHex(sealed), `${v.name} seal`);
    const opened = open(key, nonce, aad, sealed);
    assert.ok(opened, `${v.name} open`);
    assert.equal(toHex(opened), toHex(pt), `${v.name} open`);
  }
});

test('Wycheproof chacha20_poly1305_test.json: every case', () => {
  let ran = 0;
  for (const group of wycheproof('chacha20_poly1305_test.json')) {
    for (const t of group.tests) {
      const [key, iv, aad, msg, ct, tag] = (['key', 'iv', 'aad', 'msg', 'ct', 'tag'] as const).map((f) => hex(t[f] as string));
      const sealed = new Uint8Array([...ct, ...tag]);
      const what = `tcId ${t.tcId} (${t.comment})`;
      ran++;
      if (iv.length !== 12) {
        // Only 96-bit nonces exist in RFC 8439 §2.8; anything else is refused up front.
        assert.equal(t.result, 'invalid', what);
        assert.throws(() => aeadSeal(ALG, key, iv, aad, msg), RangeError, what);
        assert.throws(() => aeadOpen(ALG, key, iv, aad, sealed), RangeError, what);
        continue;
      }
      if (t.result === 'valid') {
        assert.equal(toHex(seal(key, iv, aad, msg)), toHex(sealed), `${what} seal`);
        const opened = open(key, iv, aad, sealed);
        assert.ok(opened, `${what} open`);
        assert.equal(toHex(opened), toHex(msg), `${what} open`);
      } else {
        assert.equal(open(key, iv, aad, sealed), null, what);
      }
    }
  }
  assert.equal(ran, 325);
});

// Lengths 0..300 cover every offset around the 16-byte Poly1305 blocks, the 64-byte ChaCha20
// blocks, the 192 bytes the AEAD takes from a first four-block call and the 256-byte chunks; then
// every multiple of 64 up to 4096 and its neighbours (448 from a first eight-block call, 512-byte
// chunks), and random lengths up to 4096.
const LENGTHS = [
  ...Array.from({ length: 301 }, (_, i) => i),
  ...Array.from({ length: 60 }, (_, i) => 64 * (i + 5)).flatMap((n) => [n - 1, n, n + 1]),
  ...Array.from({ length: 40 }, () => randomInt(301, 4097)),
];

test('ChaCha20 matches OpenSSL chacha20 for every length 0..300 and random ones to 4096', () => {
  for (const n of LENGTHS) {
    const [key, nonce, pt] = [randomBytes(32), randomBytes(12), randomBytes(n)];
    const counter = randomInt(0, 2 ** 32 - 128); // OpenSSL carries into the nonce on wrap; RFC 8439 does not
    const iv = Buffer.alloc(16);
    iv.writeUInt32LE(counter, 0);
    nonce.copy(iv, 4);
    const c = createCipheriv('chacha20', key, iv);
    const expected = Buffer.concat([c.update(pt), c.final()]);
    assert.equal(toHex(chacha20(key, nonce, counter, pt)), toHex(expected), `length ${n}`);
  }
});

test('ChaCha20 block counter wraps modulo 2^32 within the nonce (§2.3: a 32-bit counter)', () => {
  const [key, nonce] = [randomBytes(32), randomBytes(12)];
  const all = chacha20(key, nonce, 0xfffffffe, new Uint8Array(64 * 6));
  const after = chacha20(key, nonce, 0, new Uint8Array(64 * 4));
  assert.equal(toHex(all.subarray(128)), toHex(after), 'blocks 2^32, 2^32+1, … are blocks 0, 1, …');
});

test('Poly1305 matches the BigInt reference for every length 0..300, random ones, and edge keys', () => {
  const edgeKeys = [
    new Uint8Array(32).fill(0xff), // r with every bit clamping allows, s = 2^128 - 1
    new Uint8Array([...new Uint8Array(16).fill(0xff), ...new Uint8Array(16)]),
    new Uint8Array([...new Uint8Array(16), ...new Uint8Array(16).fill(0xff)]),
  ];
  for (const n of LENGTHS) {
    for (const key of [randomBytes(32), ...(n <= 80 || n % 37 === 0 ? edgeKeys : [])]) {
      for (const msg of [randomBytes(n), new Uint8Array(n).fill(0xff)]) {
        assert.equal(toHex(poly1305(key, msg)), toHex(poly1305Reference(key, msg)), `length ${n} key ${toHex(key)}`);
      }
    }
  }
});

test('AEAD matches OpenSSL for every length 0..300 and random ones to 4096, with AAD 0..64', () => {
  for (const n of LENGTHS) {
    const [key, nonce, aad, pt] = [randomBytes(32), randomBytes(12), randomBytes(randomInt(0, 65)), randomBytes(n)];
    const expected = nodeSeal(key, nonce, aad, pt);
    const sealed = seal(key, nonce, aad, pt);
    assert.equal(toHex(sealed), toHex(expected), `seal length ${n} aad ${aad.length}`);
    const opened = open(key, nonce, aad, sealed);
    assert.ok(opened, `open length ${n}`);
    assert.equal(toHex(opened), toHex(pt), `open length ${n}`);
  }
});

test('AEAD: every single flipped bit of AAD, ciphertext or tag is rejected', () => {
  const cases = [
    { n: 0, a: 0 }, { n: 1, a: 1 }, { n: 63, a: 13 }, { n: 70, a: 20 }, { n: 192, a: 16 }, { n: 257, a: 64 },
  ];
  for (const { n, a } of cases) {
    const [key, nonce, aad, pt] = [randomBytes(32), randomBytes(12), randomBytes(a), randomBytes(n)];
    const sealed = seal(key, nonce, aad, pt);
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      const bad = sealed.slice();
      bad[bit >> 3] ^= 1 << (bit & 7);
      assert.equal(open(key, nonce, aad, bad), null, `length ${n}: sealed bit ${bit}`);
    }
    for (let bit = 0; bit < aad.length * 8; bit++) {
      const bad = aad.slice();
      bad[bit >> 3] ^= 1 << (bit & 7);
      assert.equal(open(key, nonce, bad, sealed), null, `length ${n}: aad bit ${bit}`);
    }
    // Wrong key, wrong nonce, truncated or extended input.
    const otherKey = Uint8Array.from(key, (b, i) => (i === 31 ? b ^ 0x80 : b));
    const otherNonce = Uint8Array.from(nonce, (b, i) => (i === 0 ? b ^ 1 : b));
    assert.equal(open(otherKey, nonce, aad, sealed), null);
    assert.equal(open(key, otherNonce, aad, sealed), null);
    assert.equal(open(key, nonce, aad, sealed.subarray(1)), null);
    assert.equal(open(key, nonce, aad, new Uint8Array([...sealed, 0])), null);
  }
});

test('AEAD in place (out = src), and a failed open leaves out untouched', () => {
  for (const n of [0, 15, 64, 191, 192, 193, 300, 1400]) {
    const [key, nonce, aad, pt] = [randomBytes(32), randomBytes(12), randomBytes(8), randomBytes(n)];
    const expected = nodeSeal(key, nonce, aad, pt);
    // Seal in place: the buffer holds the plaintext and room for the tag.
    let s = stage([key, nonce, aad, new Uint8Array([...pt, ...new Uint8Array(16)])]);
    let [k, iv, a, buf] = s.ptr;
    s.fn.chacha20Poly1305Seal(k, iv, a, aad.length, buf, n, buf);
    assertStaticWiped('seal in place');
    assert.equal(toHex(read(buf, n + 16)), toHex(expected), `seal in place, length ${n}`);
    wipe(buf + n + 16 - k);
    // Open in place.
    s = stage([key, nonce, aad, expected]);
    [k, iv, a, buf] = s.ptr;
    assert.equal(s.fn.chacha20Poly1305Open(k, iv, a, aad.length, buf, n, buf), 1);
    assertStaticWiped('open in place');
    assert.equal(toHex(read(buf, n)), toHex(pt), `open in place, length ${n}`);
    wipe(buf + n + 16 - k);
    // A forged tag: 0 returned, the output area keeps its bytes.
    const forged = Uint8Array.from(expected, (b, i) => (i === n + 15 ? b ^ 0x40 : b));
    const marker = new Uint8Array(n).fill(0xa5);
    s = stage([key, nonce, aad, forged, marker]);
    const out = s.ptr[4];
    [k, iv, a, buf] = s.ptr;
    assert.equal(s.fn.chacha20Poly1305Open(k, iv, a, aad.length, buf, n, out), 0);
    assertStaticWiped('rejected open');
    assert.equal(toHex(read(out, n)), toHex(marker), `rejected open wrote to out, length ${n}`);
    assert.equal(toHex(read(buf, n + 16)), toHex(forged), `rejected open changed its input, length ${n}`);
    wipe(out + n - k);
  }
});
