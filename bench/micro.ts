// `ipsecgw bench micro`: the crypto core on one core, per suite and packet size, beside two
// baselines measured in the same run: node:crypto with a new cipher per packet (what a datapath
// written on node:crypto would have to do) and the `openssl speed` ceiling (AES-NI and friends).
// Keys are set up once per suite, as the datapath does once per SA; only per-packet work is timed.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual, type CipherGCM, type DecipherGCM } from 'node:crypto';
import { cpus } from 'node:os';
import { datapath } from '../src/dataplane/wasm.js';
import { stage } from '../src/crypto/scratch.js';
import { measure } from './measure.js';
import { opensslSpeed } from './openssl.js';
import { espTable, runEsp, type EspRow } from './esp.js';

export const SIZES = [64, 512, 1400];
const AAD = 8; // SPI and sequence number, as ESP authenticates them (RFC 4106 §5)
/** CBC works on whole blocks: ESP pads the payload up to them (RFC 4303 §2.4). */
const blocks = (len: number): number => Math.ceil(len / 16) * 16;

type Op = () => void;
interface Suite {
  name: string;
  /** Packets one operation handles (multi-buffer suites work on several at once). */
  packets?: number;
  /** The WASM operation on a packet of len bytes (contexts set up here, once). */
  wasm(len: number): Op;
  /** The same with node:crypto, a new cipher or HMAC object per packet. */
  node(len: number): Op;
  /** `openssl speed` arguments, or two sets whose rates combine (cipher then MAC). */
  openssl: string[][];
}

const key16 = randomBytes(16), key32 = randomBytes(32), key24 = randomBytes(24);
const iv12 = randomBytes(12), iv16 = randomBytes(16), iv8 = randomBytes(8), aad = randomBytes(AAD);

function gcm(bits: 128 | 256, open: boolean): Suite {
  const key = bits === 128 ? key16 : key32;
  const alg = `aes-${bits}-gcm` as 'aes-128-gcm';
  return {
    name: `${alg} ${open ? 'open' : 'seal'}`,
    wasm(len) {
      const { ctx, ptr: [k, n, a, src, out], fn } = stage([key, iv12, aad, randomBytes(len + 16), len + 16]);
      fn.gcmSetKey(ctx, k, key.length);
      if (!open) return () => fn.gcmSeal(ctx, n, a, AAD, src, len, out, 16);
      fn.gcmSeal(ctx, n, a, AAD, src, len, src, 16);
      return () => { if (!fn.gcmOpen(ctx, n, a, AAD, src, len, out, 16)) throw new Error('tag'); };
    },
    node(len) {
      const pt = randomBytes(len);
      const c = createCipheriv(alg, key, iv12).setAAD(aad);
      const ct = Buffer.concat([c.update(pt), c.final()]), tag = c.getAuthTag();
      if (!open) return () => { const e = createCipheriv(alg, key, iv12).setAAD(aad); e.update(pt); e.final(); e.getAuthTag(); };
      return () => { const d = createDecipheriv(alg, key, iv12).setAAD(aad).setAuthTag(tag); d.update(ct); d.final(); };
    },
    openssl: [[...(open ? ['-decrypt'] : []), '-evp', alg]],
  };
}

function chacha(open: boolean): Suite {
  return {
    name: `chacha20-poly1305 ${open ? 'open' : 'seal'}`,
    wasm(len) {
      const { ptr: [k, n, a, src, out], fn } = stage([key32, iv12, aad, randomBytes(len + 16), len + 16]);
      if (!open) return () => fn.chacha20Poly1305Seal(k, n, a, AAD, src, len, out);
      fn.chacha20Poly1305Seal(k, n, a, AAD, src, len, src);
      return () => { if (!fn.chacha20Poly1305Open(k, n, a, AAD, src, len, out)) throw new Error('tag'); };
    },
    node(len) {
      // node's typings only know this AEAD through the CCM overload; it behaves like GCM.
      const enc = (): CipherGCM => createCipheriv('chacha20-poly1305', key32, iv12, { authTagLength: 16 }) as unknown as CipherGCM;
      const dec = (): DecipherGCM => createDecipheriv('chacha20-poly1305', key32, iv12, { authTagLength: 16 }) as unknown as DecipherGCM;
      const pt = randomBytes(len);
      const c = enc().setAAD(aad);
      const ct = Buffer.concat([c.update(pt), c.final()]), tag = c.getAuthTag();
      if (!open) return () => { const e = enc().setAAD(aad); e.update(pt); e.final(); e.getAuthTag(); };
      return () => { const d = dec().setAAD(aad).setAuthTag(tag); d.update(ct); d.final(); };
    },
    openssl: [[...(open ? ['-decrypt'] : []), '-evp', 'chacha20-poly1305']],
  };
}

