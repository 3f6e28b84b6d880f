// The anti-replay window (assembly/esp/replay.ts), table-driven, and through the engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { datapath } from '../src/dataplane/wasm.js';
import { Engine } from '../src/dataplane/engine.js';
import { stage } from '../src/crypto/scratch.js';
import { udpPacket } from './util/packets.js';

const dp = datapath();
const W = 1024;

/** A fresh window state whose highest received number is top. */
function windowAt(top: bigint): number {
  const { ptr: [st] } = stage([dp.consts.REPLAY_SIZE]);
  dp.fn.replayInit(st, top);
  return st;
}

const check = (st: number, seq: bigint, w = W): boolean => dp.fn.replayCheck(st, w, seq) === 1;
const update = (st: number, seq: bigint): void => { dp.fn.replayUpdate(st, seq); };

test('replay window: table of received sequences and verdicts', () => {
  // Each row: the numbers received (accepted and recorded) in order, then a probe and whether it passes.
  const rows: Array<[string, bigint[], bigint, boolean]> = [
    ['first packet', [], 1n, true],
    ['zero is never valid', [], 0n, false],
    ['duplicate of the top', [5n], 5n, false],
    ['duplicate inside the window', [5n, 9n], 5n, false],
    ['unseen inside the window', [5n, 9n], 6n, true],
    ['right edge of the window', [2000n], 2000n - BigInt(W) + 1n, true],
    ['just left of the window', [2000n], 2000n - BigInt(W), false],
    ['far ahead', [3n], 3n + 1_000_000n, true],
    ['after a jump of more than the ring, old bits are gone', [1n, 100n, 100n + 5000n], 100n + 5000n - 200n, true],
    ['after a slide by less than a word', [64n, 70n], 64n, false],
    ['the same, far from zero (no clearing within one word)', [6400n, 6401n], 6400n, false],
    ['after a slide across words', [63n, 64n, 200n], 63n, false],
    ['slid window keeps recent bits', [1000n, 1500n, 1600n], 1500n, false],
    ['64-bit numbers', [2n ** 40n], 2n ** 40n - 3n, true],
  ];
  for (const [name, seen, probe, ok] of rows) {
    const st = windowAt(0n);
    for (const s of seen) {
      assert.ok(check(st, s), `${name}: ${s} should be accepted`);
      update(st, s);
    }
    assert.equal(check(st, probe), ok, name);
  }
});

test('replay window: every number of a shuffled stream is accepted once', () => {
  const st = windowAt(0n);
  const seqs = Array.from({ length: 5000 }, (_, i) => BigInt(i + 1));
  // Shuffle within blocks of 500 (well inside the window): reordering, not loss.
  for (let b = 0; b < seqs.length; b += 500) {
    for (let i = b + 499; i > b; i--) {
      const j = b + Math.floor(Math.random() * (i - b + 1));
      [seqs[i], seqs[j]] = [seqs[j], seqs[i]];
    }
  }
  for (const s of seqs) {
    assert.ok(check(st, s), `first ${s}`);
    update(st, s);
    assert.ok(!check(st, s), `again ${s}`);
  }
});

test('ESN: the high 32 bits are inferred as in RFC 4303 Appendix A2.2', () => {
  const hi = (n: bigint): bigint => n >> 32n;
  // [highest received T, window, low 32 bits on the wire, expected full number]
  const rows: Array<[bigint, number, number, bigint]> = [
    // Case A: Tl >= W - 1, window within one subspace.
    [5000n, W, 4990, 4990n],
    [5000n, W, 6000, 6000n],
    [5000n, W, 3000, 2n ** 32n + 3000n], // left of the window: must be the next subspace
    [2n ** 32n + 5000n, W, 100, 2n * 2n ** 32n + 100n],
    // Case B: Tl < W - 1, the window spans the previous subspace's end.
    [2n ** 32n + 10n, W, 0xffff_fff0, 0xffff_fff0n], // previous subspace
    [2n ** 32n + 10n, W, 5, 2n ** 32n + 5n],
    [2n ** 32n + 10n, W, 50_000, 2n ** 32n + 50_000n],
    // Just before the wrap: T = 2^32 - 5, packets after the wrap.
    [2n ** 32n - 5n, W, 3, 2n ** 32n + 3n],
    // Subspace 0 has nothing before it.
    [10n, W, 0xffff_fff0, 0n],
  ];
  for (const [top, w, lo, want] of rows) {
    const st = windowAt(top);
    assert.equal(BigInt.asUintN(64, BigInt(dp.fn.esnInfer(st, w, lo))), want, `T=${top} (hi ${hi(top)}) lo=${lo}`);
  }
});

test('through the engine: replays are dropped, a forged packet does not move the window', () => {
  const e = new Engine({ maxSas: 4, batch: 8 });
  const key = randomBytes(20);
  const common = { mode: 'tunnel' as const, src: '192.0.2.1', dst: '192.0.2.2', enc: 'aes-gcm' as const, encKeyBytes: 16, integ: 'none' as const, key, spi: 0x42 };
  const out = e.installSa({ ...common, direction: 'out' });
  const inn = e.installSa({ ...common, direction: 'in', window: 64 });
  e.setPolicies([{ local: '0.0.0.0/0', remote: '0.0.0.0/0', action: 'protect', sa: out }]);
  const pkts = Array.from({ length: 8 }, (_, i) => udpPacket('10.1.0.2', '10.2.0.2', 1, 2, randomBytes(10 + i)));
  const wire = e.run('encap', pkts).map((r) => r.packet); // sequence numbers 1..8
  // A forgery with a far-ahead sequence number and a wrong ICV.
  const forged = wire[7].slice();
  new DataView(forged.buffer).setUint32(24, 5000);
  const first = e.run('decap', [wire[4], forged, wire[0], wire[4], wire[2]]);
  assert.deepEqual(first.map((r) => r.reason || r.verdict), ['send', 'icv', 'send', 'replay', 'send']);
  // Had the forgery slid the window to 5000, numbers 1..8 would be too old now.
  const second = e.run('decap', [wire[1], wire[7], wire[0]]);
  assert.deepEqual(second.map((r) => r.reason || r.verdict), ['send', 'send', 'replay']);
  assert.deepEqual(e.saStatus(inn).drops, { icv: 1, replay: 2 });
});
