// Reload, without namespaces: what counts as a change (src/gateway/reload.ts), and both IKE
// daemons applying a new connection list in process (test/util/ike-pair.ts) — the unchanged
// connection keeps its SAs and carries traffic throughout, the changed one is deleted at the peer
// and negotiated anew under its new proposal, a removed one is deleted at the peer, an added one
// comes up, a trap is installed for `start: trap`. The end-to-end version, with `ipsecgw reload`,
// SIGHUP and strongSwan as the peer, is test/reload-e2e.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Config, Connection } from '../src/config/types.js';
import { compare, connectionFingerprint, fixedSettingsChanged, manualFingerprint, planConnections } from '../src/gateway/reload.js';
import type { Ikev1Daemon } from '../src/ike/v1/daemon.js';
import type { Ikev2Daemon } from '../src/ike/v2/daemon.js';
import type { ChildSaStatus } from '../src/ike/status.js';
import { ADDR, assertTraffic, createPair, sideConfig, type Pair, type Side } from './util/ike-pair.js';
import { udpPacket } from './util/packets.js';

const PSK = 'in-process reload test key, not a secret';

interface Conn {
  name: string;
  /** Third octet of the two sites' prefixes: 10.1.N.0/24 (A) and 10.2.N.0/24 (B). */
  net: number;
  esp?: string;
  start?: 'start' | 'trap' | 'none';
}

function yaml(side: 'A' | 'B', version: 1 | 2, conns: Conn[]): string {
  const me = ADDR[side], peer = ADDR[side === 'A' ? 'B' : 'A'];
  const [mine, theirs] = side === 'A' ? ['1', '2'] : ['2', '1'];
  // One identity per connection and side: the responder picks the connection by it (as strongSwan does).
  const id = (s: 'A' | 'B', c: Conn): string => `${c.name}.${s.toLowerCase()}.example`;
  return [
    'gateway:', `  name: ${side.toLowerCase()}`, `  listen: [${me}]`, 'connections:',
    ...conns.flatMap((c) => [
      `  ${c.name}:`,
      `    version: ${version}`,
      `    local: { address: ${me}, id: ${id(side, c)}, auth: psk }`,
      `    remote: { address: ${peer}, id: ${id(side === 'A' ? 'B' : 'A', c)}, auth: psk }`,
      '    psk: { file: psk }',
      '    ike: { proposals: [aes128-sha256-modp2048] }',
      '    children:',
      '      lan:',
      `        local-ts: [10.${mine}.${c.net}.0/24]`,
      `        remote-ts: [10.${theirs}.${c.net}.0/24]`,
      `        proposals: [${c.esp ?? (side === 'B' ? 'aes128gcm16, aes256-sha256' : 'aes128gcm16')}]`,
      `        start: ${c.start ?? (side === 'A' ? 'start' : 'none')}`,
    ]),
    '',
  ].join('\n');
}

const config = (side: 'A' | 'B', version: 1 | 2, conns: Conn[]): Config => sideConfig(yaml(side, version, conns), { psk: PSK });

type ChildView = ChildSaStatus;
const children = (s: Side, conn?: string): ChildView[] =>
  s.daemon.status().children.filter((c) => conn === undefined || c.conn === conn);
const active = (s: Side, conn: string): ChildView[] => children(s, conn).filter((c) => c.state === 'active');

/** What the gateway does on reload: the plan, then the daemon's share of it. */
async function reload(s: Side, next: Config, prints: Map<string, string>): Promise<ReturnType<typeof planConnections>> {
  const plan = planConnections(s.config.connections, prints, next.connections);
  await (s.daemon as Ikev1Daemon | Ikev2Daemon).reload(plan.connections, plan.gone, plan.fresh);
  s.config = { ...next, connections: plan.connections };
  prints.clear();
  for (const [k, v] of plan.prints) prints.set(k, v);
  return plan;
}

const printsOf = (c: Config): Map<string, string> => new Map(c.connections.map((x) => [x.name, connectionFingerprint(x)]));

