// The metrics endpoint of a running gateway, scraped from inside its network namespace (it listens
// on the namespace's loopback): the manually keyed lab (src/lab/gateways.ts) — every family there,
// the entry's bytes and packets and both workers' batch histograms growing with a ping, a forged
// ESP packet counted in the drops by reason — and ipsecgw against strongSwan over IKEv2
// (src/lab/ike.ts): the IKE SA and CHILD SA by state, the child's traffic.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { canUseNetns, createTopology, type Topology } from '../src/lab/netns.js';
import { cleanup, startGateways, type Gateways } from '../src/lab/gateways.js';
import { startSite, type Site } from '../src/lab/ike.js';
import { canUseStrongswan } from '../src/lab/strongswan.js';
import { sample, types } from './util/prometheus.js';

const skip = canUseNetns();
const skipIke = skip ?? canUseStrongswan();
const ADDRESS = '127.0.0.1:9469';

/** GET url from inside namespace ns: status, content type and body. */
function get(t: Topology, ns: string, path: string): { status: number; type: string; body: string } {
  const script = 'fetch(process.argv[1]).then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, type: r.headers.get("content-type"), body: await r.text() })))';
  return JSON.parse(t.exec(ns, process.execPath, ['-e', script, `http://${ADDRESS}${path}`], { timeout: 10_000 })) as { status: number; type: string; body: string };
}

function scrape(t: Topology, ns: string): string {
  const r = get(t, ns, '/metrics');
  assert.equal(r.status, 200, r.body);
  assert.match(r.type, /^text\/plain; version=0\.0\.4/);
  return r.body;
}

/** Pings until one answers (neighbour discovery), then `count` that must all come back. */
function ping(t: Topology, from: string, to: string, count: number): void {
  for (let i = 0; i < 5; i++) {
    if (t.exec(from, 'ping', ['-c', '1', '-W', '1', to], { allowFail: true }).includes(' 0% packet loss')) break;
  }
  assert.match(t.exec(from, 'ping', ['-c', String(count), '-i', '0.2', '-W', '2', to]), / 0% packet loss/);
}

describe('the metrics endpoint of a running gateway', { skip: skip ?? false }, () => {
  test('manual keying: every family; traffic, batches and drops grow', { timeout: 60_000 }, async () => {
    const t = createTopology();
    let g: Gateways | undefined;
    try {
      g = await startGateways(t, { esp: 'aes128gcm16', encap: 'none', outer: 4, inner: 4 }, { metrics: { a: ADDRESS } });
      assert.match(g.logs.a.join(''), /"event":"metrics.listening"/);
      assert.equal(get(t, t.gwA, '/').status, 404);
      const before = scrape(t, t.gwA);
      const families = types(before);
      for (const [name, type] of Object.entries({
        ipsecgw_manual_sas: 'gauge', ipsecgw_manual_bytes_total: 'counter', ipsecgw_manual_packets_total: 'counter',
        ipsecgw_child_bytes_total: 'counter', ipsecgw_datapath_drops_total: 'counter', ipsecgw_datapath_batch_packets: 'histogram',
        ipsecgw_rekeys_total: 'counter', ipsecgw_ike_failures_total: 'counter', process_cpu_seconds_total: 'counter',
      })) assert.equal(families.get(name), type, name);
      assert.equal(sample(before, 'ipsecgw_manual_sas', { state: 'active' }), 1);
      assert.equal(sample(before, 'ipsecgw_datapath_drops_total', { role: 'tx', reason: 'tun-malformed' }), 0);
      assert.equal(sample(before, 'ipsecgw_datapath_drops_total', { role: 'tx', reason: 'send-failed' }), 0);

      ping(t, t.hA, t.addr.hB.lan4, 5);
      const after = scrape(t, t.gwA);
      const grew = (name: string, labels: Record<string, string>, atLeast: number): void => {
        const was = sample(before, name, labels) ?? 0, now = sample(after, name, labels) ?? 0;
        assert.ok(now - was >= atLeast, `${name}${JSON.stringify(labels)}: ${was} → ${now}, expected +${atLeast}`);
      };
      for (const direction of ['out', 'in']) {
        grew('ipsecgw_manual_packets_total', { entry: 'link', direction }, 5);
        grew('ipsecgw_manual_bytes_total', { entry: 'link', direction }, 5 * 84); // 84-byte pings, ESP adds more
      }
      for (const role of ['tx', 'rx']) {
        grew('ipsecgw_datapath_batch_packets_count', { role }, 5);
        grew('ipsecgw_datapath_batch_packets_sum', { role }, 5);
        grew('ipsecgw_datapath_batch_packets_bucket', { role, le: '+Inf' }, 5);
      }

      // An ESP packet with an SPI gwA never gave out, from gwB's namespace: dropped, and counted.
      const drops = (text: string) => sample(text, 'ipsecgw_datapath_drops_total', { role: 'rx', reason: 'no-sa' }) ?? 0;
      const forged = 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50); ' +
        `s.sendto(bytes.fromhex("0badc0de00000001") + bytes(48), ("${t.addr.gwA.wire4}", 0))`;
      t.exec(t.gwB, 'python3', ['-c', forged]);
      let last = after;
      for (let i = 0; i < 20 && drops(last) === drops(after); i++) {
        await sleep(100);
        last = scrape(t, t.gwA);
      }
      assert.equal(drops(last) - drops(after), 1, 'one no-sa drop on the rx worker');
      assert.deepEqual(await g.stop(), { a: 0, b: 0 });
    } finally {
      t.destroy();
      cleanup(g);
    }
  });

  test('IKEv2 with strongSwan: the IKE SA and CHILD SA by state, the child\'s traffic', { timeout: 60_000, skip: skipIke ?? false }, async () => {
    const t = createTopology();
    let s: Site | undefined;
    try {
      s = await startSite(t, { version: 2, initiator: 'ipsecgw', ike: ['aes128-sha256-modp2048'], esp: ['aes128gcm16'], metrics: ADDRESS });
      for (let i = 0; i < 100 && !s.gw.events().some((e) => e.event === 'child.established'); i++) await sleep(100);
      ping(t, t.hA, t.addr.hB.lan4, 5);
      const text = scrape(t, t.gwA);
      assert.equal(sample(text, 'ipsecgw_ike_sas', { version: '2', state: 'established' }), 1);
      assert.equal(sample(text, 'ipsecgw_child_sas', { version: '2', state: 'active' }), 1);
      for (const direction of ['out', 'in']) {
        const n = sample(text, 'ipsecgw_child_packets_total', { connection: 'site', child: 'lan', direction }) ?? 0;
        assert.ok(n >= 5, `${direction}: ${n} packets`);
      }
      assert.equal(sample(text, 'ipsecgw_ike_failures_total', { version: '2', kind: 'ike', reason: 'no_proposal_chosen' }), 0);
    } finally {
      await s?.stop();
      t.destroy();
    }
  });
});
