// AES, AES-CBC, AES-CTR and AES-GCM: published vectors, Wycheproof, and node:crypto on random input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes, randomInt } from 'node:crypto';
import { aeadOpen, aeadSeal, cbcDecrypt, cbcEncrypt, type AeadAlg, type CbcAlg } from '../src/crypto/index.js';
import { stage, read } from '../src/crypto/scratch.js';
import { datapath } from '../src/dataplane/wasm.js';
import { hex, toHex, wycheproof } from './util/vectors.js';
import { FIPS197, FIPS197_PT, GCM_SPEC, SP800_38A_CBC, SP800_38A_CTR, SP800_38A_PT } from './vectors/aes.js';

const cbcAlg = (key: Uint8Array): CbcAlg => `aes-${key.length * 8}-cbc` as CbcAlg;
const gcmAlg = (key: Uint8Array): AeadAlg => `aes-${key.length * 8}-gcm` as AeadAlg;
const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

test('FIPS-197 Appendix C: one block, each key size', () => {
  for (const v of FIPS197) {
    const key = hex(v.key);
    // One block of CBC under a zero IV is the bare block cipher.
    assert.equal(toHex(cbcEncrypt(cbcAlg(key), key, new Uint8Array(16), hex(FIPS197_PT))), v.ct, v.name);
    assert.equal(toHex(cbcDecrypt(cbcAlg(key), key, new Uint8Array(16), hex(v.ct))), FIPS197_PT, v.name);
  }
});

test('SP 800-38A F.2: CBC encrypt and decrypt', () => {
  for (const v of SP800_38A_CBC) {
    const key = hex(v.key);
    assert.equal(toHex(cbcEncrypt(cbcAlg(key), key, hex(v.iv), hex(SP800_38A_PT))), v.ct, v.name);
    assert.equal(toHex(cbcDecrypt(cbcAlg(key), key, hex(v.iv), hex(v.ct))), SP800_38A_PT, v.name);
  }
});

/** aesCtr is not part of the public face; drive the WASM export directly. */
function ctr(key: Uint8Array, counter: Uint8Array, data: Uint8Array): Uint8Array {
  const { ctx, ptr: [k, c, d], fn } = stage([key, counter, data]);
  fn.aesSetKey(ctx, k, key.length);
  fn.aesCtr(ctx, c, d, data.length, d);
  return read(d, data.length);
}

test('SP 800-38A F.5: CTR, and every length against node:crypto', () => {
  for (const v of SP800_38A_CTR) assert.equal(toHex(ctr(hex(v.key), hex(v.ctr), hex(SP800_38A_PT))), v.ct, v.name);
  // The 32-bit counter wraps without carrying into the nonce (inc32), unlike OpenSSL's 128-bit
  // counter, so start far enough from the wrap for the two to agree.
  for (let len = 0; len <= 300; len++) {
    const key = randomBytes(16), counter = cat(randomBytes(12), hex('00000000'));
    const data = randomBytes(len);
    const want = createCipheriv('aes-128-ctr', key, counter).update(data);
    assert.equal(toHex(ctr(key, counter, data)), toHex(want), `length ${len}`);
  }
});

test('CTR against node:crypto where the counter\'s low byte wraps within a batch and where it does not', () => {
  // Batches of eight blocks whose counters share their first 15 bytes share rounds 1 and 2
  // (assembly/crypto/ctr-rounds.ts); the others take the plain path. Both, every key size.
  for (let i = 0; i < 300; i++) {
    const key = randomBytes([16, 24, 32][i % 3]);
    const low = i % 2 ? randomInt(0, 256) : 256 - randomInt(1, 17); // wraps within the first batches
    const counter = cat(randomBytes(12), new Uint8Array([0, randomInt(0, 256), randomInt(0, 256), low]));
    const data = randomBytes(randomInt(0, 4200));
    const want = createCipheriv(`aes-${key.length * 8}-ctr` as 'aes-128-ctr', key, counter).update(data);
    assert.equal(toHex(ctr(key, counter, data)), toHex(want), `counter ${toHex(counter)}, length ${data.length}`);
  }
});

