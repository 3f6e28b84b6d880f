// The metrics endpoint without a gateway: `gateway.metrics` in the configuration, the exposition of
// a made-up gateway snapshot (every family, names and types, histogram buckets), the batch-size
// histogram in shared memory, the counters the IKE daemons call, and the HTTP server.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../src/config/load.js';
import { BATCH_HISTOGRAM_BYTES, BatchHistogram, type BatchSnapshot } from '../src/dataplane/batch-histogram.js';
import { Engine } from '../src/dataplane/engine.js';
import { createLogger } from '../src/log.js';
import { GatewayMetrics, type MetricsSnapshot } from '../src/metrics/registry.js';
import { serveMetrics } from '../src/metrics/server.js';
import { sample, total, types } from './util/prometheus.js';

function load(gatewayLines: string[]): ReturnType<typeof loadConfig> {
  const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-metrics-'));
  const file = join(dir, 'gw.yaml');
  writeFileSync(file, [
    'gateway:', '  name: gw', '  listen: [192.0.2.1]', ...gatewayLines.map((l) => `  ${l}`),
    'manual:', '  lab:', '    local: 192.0.2.1', '    remote: 192.0.2.2', '    local-ts: [10.1.0.0/24]', '    remote-ts: [10.2.0.0/24]',
    '    esp: aes128gcm16', `    in: { spi: 0x1000, key: "${'11'.repeat(20)}" }`, `    out: { spi: 0x1001, key: "${'22'.repeat(20)}" }`, '',
  ].join('\n'), { mode: 0o600 });
  return loadConfig(file);
}

/** "LINE:COL [warning: ]message" of the diagnostics about 'metrics'. */
const findings = (r: ReturnType<typeof loadConfig>): string[] =>
  r.diagnostics.filter((d) => d.message.includes("'metrics'")).map((d) => `${d.line}:${d.col} ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`);