/** AES-CBC with HMAC-SHA-256-128, the way ESP does it (RFC 4868): encrypt then MAC, verify then decrypt. */
function cbcHmac(inbound: boolean): Suite {
  return {
    name: `aes-128-cbc+hmac-sha256 ${inbound ? 'verify+decrypt' : 'encrypt+mac'}`,
    wasm(bytes) {
      const len = blocks(bytes);
      const { ctx, ptr: [k, mk, iv, src, out, hctx], fn } = stage([key16, key32, iv16, randomBytes(len), len + 32, 512]);
      fn.aesSetKey(ctx, k, 16);
      fn.hmacSetKey(hctx, 2, mk, 32);
      if (!inbound) return () => { fn.aesCbcEncrypt(ctx, iv, src, len, out); fn.hmacCompute(hctx, out, len, out + len); };
      fn.hmacCompute(hctx, src, len, out + len);
      const icv = out + len;
      return () => {
        if (!fn.hmacVerify(hctx, src, len, 0, 0, icv, 16)) throw new Error('icv');
        fn.aesCbcDecrypt(ctx, iv, src, len, out);
      };
    },
    node(bytes) {
      const len = blocks(bytes);
      const pt = randomBytes(len);
      const ct = createCipheriv('aes-128-cbc', key16, iv16).setAutoPadding(false).update(pt);
      const icv = createHmac('sha256', key32).update(ct).digest().subarray(0, 16);
      if (!inbound) {
        return () => {
          const c = createCipheriv('aes-128-cbc', key16, iv16).setAutoPadding(false).update(pt);
          createHmac('sha256', key32).update(c).digest();
        };
      }
      return () => {
        if (!timingSafeEqual(createHmac('sha256', key32).update(ct).digest().subarray(0, 16), icv)) throw new Error('icv');
        createDecipheriv('aes-128-cbc', key16, iv16).setAutoPadding(false).update(ct);
      };
    },
    openssl: [[...(inbound ? ['-decrypt'] : []), '-evp', 'aes-128-cbc'], ['-hmac', 'sha256']],
  };
}

/**
 * The outbound direction of cbcHmac for four packets at once: the four CBC chains side by side
 * (aesCbcEncryptJobs, "multi-buffer"), then each MAC — how the datapath encrypts a batch.
 */
function cbcHmacX4(): Suite {
  const base = cbcHmac(false);
  return {
    name: 'aes-128-cbc+hmac-sha256 encrypt+mac, 4 packets at once',
    packets: 4,
    wasm(bytes) {
      const len = blocks(bytes);
      const { ctx, ptr: [k, mk, iv, src, out, hctx, jobs], fn } =
        stage([key16, key32, iv16, randomBytes(4 * len), 4 * (len + 32), 512, 80]);
      fn.aesSetKey(ctx, k, 16);
      fn.hmacSetKey(hctx, 2, mk, 32);
      const view = new DataView(datapath().memory.buffer);
      for (let i = 0; i < 4; i++) {
        [ctx, iv, src + i * len, len, out + i * (len + 32)].forEach((v, f) => view.setUint32(jobs + 20 * i + 4 * f, v, true));
      }
      return () => {
        fn.aesCbcEncryptJobs(jobs, 4);
        for (let i = 0; i < 4; i++) fn.hmacCompute(hctx, out + i * (len + 32), len, out + i * (len + 32) + len);
      };
    },
    node(bytes) {
      const len = blocks(bytes);
      const one = base.node(len);
      return () => { one(); one(); one(); one(); };
    },
    openssl: base.openssl,
  };
}

function cbc(decrypt: boolean): Suite {
  return {
    name: `aes-128-cbc ${decrypt ? 'decrypt' : 'encrypt'}`,
    wasm(bytes) {
      const len = blocks(bytes);
      const { ctx, ptr: [k, iv, src, out], fn } = stage([key16, iv16, randomBytes(len), len]);
      fn.aesSetKey(ctx, k, 16);
      const f = decrypt ? fn.aesCbcDecrypt : fn.aesCbcEncrypt;
      return () => f(ctx, iv, src, len, out);
    },
    node(bytes) {
      const len = blocks(bytes);
      const data = randomBytes(len);
      const make = decrypt ? createDecipheriv : createCipheriv;
      return () => { make('aes-128-cbc', key16, iv16).setAutoPadding(false).update(data); };
    },
    openssl: [[...(decrypt ? ['-decrypt'] : []), '-evp', 'aes-128-cbc']],
  };
}

function hmac(digest: 'sha1' | 'sha256', alg: number): Suite {
  return {
    name: `hmac-${digest}`,
    wasm(len) {
      const { ptr: [k, src, out, hctx], fn } = stage([key32, randomBytes(len), 64, 512]);
      fn.hmacSetKey(hctx, alg, k, 32);
      return () => fn.hmacCompute(hctx, src, len, out);
    },
    node(len) {
      const data = randomBytes(len);
      return () => { createHmac(digest, key32).update(data).digest(); };
    },
    openssl: [['-hmac', digest]],
  };
}

function des3(): Suite {
  return {
    name: '3des-cbc encrypt',
    wasm(len) {
      const { ctx, ptr: [k, iv, src, out], fn } = stage([key24, iv8, randomBytes(len), len]);
      fn.des3SetKey(ctx, k);
      return () => fn.des3CbcEncrypt(ctx, iv, src, len, out);
    },
    node(len) {
      const data = randomBytes(len);
      return () => { createCipheriv('des-ede3-cbc', key24, iv8).setAutoPadding(false).update(data); };
    },
    openssl: [['-evp', 'des-ede3-cbc']],
  };
}

