// The tx worker outlives a send the kernel refuses: two manually keyed ipsecgw gateways in the
// namespace lab (src/lab/gateways.ts), plain ESP (raw socket) and UDP-encapsulated (UDP socket,
// UDP_SEGMENT runs). A `prohibit` route on gwA towards gwB's wire address makes every send fail
// (the route lookup says EACCES, for raw and UDP sockets alike); the packets are lost and counted as
// drops of reason 'send-failed' in `status` (datapath, the tx worker) and on the text view; once the
// route is gone the tunnel carries traffic again — the worker is still there. And a route whose MTU
// is below the datagrams: the kernel will not segment a run (EMSGSIZE), the worker says so once and
// sends datagram by datagram, which the kernel fragments; nothing is lost.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from '../src/gateway/control.js';
import { canUseNetns, createTopology } from '../src/lab/netns.js';
import { cleanup, logEvents, startGateways, type Gateways } from '../src/lab/gateways.js';
import { ping, reachable, runIn } from '../src/lab/traffic.js';
import { formatStatus } from '../src/cli/status.js';
import type { GatewayStatus } from '../src/gateway/status.js';

const skip = canUseNetns();

/** gwA's `status`, and its tx worker's drops by reason. */
async function txDrops(g: Gateways): Promise<{ status: GatewayStatus; drops: Record<string, string> }> {
  const status = (await request(g.sockets.a, { cmd: 'status' })) as GatewayStatus;
  return { status, drops: status.datapath.find((w) => w.role === 'tx')!.drops };
}

describe('a send the kernel refuses', { skip: skip ?? false }, () => {
  for (const encap of ['none', 'udp'] as const) {
    test(`is counted as 'send-failed' and the tx worker goes on (${encap === 'udp' ? 'UDP-encapsulated' : 'plain ESP'})`, { timeout: 30_000 }, async () => {
      const t = createTopology();
      let g: Gateways | undefined;
      try {
        g = await startGateways(t, { esp: 'aes128gcm16', encap, outer: 4, inner: 4 });
        const to = t.addr.hB.lan4;
        await reachable(t, t.hA, to);
        assert.equal((await txDrops(g)).drops['send-failed'], '0');

        t.exec(t.gwA, 'ip', ['route', 'add', 'prohibit', `${t.addr.gwB.wire4}/32`]);
        // Eight echo requests at once (--preload): on UDP they can leave the TUN device in one batch
        // and go as one UDP_SEGMENT run, which the kernel refuses as a whole.
        const lost = await runIn(t, t.hA, 'ping', ['-n', '-q', '-c', '8', '-l', '8', '-W', '1', to]);
        assert.match(lost.stdout, /8 packets transmitted, 0 received/, 'nothing gets through');
        const { status, drops } = await txDrops(g);
        assert.equal(drops['send-failed'], '8', `tx drops: ${JSON.stringify(drops)}`);
        assert.equal(status.datapath.find((w) => w.role === 'rx')!.drops['send-failed'], '0', 'the rx worker sends to the TUN device only');
        assert.match(formatStatus(status), /^worker 1 \(tx\): .*; dropped: .*send-failed 8/m);

        t.exec(t.gwA, 'ip', ['route', 'del', 'prohibit', `${t.addr.gwB.wire4}/32`]);
        const back = await ping(t, t.hA, to, 4);
        assert.equal(back.received, 4, 'the tx worker is alive');
        assert.equal((await txDrops(g)).drops['send-failed'], '8', 'nothing more lost');
        assert.equal(g.procs.a.exitCode, null);
        assert.deepEqual(await g.stop(), { a: 0, b: 0 });
      } finally {
        t.destroy();
        cleanup(g);
      }
    });
  }

  test('a UDP_SEGMENT run the kernel will not segment (route MTU below the datagrams) goes datagram by datagram, logged once', { timeout: 30_000 }, async () => {
    const t = createTopology();
    let g: Gateways | undefined;
    try {
      g = await startGateways(t, { esp: 'aes128gcm16', encap: 'udp', outer: 4, inner: 4 });
      const to = t.addr.hB.lan4;
      await reachable(t, t.hA, to);
      // A host route with a smaller MTU: the kernel refuses a UDP_SEGMENT run whose segments exceed
      // it (EMSGSIZE), while one datagram at a time it fragments (the UDP socket does not set DF).
      const dev = t.exec(t.gwA, 'ip', ['-o', 'route', 'get', t.addr.gwB.wire4]).match(/ dev (\S+)/)![1];
      t.exec(t.gwA, 'ip', ['route', 'add', `${t.addr.gwB.wire4}/32`, 'dev', dev, 'mtu', '1200']);
      const big = await runIn(t, t.hA, 'ping', ['-n', '-q', '-c', '8', '-l', '8', '-s', '1300', '-W', '2', to]);
      const off = logEvents(g.logs.a).filter((e) => e.event === 'datapath.segment_off');
      assert.match(big.stdout, /8 packets transmitted, 8 received/, big.stdout);
      assert.equal(off.length, 1, 'logged once');
      assert.equal(off[0].code, 'EMSGSIZE');
      assert.equal((await txDrops(g)).drops['send-failed'], '0', 'nothing lost');
      assert.deepEqual(await g.stop(), { a: 0, b: 0 });
    } finally {
      t.destroy();
      cleanup(g);
    }
  });
});
