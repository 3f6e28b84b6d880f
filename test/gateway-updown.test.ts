// `ipsecgw up`, `status` and `down` against two real ipsecgw gateways in network namespaces
// (hA — gwA ==== gwB — hB), IKEv2 with PSKs, every child `start: none`, so that only `up` brings a
// connection up: the CLI as an operator runs it — exit codes, the table, --json — with counters
// that grow when a ping crosses the tunnel, a connection whose peer has another PSK, an unknown
// name, and `down` that leaves neither side with an SA.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { request } from '../src/gateway/control.js';
import type { GatewayStatus } from '../src/gateway/status.js';
import { CLI, runGateway, type RunningGateway } from '../src/lab/gateways.js';
import { canUseNetns, createTopology, type Topology } from '../src/lab/netns.js';

const skip = canUseNetns();

/** Runs the CLI (asynchronously: the gateways' log pipes must keep draining meanwhile). */
function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/**
 * One side's YAML: connection `site` (the same PSK both ends) and `wrongkey` (each side another
 * PSK), each with one child between the sites' networks; nothing starts by itself.
 */
function config(t: Topology, dir: string, side: 'a' | 'b'): string {
  const me = side === 'a' ? t.addr.gwA.wire4 : t.addr.gwB.wire4, peer = side === 'a' ? t.addr.gwB.wire4 : t.addr.gwA.wire4;
  const [lnet, rnet] = side === 'a' ? ['10.1', '10.2'] : ['10.2', '10.1'];
  const other = side === 'a' ? 'b' : 'a';
  const conn = (name: string, psk: string, subnet: number): string[] => [
    `  ${name}:`,
    '    version: 2',
    `    local: { address: ${me}, id: ${name}.${side}.lab.example, auth: psk }`,
    `    remote: { address: ${peer}, id: ${name}.${other}.lab.example, auth: psk }`,
    `    psk: { file: ${psk} }`,
    '    ike:',
    '      proposals: [aes256-sha256-x25519]',
    '    children:',
    '      lan:',
    `        local-ts: [${lnet}.${subnet}.0/24]`,
    `        remote-ts: [${rnet}.${subnet}.0/24]`,
    '        proposals: [aes128gcm16]',
    '        start: none',
  ];
  const secret = (name: string, text: string): string => {
    const f = join(dir, `${side}-${name}.psk`);
    writeFileSync(f, text, { mode: 0o600 });
    return f;
  };
  return [
    'gateway:',
    `  name: gw${side}`,
    '  tun: ipsec0',
    `  listen: [${me}]`,
    `  socket: ${join(dir, `${side}.sock`)}`,
    'connections:',
    ...conn('site', secret('site', 'up/down lab key: not a secret'), 0),
    ...conn('wrongkey', secret('wrongkey', `a key only gw${side} has`), 5),
    '',
  ].join('\n');
}

