// Micro-benchmark of 3DES-CBC in WASM (assembly/crypto/des.ts) as the datapath uses it: key set up
// once, each packet encrypted or decrypted in place. node:crypto (OpenSSL des-ede3-cbc, a cipher
// object per packet) runs alongside as the baseline. This machine is noisy: each figure is the
// best of several timed runs.
//
//   npm run build && node dist/bench/des-cbc.js
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { stage, wipe, CTX_AREA } from '../src/crypto/scratch.js';

const SIZES = [64, 512, 1400];
const RUNS = 5;
const RUN_SECONDS = 0.3;

/** Best MB/s of RUNS timed runs of `op`, which processes `bytes` per call. */
function measure(bytes: number, op: () => void): number {
  for (let i = 0; i < 50; i++) op();
  let best = 0;
  for (let run = 0; run < RUNS; run++) {
    let calls = 0;
    const t0 = process.hrtime.bigint();
    let seconds = 0;
    do {
      for (let i = 0; i < 20; i++) op();
      calls += 20;
      seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    } while (seconds < RUN_SECONDS);
    best = Math.max(best, (calls * bytes) / seconds / 1e6);
  }
  return best;
}

const key = randomBytes(24);
const iv = randomBytes(8);
const rows: string[] = [];
for (const size of SIZES) {
  const data = randomBytes(size);
  const { ctx, ptr, fn } = stage([key, iv, data]);
  const [k, v, buf] = ptr;
  fn.des3SetKey(ctx, k);
  const wasmEnc = measure(size, () => fn.des3CbcEncrypt(ctx, v, buf, size, buf));
  const wasmDec = measure(size, () => fn.des3CbcDecrypt(ctx, v, buf, size, buf));
  wipe(buf + size - (ctx + CTX_AREA));
  const nodeEnc = measure(size, () => {
    const c = createCipheriv('des-ede3-cbc', key, iv).setAutoPadding(false);
    c.update(data);
    c.final();
  });
  const nodeDec = measure(size, () => {
    const c = createDecipheriv('des-ede3-cbc', key, iv).setAutoPadding(false);
    c.update(data);
    c.final();
  });
  const f = (x: number): string => x.toFixed(2).padStart(8);
  rows.push(`| ${String(size).padStart(5)} | ${f(wasmEnc)} | ${f(wasmDec)} | ${f(nodeEnc)} | ${f(nodeDec)} |`);
}
console.log('3DES-CBC, MB/s (best of 5), one core');
console.log('| bytes | WASM enc | WASM dec | node enc | node dec |');
console.log('|------:|---------:|---------:|---------:|---------:|');
for (const row of rows) console.log(row);
