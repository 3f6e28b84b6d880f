// 3DES-CBC (RFC 2451): published known answers, a differential test against node:crypto
// (OpenSSL's des-ede3-cbc), in-place and unaligned calls of the WASM exports, wiping, and the
// argument errors of the public face.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cbcDecrypt, cbcEncrypt } from '../src/crypto/index.js';
import { CTX_AREA, read, stage, wipe } from '../src/crypto/scratch.js';
import { datapath } from '../src/dataplane/wasm.js';
import { hex, toHex } from './util/vectors.js';
import {
  FIPS81_CBC, PERMUTATION_OPERATION, SP800_67_EXAMPLE, SUBSTITUTION_TABLE, TCBC_MMT, VARIABLE_KEY_CT,
  VARIABLE_PLAINTEXT_CT, VARIABLE_PLAINTEXT_KEY,
} from './util/des-kat.js';

const ZERO_IV = new Uint8Array(8);
const triple = (desKey: string): Uint8Array => hex(desKey.repeat(3));

/** One block in TECB (ECB) mode: CBC of a single block with a zero IV. */
function ecb(key: Uint8Array, block: Uint8Array, encrypt: boolean): string {
  return toHex(encrypt ? cbcEncrypt('3des-cbc', key, ZERO_IV, block) : cbcDecrypt('3des-cbc', key, ZERO_IV, block));
}

function checkBlock(key: Uint8Array, pt: string, ct: string): void {
  assert.equal(ecb(key, hex(pt), true), ct.toLowerCase(), `encrypt ${pt}`);
  assert.equal(ecb(key, hex(ct), false), pt.toLowerCase(), `decrypt ${ct}`);
}