test('GCM specification test cases 1-4, 7-10, 13-16', () => {
  for (const v of GCM_SPEC) {
    const key = hex(v.key), iv = hex(v.iv), aad = hex(v.aad);
    const sealed = aeadSeal(gcmAlg(key), key, iv, aad, hex(v.pt));
    assert.equal(toHex(sealed), v.ct + v.tag, v.name);
    assert.equal(toHex(aeadOpen(gcmAlg(key), key, iv, aad, sealed)!), v.pt, v.name);
  }
});

test('Wycheproof AES-GCM: every 96-bit-IV, 128-bit-tag case', () => {
  let valid = 0, invalid = 0;
  for (const group of wycheproof('aes_gcm_test.json')) {
    for (const t of group.tests) {
      const key = hex(t.key as string), iv = hex(t.iv as string), aad = hex(t.aad as string);
      const msg = hex(t.msg as string), sealed = hex((t.ct as string) + (t.tag as string));
      const alg = gcmAlg(key);
      if (group.ivSize !== 96 || group.tagSize !== 128) {
        // Only 12-byte nonces and full tags exist in this API: anything else is refused outright.
        if (group.ivSize !== 96) assert.throws(() => aeadSeal(alg, key, iv, aad, msg), RangeError);
        continue;
      }
      const opened = aeadOpen(alg, key, iv, aad, sealed);
      if (t.result === 'invalid') {
        assert.equal(opened, null, `tcId ${t.tcId}: ${t.comment}`);
        invalid++;
      } else {
        assert.equal(toHex(aeadSeal(alg, key, iv, aad, msg)), toHex(sealed), `tcId ${t.tcId}`);
        assert.equal(toHex(opened!), toHex(msg), `tcId ${t.tcId}`);
        valid++;
      }
    }
  }
  assert.ok(valid >= 100 && invalid >= 80, `ran ${valid} valid and ${invalid} invalid cases`);
});

/** PKCS#5 padding is Wycheproof's, not ESP's: checked here, in the test. */
function unpad(p: Uint8Array): Uint8Array | null {
  const n = p.length ? p[p.length - 1] : 0;
  if (n < 1 || n > 16 || n > p.length) return null;
  for (let i = p.length - n; i < p.length; i++) if (p[i] !== n) return null;
  return p.subarray(0, p.length - n);
}

test('Wycheproof AES-CBC-PKCS5: every case', () => {
  let count = 0;
  for (const group of wycheproof('aes_cbc_pkcs5_test.json')) {
    for (const t of group.tests) {
      const key = hex(t.key as string), iv = hex(t.iv as string), msg = hex(t.msg as string), ct = hex(t.ct as string);
      const alg = cbcAlg(key);
      let plain: Uint8Array | null = null;
      if (ct.length % 16 === 0) plain = unpad(cbcDecrypt(alg, key, iv, ct));
      else assert.throws(() => cbcDecrypt(alg, key, iv, ct), RangeError);
      if (t.result === 'valid') {
        assert.equal(toHex(plain!), toHex(msg), `tcId ${t.tcId}`);
        const n = 16 - (msg.length % 16);
        assert.equal(toHex(cbcEncrypt(alg, key, iv, cat(msg, new Uint8Array(n).fill(n)))), toHex(ct), `tcId ${t.tcId}`);
      } else {
        assert.equal(plain, null, `tcId ${t.tcId}: ${t.comment}`);
      }
      count++;
    }
  }
  assert.equal(count, 216);
});

/** Lengths 0..300 one by one, then random ones up to 4096. */
function* lengths(max: number, step = 1): Generator<number> {
  for (let n = 0; n <= 300; n += step) yield n;
  for (let i = 0; i < 60; i++) yield randomInt(0, max / step + 1) * step;
}

