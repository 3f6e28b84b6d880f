// The IKE side of the metrics, with two daemons in one process (test/util/ike-pair.ts), each with
// a GatewayMetrics of its own over its daemon and kernel: SAs by state, a child's bytes and
// packets (which go on counting across a rekey), rekeys, and failed negotiations by reason.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { GatewayMetrics, type MetricsSnapshot } from '../src/metrics/registry.js';
import { assertTraffic, createPair, events, sideConfig, sideOf, type Pair, type Side } from './util/ike-pair.js';
import { sample } from './util/prometheus.js';

const PSK = 'in-process metrics test key, not a secret';

interface Opts {
  version: 1 | 2;
  ikeB?: string;
  pskB?: string;
  groupsA?: string;
  lifetime?: string;
}

function yaml(side: 'A' | 'B', o: Opts): string {
  const { me, peer, lts, rts, head } = sideOf(side);
  const ike = side === 'A' ? o.groupsA ?? 'aes128-sha256-modp2048' : o.ikeB ?? 'aes128-sha256-modp2048';
  return [
    ...head, '  peer:', `    version: ${o.version}`,
    `    local: { address: ${me}, id: ${me}, auth: psk }`,
    `    remote: { address: ${peer}, id: ${peer}, auth: psk }`,
    '    psk: { file: psk.txt }',
    '    ike:', `      proposals: [${ike}]`,
    '    children:', '      lan:', `        local-ts: [${lts}]`, `        remote-ts: [${rts}]`, '        proposals: [aes128gcm16]',
    ...(o.lifetime ? [`        lifetime: { time: ${o.lifetime} }`] : []),
    `        start: ${side === 'A' ? 'start' : 'none'}`, '',
  ].join('\n');
}

interface Metered {
  pair: Pair;
  /** The exposition of side A's and side B's metrics. */
  scrape(side: 'a' | 'b'): Promise<string>;
}

const pairs: Pair[] = [];
after(async () => {
  for (const p of pairs) await p.close();
});

/** The pair, each side with metrics over its own daemon and kernel (what Gateway.metricsSnapshot gives for IKE). */
function open(o: Opts): Metered {
  let pair: Pair | undefined;
  const snapshot = (s: () => Side) => (): MetricsSnapshot => ({
    ike: [{ version: o.version, ...(s().daemon as unknown as { states(): { ike: string[]; children: string[] } }).states() }],
    children: s().kernel.traffic(), manual: [], manualStates: [], lanes: [],
  });
  const a = new GatewayMetrics(snapshot(() => pair!.a), { defaultMetrics: false });
  const b = new GatewayMetrics(snapshot(() => pair!.b), { defaultMetrics: false });
  pair = createPair(
    { a: sideConfig(yaml('A', o), { 'psk.txt': PSK }), b: sideConfig(yaml('B', o), { 'psk.txt': o.pskB ?? PSK }) },
    { optionsA: { counters: a.counters(o.version) }, optionsB: { counters: b.counters(o.version) }, retransmit: { timeoutMs: 100, base: 1.2, tries: 3 } },
  );
  pairs.push(pair);
  return { pair, scrape: (side) => (side === 'a' ? a : b).scrape() };
}

const count = (s: Side, e: string): number => events(s).filter((x) => x === e).length;
const up = (s: Side, n = 1): boolean => count(s, 'child.established') + count(s, 'child.rekeyed') >= n;
const failures = async (m: Metered, side: 'a' | 'b', version: 1 | 2, kind: string, reason: string) =>
  sample(await m.scrape(side), 'ipsecgw_ike_failures_total', { version: String(version), kind, reason });

