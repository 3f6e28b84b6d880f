// Two ipsecgw gateways in network namespaces, manually keyed (hA — gwA ==== gwB — hB): for AES-GCM,
// AES-CBC + HMAC-SHA-256 and ChaCha20-Poly1305, plain ESP and UDP-encapsulated, IPv4 and IPv6 inside
// and outside — ping both ways, a 100 MB TCP transfer whose SHA-256 is equal at both ends, a
// capture on the wire between the gateways with nothing but ESP in it, and a stop that leaves no
// TUN device, socket or process behind. Two of the cases run each gateway with one datapath worker
// for both directions (`gateway.workers: 1`) instead of an outbound and an inbound one.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from '../src/gateway/control.js';
import type { GatewayStatus } from '../src/gateway/status.js';
import { canUseNetns, createTopology, type Topology } from '../src/lab/netns.js';
import { cleanup, startGateways, type Gateways, type TunnelCase } from '../src/lab/gateways.js';
import { readPcap } from './util/pcap.js';

const TRANSFER = fileURLToPath(new URL('../../test/e2e/tcp_transfer.py', import.meta.url));
const MARKER = Buffer.from('ipsecgw-plaintext-marker');
const BYTES = 100_000_000;

const CASES: Array<TunnelCase & { workers?: number }> = [];
for (const esp of ['aes128gcm16', 'aes128-sha256', 'chacha20poly1305']) {
  for (const encap of ['none', 'udp'] as const) {
    for (const family of [4, 6] as const) CASES.push({ esp, encap, outer: family, inner: family });
  }
}
CASES.push({ esp: 'aes128gcm16', encap: 'none', outer: 4, inner: 6 }, { esp: 'aes128gcm16', encap: 'udp', outer: 6, inner: 4 });
CASES.push({ esp: 'aes128gcm16', encap: 'udp', outer: 4, inner: 4, workers: 1 }, { esp: 'chacha20poly1305', encap: 'none', outer: 6, inner: 6, workers: 1 });

const skip = canUseNetns();

/** Pings dst from ns until one answers (neighbour discovery, first packets), then 5 that must all come back. */
function pingBoth(t: Topology, ns: string, dst: string): string {
  for (let i = 0; i < 5; i++) {
    try {
      t.exec(ns, 'ping', ['-c', '1', '-W', '1', dst]);
      break;
    } catch { /* not yet */ }
  }
  return t.exec(ns, 'ping', ['-c', '5', '-i', '0.2', '-W', '2', dst]);
}

describe('manually keyed tunnel between two ipsecgw gateways', { skip: skip ?? false }, () => {
  for (const c of CASES) {
    const name = `${c.esp}, ${c.encap === 'udp' ? 'UDP-encapsulated' : 'plain ESP'}, IPv${c.inner} over IPv${c.outer}${c.workers === 1 ? ', one worker a gateway' : ''}`;
    test(name, { timeout: 180_000 }, async () => {
      const t = createTopology();
      let g: Gateways | undefined;
      try {
        g = await startGateways(t, c, { workers: c.workers });
        const a = c.inner === 4 ? t.addr.hA.lan4 : t.addr.hA.lan6, b = c.inner === 4 ? t.addr.hB.lan4 : t.addr.hB.lan6;
        assert.match(pingBoth(t, t.hA, b), / 0% packet loss/);
        assert.match(pingBoth(t, t.hB, a), / 0% packet loss/);
        // Too big for the tunnel (TUN MTU 1400) with DF: "fragmentation needed" / "packet too big"
        // comes back, with the tunnel's MTU (RFC 1191, RFC 8201).
        const big = t.exec(t.hA, 'ping', ['-c', '1', '-W', '2', '-M', 'do', '-s', '1450', b], { allowFail: true });
        assert.match(big, /mtu = 1400|Frag needed|Packet too big|message too long/i, `ICMP too-big expected:\n${big}`);

        // Everything on the wire between the gateways, but ARP and neighbour discovery.
        const pcap = join(g.dir, 'wire.pcap');
        const dump = t.spawn(t.gwB, 'tcpdump', ['-i', t.wireB, '-n', '-U', '-s', '0', '-w', pcap, 'not arp and not icmp6']);
        await sleep(500);
        const server = t.spawn(t.hB, 'python3', [TRANSFER, 'serve', b, '5001']);
        let served = '';
        server.stdout!.setEncoding('utf8').on('data', (d: string) => { served += d; });
        for (let i = 0; i < 50 && !served.includes('listening'); i++) await sleep(100);
        const sent = t.exec(t.hA, 'python3', [TRANSFER, 'send', b, '5001', String(BYTES)], { timeout: 150_000 }).trim();
        await new Promise((r) => server.once('exit', r));
        const received = served.split('\n').filter((l) => /^\d+ [0-9a-f]{64}$/.test(l))[0];
        assert.equal(received, sent, 'the bytes and the SHA-256 at both ends');
        assert.equal(sent.split(' ')[0], String(BYTES));
        dump.kill('SIGINT');
        await new Promise((r) => dump.once('exit', r));

        const packets = readPcap(readFileSync(pcap));
        assert.ok(packets.length > 1000, `${packets.length} packets captured`);
        for (const p of packets) {
          assert.ok(p.proto === 50 || (p.proto === 17 && p.sport === 4500 && p.dport === 4500), `only ESP on the wire, saw protocol ${p.proto}`);
          assert.equal(p.data.indexOf(MARKER), -1, 'plaintext on the wire');
        }
        const status = (await request(g.sockets.a, { cmd: 'status' })) as GatewayStatus;
        assert.ok(Number(status.manual[0].out.packets) > 70_000, 'the transfer went through the SA');
        assert.deepEqual(status.manual[0].in.drops, {}, 'no inbound drops on gwA');
        assert.deepEqual(status.datapath.map((w) => w.role), c.workers === 1 ? ['both'] : ['tx', 'rx'], 'the workers');

        const codes = await g.stop();
        assert.deepEqual(codes, { a: 0, b: 0 }, `clean exit\n${g.logs.a.join('')}\n${g.logs.b.join('')}`);
        for (const ns of [t.gwA, t.gwB]) {
          assert.throws(() => t.exec(ns, 'ip', ['link', 'show', 'ipsec0']), 'the TUN device is gone');
          assert.equal(t.exec(ns, 'ss', ['-H', '-a', '-n', '-p', '-w', '-u']).trim(), '', 'no raw or UDP socket left');
        }
        assert.ok(!existsSync(g.sockets.a) && !existsSync(g.sockets.b), 'control sockets removed');
        for (const ns of [t.gwA, t.gwB]) assert.deepEqual(t.pids(ns), [], `no process left in ${ns}`);
      } finally {
        t.destroy();
        cleanup(g);
      }
    });
  }
});