test('AES-GCM against node:crypto: random keys, nonces, AAD, lengths 0..4096', () => {
  for (const len of lengths(4096)) {
    const key = randomBytes([16, 24, 32][len % 3]), iv = randomBytes(12);
    const aad = randomBytes(randomInt(0, 65)), pt = randomBytes(len);
    const c = createCipheriv(`aes-${key.length * 8}-gcm` as 'aes-128-gcm', key, iv);
    c.setAAD(aad);
    const want = cat(c.update(pt), c.final(), c.getAuthTag());
    const sealed = aeadSeal(gcmAlg(key), key, iv, aad, pt);
    assert.equal(toHex(sealed), toHex(want), `length ${len}`);
    assert.equal(toHex(aeadOpen(gcmAlg(key), key, iv, aad, sealed)!), toHex(pt));
    // Any flipped bit, in ciphertext, tag or AAD, is refused.
    const bad = sealed.slice();
    bad[randomInt(0, bad.length)] ^= 1 << randomInt(0, 8);
    assert.equal(aeadOpen(gcmAlg(key), key, iv, aad, bad), null);
    if (aad.length) {
      const badAad = aad.slice();
      badAad[randomInt(0, aad.length)] ^= 1;
      assert.equal(aeadOpen(gcmAlg(key), key, iv, badAad, sealed), null);
    }
  }
});

test('AES-GCM against node:crypto: every AAD length to 20 with every length to 130 (how GHASH groups A, C and the length block)', () => {
  const key = randomBytes(16), iv = randomBytes(12);
  for (let aadLen = 0; aadLen <= 20; aadLen++) {
    for (let len = 0; len <= 130; len++) {
      const aad = randomBytes(aadLen), pt = randomBytes(len);
      const c = createCipheriv('aes-128-gcm', key, iv);
      c.setAAD(aad);
      const sealed = aeadSeal('aes-128-gcm', key, iv, aad, pt);
      assert.equal(toHex(sealed), toHex(cat(c.update(pt), c.final(), c.getAuthTag())), `AAD ${aadLen}, length ${len}`);
      assert.equal(toHex(aeadOpen('aes-128-gcm', key, iv, aad, sealed)!), toHex(pt));
    }
  }
});

test('AES-GCM leaves the module\'s static memory as it found it (no keystream, no GHASH sums)', () => {
  const dp = datapath();
  const before = new Uint8Array(dp.memory.buffer, 0, dp.heapBase).slice();
  const key = randomBytes(16), iv = randomBytes(12);
  for (const len of [0, 1, 15, 16, 64, 100, 127, 128, 200, 1404, 1500]) {
    for (const aadLen of [0, 8, 12, 20]) {
      const aad = randomBytes(aadLen), sealed = aeadSeal('aes-128-gcm', key, iv, aad, randomBytes(len));
      aeadOpen('aes-128-gcm', key, iv, aad, sealed);
      const now = new Uint8Array(dp.memory.buffer, 0, dp.heapBase);
      assert.ok(Buffer.from(now).equals(before), `static memory changed: length ${len}, AAD ${aadLen}`);
    }
  }
});

test('AES-GCM open that fails leaves out untouched (no unauthenticated plaintext, RFC 5116 §2.2)', () => {
  for (const len of [15, 128, 1400]) {
    const key = randomBytes(16), iv = randomBytes(12), aad = randomBytes(8), pt = randomBytes(len);
    const sealed = aeadSeal('aes-128-gcm', key, iv, aad, pt);
    sealed[len] ^= 1; // the tag
    const { ctx, ptr: [k, n, a, src, out], fn } = stage([key, iv, aad, sealed, new Uint8Array(len).fill(0xaa)]);
    fn.gcmSetKey(ctx, k, 16);
    assert.equal(fn.gcmOpen(ctx, n, a, aad.length, src, len, out, 16), 0);
    assert.ok(read(out, len).every((b) => b === 0xaa), `length ${len}: out untouched`);
  }
});

