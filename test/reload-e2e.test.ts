// Reload end to end: ipsecgw in gwA against strongSwan 5.9.8 (kernel-libipsec) in gwB, IKEv2, in
// namespaces (hA — gwA ==== gwB — hB). Connections between the same two gateways, one subnet pair
// each: `one` (10.1.0.0/24 ↔ 10.2.0.0/24), `two` (10.1.1.0/24 ↔ 10.2.1.0/24), `three`
// (10.1.2.0/24 ↔ 10.2.2.0/24). A ping runs from hA to hB through `one` the whole time while
//   1. `ipsecgw reload`: two's ESP proposal changes, three is added (and the TUN device's MTU,
//      which waits for a restart),
//   2. SIGHUP: two's proposal changes back, three is removed,
//   3. `ipsecgw reload` and SIGHUP with an error in the file.
// Then: not one ping lost, one's CHILD SA and IKE SA the same (SPIs, ours and strongSwan's); two
// renegotiated each time (new SPIs, the new algorithm at strongSwan) and carrying traffic; three up
// after 1 and gone at strongSwan after 2; nothing changed by 3, whose errors come as FILE:LINE:COL.
import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { EXIT } from '../src/cli/exit-codes.js';
import { request } from '../src/gateway/control.js';
import { CLI, runGateway, type RunningGateway } from '../src/lab/gateways.js';
import { LAB_PSK } from '../src/lab/ike.js';
import { canUseNetns, createTopology, type Topology } from '../src/lab/netns.js';
import { canUseStrongswan, startCharon, type Charon, type SwanConfig, type SwanSa } from '../src/lab/strongswan.js';
import type { ChildSaStatus } from '../src/ike/status.js';
import type { GatewayStatus } from '../src/gateway/status.js';
import { ping, waitUntil } from './util/interop.js';

const skip = canUseNetns() ?? canUseStrongswan() ?? undefined;

interface Conn {
  name: string;
  /** Third octet of the subnet pair. */
  net: number;
  esp: string;
}

/** ipsecgw's file: one connection per subnet pair, each with its own identity (strongSwan picks its connection by it). */
function gatewayYaml(t: Topology, dir: string, conns: Conn[], o: { broken?: boolean; mtu?: number } = {}): string {
  const a = t.addr;
  return [
    'gateway:',
    '  name: gwa',
    `  listen: [${a.gwA.wire4}]`,
    ...(o.mtu ? [`  mtu: ${o.mtu}`] : []),
    `  socket: ${join(dir, 'gwa.sock')}`,
    'connections:',
    ...conns.flatMap((c) => [
      `  ${c.name}:`,
      '    version: 2',
      `    local: { address: ${a.gwA.wire4}, id: ${c.name}.gwa.lab.example, auth: psk }`,
      `    remote: { address: ${a.gwB.wire4}, id: ${a.gwB.wire4}, auth: psk }`,
      `    psk: { file: ${join(dir, 'psk')} }`,
      '    ike:',
      '      proposals: [aes128-sha256-modp2048]',
      '    children:',
      '      lan:',
      `        local-ts: [10.1.${c.net}.0/24]`,
      `        remote-ts: [10.2.${c.net}.0/24]`,
      `        proposals: [${o.broken && c.name === 'two' ? 'aes128gcm17' : c.esp}]`,
      '        start: start',
    ]),
    '',
  ].join('\n');
}

/** strongSwan answers for all three, and takes either ESP proposal. */
function swanConfig(t: Topology, conns: Conn[]): SwanConfig {
  const a = t.addr;
  return {
    connections: Object.fromEntries(conns.map((c) => [c.name, {
      version: 2 as const,
      local_addrs: a.gwB.wire4,
      remote_addrs: '%any',
      proposals: 'aes128-sha256-modp2048',
      local: { auth: 'psk', id: a.gwB.wire4 },
      remote: { auth: 'psk', id: `${c.name}.gwa.lab.example` },
      children: { lan: { local_ts: `10.2.${c.net}.0/24`, remote_ts: `10.1.${c.net}.0/24`, esp_proposals: 'aes128gcm16,aes256-sha256', start_action: 'none' as const } },
    }])),
    secrets: { ike: [{ secret: LAB_PSK }] },
    charon: { retransmit_timeout: 1, retransmit_tries: 3 },
  };
}

/** `ipsecgw reload --socket S`: exit code, stdout, stderr. */
function cliReload(socket: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'reload', '--socket', socket], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** The interface of `ns` that holds `address`. */
function ifaceOf(t: Topology, ns: string, address: string): string {
  const line = t.exec(ns, 'ip', ['-o', '-4', 'addr', 'show']).split('\n').find((l) => l.includes(` ${address}/`));
  if (!line) throw new Error(`no interface with ${address} in ${ns}`);
  return line.split(/\s+/)[1];
}