describe('ipsecgw up / status / down between two ipsecgw gateways (IKEv2, PSK)', { skip: skip ?? false }, () => {
  test('up brings the connection up, status shows it with growing counters, down removes it on both sides', { timeout: 90_000 }, async () => {
    const t = createTopology();
    const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-updown-'));
    const gws: RunningGateway[] = [];
    try {
      for (const side of ['a', 'b'] as const) writeFileSync(join(dir, `${side}.yaml`), config(t, dir, side));
      gws.push(...await Promise.all([
        runGateway(t, t.gwA, join(dir, 'a.yaml'), join(dir, 'a.sock')),
        runGateway(t, t.gwB, join(dir, 'b.yaml'), join(dir, 'b.sock')),
      ]));
      const [a, b] = gws;
      // The control socket's answer: what `ipsecgw status --json` prints (checked once below), without a CLI start each time.
      const json = async (g: RunningGateway): Promise<GatewayStatus> => (await request(g.socket, { cmd: 'status' })) as GatewayStatus;

      // Nothing starts by itself.
      const idle = await cli('status', '--socket', a.socket);
      assert.equal(idle.code, 0, idle.stderr);
      assert.match(idle.stdout, /^gwa: up \d+s, TUN ipsec0\nno IKE SAs\n/);

      // Errors an operator makes, and a peer that has another key.
      const unknown = await cli('up', 'nosuch', '--socket', a.socket);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /no connection 'nosuch' \(connections: site, wrongkey\)/);
      const child = await cli('up', 'site', '--child', 'nosuch', '--socket', a.socket);
      assert.equal(child.code, 1);
      assert.match(child.stderr, /connection 'site' has no child 'nosuch' \(its children: lan\)/);
      const refused = await cli('up', 'wrongkey', '--socket', a.socket, '--timeout', '20');
      assert.equal(refused.code, 1, refused.stdout);
      assert.match(refused.stderr, /^ipsecgw up: 'wrongkey': authentication failed: peer sent AUTHENTICATION_FAILED\n$/);

      // up: established, with its SAs shown; a second up finds it.
      const upped = await cli('up', 'site', '--socket', a.socket);
      assert.equal(upped.code, 0, `${upped.stderr}\n${a.logs.join('')}`);
      assert.match(upped.stdout, /^'site' established in \d+\.\d s \(CHILD SA 'lan'\)\nsite: #\d+, ESTABLISHED, IKEv2, /);
      const again = await cli('up', 'site', '--socket', a.socket);
      assert.equal(again.code, 0);
      assert.match(again.stdout, /^'site' is already up \(CHILD SA 'lan'\)/);

      const before = await json(a);
      assert.deepEqual(before.ike.filter((s) => s.state === 'established').map((s) => [s.conn, s.version, s.role]), [['site', 2, 'initiator']]);
      const ike = before.ike.find((s) => s.conn === 'site')!;
      assert.deepEqual([ike.local.address, ike.local.port, ike.local.id], [t.addr.gwA.wire4, 500, 'site.a.lab.example']);
      assert.deepEqual([ike.remote.address, ike.remote.port, ike.remote.id], [t.addr.gwB.wire4, 500, 'site.b.lab.example']);
      assert.equal(ike.proposal, 'AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519');
      assert.ok(ike.rekeyIn! > 0 && ike.expiresIn! >= ike.rekeyIn!, 'IKE SA lifetimes');
      assert.equal(before.children.length, 1);
      const c0 = before.children[0];
      assert.deepEqual([c0.conn, c0.child, c0.state, c0.ike, c0.proposal, c0.encap], ['site', 'lan', 'active', ike.id, 'AES_GCM_16-128', 'none']);
      assert.deepEqual([c0.localTs, c0.remoteTs], [['10.1.0.0/24'], ['10.2.0.0/24']]);

      // Traffic through the tunnel: the counters grow both ways.
      const ping = t.exec(t.hA, 'ping', ['-c', '5', '-i', '0.2', '-W', '2', t.addr.hB.lan4]);
      assert.match(ping, / 0% packet loss/);
      const after = await json(a);
      const c1 = after.children.find((c) => c.spiIn === c0.spiIn)!;
      assert.ok(Number(c1.packetsOut) >= Number(c0.packetsOut) + 5 && Number(c1.packetsIn) >= Number(c0.packetsIn) + 5, JSON.stringify(c1));
      assert.ok(Number(c1.bytesOut) > Number(c0.bytesOut) && Number(c1.bytesIn) > Number(c0.bytesIn));
      assert.ok(c1.lastIn !== undefined && c1.lastOut !== undefined);
      const peer = (await json(b)).children.find((c) => c.spiIn === c1.spiOut);
      assert.ok(peer && Number(peer.packetsIn) >= 5, 'the peer counts the same pair');

      const printed = await cli('status', '--json', '--socket', a.socket);
      assert.equal(printed.code, 0, printed.stderr);
      const fromCli = JSON.parse(printed.stdout) as GatewayStatus;
      assert.deepEqual(fromCli.ike.map((s) => [s.id, s.spiI, s.spiR, s.state]), [[ike.id, ike.spiI, ike.spiR, 'established']]);
      assert.deepEqual(fromCli.children.map((c) => [c.spiIn, c.spiOut]), [[c1.spiIn, c1.spiOut]]);
      assert.ok(Number(fromCli.children[0].packetsOut) >= Number(c1.packetsOut));
      const table = await cli('status', '--socket', a.socket);
      assert.equal(table.code, 0);
      const spi = (s: string): string => s.replace(/^0x/, '');
      for (const line of [
        `site: #${ike.id}, ESTABLISHED, IKEv2, ${ike.spiI}_i* ${ike.spiR}_r`,
        `  local  'site.a.lab.example' @ ${t.addr.gwA.wire4}[500]`,
        `  remote 'site.b.lab.example' @ ${t.addr.gwB.wire4}[500]`,
        '  AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519',
        '  lan: ACTIVE, TUNNEL, ESP:AES_GCM_16-128',
        '    10.1.0.0/24 === 10.2.0.0/24',
      ]) assert.ok(table.stdout.split('\n').includes(line), `${line}\nnot in\n${table.stdout}`);
      assert.match(table.stdout, new RegExp(`\\n    in  ${spi(c1.spiIn)}, +\\d+ bytes, +\\d+ packets, \\d+s ago\\n    out ${spi(c1.spiOut)}, `));

      // down: gone here at once, and at the peer when its Delete arrived.
      const downed = await cli('down', 'site', '--socket', a.socket);
      assert.equal(downed.code, 0, downed.stderr);
      assert.equal(downed.stdout, "'site' terminated: 1 IKE SA and 1 CHILD SA deleted\n");
      const gone = await json(a);
      assert.deepEqual([gone.ike.length, gone.children.length], [0, 0]);
      for (let i = 0; ; i++) {
        const st = await json(b);
        if (st.ike.length === 0 && st.children.length === 0) break;
        assert.ok(i < 50, `gwB still has SAs: ${JSON.stringify(st.ike)}`);
        await sleep(100);
      }
      assert.equal((await cli('down', 'site', '--socket', a.socket)).stdout, "'site' has no SAs: nothing to terminate\n");
      assert.match(t.exec(t.hA, 'ping', ['-c', '1', '-W', '1', t.addr.hB.lan4], { allowFail: true }), /100% packet loss|unreachable/i);

      for (const g of gws.splice(0)) assert.equal(await g.stop(), 0);
    } finally {
      for (const g of gws) await g.stop().catch(() => undefined);
      t.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
