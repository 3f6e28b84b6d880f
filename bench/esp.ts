// The ESP engine through its batch API (part of `ipsecgw bench micro`): encapsulation and
// decapsulation of whole IP packets in batches of slots, beside the raw AEAD / cipher+MAC cost of
// the same payload measured in the same run, so the ESP overhead is a ratio, not a guess.
// Each batch starts by copying the packets into the slots, as a TUN or socket read would.
import { randomBytes } from 'node:crypto';
import { Engine, type SaSpec } from '../src/dataplane/engine.js';
import { stage } from '../src/crypto/scratch.js';
import { measure } from './measure.js';

export const ESP_SIZES = [64, 512, 1400];
export const ESP_BATCHES = [1, 32, 128];

interface EspSuite {
  name: string;
  sa: Pick<SaSpec, 'enc' | 'encKeyBytes' | 'integ' | 'key'>;
  /** The raw crypto of one packet's ESP payload (len bytes), for the overhead ratio: seal or open. */
  raw(len: number, open: boolean): () => void;
}

const SUITES: EspSuite[] = [
  {
    name: 'aes-128-gcm',
    sa: { enc: 'aes-gcm', encKeyBytes: 16, integ: 'none', key: randomBytes(20) },
    raw(len, open) {
      const { ctx, ptr: [k, n, a, d, o], fn } = stage([randomBytes(16), randomBytes(12), randomBytes(8), len + 16, len + 16]);
      fn.gcmSetKey(ctx, k, 16);
      if (!open) return () => fn.gcmSeal(ctx, n, a, 8, d, len, d, 16);
      fn.gcmSeal(ctx, n, a, 8, d, len, d, 16);
      return () => { if (!fn.gcmOpen(ctx, n, a, 8, d, len, o, 16)) throw new Error('tag'); };
    },
  },
  {
    name: 'chacha20-poly1305',
    sa: { enc: 'chacha20-poly1305', encKeyBytes: 32, integ: 'none', key: randomBytes(36) },
    raw(len, open) {
      const { ptr: [k, n, a, d, o], fn } = stage([randomBytes(32), randomBytes(12), randomBytes(8), len + 16, len + 16]);
      if (!open) return () => fn.chacha20Poly1305Seal(k, n, a, 8, d, len, d);
      fn.chacha20Poly1305Seal(k, n, a, 8, d, len, d);
      return () => { if (!fn.chacha20Poly1305Open(k, n, a, 8, d, len, o)) throw new Error('tag'); };
    },
  },
  {
    name: 'aes-128-cbc+hmac-sha256',
    sa: { enc: 'aes-cbc', encKeyBytes: 16, integ: 'hmac-sha256', key: randomBytes(48) },
    raw(len, open) {
      // The MAC covers the ESP header and IV too (24 bytes before the ciphertext).
      const n = Math.ceil(len / 16) * 16;
      const { ctx, ptr: [k, mk, iv, d, h, o], fn } = stage([randomBytes(16), randomBytes(32), randomBytes(16), 24 + n + 32, 512, n]);
      fn.aesSetKey(ctx, k, 16);
      fn.hmacSetKey(h, 2, mk, 32);
      const icv = d + 24 + n;
      if (!open) return () => { fn.aesCbcEncrypt(ctx, iv, d + 24, n, d + 24); fn.hmacCompute(h, d, 24 + n, icv); };
      fn.hmacCompute(h, d, 24 + n, icv);
      return () => {
        if (!fn.hmacVerify(h, d, 24 + n, 0, 0, icv, 16)) throw new Error('icv');
        fn.aesCbcDecrypt(ctx, iv, d + 24, n, o);
      };
    },
  },
];

/** An IPv4 UDP packet of `len` bytes from 10.1.0.2 to 10.2.0.2. */
function packet(len: number): Uint8Array {
  const p = new Uint8Array(len);
  const v = new DataView(p.buffer);
  p[0] = 0x45;
  v.setUint16(2, len);
  p[8] = 64;
  p[9] = 17;
  p.set([10, 1, 0, 2], 12);
  p.set([10, 2, 0, 2], 16);
  v.setUint16(20, 40000);
  v.setUint16(22, 5001);
  v.setUint16(24, len - 20);
  return p;
}