/** A ping that runs until stopped; its replies' sequence numbers and what it says it sent. */
function pingRunning(t: Topology, from: string, to: string): { stop(): Promise<{ sent: number; replies: Set<number>; text: string }> } {
  const p: ChildProcess = t.spawn(from, 'ping', ['-i', '0.1', to]);
  let text = '';
  p.stdout!.setEncoding('utf8').on('data', (d: string) => (text += d));
  return {
    async stop() {
      const done = new Promise((r) => p.once('exit', r));
      p.kill('SIGINT');
      await done;
      const replies = new Set([...text.matchAll(/icmp_seq=(\d+)/g)].map((m) => Number(m[1])));
      return { sent: Number(/(\d+) packets transmitted/.exec(text)?.[1] ?? 0), replies, text };
    },
  };
}

type ChildView = ChildSaStatus;
async function ours(gw: RunningGateway): Promise<GatewayStatus> {
  return (await request(gw.socket, { cmd: 'status' })) as GatewayStatus;
}
const activeChild = (v: { children: ChildView[] }, conn: string): ChildView[] => v.children.filter((c) => c.conn === conn && c.state === 'active');
const swanChild = (sas: SwanSa[], conn: string) => sas.find((sa) => sa.name === conn && sa.state === 'ESTABLISHED')?.children.find((c) => c.state === 'INSTALLED');