describe('what a reload counts as a change', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-reload-'));

  it('compares by name and fingerprint, in the new file\'s order', () => {
    const c = compare(new Map([['a', '1'], ['b', '2'], ['c', '3']]), new Map([['d', '4'], ['b', '9'], ['a', '1']]));
    assert.deepEqual(c, { kept: ['a'], replaced: ['b'], added: ['d'], removed: ['c'] });
  });

  it('a PSK, a proposal or a start setting makes a connection change; the same text does not', () => {
    const base = config('A', 2, [{ name: 'one', net: 0 }]).connections[0];
    assert.equal(connectionFingerprint(config('A', 2, [{ name: 'one', net: 0 }]).connections[0]), connectionFingerprint(base));
    assert.notEqual(connectionFingerprint(config('A', 2, [{ name: 'one', net: 0, esp: 'aes256-sha256' }]).connections[0]), connectionFingerprint(base));
    assert.notEqual(connectionFingerprint(config('A', 2, [{ name: 'one', net: 0, start: 'trap' }]).connections[0]), connectionFingerprint(base));
    const otherPsk = sideConfig(yaml('A', 2, [{ name: 'one', net: 0 }]), { psk: `${PSK}!` }).connections[0];
    assert.notEqual(connectionFingerprint(otherPsk), connectionFingerprint(base));
    // Hashed: neither the PSK nor its hex is in the fingerprint.
    assert.match(connectionFingerprint(base), /^[0-9a-f]{64}$/);
  });

  it('a certificate renewed under the same file name is a change', () => {
    // Only the bytes count here (the loader checks that the files exist; IKE parses them when used).
    const certFile = join(dir, 'gw.crt'), keyFile = join(dir, 'gw.key'), caFile = join(dir, 'ca.crt');
    writeFileSync(certFile, 'certificate, first issue');
    writeFileSync(keyFile, 'private key, first issue', { mode: 0o600 });
    writeFileSync(caFile, 'trust anchor');
    const conn = sideConfig([
      'gateway:', '  name: a', `  listen: [${ADDR.A}]`, 'connections:', '  one:', '    version: 2',
      `    local: { address: ${ADDR.A}, auth: pubkey, cert: ${certFile}, key: ${keyFile} }`,
      `    remote: { address: ${ADDR.B}, auth: pubkey, ca: [${caFile}] }`,
      '    children:', '      lan: { local-ts: [10.1.0.0/24], remote-ts: [10.2.0.0/24] }', '',
    ].join('\n')).connections[0];
    const before = connectionFingerprint(conn);
    assert.equal(connectionFingerprint(conn), before, 'the same files, the same fingerprint');
    writeFileSync(certFile, 'certificate, renewed');
    assert.notEqual(connectionFingerprint(conn), before);
  });

  it('a manual SA\'s key is part of its fingerprint', () => {
    const manual = (key: string) => sideConfig([
      'gateway:', '  name: a', `  listen: [${ADDR.A}]`, 'manual:', '  link:', `    local: ${ADDR.A}`, `    remote: ${ADDR.B}`,
      '    local-ts: [10.1.0.0/24]', '    remote-ts: [10.2.0.0/24]', '    esp: aes128gcm16',
      `    in: { spi: 0x1001, key: "${key}" }`, `    out: { spi: 0x1002, key: "${'cd'.repeat(20)}" }`, '',
    ].join('\n')).manual[0];
    assert.equal(manualFingerprint(manual('ab'.repeat(20))), manualFingerprint(manual('ab'.repeat(20))));
    assert.notEqual(manualFingerprint(manual('ab'.repeat(20))), manualFingerprint(manual('ef'.repeat(20))));
  });

  it('names the gateway settings that need a restart', () => {
    const g = config('A', 2, [{ name: 'one', net: 0 }]).gateway;
    assert.deepEqual(fixedSettingsChanged(g, { ...g }), []);
    assert.deepEqual(fixedSettingsChanged(g, { ...g, tun: 'ipsec9', mtu: 1300, maxSas: 128 }), ['gateway.tun', 'gateway.mtu', 'gateway.max-sas']);
  });

  it('keeps the running object of an unchanged connection (its SAs refer to it)', () => {
    const running = config('A', 2, [{ name: 'one', net: 0 }, { name: 'two', net: 1 }, { name: 'three', net: 2 }]);
    const next = config('A', 2, [{ name: 'two', net: 1, esp: 'aes256-sha256' }, { name: 'one', net: 0 }, { name: 'four', net: 3 }]);
    const plan = planConnections(running.connections, printsOf(running), next.connections);
    assert.deepEqual([plan.kept, plan.replaced, plan.added, plan.removed], [['one'], ['two'], ['four'], ['three']]);
    assert.deepEqual(plan.connections.map((c: Connection) => c.name), ['two', 'one', 'four']);
    assert.equal(plan.connections[1], running.connections[0]);
    assert.equal(plan.connections[0], next.connections[0]);
    assert.deepEqual([plan.gone, plan.fresh], [['two', 'three'], ['two', 'four']]);
  });
});

const pairs: Pair[] = [];
after(async () => {
  for (const p of pairs) await p.close();
});