describe('gateway.metrics in the configuration', () => {
  it('unset: no endpoint', () => {
    const r = load([]);
    assert.ok(r.config, findings(r).join('\n'));
    assert.equal(r.config.gateway.metrics, undefined);
  });

  it('IPv4 and IPv6 (in brackets) loopback addresses, without a warning', () => {
    for (const [text, host, port] of [['127.0.0.1:9469', '127.0.0.1', 9469], ["'[::1]:9470'", '::1', 9470], ['"127.0.0.53:1"', '127.0.0.53', 1]] as const) {
      const r = load([`metrics: ${text}`]);
      assert.deepEqual(r.config?.gateway.metrics, { host, port }, text);
      assert.deepEqual(findings(r), [], text);
    }
  });

  it('any other address works, with a warning: the endpoint has no authentication', () => {
    for (const text of ['0.0.0.0:9469', "'[2001:db8::1]:9469'"]) {
      const r = load([`metrics: ${text}`]);
      assert.ok(r.config?.gateway.metrics, text);
      const f = findings(r);
      assert.equal(f.length, 1, f.join('\n'));
      assert.match(f[0], /^4:12 warning: 'metrics': .* is not a loopback address; the endpoint has no authentication/);
    }
  });

  it('bad values: FILE:LINE:COL errors that say how to write it', () => {
    const cases: Array<[string, RegExp]> = [
      ['9469', /^4:12 'metrics' must be an address and a port, HOST:PORT; write it as 127.0.0.1:9469, or '\[::1\]:9469' in quotes/],
      ['[::1]:9469', /^4:(12|13|17) /], // YAML reads a flow sequence, then chokes on what follows
      ["'[::1]'", /^4:12 'metrics': '\[::1\]' is not HOST:PORT/],
      ['localhost:9469', /^4:12 'metrics': 'localhost' is not an IPv4 or IPv6 address/],
      ['127.0.0.1:0', /^4:12 'metrics': port 0 is not 1\.\.65535/],
      ['127.0.0.1:65536', /^4:12 'metrics': port 65536 is not 1\.\.65535/],
      ["'::1:9469'", /^4:12 'metrics': '::1:9469' is not HOST:PORT \(an IPv6 address goes in brackets\)/],
      ["'[127.0.0.1]:9469'", /^4:12 'metrics': an IPv6 address goes in brackets and an IPv4 address does not/],
      ['{ host: 127.0.0.1 }', /^4:12 'metrics' must be an address and a port/],
    ];
    for (const [text, want] of cases) {
      const r = load([`metrics: ${text}`]);
      assert.equal(r.config, undefined, text);
      const errors = r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.col} ${d.message}`);
      assert.ok(errors.some((e) => want.test(e)), `${text}:\n${errors.join('\n')}`);
    }
  });
});

describe('batch sizes in shared memory', () => {
  it('a batch of n lands in bucket ⌈log2 n⌉; buckets read cumulative; the sum counts packets', () => {
    const h = new BatchHistogram(new SharedArrayBuffer(BATCH_HISTOGRAM_BYTES + 8), 8);
    for (const n of [1, 2, 3, 4, 5, 8, 9, 64, 65, 128, 200]) h.record(n);
    const s = h.snapshot();
    assert.deepEqual(s.buckets, [1n, 2n, 4n, 6n, 7n, 7n, 8n, 10n]);
    assert.equal(s.count, 11n);
    assert.equal(s.sum, BigInt(1 + 2 + 3 + 4 + 5 + 8 + 9 + 64 + 65 + 128 + 200));
  });

  it('each lane of the engine counts its own batches', () => {
    const engine = new Engine({ batch: 8 });
    engine.run('decap', [new Uint8Array(40), new Uint8Array(40), new Uint8Array(40)]);
    engine.run('decap', [new Uint8Array(40)]);
    const s = engine.laneBatches(0);
    assert.deepEqual([s.count, s.sum, s.buckets[0], s.buckets[2]], [2n, 4n, 1n, 2n]);
  });
});

const hist = (pairs: Array<[number, number]>): BatchSnapshot => {
  // [size, batches] → a snapshot as the lanes make it
  const h = new BatchHistogram(new SharedArrayBuffer(BATCH_HISTOGRAM_BYTES), 0);
  for (const [size, n] of pairs) for (let i = 0; i < n; i++) h.record(size);
  return h.snapshot();
};

const SNAPSHOT: MetricsSnapshot = {
  ike: [
    { version: 1, ike: ['established', 'I3'], children: ['active'] },
    { version: 2, ike: ['established', 'established', 'rekeyed'], children: ['active', 'active', 'rekeying'] },
  ],
  children: [
    { connection: 'site-b', child: 'lan', bytesIn: 1000n, bytesOut: 2000n, packetsIn: 10n, packetsOut: 20n },
    { connection: 'road "warrior"', child: 'all', bytesIn: 2n ** 40n, bytesOut: 0n, packetsIn: 1n, packetsOut: 0n },
  ],
  manual: [{ entry: 'lab-link', bytesIn: 5n, bytesOut: 6n, packetsIn: 1n, packetsOut: 2n }],
  manualStates: ['active'],
  lanes: [
    { role: 'tx', drops: { 'none': 0n, 'no-policy': 3n, 'icv': 0n }, batches: hist([[1, 5], [32, 2]]) },
    { role: 'rx', drops: { 'icv': 7n, 'replay': 1n }, batches: hist([[3, 1], [128, 1]]) },
  ],
};

describe('the exposition', () => {
  it('every family, with Prometheus names and types, from one snapshot', async () => {
    const m = new GatewayMetrics(() => SNAPSHOT, { defaultMetrics: false });
    const text = await m.scrape();
    assert.deepEqual(Object.fromEntries(types(text)), {
      ipsecgw_ike_sas: 'gauge', ipsecgw_child_sas: 'gauge',
      ipsecgw_child_bytes_total: 'counter', ipsecgw_child_packets_total: 'counter',
      ipsecgw_manual_sas: 'gauge', ipsecgw_manual_bytes_total: 'counter', ipsecgw_manual_packets_total: 'counter',
      ipsecgw_datapath_drops_total: 'counter', ipsecgw_datapath_batch_packets: 'histogram',
      ipsecgw_rekeys_total: 'counter', ipsecgw_ike_failures_total: 'counter',
    });
    assert.equal(sample(text, 'ipsecgw_ike_sas', { version: '1', state: 'established' }), 1);
    assert.equal(sample(text, 'ipsecgw_ike_sas', { version: '1', state: 'I3' }), 1);
    assert.equal(sample(text, 'ipsecgw_ike_sas', { version: '2', state: 'established' }), 2);
    assert.equal(sample(text, 'ipsecgw_ike_sas', { version: '2', state: 'rekeyed' }), 1);
    assert.equal(sample(text, 'ipsecgw_child_sas', { version: '2', state: 'active' }), 2);
    assert.equal(sample(text, 'ipsecgw_child_sas', { version: '2', state: 'rekeying' }), 1);
    assert.equal(sample(text, 'ipsecgw_child_bytes_total', { connection: 'site-b', child: 'lan', direction: 'in' }), 1000);
    assert.equal(sample(text, 'ipsecgw_child_bytes_total', { connection: 'site-b', child: 'lan', direction: 'out' }), 2000);
    assert.equal(sample(text, 'ipsecgw_child_packets_total', { connection: 'site-b', child: 'lan', direction: 'out' }), 20);
    assert.equal(sample(text, 'ipsecgw_child_bytes_total', { connection: 'road "warrior"', child: 'all', direction: 'in' }), 2 ** 40, 'label values escaped');
    assert.match(text, /connection="road \\"warrior\\""/);
    assert.equal(sample(text, 'ipsecgw_manual_sas', { state: 'active' }), 1);
    assert.equal(sample(text, 'ipsecgw_manual_bytes_total', { entry: 'lab-link', direction: 'out' }), 6);
    assert.equal(sample(text, 'ipsecgw_manual_packets_total', { entry: 'lab-link', direction: 'in' }), 1);
    assert.equal(sample(text, 'ipsecgw_datapath_drops_total', { role: 'tx', reason: 'no-policy' }), 3);
    assert.equal(sample(text, 'ipsecgw_datapath_drops_total', { role: 'rx', reason: 'icv' }), 7);
    assert.equal(sample(text, 'ipsecgw_datapath_drops_total', { role: 'tx', reason: 'none' }), undefined, "the engine's 'none' is no reason");
    // Histogram: cumulative buckets at 1, 2, 4 … 128 and +Inf, _sum in packets, _count in batches.
    const le = (role: string, bound: string) => sample(text, 'ipsecgw_datapath_batch_packets_bucket', { role, le: bound });
    assert.deepEqual(['1', '2', '4', '8', '16', '32', '64', '128', '+Inf'].map((b) => le('tx', b)), [5, 5, 5, 5, 5, 7, 7, 7, 7]);
    assert.deepEqual(['1', '2', '4', '64', '128', '+Inf'].map((b) => le('rx', b)), [0, 0, 1, 1, 2, 2]);
    assert.equal(sample(text, 'ipsecgw_datapath_batch_packets_sum', { role: 'tx' }), 5 + 64);
    assert.equal(sample(text, 'ipsecgw_datapath_batch_packets_count', { role: 'rx' }), 2);
    // Event counters exist at 0 before the first event, for every reason.
    assert.equal(sample(text, 'ipsecgw_rekeys_total', { version: '2', kind: 'child' }), 0);
    assert.equal(sample(text, 'ipsecgw_ike_failures_total', { version: '1', kind: 'ike', reason: 'authentication_failed' }), 0);
    assert.equal(total(text, 'ipsecgw_ike_failures_total'), 0);
  });

  it('collected families follow the gateway: what went away leaves the gauges', async () => {
    let snap: MetricsSnapshot = SNAPSHOT;
    const m = new GatewayMetrics(() => snap, { defaultMetrics: false });
    await m.scrape();
    snap = { ...SNAPSHOT, ike: [{ version: 2, ike: [], children: [] }], lanes: [] };
    const text = await m.scrape();
    assert.equal(sample(text, 'ipsecgw_ike_sas', { version: '1', state: 'established' }), undefined);
    assert.equal(sample(text, 'ipsecgw_ike_sas', { version: '2', state: 'established' }), 0, 'established stays, at 0');
    assert.equal(sample(text, 'ipsecgw_ike_sas', { version: '2', state: 'rekeyed' }), undefined);
    assert.equal(sample(text, 'ipsecgw_child_sas', { version: '2', state: 'active' }), 0);
    assert.equal(sample(text, 'ipsecgw_datapath_batch_packets_count', { role: 'tx' }), undefined);
  });

  it('the daemons\' counters: rekeys by kind, failures by reason, an IKE SA\'s failure once', async () => {
    const m = new GatewayMetrics(() => SNAPSHOT, { defaultMetrics: false });
    const v1 = m.counters(1), v2 = m.counters(2);
    v2.rekeyed('child');
    v2.rekeyed('child');
    v2.rekeyed('ike');
    const sa = {};
    v1.failed('ike', 'authentication_failed', sa);
    v1.failed('ike', 'authentication_failed', sa); // a retransmission of the same bad proof
    v1.failed('ike', 'timeout', sa); // and the timeout that ends that SA
    v1.failed('ike', 'timeout', {});
    v2.failed('ike', 'invalid_ke');
    v2.failed('ike', 'invalid_ke');
    v2.failed('child', 'ts_unacceptable');
    const text = await m.scrape();
    assert.equal(sample(text, 'ipsecgw_rekeys_total', { version: '2', kind: 'child' }), 2);
    assert.equal(sample(text, 'ipsecgw_rekeys_total', { version: '2', kind: 'ike' }), 1);
    assert.equal(sample(text, 'ipsecgw_rekeys_total', { version: '1', kind: 'child' }), 0);
    assert.equal(sample(text, 'ipsecgw_ike_failures_total', { version: '1', kind: 'ike', reason: 'authentication_failed' }), 1);
    assert.equal(sample(text, 'ipsecgw_ike_failures_total', { version: '1', kind: 'ike', reason: 'timeout' }), 1);
    assert.equal(sample(text, 'ipsecgw_ike_failures_total', { version: '2', kind: 'ike', reason: 'invalid_ke' }), 2);
    assert.equal(sample(text, 'ipsecgw_ike_failures_total', { version: '2', kind: 'child', reason: 'ts_unacceptable' }), 1);
  });

  it('with the process\' default metrics', async () => {
    const text = await new GatewayMetrics(() => SNAPSHOT).scrape();
    assert.ok(types(text).get('process_cpu_seconds_total') === 'counter', 'process_cpu_seconds_total');
    assert.ok(types(text).has('nodejs_heap_size_used_bytes'), 'nodejs_heap_size_used_bytes');
  });
});

describe('the HTTP endpoint', () => {
  it('GET /metrics in the text format; 404 elsewhere, 405 for other methods; closes with a scraper connected', async () => {
    const log = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    const server = await serveMetrics('127.0.0.1', 0, new GatewayMetrics(() => SNAPSHOT, { defaultMetrics: false }), log);
    try {
      const base = `http://127.0.0.1:${server.address.port}`;
      const r = await fetch(`${base}/metrics`);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      assert.equal(sample(await r.text(), 'ipsecgw_ike_sas', { version: '2', state: 'established' }), 2);
      assert.equal((await fetch(`${base}/metrics?x=1`)).status, 200);
      for (const path of ['/', '/metric', '/metrics/x']) {
        const nf = await fetch(`${base}${path}`);
        assert.equal(nf.status, 404, path);
        await nf.text();
      }
      const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get('allow'), 'GET, HEAD');
      await post.text();
    } finally {
      await server.close(); // fetch keeps its connection alive: close() must not wait for it
    }
  });

  it('an address in use: start fails with a message that names it', async () => {
    const log = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    const m = new GatewayMetrics(() => SNAPSHOT, { defaultMetrics: false });
    const first = await serveMetrics('127.0.0.1', 0, m, log);
    try {
      await assert.rejects(serveMetrics('127.0.0.1', first.address.port, m, log), new RegExp(`metrics endpoint: cannot listen on 127\\.0\\.0\\.1:${first.address.port}: .*EADDRINUSE`));
    } finally {
      await first.close();
    }
  });
});