describe('SIGHUP reloads the configuration', { skip: skip ?? false }, () => {
  test('a new entry is installed; the unchanged one keeps its SAs and traffic', { timeout: 120_000 }, async () => {
    const t = createTopology();
    let g: Gateways | undefined;
    try {
      g = await startGateways(t, { esp: 'aes128gcm16', encap: 'none', outer: 4, inner: 4 });
      pingBoth(t, t.hA, t.addr.hB.lan4);
      const before = (await request(g.sockets.a, { cmd: 'status' })) as { manual: Array<{ name: string; out: { spi: string; packets: string } }> };
      // A second pair of selectors, as a new entry on both sides; a ping runs through the old one meanwhile.
      const ping = t.spawn(t.hA, 'ping', ['-c', '20', '-i', '0.1', t.addr.hB.lan4]);
      let pinged = '';
      ping.stdout!.setEncoding('utf8').on('data', (d: string) => { pinged += d; });
      const entry = (local: string, remote: string, lts: string, rts: string, inSpi: string, outSpi: string, key1: string, key2: string): string => [
        '  second:', `    local: ${local}`, `    remote: ${remote}`, `    local-ts: [${lts}]`, `    remote-ts: [${rts}]`,
        '    esp: chacha20poly1305', `    in: { spi: ${inSpi}, key: "${key1}" }`, `    out: { spi: ${outSpi}, key: "${key2}" }`, '',
      ].join('\n');
      const k1 = 'ab'.repeat(36), k2 = 'cd'.repeat(36);
      appendFileSync(g.configs.a, entry(t.addr.gwA.wire4, t.addr.gwB.wire4, '10.1.1.0/24', '10.2.1.0/24', '0x2002', '0x2001', k2, k1));
      appendFileSync(g.configs.b, entry(t.addr.gwB.wire4, t.addr.gwA.wire4, '10.2.1.0/24', '10.1.1.0/24', '0x2001', '0x2002', k1, k2));
      await sleep(300);
      g.procs.a.kill('SIGHUP');
      g.procs.b.kill('SIGHUP');
      await new Promise((r) => ping.once('exit', r));
      assert.match(pinged, / 0% packet loss/, pinged);
      const after = (await request(g.sockets.a, { cmd: 'status' })) as typeof before;
      assert.deepEqual(after.manual.map((m) => m.name), ['link', 'second']);
      assert.equal(after.manual[0].out.spi, before.manual[0].out.spi);
      assert.ok(Number(after.manual[0].out.packets) >= Number(before.manual[0].out.packets) + 20, 'the unchanged SA kept counting');
      assert.match(g.logs.a.join(''), /config.reloaded/);
      assert.deepEqual(await g.stop(), { a: 0, b: 0 });
    } finally {
      t.destroy();
      cleanup(g);
    }
  });
});
