// `ipsecgw bench ike` end to end, small: the load generator (bench/ike-load.ts) in one namespace
// against an ipsecgw responder in another — 12 IKE SAs, each with its CHILD SA, 6 in flight from 3
// source addresses (a responder allows 5 half-open per address) — through the command itself,
// without strongSwan. Every SA is established, the gateway holds them all with their children, the
// JSON report is written, and the namespaces are gone afterwards.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { IkeBenchReport } from '../bench/ike.js';
import { CLI } from '../src/lab/gateways.js';
import { canUseNetns } from '../src/lab/netns.js';

const skip = canUseNetns() ?? undefined;

test('ipsecgw bench ike: 12 SAs against ipsecgw, JSON out, nothing left behind', { skip, timeout: 40_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-bench-ike-test-'));
  try {
    const out = join(dir, 'ike.json');
    const p = spawn(process.execPath, [CLI, 'bench', 'ike', '--sas', '12', '--concurrency', '6', '--sources', '3', '--runs', '1', '--no-strongswan', '--out', out],
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: 35_000 });
    let err = '';
    p.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise<number | null>((r) => p.once('exit', (c) => r(c)));
    assert.equal(code, 0, err);
    const r = JSON.parse(readFileSync(out, 'utf8')) as IkeBenchReport;
    assert.equal(r.kind, 'ike');
    assert.equal(r.measurements.length, 1);
    const m = r.measurements[0];
    assert.equal(m.responder, 'ipsecgw');
    assert.equal(m.load.established, 12, JSON.stringify(m.load.failures));
    assert.equal(m.load.failed, 0);
    assert.equal(m.load.floated, 0, 'ipsecgw reports no NAT on a direct wire');
    assert.ok(m.load.steadyRate > 0 && m.load.latencyMs.max > 0);
    // The gateway's own view: every IKE SA with its CHILD SA, from all three source addresses.
    assert.equal(m.responderIkeSas, 12);
    assert.equal(m.responderChildSas, 12);
    assert.equal(m.childRefused, 0);
    assert.equal(m.responderPeers, 3);
    assert.ok(m.rssAfterKb > 0 && m.heapAfterKb! > 0 && m.responderCpuMs >= 0);
    assert.equal(r.summary[0].responder, 'ipsecgw');
    // Its namespaces (named after its pid, src/lab/netns.ts) are gone.
    const prefix = `ig${(p.pid! % 1_000_000).toString(36).padStart(4, '0')}`;
    assert.deepEqual(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith(prefix)), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