export const SUITES: Suite[] = [
  gcm(128, false), gcm(128, true), gcm(256, false),
  chacha(false), chacha(true),
  cbcHmac(false), cbcHmac(true), cbcHmacX4(),
  cbc(false), cbc(true),
  hmac('sha1', 1), hmac('sha256', 2),
  des3(),
];

export interface MicroRow {
  suite: string;
  bytes: number;
  wasm: { MBps: number; pps: number };
  node: { MBps: number; pps: number };
  openssl: { MBps: number } | null;
  /** WASM ÷ node:crypto per packet. */
  xNode: number;
  /** WASM ÷ openssl speed. */
  ofOpenssl: number | null;
}

export interface MicroReport {
  kind: 'micro';
  date: string;
  node: string;
  cpu: string;
  wasmVariant: string;
  seconds: number;
  rows: MicroRow[];
  /** HMAC-SHA-1-96 over a 64-byte packet, key states precomputed. */
  hmacSha1At64ns: number;
  /** The ESP engine's batch path (bench/esp.ts). */
  esp: EspRow[];
}

export interface MicroOptions {
  seconds: number;
  openssl: boolean;
  sizes?: number[];
  filter?: string;
  progress?: (line: string) => void;
}

const mb = (bytesPerSec: number): number => bytesPerSec / 1e6;

export function runMicro(opts: MicroOptions): MicroReport {
  const sizes = opts.sizes ?? SIZES;
  const suites = SUITES.filter((s) => !opts.filter || s.name.includes(opts.filter));
  const rows: MicroRow[] = [];
  const total = suites.length * sizes.length;
  for (const suite of suites) {
    for (const bytes of sizes) {
      // 3DES works on 8-byte blocks, AES on 16: every size here is a multiple of both.
      const packets = suite.packets ?? 1;
      const w = measure(suite.wasm(bytes), bytes * packets, opts.seconds);
      const n = measure(suite.node(bytes), bytes * packets, opts.seconds);
      let ceiling: number | null = null;
      if (opts.openssl) {
        // Cipher and MAC one after the other: the times per byte add up.
        const rates = suite.openssl.map((args) => opensslSpeed(args, bytes, opts.seconds));
        if (rates.every((r) => r !== null)) ceiling = 1 / rates.reduce((sum: number, r) => sum + 1 / r!, 0);
      }
      const row: MicroRow = {
        suite: suite.name,
        bytes,
        wasm: { MBps: mb(w.bytesPerSec), pps: w.opsPerSec * packets },
        node: { MBps: mb(n.bytesPerSec), pps: n.opsPerSec * packets },
        openssl: ceiling === null ? null : { MBps: mb(ceiling) },
        xNode: w.opsPerSec / n.opsPerSec,
        ofOpenssl: ceiling === null ? null : w.bytesPerSec / ceiling,
      };
      rows.push(row);
      opts.progress?.(`[${rows.length}/${total}] ${suite.name} ${bytes} B: ${row.wasm.MBps.toFixed(0)} MB/s, ` +
        `${row.xNode.toFixed(1)}× node:crypto${row.ofOpenssl === null ? '' : `, ${(row.ofOpenssl * 100).toFixed(0)} % of openssl`}`);
    }
  }
  const sha1 = SUITES.find((s) => s.name === 'hmac-sha1')!;
  const hmacSha1At64ns = 1e9 / measure(sha1.wasm(64), 64, opts.seconds).opsPerSec;
  const esp = runEsp({ seconds: opts.seconds, filter: opts.filter, sizes, progress: opts.progress });
  return {
    kind: 'micro',
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    wasmVariant: datapath().variant,
    seconds: opts.seconds,
    rows,
    hmacSha1At64ns,
    esp,
  };
}

export function microTable(r: MicroReport): string {
  const f = (x: number, d = 0): string => x.toFixed(d);
  const lines = [
    `ipsecgw bench micro — ${r.cpu}, Node ${r.node}, WASM ${r.wasmVariant} SIMD, one core, ${r.seconds} s per figure`,
    '',
    '| suite | bytes | WASM MB/s | WASM pkt/s | node:crypto MB/s | × node:crypto | openssl MB/s | % of openssl |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.rows.map((x) => `| ${x.suite} | ${x.bytes} | ${f(x.wasm.MBps)} | ${f(x.wasm.pps)} | ${f(x.node.MBps)} | ` +
      `${f(x.xNode, 1)} | ${x.openssl ? f(x.openssl.MBps) : '–'} | ${x.ofOpenssl === null ? '–' : f(x.ofOpenssl * 100)} |`),
    '',
    `HMAC-SHA-1-96 over 64 bytes, key states precomputed: ${f(r.hmacSha1At64ns)} ns per packet`,
    ...(r.esp.length ? ['', 'ESP engine, batch API (IPv4 tunnel mode, packets copied into the slots first):', '', espTable(r.esp)] : []),
  ];
  return lines.join('\n');
}