test('AES-CBC against node:crypto: random keys, IVs, lengths 0..4096', () => {
  for (const len of lengths(4096, 16)) {
    const key = randomBytes([16, 24, 32][(len >> 4) % 3]), iv = randomBytes(16), pt = randomBytes(len);
    const name = `aes-${key.length * 8}-cbc` as 'aes-128-cbc';
    const want = createCipheriv(name, key, iv).setAutoPadding(false).update(pt);
    assert.equal(toHex(cbcEncrypt(cbcAlg(key), key, iv, pt)), toHex(want), `length ${len}`);
    assert.equal(toHex(cbcDecrypt(cbcAlg(key), key, iv, want)), toHex(pt), `length ${len}`);
  }
});

test('multi-buffer CBC encryption equals one chain at a time (mixed keys and lengths)', () => {
  for (let round = 0; round < 20; round++) {
    const n = randomInt(1, 11);
    const jobs = Array.from({ length: n }, (_, i) => ({
      // Mostly AES-128, sometimes another size: four jobs only run side by side when their round counts match.
      key: randomBytes(round % 3 === 0 ? [16, 24, 32][i % 3] : 16),
      iv: randomBytes(16),
      data: randomBytes(16 * randomInt(0, 100)),
    }));
    // Contexts and buffers at fixed places after a job table of n × CBC_JOB_SIZE bytes.
    const items = jobs.flatMap((j) => [j.key, j.iv, j.data, 512]);
    const { ptr, fn } = stage([n * 20, ...items]);
    const table = ptr[0];
    const view = new DataView(datapath().memory.buffer);
    jobs.forEach((j, i) => {
      const [k, iv, d, ctx] = ptr.slice(1 + 4 * i, 5 + 4 * i);
      fn.aesSetKey(ctx, k, j.key.length);
      [ctx, iv, d, j.data.length, d].forEach((v, f) => view.setUint32(table + 20 * i + 4 * f, v, true));
    });
    fn.aesCbcEncryptJobs(table, n);
    jobs.forEach((j, i) => {
      const want = createCipheriv(`aes-${j.key.length * 8}-cbc` as 'aes-128-cbc', j.key, j.iv).setAutoPadding(false).update(j.data);
      assert.equal(toHex(read(ptr[3 + 4 * i], j.data.length)), toHex(want), `job ${i} of ${n}`);
    });
  }
});

test('argument errors are clear', () => {
  const k = new Uint8Array(16);
  assert.throws(() => aeadSeal('aes-512-gcm' as AeadAlg, k, new Uint8Array(12), k, k), /unknown AEAD algorithm 'aes-512-gcm'/);
  assert.throws(() => aeadSeal('aes-256-gcm', k, new Uint8Array(12), k, k), /key must be 32 bytes, got 16/);
  assert.throws(() => aeadSeal('aes-128-gcm', k, new Uint8Array(8), k, k), /nonce must be 12 bytes, got 8/);
  assert.throws(() => aeadOpen('aes-128-gcm', k, new Uint8Array(12), 'x' as unknown as Uint8Array, k), /aad must be a Uint8Array/);
  assert.equal(aeadOpen('aes-128-gcm', k, new Uint8Array(12), k, new Uint8Array(15)), null, 'shorter than a tag');
  assert.throws(() => cbcEncrypt('aes-128-cbc', k, k, new Uint8Array(17)), /data must be a multiple of 16 bytes, got 17/);
  assert.throws(() => cbcDecrypt('aes-128-cbc', k, new Uint8Array(8), k), /iv must be 16 bytes, got 8/);
  assert.throws(() => cbcEncrypt('aes-128-ecb' as CbcAlg, k, k, k), /unknown CBC algorithm/);
});