function openssl(key: Uint8Array, iv: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
  const c = (encrypt ? createCipheriv : createDecipheriv)('des-ede3-cbc', key, iv).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

describe('3des-cbc: published vectors', () => {
  it('SP 800-67 TDEA example (three keys, TECB)', () => {
    const key = hex(SP800_67_EXAMPLE.key);
    for (const { pt, ct } of SP800_67_EXAMPLE.blocks) checkBlock(key, pt, ct);
  });

  it('SP 800-20 variable plaintext and inverse permutation KATs (all 64)', () => {
    const key = triple(VARIABLE_PLAINTEXT_KEY);
    VARIABLE_PLAINTEXT_CT.forEach((ct, i) => {
      const pt = new Uint8Array(8);
      pt[i >> 3] = 0x80 >> (i & 7);
      checkBlock(key, toHex(pt), ct);
    });
  });

  it('SP 800-20 variable key KAT (all 56)', () => {
    VARIABLE_KEY_CT.forEach((ct, i) => {
      const k = new Uint8Array(8).fill(0x01);
      k[Math.floor(i / 7)] = 0x80 >> (i % 7);
      checkBlock(triple(toHex(k)), '0000000000000000', ct);
    });
  });

  it('SP 800-20 permutation operation KAT (all 32)', () => {
    for (const [k, ct] of PERMUTATION_OPERATION) checkBlock(triple(k), '0000000000000000', ct);
  });

  it('SP 800-20 substitution table KAT (all 19)', () => {
    for (const [k, pt, ct] of SUBSTITUTION_TABLE) checkBlock(triple(k), pt, ct);
  });

  it('FIPS 81 single-DES CBC example, as K|K|K', () => {
    const { key, iv, pt, ct } = FIPS81_CBC;
    assert.equal(toHex(cbcEncrypt('3des-cbc', triple(key), hex(iv), hex(pt))), ct.toLowerCase());
    assert.equal(toHex(cbcDecrypt('3des-cbc', triple(key), hex(iv), hex(ct))), pt.toLowerCase());
  });

  it('CAVP TCBC multi-block messages, three keys', () => {
    for (const { key, iv, pt, ct } of TCBC_MMT) {
      assert.equal(toHex(cbcEncrypt('3des-cbc', hex(key), hex(iv), hex(pt))), ct.toLowerCase());
      assert.equal(toHex(cbcDecrypt('3des-cbc', hex(key), hex(iv), hex(ct))), pt.toLowerCase());
    }
  });

  it('ignores the parity bits of the key', () => {
    const key = randomBytes(24);
    const flipped = key.map((b) => b ^ 1);
    const iv = randomBytes(8);
    const data = randomBytes(64);
    assert.deepEqual(cbcEncrypt('3des-cbc', flipped, iv, data), cbcEncrypt('3des-cbc', key, iv, data));
  });
});

describe('3des-cbc: against node:crypto des-ede3-cbc', () => {
  it('random keys, IVs and lengths 0…4096, both directions', () => {
    const lengths = [0, 8, 16, 24, 1400, 4096];
    for (let i = 0; i < 60; i++) lengths.push(8 * randomInt(0, 513));
    for (const n of lengths) {
      const key = randomBytes(24);
      const iv = randomBytes(8);
      const data = randomBytes(n);
      const ct = cbcEncrypt('3des-cbc', key, iv, data);
      assert.deepEqual(ct, openssl(key, iv, data, true), `encrypt ${n} bytes`);
      assert.deepEqual(cbcDecrypt('3des-cbc', key, iv, data), openssl(key, iv, data, false), `decrypt ${n} bytes`);
      assert.deepEqual(cbcDecrypt('3des-cbc', key, iv, ct), new Uint8Array(data), `round trip ${n} bytes`);
    }
  });

  it('keying options 2 and 3 (K1 = K3; K1 = K2 = K3)', () => {
    const k1 = randomBytes(8);
    const k2 = randomBytes(8);
    for (const key of [Buffer.concat([k1, k2, k1]), Buffer.concat([k1, k1, k1])]) {
      const iv = randomBytes(8);
      const data = randomBytes(8 * randomInt(1, 65));
      assert.deepEqual(cbcEncrypt('3des-cbc', key, iv, data), openssl(key, iv, data, true));
      assert.deepEqual(cbcDecrypt('3des-cbc', key, iv, data), openssl(key, iv, data, false));
    }
  });

  it('WASM exports in place (out = src), at unaligned addresses', () => {
    for (let i = 0; i < 40; i++) {
      const n = 8 * randomInt(0, 129);
      const offset = randomInt(0, 16);
      const key = randomBytes(24);
      const iv = randomBytes(8);
      const data = randomBytes(n);
      for (const encrypt of [true, false]) {
        const { ctx, ptr, fn } = stage([key, iv, new Uint8Array(offset + n)]);
        const [k, v, buf] = ptr;
        const at = buf + offset;
        new Uint8Array(datapath().memory.buffer).set(data, at);
        fn.des3SetKey(ctx, k);
        (encrypt ? fn.des3CbcEncrypt : fn.des3CbcDecrypt)(ctx, v, at, n, at);
        const got = read(at, n);
        wipe(buf + offset + n - (ctx + CTX_AREA));
        assert.deepEqual(got, openssl(key, iv, data, encrypt), `${encrypt ? 'encrypt' : 'decrypt'} ${n} bytes at +${offset}`);
      }
    }
  });

  it('one context serves many calls; des3Wipe zeroes it', () => {
    const key = randomBytes(24);
    const { ctx, ptr, fn } = stage([key, randomBytes(8), new Uint8Array(256)]);
    const [k, v, buf] = ptr;
    fn.des3SetKey(ctx, k);
    const iv = read(v, 8);
    for (let i = 0; i < 5; i++) {
      const data = randomBytes(256);
      new Uint8Array(datapath().memory.buffer).set(data, buf);
      fn.des3CbcEncrypt(ctx, v, buf, 256, buf);
      assert.deepEqual(read(buf, 256), openssl(key, iv, data, true));
    }
    fn.des3Wipe(ctx);
    assert.ok(read(ctx, CTX_AREA).every((b) => b === 0), 'context not zeroed');
    wipe(buf + 256 - (ctx + CTX_AREA));
  });

  it('DES3_CTX_SIZE fits the scratch context area', () => {
    const wasm = new WebAssembly.Module(readFileSync(new URL('../../build/esp.wasm', import.meta.url)));
    const { exports } = new WebAssembly.Instance(wasm, { env: { abort: () => { throw new Error('abort'); } } });
    const size = (exports.DES3_CTX_SIZE as WebAssembly.Global).value as number;
    assert.equal(size, 3 * 16 * 16);
    assert.ok(size <= CTX_AREA);
  });

  it('leaves no key material in scratch memory after a call', () => {
    const data = randomBytes(1400);
    cbcEncrypt('3des-cbc', randomBytes(24), randomBytes(8), data);
    const dp = datapath();
    const start = (dp.heapBase + 63) & ~63;
    const used = new Uint8Array(dp.memory.buffer, start, CTX_AREA + 64 + 64 + 1408 + 1400); // key, IV, input, output
    assert.ok(used.every((b) => b === 0), 'scratch memory not wiped');
  });
});

describe('3des-cbc: argument errors', () => {
  const key = new Uint8Array(24);
  const iv = new Uint8Array(8);
  const data = new Uint8Array(16);

  it('rejects a key that is not 24 bytes', () => {
    for (const n of [0, 8, 16, 23, 25, 32]) {
      assert.throws(() => cbcEncrypt('3des-cbc', new Uint8Array(n), iv, data),
        { name: 'RangeError', message: `key must be 24 bytes, got ${n}` });
      assert.throws(() => cbcDecrypt('3des-cbc', new Uint8Array(n), iv, data), RangeError);
    }
  });

  it('rejects an IV that is not 8 bytes', () => {
    for (const n of [0, 7, 9, 16]) {
      assert.throws(() => cbcEncrypt('3des-cbc', key, new Uint8Array(n), data),
        { name: 'RangeError', message: `iv must be 8 bytes, got ${n}` });
    }
  });

  it('rejects data that is not a whole number of 8-byte blocks', () => {
    for (const n of [1, 7, 9, 15, 1401]) {
      assert.throws(() => cbcEncrypt('3des-cbc', key, iv, new Uint8Array(n)),
        { name: 'RangeError', message: `data must be a multiple of 8 bytes, got ${n}` });
      assert.throws(() => cbcDecrypt('3des-cbc', key, iv, new Uint8Array(n)), RangeError);
    }
  });

  it('rejects arguments that are not Uint8Arrays', () => {
    assert.throws(() => cbcEncrypt('3des-cbc', 'k'.repeat(24) as unknown as Uint8Array, iv, data), TypeError);
  });
});
