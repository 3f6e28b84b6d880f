// `ipsecgw bench ike`'s load generator against an ipsecgw responder in namespaces: a handful of IKE
// SAs, each with its CHILD SA, from several source addresses, more in flight than one address may
// hold half-open — all established, and the gateway holds them. Then the command itself, one small
// run without strongSwan: it writes its JSON and cleans up after itself.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ipsecgwResponderYaml, runGenerator } from '../bench/ike.js';
import { request } from '../src/gateway/control.js';
import { CLI, runGateway } from '../src/lab/gateways.js';
import { canUseNetns, createTopology } from '../src/lab/netns.js';

const skip = canUseNetns() ?? undefined;

test('load generator: 12 IKE SAs with a CHILD SA each against ipsecgw', { skip, timeout: 20_000 }, async () => {
  const t = createTopology();
  const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-bench-ike-test-'));
  try {
    writeFileSync(join(dir, 'psk'), 'bench ike: not a secret', { mode: 0o600 });
    const sources = ['192.0.2.100', '192.0.2.101', '192.0.2.102'];
    for (const a of sources) t.exec(t.gwA, 'ip', ['addr', 'add', `${a}/24`, 'dev', t.wireA]);
    writeFileSync(join(dir, 'gw.yaml'), ipsecgwResponderYaml(dir));
    const g = await runGateway(t, t.gwB, join(dir, 'gw.yaml'), join(dir, 'gw.sock'));
    try {
      // 8 in flight from 3 addresses: under the limit of 5 half-open SAs per address.
      const r = await runGenerator(t, { sources, sas: 12, concurrency: 8, pskFile: join(dir, 'psk') });
      assert.equal(r.established, 12, JSON.stringify(r.failures));
      assert.equal(r.failed, 0);
      assert.equal(r.floated, 0, 'ipsecgw reports no NAT on a direct wire');
      assert.ok(r.steadyRate > 0 && r.latencyMs.max > 0);
      const s = (await request(g.socket, { cmd: 'status' }, 5000)) as { ikev2: { ike: Array<{ state: string; remote: string }>; children: unknown[] }; memory: { rss: number } };
      const up = s.ikev2.ike.filter((x) => x.state === 'established');
      assert.equal(up.length, 12);
      assert.deepEqual(new Set(up.map((x) => x.remote.split(':')[0])), new Set(sources));
      assert.equal(s.ikev2.children.length, 12);
      assert.ok(s.memory.rss > 0);
    } finally {
      await g.stop();
    }
  } finally {
    t.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ipsecgw bench ike: one small run, JSON out, nothing left behind', { skip, timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-bench-ike-cli-'));
  try {
    const out = join(dir, 'ike.json');
    const p = spawn(process.execPath, [CLI, 'bench', 'ike', '--sas', '10', '--concurrency', '4', '--sources', '2', '--runs', '1', '--no-strongswan', '--out', out],
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: 18_000 });
    let err = '';
    p.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise<number | null>((r) => p.once('exit', (c) => r(c)));
    assert.equal(code, 0, err);
    const r = JSON.parse(readFileSync(out, 'utf8')) as { kind: string; measurements: Array<{ responder: string; load: { established: number }; rssAfterKb: number; responderIkeSas: number }> };
    assert.equal(r.kind, 'ike');
    assert.equal(r.measurements.length, 1);
    assert.equal(r.measurements[0].responder, 'ipsecgw');
    assert.equal(r.measurements[0].load.established, 10);
    assert.equal(r.measurements[0].responderIkeSas, 10);
    assert.ok(r.measurements[0].rssAfterKb > 0);
    // Its namespaces (named after its pid, src/lab/netns.ts) are gone.
    const prefix = `ig${(p.pid! % 1_000_000).toString(36).padStart(4, '0')}`;
    const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith(prefix));
    assert.deepEqual(left, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