/** Loads `packets` into the first slots of e: what a read from TUN or a socket does. */
function loader(e: Engine, packets: Uint8Array[]): () => void {
  const C = e.dp.consts;
  const v = new DataView(e.dp.memory.buffer);
  packets.forEach((_, i) => {
    const slot = e.slots + i * C.SLOT_SIZE, buf = e.buffers + i * e.bufferSize;
    v.setUint32(slot + C.SLOT_BUF, buf, true);
    v.setUint32(slot + C.SLOT_CAP, e.bufferSize, true);
  });
  const mem = new Uint8Array(e.dp.memory.buffer);
  return () => {
    for (let i = 0; i < packets.length; i++) {
      const slot = e.slots + i * C.SLOT_SIZE, at = e.buffers + i * e.bufferSize + e.headroom;
      mem.set(packets[i], at);
      v.setUint32(slot + C.SLOT_OFF, at, true);
      v.setUint32(slot + C.SLOT_LEN, packets[i].length, true);
    }
  };
}

export interface EspRow {
  suite: string;
  direction: 'encap' | 'decap';
  bytes: number;
  batch: number;
  pps: number;
  gbps: number;
  /** Raw crypto of the same payload, packets per second (one packet per call). */
  rawPps: number;
  /** 1 − ESP ÷ raw: the share of time spent on everything but the crypto. */
  overhead: number;
}

export function runEsp(opts: { seconds: number; filter?: string; sizes?: number[]; progress?: (s: string) => void }): EspRow[] {
  const rows: EspRow[] = [];
  const sizes = opts.sizes ?? ESP_SIZES;
  const suites = SUITES.filter((s) => !opts.filter || `esp ${s.name}`.includes(opts.filter));
  const total = suites.length * sizes.length * ESP_BATCHES.length * 2;
  for (const suite of suites) {
    for (const bytes of sizes) {
      // The ESP payload is the IP packet and a 2-byte trailer: the raw baseline works on as much.
      const rawPps = {
        encap: measure(suite.raw(bytes + 2, false), bytes, opts.seconds).opsPerSec,
        decap: measure(suite.raw(bytes + 2, true), bytes, opts.seconds).opsPerSec,
      };
      for (const batch of ESP_BATCHES) {
        const tx = new Engine({ maxSas: 2, batch, bufferSize: 2048 }), rx = new Engine({ maxSas: 2, batch, bufferSize: 2048 });
        const base = { ...suite.sa, spi: 0x1000, mode: 'tunnel' as const };
        const out = tx.installSa({ ...base, direction: 'out', src: '192.0.2.1', dst: '192.0.2.2' });
        const inn = rx.installSa({ ...base, direction: 'in', src: '192.0.2.1', dst: '192.0.2.2', window: 1984 });
        tx.setPolicies([{ local: '10.1.0.0/16', remote: '10.2.0.0/16', action: 'protect', sa: out }]);
        const inner = Array.from({ length: batch }, () => packet(bytes));
        const wire = tx.run('encap', inner).map((r) => r.packet);
        const now = 1n;
        const loadInner = loader(tx, inner), loadWire = loader(rx, wire);
        const replay = rx.saAddress(inn) + rx.dp.consts.SA_REPLAY;
        const cases = [
          ['encap', () => { loadInner(); tx.dp.fn.espEncapBatch(tx.slots, batch, now); }],
          // The same packets every time: the window is reset so they are new again.
          ['decap', () => { loadWire(); rx.dp.fn.replayInit(replay, 0n); rx.dp.fn.espDecapBatch(rx.slots, batch, now); }],
        ] as const;
        for (const [direction, op] of cases) {
          const r = measure(op, bytes * batch, opts.seconds);
          const pps = r.opsPerSec * batch;
          const raw = rawPps[direction];
          rows.push({ suite: suite.name, direction, bytes, batch, pps, gbps: (pps * bytes * 8) / 1e9, rawPps: raw, overhead: 1 - pps / raw });
          opts.progress?.(`[${rows.length}/${total}] esp ${direction} ${suite.name} ${bytes} B ×${batch}: ` +
            `${(pps / 1e6).toFixed(2)} Mpps, ${((pps * bytes * 8) / 1e9).toFixed(2)} Gbit/s, overhead ${(100 * (1 - pps / raw)).toFixed(0)} %`);
        }
        // Everything must have gone through: a bench of drops would measure nothing.
        const dropped = [tx, rx].flatMap((e) => Object.values(e.stats().drops)).reduce((a, b) => a + b, 0n);
        if (dropped) throw new Error(`esp bench ${suite.name}: ${dropped} packets were dropped`);
      }
    }
  }
  return rows;
}

export function espTable(rows: EspRow[]): string {
  const f = (x: number, d = 0): string => x.toFixed(d);
  return [
    '| ESP suite | direction | bytes | batch | Mpps | Gbit/s | raw crypto Mpps | ESP overhead |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.suite} | ${r.direction} | ${r.bytes} | ${r.batch} | ${f(r.pps / 1e6, 2)} | ${f(r.gbps, 2)} | ` +
      `${f(r.rawPps / 1e6, 2)} | ${f(r.overhead * 100)} % |`),
  ].join('\n');
}
