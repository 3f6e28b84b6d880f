// The relaxed-SIMD build and the strict one must compute the same bytes: the relaxed swizzle is
// only ever given indices where both agree (assembly/crypto/aes.ts). Every export that touches
// data runs on both builds with the same random inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { datapath, preferredVariant, type Datapath } from '../src/dataplane/wasm.js';
import { read, stage } from '../src/crypto/scratch.js';
import { toHex } from './util/vectors.js';

type Run = (dp: Datapath) => Uint8Array;

function cases(): Array<[string, Run]> {
  const out: Array<[string, Run]> = [];
  for (let i = 0; i < 40; i++) {
    const len = randomInt(0, 600), blocks = len & ~15;
    const key = randomBytes([16, 24, 32][i % 3]), iv = randomBytes(16), aad = randomBytes(randomInt(0, 40));
    const data = randomBytes(len);
    out.push([`AES-CTR ${len}`, (dp) => {
      const { ctx, ptr: [k, c, d], fn } = stage([key, iv, data], [], dp);
      fn.aesSetKey(ctx, k, key.length);
      fn.aesCtr(ctx, c, d, len, d);
      return read(d, len, dp);
    }]);
    out.push([`AES-CBC ${blocks}`, (dp) => {
      const { ctx, ptr: [k, v, d], fn } = stage([key, iv, data.subarray(0, blocks)], [], dp);
      fn.aesSetKey(ctx, k, key.length);
      fn.aesCbcEncrypt(ctx, v, d, blocks, d);
      const enc = read(d, blocks, dp);
      fn.aesCbcDecrypt(ctx, v, d, blocks, d);
      return new Uint8Array([...enc, ...read(d, blocks, dp)]);
    }]);
    out.push([`AES-GCM ${len}`, (dp) => {
      const { ctx, ptr: [k, n, a, d], fn } = stage([key, iv.subarray(0, 12), aad, [data, len + 16]], [], dp);
      fn.gcmSetKey(ctx, k, key.length);
      fn.gcmSeal(ctx, n, a, aad.length, d, len, d, 16);
      return read(d, len + 16, dp);
    }]);
  }
  return out;
}

test('relaxed and strict SIMD builds give identical results', (t) => {
  if (preferredVariant() !== 'relaxed') {
    t.skip('this engine does not run relaxed SIMD, so only the strict build is ever used');
    return;
  }
  const relaxed = datapath('relaxed'), strict = datapath('strict');
  for (const [name, run] of cases()) assert.equal(toHex(run(relaxed)), toHex(run(strict)), name);
});
