// SIGTERM ends the gateway cleanly (DESIGN.md, `ipsecgw run`; docs/service.md): every IKE SA is
// deleted with a Delete to the peer before the process exits 0 — RFC 7296 §1.4.1 (an INFORMATIONAL
// with a Delete payload for the IKE SA, which takes its CHILD SAs with it) and, for IKEv1, RFC 2408
// §4.8 / RFC 2409 §5.7 (ISAKMP Delete notifications in an Informational exchange). Against
// strongSwan in namespaces (src/lab/ike.ts): the peer must drop its SAs at once — strongSwan here
// runs without DPD, so nothing but the Delete can make it forget them. strongSwan's kernel-libipsec
// always moves IKE to port 4500 (it fakes a NAT); two ipsecgw gateways without a NAT keep IKE on 500,
// whose socket is node:dgram's — the path where a Delete could be lost to a socket closed too early.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LAB_PSK, type SiteCase } from '../src/lab/ike.js';
import { runGateway } from '../src/lab/gateways.js';
import { canUseNetns, type Topology } from '../src/lab/netns.js';
import { canUseStrongswan } from '../src/lab/strongswan.js';
import { EXIT } from '../src/cli/exit-codes.js';
import { atEnd, established, site, topology, waitUntil } from './util/interop.js';

const skip = canUseNetns() ?? canUseStrongswan() ?? undefined;

// What strongSwan logs for what it received: IKEv2 deletes the IKE SA alone (its children go with it,
// RFC 7296 §1.4.1); IKEv1 has no such tie, so each phase 2 SA gets a Delete of its own, then phase 1.
const IKEV2 = [/received DELETE for IKE_SA site\[1\]/];
const IKEV1 = [/received DELETE for ESP CHILD_SA with SPI/, /received DELETE for IKE_SA site\[1\]/];
const CASES: Array<{ name: string; c: SiteCase; deletes: RegExp[] }> = [
  { name: 'IKEv2, ipsecgw initiated', c: { version: 2, initiator: 'ipsecgw', ike: ['aes128-sha256-modp2048'], esp: ['aes128gcm16'] }, deletes: IKEV2 },
  { name: 'IKEv2, strongSwan initiated', c: { version: 2, initiator: 'strongswan', ike: ['aes128-sha256-modp2048'], esp: ['aes128gcm16'] }, deletes: IKEV2 },
  { name: 'IKEv1 main mode', c: { version: 1, mode: 'main', initiator: 'ipsecgw', ike: ['aes128-sha256-modp2048'], esp: ['aes128-sha256'] }, deletes: IKEV1 },
];

describe('SIGTERM deletes the SAs at the peer before exiting', { skip }, () => {
  for (const { name, c, deletes } of CASES) {
    it(`${name}: strongSwan has no SA left once ipsecgw is gone`, { timeout: 60_000 }, async () => {
      const { s } = await site(c);
      await established(s, c);
      assert.equal(s.charon.conf.connections.site.dpd_delay, undefined, 'strongSwan runs without DPD here');
      const code = await s.gw.stop();
      assert.equal(code, EXIT.SUCCESS, `ipsecgw exits ${EXIT.SUCCESS} after SIGTERM\n${s.gw.logs.join('')}`);
      // The Delete went out before the exit; strongSwan acts on it as it arrives.
      await s.charon.waitFor((sas) => sas.length === 0, 3000);
      for (const d of deletes) assert.match(s.charon.log(), d);
      const stopping = s.gw.events().find((e) => e.event === 'gateway.stopping');
      assert.equal(stopping?.signal, 'SIGTERM');
    });
  }
});

/** One side of an ipsecgw ↔ ipsecgw IKE pair on the wire's IPv4 addresses; gwA initiates. */
function pairYaml(t: Topology, dir: string, side: 'A' | 'B', version: 1 | 2): string {
  const [me, peer] = side === 'A' ? [t.addr.gwA, t.addr.gwB] : [t.addr.gwB, t.addr.gwA];
  const [lts, rts] = side === 'A' ? [t.addr.netA4, t.addr.netB4] : [t.addr.netB4, t.addr.netA4];
  return [
    'gateway:', `  name: gw${side.toLowerCase()}`, `  listen: [${me.wire4}]`, `  socket: ${join(dir, `${side}.sock`)}`,
    'connections:', '  site:', `    version: ${version}`,
    `    local: { address: ${me.wire4}, id: ${me.wire4}, auth: psk }`,
    `    remote: { address: ${peer.wire4}, id: ${peer.wire4}, auth: psk }`,
    `    psk: { file: ${join(dir, 'psk')} }`,
    '    ike: { proposals: [aes128-sha256-modp2048] }',
    '    children:', '      lan:', `        local-ts: [${lts}]`, `        remote-ts: [${rts}]`,
    '        proposals: [aes128gcm16]', `        start: ${side === 'A' ? 'start' : 'none'}`, '',
  ].join('\n');
}

describe('SIGTERM deletes the SAs at an ipsecgw peer, IKE on port 500', { skip: canUseNetns() ?? undefined }, () => {
  for (const version of [2, 1] as const) {
    it(`IKEv${version}: the peer logs the Delete`, { timeout: 60_000 }, async () => {
      const t = topology();
      const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-sigterm-'));
      atEnd(() => rmSync(dir, { recursive: true, force: true }));
      writeFileSync(join(dir, 'psk'), LAB_PSK, { mode: 0o600 });
      for (const side of ['A', 'B'] as const) writeFileSync(join(dir, `${side}.yaml`), pairYaml(t, dir, side, version));
      const b = await runGateway(t, t.gwB, join(dir, 'B.yaml'), join(dir, 'B.sock'));
      atEnd(() => b.stop().then(() => undefined));
      const a = await runGateway(t, t.gwA, join(dir, 'A.yaml'), join(dir, 'A.sock'));
      atEnd(() => a.stop().then(() => undefined));
      const up = (): Record<string, unknown> | undefined => a.events().find((e) => e.event === 'ike.established');
      await waitUntil(() => up() !== undefined && b.events().some((e) => e.event === 'ike.established'), 20_000, 'the IKE SA');
      assert.equal(up()!.local, `${t.addr.gwA.wire4}:500`, 'no NAT: IKE stays on port 500');
      assert.equal(await a.stop(), EXIT.SUCCESS, a.logs.join(''));
      await waitUntil(() => b.events().some((e) => e.event === 'ike.deleted' && e.by === 'peer'), 3000, "the peer's ike.deleted");
    });
  }
});