describe('reload with IKE connections: the unchanged keeps its SAs and traffic', { skip }, () => {
  it('`ipsecgw reload` and SIGHUP replace, add and remove connections; a ping through the unchanged one loses nothing', { timeout: 120_000 }, async () => {
    const t = createTopology();
    const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-reload-'));
    let charon: Charon | undefined, gw: RunningGateway | undefined;
    try {
      const a = t.addr;
      // Two more subnet pairs on the hosts and gateways, beside the topology's 10.1.0.0/24 and 10.2.0.0/24.
      for (const net of [1, 2]) {
        t.exec(t.hA, 'ip', ['addr', 'add', `10.1.${net}.2/24`, 'dev', ifaceOf(t, t.hA, a.hA.lan4)]);
        t.exec(t.gwA, 'ip', ['addr', 'add', `10.1.${net}.1/24`, 'dev', ifaceOf(t, t.gwA, a.gwA.lan4)]);
        t.exec(t.hB, 'ip', ['addr', 'add', `10.2.${net}.2/24`, 'dev', ifaceOf(t, t.hB, a.hB.lan4)]);
        t.exec(t.gwB, 'ip', ['addr', 'add', `10.2.${net}.1/24`, 'dev', ifaceOf(t, t.gwB, a.gwB.lan4)]);
      }
      const one: Conn = { name: 'one', net: 0, esp: 'aes128gcm16' };
      const two: Conn = { name: 'two', net: 1, esp: 'aes128gcm16' };
      const three: Conn = { name: 'three', net: 2, esp: 'aes128gcm16' };
      writeFileSync(join(dir, 'psk'), LAB_PSK, { mode: 0o600 });
      const file = join(dir, 'gwa.yaml');
      writeFileSync(file, gatewayYaml(t, dir, [one, two]));
      charon = await startCharon(t, t.gwB, swanConfig(t, [one, two, three]));
      gw = await runGateway(t, t.gwA, file, join(dir, 'gwa.sock'));
      const c = charon, g = gw;
      // hA → hB between the subnets of connection `net` (the first pings may wait for the SA).
      const through = async (net: number): Promise<string> => {
        const args = ['-I', `10.1.${net}.2`, `10.2.${net}.2`];
        for (let i = 0; i < 50 && !t.exec(t.hA, 'ping', ['-c', '1', '-W', '1', ...args], { allowFail: true }).includes(' 0% packet loss'); i++) await sleep(100);
        return t.exec(t.hA, 'ping', ['-c', '3', '-i', '0.2', '-W', '2', ...args]);
      };

      await c.waitFor((sas) => swanChild(sas, 'one') && swanChild(sas, 'two'), 20_000);
      await ping(t, t.hA, a.hB.lan4);
      assert.match(await through(1), / 0% packet loss/);
      const before = { ours: await ours(g), swan: c.listSas() };
      const oneIke = before.ours.ike.find((x) => x.conn === 'one' && x.state === 'established');
      const oneChild = activeChild(before.ours, 'one');
      const oneSwan = { ike: before.swan.find((sa) => sa.name === 'one')!, child: swanChild(before.swan, 'one')! };
      const twoSwan0 = swanChild(before.swan, 'two')!;
      assert.equal(oneChild.length, 1);
      assert.equal(twoSwan0.encrAlg, 'AES_GCM_16');

      const pinging = pingRunning(t, t.hA, a.hB.lan4);
      await sleep(500);

      // 1. `ipsecgw reload`: two changes its ESP proposal, three is added.
      writeFileSync(file, gatewayYaml(t, dir, [one, { ...two, esp: 'aes256-sha256' }, three], { mtu: 1300 }));
      const r1 = await cliReload(g.socket);
      assert.equal(r1.code, 0, r1.stderr);
      assert.match(r1.stdout, /needs a restart.*gateway\.mtu/);
      assert.match(t.exec(t.gwA, 'ip', ['link', 'show', 'ipsec0']), /mtu 1400 /, 'the running MTU stays');
      assert.ok(g.events().some((e) => e.event === 'config.restart_needed' && JSON.stringify(e.settings) === '["gateway.mtu"]'));
      assert.match(r1.stdout, /^kept: +one$/m);
      assert.match(r1.stdout, /^replaced: +two$/m);
      assert.match(r1.stdout, /^added: +three$/m);
      assert.match(r1.stdout, /^removed: +-$/m);
      const twoSwan1 = await c.waitFor((sas) => {
        const ch = swanChild(sas, 'two');
        return ch && ch.spiIn !== twoSwan0.spiIn && swanChild(sas, 'three') ? ch : undefined;
      }, 20_000);
      assert.deepEqual([twoSwan1.encrAlg, twoSwan1.encrKeysize, twoSwan1.integAlg], ['AES_CBC', 256, 'HMAC_SHA2_256_128'], 'two runs under its new proposal');
      assert.equal(c.listSas().filter((sa) => sa.name === 'two').length, 1, 'the old IKE SA of two is deleted at strongSwan');
      assert.match(await through(1), / 0% packet loss/);
      assert.match(await through(2), / 0% packet loss/);

      // 2. SIGHUP: two's proposal changes back, three is removed.
      writeFileSync(file, gatewayYaml(t, dir, [one, two]));
      g.proc.kill('SIGHUP');
      const twoSwan2 = await c.waitFor((sas) => {
        const ch = swanChild(sas, 'two');
        return ch && ch.spiIn !== twoSwan1.spiIn && !sas.some((sa) => sa.name === 'three') ? ch : undefined;
      }, 20_000);
      assert.equal(twoSwan2.encrAlg, 'AES_GCM_16');
      await waitUntil(() => g.events().filter((e) => e.event === 'config.reloaded').length === 2, 10_000, 'the SIGHUP reload logged');
      const reloaded = g.events().filter((e) => e.event === 'config.reloaded');
      assert.deepEqual(reloaded.map((e) => [e.kept, e.replaced, e.added, e.removed]), [[['one'], ['two'], ['three'], []], [['one'], ['two'], [], ['three']]]);
      assert.equal(t.exec(t.gwA, 'ip', ['route', 'show', '10.2.2.0/24']).trim(), '', 'three\'s route into the TUN device is gone');
      assert.match(await through(1), / 0% packet loss/);

      // 3. An error in the file: neither `ipsecgw reload` nor SIGHUP changes anything.
      const settled = await ours(g);
      writeFileSync(file, gatewayYaml(t, dir, [one, { ...two, esp: 'aes256-sha256' }], { broken: true }));
      const r3 = await cliReload(g.socket);
      assert.equal(r3.code, EXIT.CONFIG);
      assert.match(r3.stderr, /gwa\.yaml:\d+:\d+: .*aes128gcm17/);
      g.proc.kill('SIGHUP');
      await waitUntil(() => g.events().filter((e) => e.event === 'config.reload_failed').length === 2, 10_000, 'the SIGHUP reload refused');
      assert.ok(g.events().some((e) => e.event === 'config.error' && /gwa\.yaml:\d+:\d+: /.test(String(e.msg))), 'errors logged as FILE:LINE:COL');
      const after = await ours(g);
      assert.deepEqual(after.children.map((x) => [x.conn, x.spiIn]).sort(), settled.children.map((x) => [x.conn, x.spiIn]).sort(), 'nothing changed');
      assert.equal(g.events().filter((e) => e.event === 'config.reloaded').length, 2);

      // The ping through one, all the while: no gap, and its SAs are those of the start.
      const p = await pinging.stop();
      assert.ok(p.replies.size > 0, p.text);
      const last = Math.max(...p.replies);
      const missing = Array.from({ length: last }, (_, i) => i + 1).filter((n) => !p.replies.has(n));
      assert.ok(p.sent >= 10, `the ping ran (${p.sent} sent)`);
      assert.deepEqual(missing, [], `pings lost through one:\n${p.text}`);
      // The last ones may still be on their way when it stops (a second's worth, on a busy machine).
      assert.ok(p.sent - last <= 10, `replies stopped coming through one:\n${p.text}`);
      assert.deepEqual(activeChild(after, 'one').map((x) => [x.spiIn, x.spiOut]), oneChild.map((x) => [x.spiIn, x.spiOut]), 'one kept its CHILD SA');
      assert.deepEqual(after.ike.find((x) => x.conn === 'one' && x.state === 'established')?.spiI, oneIke?.spiI, 'one kept its IKE SA');
      const swanAfter = c.listSas();
      const oneSwanAfter = swanAfter.find((sa) => sa.name === 'one')!;
      assert.equal(oneSwanAfter.uniqueid, oneSwan.ike.uniqueid, 'strongSwan kept one\'s IKE SA');
      assert.deepEqual([swanChild(swanAfter, 'one')?.spiIn, swanChild(swanAfter, 'one')?.spiOut], [oneSwan.child.spiIn, oneSwan.child.spiOut], 'strongSwan kept one\'s CHILD SA');
      assert.equal(await gw.stop(), 0);
    } finally {
      await gw?.stop().catch(() => undefined);
      await charon?.stop().catch(() => undefined);
      t.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