describe('IKE metrics', () => {
  it('IKEv2: SAs by state; a child\'s packets each way, still counted after a rekey replaced its SAs', async () => {
    const m = open({ version: 2, lifetime: '3s' });
    const { pair } = m;
    await m.pair.until(() => up(pair.a) && up(pair.b), 3000, 'CHILD SAs');
    let text = await m.scrape('a');
    assert.equal(sample(text, 'ipsecgw_ike_sas', { version: '2', state: 'established' }), 1);
    assert.equal(sample(text, 'ipsecgw_child_sas', { version: '2', state: 'active' }), 1);
    assertTraffic(pair); // one packet each way
    text = await m.scrape('a');
    const labels = (direction: string) => ({ connection: 'peer', child: 'lan', direction });
    assert.equal(sample(text, 'ipsecgw_child_packets_total', labels('out')), 1);
    assert.equal(sample(text, 'ipsecgw_child_packets_total', labels('in')), 1);
    const bytesOut = sample(text, 'ipsecgw_child_bytes_total', labels('out'))!;
    assert.ok(bytesOut > 0);
    // The soft lifetime comes with traffic behind it: rekeyed, and the old pair deleted after its grace period.
    await pair.until(() => count(pair.a, 'child.rekeyed') >= 1 && count(pair.a, 'child.deleted') >= 1, 8000, 'the rekey and the old pair gone');
    assertTraffic(pair);
    text = await m.scrape('a');
    assert.equal(sample(text, 'ipsecgw_rekeys_total', { version: '2', kind: 'child' }), 1);
    assert.equal(sample(text, 'ipsecgw_child_packets_total', labels('out')), 2, 'the old pair\'s packet and the new one\'s');
    assert.equal(sample(text, 'ipsecgw_child_packets_total', labels('in')), 2);
    assert.equal(sample(text, 'ipsecgw_child_bytes_total', labels('out')), 2 * bytesOut);
    assert.equal(sample(text, 'ipsecgw_child_sas', { version: '2', state: 'active' }), 1);
    assert.equal(sample(await m.scrape('b'), 'ipsecgw_rekeys_total', { version: '2', kind: 'child' }), 1, 'the responder counts it too');
  });

  it('IKEv2: NO_PROPOSAL_CHOSEN counts once at each end', async () => {
    const m = open({ version: 2, ikeB: 'aes256-sha512-ecp384' });
    await m.pair.until(() => events(m.pair.a).includes('ike.failed'), 3000, 'the refusal');
    assert.equal(await failures(m, 'a', 2, 'ike', 'no_proposal_chosen'), 1);
    assert.equal(await failures(m, 'b', 2, 'ike', 'no_proposal_chosen'), 1);
    assert.equal(sample(await m.scrape('a'), 'ipsecgw_ike_sas', { version: '2', state: 'established' }), 0);
  });

  it('IKEv2: differing PSKs count as authentication_failed at both ends', async () => {
    const m = open({ version: 2, pskB: 'another key' });
    await m.pair.until(() => events(m.pair.a).includes('auth.failed') && events(m.pair.b).includes('auth.failed'), 3000, 'the failures');
    assert.equal(await failures(m, 'a', 2, 'ike', 'authentication_failed'), 1);
    assert.equal(await failures(m, 'b', 2, 'ike', 'authentication_failed'), 1);
  });

  it('IKEv2: INVALID_KE_PAYLOAD, once at each end, and the SA comes up', async () => {
    const m = open({ version: 2, groupsA: 'aes128-sha256-modp2048-ecp256', ikeB: 'aes128-sha256-ecp256' });
    await m.pair.until(() => up(m.pair.a) && up(m.pair.b), 3000, 'CHILD SAs');
    assert.equal(await failures(m, 'a', 2, 'ike', 'invalid_ke'), 1);
    assert.equal(await failures(m, 'b', 2, 'ike', 'invalid_ke'), 1);
  });

  it('IKEv1: differing PSKs — the responder counts authentication_failed once, whatever the retransmissions; the initiator a timeout', async () => {
    const m = open({ version: 1, pskB: 'another key' });
    await m.pair.until(() => events(m.pair.a).includes('ike.timeout'), 5000, 'the initiator gives up');
    assert.ok(count(m.pair.b, 'auth.failed') >= 2, 'the bad proof came more than once');
    assert.equal(await failures(m, 'b', 1, 'ike', 'authentication_failed'), 1);
    assert.equal(await failures(m, 'a', 1, 'ike', 'timeout'), 1);
    assert.equal(await failures(m, 'a', 1, 'ike', 'authentication_failed'), 0);
  });
});
