// SHA-1/256/384/512 and HMAC: published vectors, Wycheproof, differential tests against node:crypto,
// and the per-key WASM entry points the ESP engine uses (hmacCompute2, hmacVerify).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { hash, hmac, HASH_ALGS, type HashAlg } from '../src/crypto/index.js';
import { CTX_AREA, read, stage, wipe } from '../src/crypto/scratch.js';
import { datapath } from '../src/dataplane/wasm.js';
import { hex, toHex, wycheproof } from './util/vectors.js';
import { rng } from './util/rng.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const fill = (byte: number, n: number): Uint8Array => new Uint8Array(n).fill(byte);
const range = (from: number, to: number): Uint8Array => Uint8Array.from({ length: to - from + 1 }, (_, i) => from + i);

// FIPS 180-4 example messages, as in NIST's "Cryptographic Standards and Guidelines: Examples with
// Intermediate Values" (SHA1.pdf, SHA256.pdf, SHA384.pdf, SHA512.pdf) and FIPS 180-2 Appendices A–D.
const M448 = ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq');
const M896 = ascii('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno'
  + 'ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu');
const MILLION_A = fill(0x61, 1_000_000);
const FIPS: { alg: HashAlg; msg: Uint8Array; what: string; digest: string }[] = [
  { alg: 'sha1', what: 'abc', msg: ascii('abc'), digest: 'a9993e364706816aba3e25717850c26c9cd0d89d' },
  { alg: 'sha1', what: '448-bit', msg: M448, digest: '84983e441c3bd26ebaae4aa1f95129e5e54670f1' },
  { alg: 'sha1', what: '896-bit', msg: M896, digest: 'a49b2446a02c645bf419f995b67091253a04a259' },
  { alg: 'sha1', what: 'a × 10^6', msg: MILLION_A, digest: '34aa973cd4c4daa4f61eeb2bdbad27316534016f' },
  { alg: 'sha256', what: 'abc', msg: ascii('abc'), digest: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
  { alg: 'sha256', what: '448-bit', msg: M448, digest: '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1' },
  { alg: 'sha256', what: '896-bit', msg: M896, digest: 'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1' },
  { alg: 'sha256', what: 'a × 10^6', msg: MILLION_A, digest: 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0' },
  { alg: 'sha384', what: 'abc', msg: ascii('abc'),
    digest: 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7' },
  { alg: 'sha384', what: '448-bit', msg: M448,
    digest: '3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05abfe8f450de5f36bc6b0455a8520bc4e6f5fe95b1fe3c8452b' },
  { alg: 'sha384', what: '896-bit', msg: M896,
    digest: '09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039' },
  { alg: 'sha384', what: 'a × 10^6', msg: MILLION_A,
    digest: '9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985' },
  { alg: 'sha512', what: 'abc', msg: ascii('abc'),
    digest: 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f' },
  { alg: 'sha512', what: '448-bit', msg: M448,
    digest: '204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445' },
  { alg: 'sha512', what: '896-bit', msg: M896,
    digest: '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909' },
  { alg: 'sha512', what: 'a × 10^6', msg: MILLION_A,
    digest: 'e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b' },
];

test('FIPS 180-4 examples', () => {
  for (const v of FIPS) assert.equal(toHex(hash(v.alg, v.msg)), v.digest, `${v.alg} ${v.what}`);
});

// RFC 2202 §3, test cases 1–7 for HMAC-SHA-1 (case 5's 96-bit truncation is the prefix shown).
const RFC2202: { key: Uint8Array; data: Uint8Array; mac: string }[] = [
  { key: fill(0x0b, 20), data: ascii('Hi There'), mac: 'b617318655057264e28bc0b6fb378c8ef146be00' },
  { key: ascii('Jefe'), data: ascii('what do ya want for nothing?'), mac: 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79' },
  { key: fill(0xaa, 20), data: fill(0xdd, 50), mac: '125d7342b9ac11cd91a39af48aa17b4f63f175d3' },
  { key: range(0x01, 0x19), data: fill(0xcd, 50), mac: '4c9007f4026250c6bc8414f9bf50c86c2d7235da' },
  { key: fill(0x0c, 20), data: ascii('Test With Truncation'), mac: '4c1a03424b55e07fe7f27be1d58bb9324a9a5a04' },
  { key: fill(0xaa, 80), data: ascii('Test Using Larger Than Block-Size Key - Hash Key First'),
    mac: 'aa4ae5e15272d00e95705637ce8a3b55ed402112' },
  { key: fill(0xaa, 80), data: ascii('Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data'),
    mac: 'e8e99d0f45237d786d6bbaa7965c7808bbff1a91' },
];

test('RFC 2202 HMAC-SHA-1', () => {
  RFC2202.forEach((v, i) => assert.equal(toHex(hmac('sha1', v.key, v.data)), v.mac, `case ${i + 1}`));
  assert.equal(toHex(hmac('sha1', RFC2202[4].key, RFC2202[4].data).subarray(0, 12)), '4c1a03424b55e07fe7f27be1');
});

// RFC 4231 §4.2–4.8, test cases 1–7 (HMAC-SHA-224 is not ours). Case 5 is truncated to 128 bits.
const KEY131 = fill(0xaa, 131);
const RFC4231: { key: Uint8Array; data: Uint8Array; sha256: string; sha384: string; sha512: string }[] = [
  { key: fill(0x0b, 20), data: ascii('Hi There'),
    sha256: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    sha384: 'afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6',
    sha512: '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854' },
  { key: ascii('Jefe'), data: ascii('what do ya want for nothing?'),
    sha256: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    sha384: 'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
    sha512: '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737' },
  { key: fill(0xaa, 20), data: fill(0xdd, 50),
    sha256: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
    sha384: '88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27',
    sha512: 'fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb' },
  { key: range(0x01, 0x19), data: fill(0xcd, 50),
    sha256: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
    sha384: '3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb',
    sha512: 'b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd' },
  { key: fill(0x0c, 20), data: ascii('Test With Truncation'),
    sha256: 'a3b6167473100ee06e0c796c2955552b', sha384: '3abf34c3503b2a23a46efc619baef897', sha512: '415fad6271580a531d4179bc891d87a6' },
  { key: KEY131, data: ascii('Test Using Larger Than Block-Size Key - Hash Key First'),
    sha256: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    sha384: '4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952',
    sha512: '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598' },
  { key: KEY131, data: ascii('This is a test using a larger than block-size key and a larger than block-size data. '
      + 'The key needs to be hashed before being used by the HMAC algorithm.'),
    sha256: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    sha384: '6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e',
    sha512: 'e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58' },
];

test('RFC 4231 HMAC-SHA-256/384/512', () => {
  RFC4231.forEach((v, i) => {
    for (const alg of ['sha256', 'sha384', 'sha512'] as const) {
      const mac = toHex(hmac(alg, v.key, v.data));
      // Case 5 lists only the leftmost 128 bits; the others the whole MAC.
      assert.equal(mac.slice(0, v[alg].length), v[alg], `case ${i + 1} ${alg}`);
      if (i !== 4) assert.equal(mac.length, v[alg].length);
    }
  });
});

// ---- The per-key entry points, called on the WASM module directly as the ESP engine does. ----

const ID: Record<HashAlg, number> = { sha1: 1, sha256: 2, sha384: 3, sha512: 4 };

/** Sets a context up for `key`, stages `inputs`, runs `body(fn, ctx, pointers)`, then wipes it all. */
function withKey<T>(alg: HashAlg, key: Uint8Array, inputs: Uint8Array[],
  body: (fn: Record<string, (...a: number[]) => number>, ctx: number, p: number[]) => T): T {
  const s = stage([key, ...inputs], [64]);
  try {
    s.fn.hmacSetKey(s.ctx, ID[alg], s.ptr[0], key.length);
    return body(s.fn, s.ctx, s.ptr.slice(1));
  } finally {
    s.fn.hmacWipe(s.ctx);
    wipe(s.ptr[s.ptr.length - 1] + 64 - s.ctx - CTX_AREA);
  }
}

/** hmacVerify over `data` (split at `at`) against `icv`. */
function verify(alg: HashAlg, key: Uint8Array, data: Uint8Array, icv: Uint8Array, at = data.length): number {
  return withKey(alg, key, [data, icv], (fn, ctx, [d, t]) =>
    fn.hmacVerify(ctx, d, at, d + at, data.length - at, t, icv.length));
}

for (const alg of HASH_ALGS) {
  const file = `hmac_${alg}_test.json`;
  test(`Wycheproof ${file}`, () => {
    let count = 0;
    for (const group of wycheproof(file)) {
      const bytes = (group.tagSize as number) / 8;
      for (const t of group.tests) {
        const [key, msg, tag] = [hex(t.key as string), hex(t.msg as string), hex(t.tag as string)];
        const mac = hmac(alg, key, msg).subarray(0, bytes);
        const ok = t.result === 'valid';
        assert.equal(tag.length === bytes && toHex(mac) === toHex(tag), ok, `tcId ${t.tcId}: ${t.comment}`);
        if (tag.length === bytes) assert.equal(verify(alg, key, msg, tag), ok ? 1 : 0, `tcId ${t.tcId} verify`);
        count++;
      }
    }
    assert.ok(count > 150, `only ${count} cases`);
  });
}

// ---- Differential tests against node:crypto (OpenSSL). ----

for (const alg of HASH_ALGS) {
  test(`${alg}: hash and HMAC equal node:crypto`, () => {
    const r = rng(0x5a5a + ID[alg]);
    // Every length 0..300 crosses the 55/56-byte (111/112) padding edge and one or more blocks;
    // then random lengths up to 4096. Keys of 0..200 bytes cross the 64- and 128-byte block.
    const lengths = [...Array(301).keys(), ...Array.from({ length: 60 }, () => r.int(4097)), 4096];
    for (const n of lengths) {
      const data = r.bytes(n);
      const key = r.bytes(r.int(201));
      assert.equal(toHex(hash(alg, data)), createHash(alg).update(data).digest('hex'), `hash ${n}`);
      assert.equal(toHex(hmac(alg, key, data)), createHmac(alg, key).update(data).digest('hex'),
        `hmac len ${n} key ${key.length}`);
    }
    for (let k = 0; k <= 200; k++) {
      const key = r.bytes(k);
      assert.equal(toHex(hmac(alg, key, M448)), createHmac(alg, key).update(M448).digest('hex'), `key ${k}`);
    }
  });

  test(`${alg}: hmacCompute2 over a split equals the whole`, () => {
    const r = rng(0xe5 + ID[alg]);
    for (let i = 0; i < 200; i++) {
      const n = i < 100 ? i * 3 : r.int(2049);
      const data = r.bytes(n);
      const key = r.bytes(r.int(201));
      const whole = hmac(alg, key, data);
      for (const at of [0, n, r.int(n + 1), r.int(n + 1)]) {
        // The two pieces are staged apart, as ESN's high sequence bits are in ESP.
        const mac = withKey(alg, key, [data.subarray(0, at), data.subarray(at)], (fn, ctx, [d1, d2, out]) => {
          fn.hmacCompute2(ctx, d1, at, d2, n - at, out);
          return read(out, whole.length);
        });
        assert.equal(toHex(mac), toHex(whole), `len ${n} split at ${at}`);
      }
    }
  });

  test(`${alg}: hmacVerify accepts the ICV and rejects any one-bit flip`, () => {
    const r = rng(0x7e + ID[alg]);
    const key = r.bytes(37);
    const data = r.bytes(1400);
    const mac = hmac(alg, key, data);
    for (const len of [12, 16, mac.length >> 1, mac.length]) {
      const icv = mac.slice(0, len);
      assert.equal(verify(alg, key, data, icv), 1, `icv ${len}`);
      assert.equal(verify(alg, key, data, icv, 700), 1, `icv ${len}, data in two pieces`);
      for (let bit = 0; bit < len * 8; bit++) {
        const bad = icv.slice();
        bad[bit >> 3] ^= 0x80 >> (bit & 7);
        assert.equal(verify(alg, key, data, bad), 0, `icv ${len} bit ${bit}`);
      }
    }
    // A tag of zero bytes, or longer than the MAC, never verifies.
    assert.equal(verify(alg, key, data, new Uint8Array(0)), 0, 'empty icv');
    assert.equal(verify(alg, key, data, new Uint8Array([...mac, 0])), 0, 'icv longer than the MAC');
  });
}

test('no key material is left in WASM memory', () => {
  /** Whether `needle` occurs anywhere in linear memory. */
  const found = (needle: Uint8Array): boolean => Buffer.from(datapath().memory.buffer).includes(Buffer.from(needle));
  const r = rng(0x6b6579);
  for (const alg of HASH_ALGS) {
    for (const n of [20, 64, 100, 128, 150]) { // short keys, one block exactly, and hashed long keys
      const key = r.bytes(n);
      hmac(alg, key, r.bytes(300));
      const head = key.subarray(0, 16);
      assert.ok(!found(head), `${alg} key ${n}: key left in memory`);
      assert.ok(!found(head.map((b) => b ^ 0x36)), `${alg} key ${n}: K0 ^ ipad left in memory`);
      assert.ok(!found(head.map((b) => b ^ 0x5c)), `${alg} key ${n}: K0 ^ opad left in memory`);
    }
  }
});

test('hmacWipe zeroes the context, which then refuses to MAC', () => {
  withKey('sha256', ascii('key'), [ascii('data')], (fn, ctx, [d, out]) => {
    fn.hmacWipe(ctx);
    assert.ok(new Uint8Array(datapath().memory.buffer, ctx, 192 /* HMAC_CTX_SIZE */).every((b) => b === 0));
    assert.throws(() => fn.hmacCompute(ctx, d, 4, out), /aborted/);
  });
});

test('argument errors', () => {
  assert.throws(() => hash('md5' as HashAlg, new Uint8Array(1)), { name: 'RangeError', message: /unknown hash algorithm 'md5'/ });
  assert.throws(() => hmac('sha224' as HashAlg, new Uint8Array(1), new Uint8Array(1)), RangeError);
  assert.throws(() => hash('sha256', 'abc' as unknown as Uint8Array), { name: 'TypeError', message: /data must be a Uint8Array/ });
  assert.throws(() => hmac('sha256', [1, 2] as unknown as Uint8Array, new Uint8Array(1)), { name: 'TypeError', message: /key/ });
  assert.throws(() => hmac('sha256', new Uint8Array(1), null as unknown as Uint8Array), TypeError);
});