for (const version of [1, 2] as const) {
  describe(`IKEv${version}: reload in process`, () => {
    it('the unchanged connection keeps its SAs and traffic; changed, removed and added ones are renegotiated, deleted, set up', async () => {
      // B answers for every connection the test will use; A starts with `one` and `two`.
      const all: Conn[] = [{ name: 'one', net: 0 }, { name: 'two', net: 1 }, { name: 'three', net: 2 }];
      const pair = createPair({ a: config('A', version, all.slice(0, 2)), b: config('B', version, all) });
      pairs.push(pair);
      const { a, b } = pair;
      const prints = printsOf(a.config);
      await pair.until(() => ['one', 'two'].every((n) => active(a, n).length === 1 && active(b, n).length === 1), 10_000, 'both connections up');
      const one = { a: active(a, 'one')[0], b: active(b, 'one')[0] };
      const two = active(a, 'two')[0];
      assert.equal(two.algorithms.encr, 'aes128gcm16');
      const traffic = () => {
        assertTraffic(pair, ['10.1.0.5', '10.2.0.7']);
        assert.deepEqual([active(a, 'one')[0]?.spiIn, active(b, 'one')[0]?.spiIn], [one.a.spiIn, one.b.spiIn], 'connection one kept its CHILD SA');
      };
      traffic();

      // `two` changes its ESP proposal, `three` is added.
      let plan = await reload(a, config('A', version, [all[0], { ...all[1], esp: 'aes256-sha256' }, all[2]]), prints);
      assert.deepEqual([plan.kept, plan.replaced, plan.added, plan.removed], [['one'], ['two'], ['three'], []]);
      traffic(); // at once: nothing of `one` waited for the others
      await pair.until(() => [a, b].every((s) => active(s, 'two').some((c) => c.algorithms.encr !== 'aes128gcm16') && active(s, 'three').length === 1), 10_000, 'two renegotiated, three up');
      assert.ok(!children(b, 'two').some((c) => c.spiIn === two.spiOut), 'the old CHILD SA of two is deleted at the peer');
      const two2 = active(a, 'two')[0];
      assert.notEqual(two2.spiIn, two.spiIn);
      assert.equal(two2.algorithms.encr, 'aes256', 'the new proposal');
      assertTraffic(pair, ['10.1.1.5', '10.2.1.7']);
      assertTraffic(pair, ['10.1.2.5', '10.2.2.7']);
      traffic();

      // `three` is removed; `two` now waits for traffic (start: trap).
      plan = await reload(a, config('A', version, [all[0], { ...all[1], esp: 'aes256-sha256', start: 'trap' }]), prints);
      assert.deepEqual([plan.kept, plan.replaced, plan.added, plan.removed], [['one'], ['two'], [], ['three']]);
      await pair.until(() => children(b, 'three').length === 0 && children(b, 'two').length === 0, 10_000, 'two and three deleted at the peer');
      assert.deepEqual(children(a, 'three'), []);
      assert.deepEqual(children(a, 'two'), [], 'a trap, no SA');
      const [out] = a.engine.run('encap', [udpPacket('10.1.1.5', '10.2.1.7', 1, 2, new Uint8Array(8))]);
      assert.equal(out.reason, 'trap', 'traffic for two hits its trap');
      traffic();

      // The same configuration again: nothing changes.
      plan = await reload(a, config('A', version, [all[0], { ...all[1], esp: 'aes256-sha256', start: 'trap' }]), prints);
      assert.deepEqual([plan.kept, plan.replaced, plan.added, plan.removed], [['one', 'two'], [], [], []]);
      traffic();
      const ikes = (s: Side) => (s.daemon.status() as { ike: Array<{ conn: string; state: string }> }).ike;
      assert.equal(ikes(b).filter((x) => x.conn === 'one' && x.state === 'established').length, 1, 'connection one\'s IKE SA is still there at the peer');
    });

    it('a roaming connection\'s responder SAs belong to it: changed, they are deleted at the peer; unchanged, they stay', async () => {
      // B serves roaming peers (remote address any); A is one of them.
      const roaming = (esp: string): Config => sideConfig([
        'gateway:', '  name: b', `  listen: [${ADDR.B}]`, 'connections:', '  rw:', `    version: ${version}`,
        `    local: { address: ${ADDR.B}, id: one.b.example, auth: psk }`, '    remote: { address: any, id: one.a.example, auth: psk }',
        '    psk: { file: psk }', '    ike: { proposals: [aes128-sha256-modp2048] }',
        '    children:', '      lan:', '        local-ts: [10.2.0.0/24]', '        remote-ts: [10.1.0.0/24]', `        proposals: [${esp}]`, '',
      ].join('\n'), { psk: PSK });
      const pair = createPair({ a: config('A', version, [{ name: 'one', net: 0, esp: 'aes128gcm16, aes256-sha256' }]), b: roaming('aes128gcm16') });
      pairs.push(pair);
      const { a, b } = pair;
      const prints = printsOf(b.config);
      await pair.until(() => active(a, 'one').length === 1 && active(b, 'rw').length === 1, 10_000, 'the roaming peer up');
      const first = active(b, 'rw')[0];

      let plan = await reload(b, roaming('aes128gcm16'), prints);
      assert.deepEqual(plan.kept, ['rw']);
      assert.deepEqual(active(b, 'rw').map((c) => c.spiIn), [first.spiIn], 'unchanged: the responder SA stays');

      plan = await reload(b, roaming('aes256-sha256'), prints);
      assert.deepEqual(plan.replaced, ['rw']);
      assert.deepEqual(children(b, 'rw'), []);
      await pair.until(() => children(a, 'one').length === 0, 10_000, 'the CHILD SA deleted at the roaming peer');
      // The peer comes back (a roaming connection only responds), under the new proposal.
      a.daemon.initiate('one');
      await pair.until(() => active(a, 'one').length === 1 && active(b, 'rw').length === 1, 10_000, 'the roaming peer up again');
      assert.equal(active(b, 'rw')[0].algorithms.encr, 'aes256');
      assertTraffic(pair, ['10.1.0.5', '10.2.0.7']);
    });
  });
}
