// The strongSwan lab harness (src/lab/strongswan.ts, src/lab/netns.ts), strongSwan against strongSwan:
// IKEv1 main mode, IKEv1 aggressive mode (legacy algorithms), IKEv2, and IKEv1 main mode through the
// NAT namespace — each with pings hA ↔ hB through the tunnel and what listSas() says was negotiated on
// both ends. Afterwards no namespace, /etc/netns directory or charon of ours may be left.
// The interop tests against ipsecgw build on exactly these pieces.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { canUseNat, canUseNetns, createTopology, type Topology, type TopologyOptions } from '../src/lab/netns.js';
import { canUseStrongswan, startCharon, type Charon, type SwanConfig, type SwanSa } from '../src/lab/strongswan.js';

const skip = canUseNetns() ?? canUseStrongswan();
const skipNat = skip ?? canUseNat();

const ID_A = 'gw-a.lab.example', ID_B = 'gw-b.lab.example';
// Spaces, quotes and a backslash: the rendering must quote and escape it for swanctl.conf.
const PSK = 'lab "psk" \\ not a secret';

interface Case {
  version: 1 | 2;
  aggressive?: boolean;
  proposals: string;
  esp: string;
}

/** One side of the site-to-site connection "site", child "lan"; gwB responds to anyone (%any). */
function site(t: Topology, side: 'A' | 'B', c: Case): SwanConfig {
  const a = t.addr, isA = side === 'A';
  return {
    connections: {
      site: {
        version: c.version,
        aggressive: c.aggressive,
        local_addrs: isA ? a.gwA.wire4 : a.gwB.wire4,
        remote_addrs: isA ? a.gwB.wire4 : '%any',
        proposals: c.proposals,
        local: { auth: 'psk', id: isA ? ID_A : ID_B },
        remote: { auth: 'psk', id: isA ? ID_B : ID_A },
        dpd_delay: '2s',
        children: {
          lan: {
            local_ts: isA ? a.netA4 : a.netB4,
            remote_ts: isA ? a.netB4 : a.netA4,
            esp_proposals: c.esp,
            start_action: 'none',
          },
        },
      },
    },
    secrets: { ike: [{ secret: PSK, ids: [ID_A, ID_B] }] },
    // Failures end in seconds rather than minutes; aggressive mode with a PSK needs the opt-in.
    charon: { retransmit_timeout: 1, retransmit_tries: 2, i_dont_care_about_security_and_use_aggressive_mode_psk: c.aggressive },
  };
}

/** A ping that must come back: first until one answers, then three that all must. */
async function ping(t: Topology, from: string, to: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    if (!t.exec(from, 'ping', ['-c', '1', '-W', '1', to], { allowFail: true }).includes(' 0% packet loss')) await sleep(100);
    else break;
  }
  assert.match(t.exec(from, 'ping', ['-c', '3', '-i', '0.2', '-W', '2', to]), / 0% packet loss/);
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(execFileSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' })); // a zombie is dead enough
  } catch {
    return false;
  }
};

/** Builds the topology, runs fn, destroys everything — then checks that it is really gone. */
async function lab(opts: TopologyOptions, fn: (t: Topology, started: Charon[]) => Promise<void>): Promise<void> {
  const t = createTopology(opts);
  const started: Charon[] = [];
  const pids = new Set<number>();
  try {
    await fn(t, started);
  } catch (err) {
    const logs = started.map((c) => `--- charon in ${c.ns} ---\n${c.log().split('\n').slice(-80).join('\n')}`).join('\n');
    throw Object.assign(err as Error, { message: `${(err as Error).message}\n${logs}` });
  } finally {
    for (const c of started) pids.add(c.pid);
    const exits = started.map((c) => (c.proc.exitCode !== null || c.proc.signalCode !== null ? Promise.resolve() : new Promise((r) => c.proc.once('exit', r))));
    t.destroy();
    await Promise.race([Promise.all(exits), sleep(5000)]);
  }
  const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const n of t.namespaces) {
    assert.ok(!new RegExp(`^${n}\\b`, 'm').test(left), `namespace ${n} left behind`);
    assert.ok(!existsSync(`/etc/netns/${n}`), `/etc/netns/${n} left behind`);
  }
  for (const pid of pids) assert.ok(!alive(pid), `charon ${pid} still running`);
}

/** Both charons, configured for case c; gwA initiates "lan". Returns [initiator, responder]. */
async function pair(t: Topology, started: Charon[], c: Case): Promise<[Charon, Charon]> {
  const b = await startCharon(t, t.gwB, site(t, 'B', c));
  started.push(b);
  const a = await startCharon(t, t.gwA, site(t, 'A', c));
  started.push(a);
  await a.initiate('lan', { timeoutSec: 10 });
  return [a, b];
}

const only = (sas: SwanSa[]): SwanSa => {
  assert.equal(sas.length, 1, `one IKE SA: ${JSON.stringify(sas.map((s) => s.name))}`);
  assert.equal(sas[0].children.length, 1, 'one CHILD_SA');
  return sas[0];
};

/** What both ends must agree on, and what kernel-libipsec forces: UDP 4500, encapsulated ESP. */
function agreed(a: SwanSa, b: SwanSa, version: 1 | 2): void {
  for (const s of [a, b]) {
    assert.equal(s.name, 'site');
    assert.equal(s.version, version);
    assert.equal(s.state, 'ESTABLISHED');
    assert.equal(s.localPort, 4500, 'floated to 4500 (libipsec forces UDP encapsulation)');
    assert.equal(s.remotePort, 4500);
    assert.ok(s.natRemote && s.natAny, 'each charon fakes NAT detection for the other');
    const ch = s.children[0];
    assert.equal(ch.name, 'lan');
    assert.equal(ch.state, 'INSTALLED');
    assert.equal(ch.mode, 'TUNNEL');
    assert.equal(ch.protocol, 'ESP');
    assert.equal(ch.encap, true);
    assert.match(ch.spiIn, /^[0-9a-f]{8}$/);
  }
  assert.ok(a.initiator && !b.initiator);
  assert.equal(a.initiatorSpi, b.initiatorSpi);
  assert.equal(a.responderSpi, b.responderSpi);
  assert.equal(a.localId, ID_A);
  assert.equal(a.remoteId, ID_B);
  assert.equal(b.remoteId, ID_A);
  for (const k of ['encrAlg', 'encrKeysize', 'integAlg', 'prfAlg', 'dhGroup'] as const) assert.equal(a[k], b[k], k);
  const ca = a.children[0], cb = b.children[0];
  assert.equal(ca.spiIn, cb.spiOut);
  assert.equal(ca.spiOut, cb.spiIn);
  assert.deepEqual([ca.localTs, ca.remoteTs], [['10.1.0.0/24'], ['10.2.0.0/24']]);
  assert.deepEqual([cb.localTs, cb.remoteTs], [['10.2.0.0/24'], ['10.1.0.0/24']]);
  for (const k of ['encrAlg', 'encrKeysize', 'integAlg', 'dhGroup'] as const) assert.equal(ca[k], cb[k], k);
}

/** Pings both ways; the CHILD_SAs count them on both ends. */
async function traffic(t: Topology, a: Charon, b: Charon): Promise<void> {
  await ping(t, t.hA, t.addr.hB.lan4);
  await ping(t, t.hB, t.addr.hA.lan4);
  for (const c of [a, b]) {
    const ch = only(c.listSas()).children[0];
    assert.ok(ch.packetsIn >= 4 && ch.packetsOut >= 4, `${c.ns}: packets in ${ch.packetsIn}, out ${ch.packetsOut}`);
  }
}

describe('strongSwan ↔ strongSwan through the lab harness', { skip: skip ?? false }, () => {
  test('IKEv1 main mode, PSK, PFS', { timeout: 30_000 }, () => lab({}, async (t, started) => {
    const c: Case = { version: 1, proposals: 'aes128-sha256-modp2048', esp: 'aes128-sha256-modp2048' };
    const [a, b] = await pair(t, started, c);
    const sa = only(a.listSas()), sb = only(b.listSas());
    agreed(sa, sb, 1);
    assert.deepEqual([sa.encrAlg, sa.encrKeysize, sa.integAlg, sa.prfAlg, sa.dhGroup], ['AES_CBC', 128, 'HMAC_SHA2_256_128', 'PRF_HMAC_SHA2_256', 'MODP_2048']);
    const ch = sa.children[0];
    assert.deepEqual([ch.encrAlg, ch.encrKeysize, ch.integAlg, ch.dhGroup], ['AES_CBC', 128, 'HMAC_SHA2_256_128', 'MODP_2048'], 'PFS group in the CHILD_SA');
    assert.match(a.log(), /initiating Main Mode IKE_SA site\[1\]/);
    // No NAT here: the responder sees gwA's own address.
    assert.equal(sb.remoteHost, t.addr.gwA.wire4);
    assert.ok(!sa.natLocal && !sb.natLocal);
    await traffic(t, a, b);
  }));

  test('IKEv1 aggressive mode, PSK, legacy 3DES / SHA-1 / MD5 / MODP-1024', { timeout: 30_000 }, () => lab({}, async (t, started) => {
    const c: Case = { version: 1, aggressive: true, proposals: '3des-sha1-modp1024', esp: '3des-md5' };
    const [a, b] = await pair(t, started, c);
    const sa = only(a.listSas()), sb = only(b.listSas());
    agreed(sa, sb, 1);
    assert.deepEqual([sa.encrAlg, sa.integAlg, sa.prfAlg, sa.dhGroup], ['3DES_CBC', 'HMAC_SHA1_96', 'PRF_HMAC_SHA1', 'MODP_1024']);
    const ch = sa.children[0];
    assert.deepEqual([ch.encrAlg, ch.integAlg, ch.dhGroup], ['3DES_CBC', 'HMAC_MD5_96', undefined], 'no PFS');
    assert.match(a.log(), /initiating Aggressive Mode IKE_SA site\[1\]/);
    assert.doesNotMatch(b.log(), /Aggressive Mode PSK disabled for security reasons/);
    await traffic(t, a, b);
  }));

  test('IKEv2, PSK, AES-GCM and X25519; rekey, terminate', { timeout: 30_000 }, () => lab({}, async (t, started) => {
    const c: Case = { version: 2, proposals: 'aes128gcm16-prfsha256-x25519', esp: 'aes128gcm16' };
    const [a, b] = await pair(t, started, c);
    const sa = only(a.listSas()), sb = only(b.listSas());
    agreed(sa, sb, 2);
    assert.deepEqual([sa.encrAlg, sa.encrKeysize, sa.integAlg, sa.prfAlg, sa.dhGroup], ['AES_GCM_16', 128, undefined, 'PRF_HMAC_SHA2_256', 'CURVE_25519']);
    const ch = sa.children[0];
    assert.deepEqual([ch.encrAlg, ch.encrKeysize, ch.integAlg, ch.dhGroup], ['AES_GCM_16', 128, undefined, undefined]);
    await traffic(t, a, b);

    // A CHILD_SA rekey (CREATE_CHILD_SA): new SPIs on both ends, traffic on the new SA.
    await a.rekey({ child: 'lan' });
    const rekeyed = await b.waitFor((sas) => {
      const kids = sas[0]?.children.filter((k) => k.state === 'INSTALLED') ?? [];
      return kids.length === 1 && kids[0].spiIn !== ch.spiOut ? kids[0] : undefined;
    });
    await a.waitFor((sas) => sas[0]?.children.some((k) => k.state === 'INSTALLED' && k.spiOut === rekeyed.spiIn));
    // The old one lingers as DELETED for charon.delete_rekeyed_delay (5 s) before it goes.
    assert.ok(a.listSas()[0].children.every((k) => k.state === 'INSTALLED' || k.state === 'DELETED'));
    await ping(t, t.hA, t.addr.hB.lan4);

    // Terminating on one end deletes the IKE SA on the other.
    await a.terminate({ ike: 'site' });
    await b.waitFor((sas) => sas.length === 0, 5000);
    assert.deepEqual(a.listSas(), []);
  }));
});

describe('strongSwan ↔ strongSwan through the NAT namespace', { skip: skipNat ?? false }, () => {
  test('IKEv1 main mode behind NAT: detected on both ends, 4500, traffic; a moved mapping is followed', { timeout: 40_000 }, () => lab({ nat: true }, async (t, started) => {
    assert.ok(t.addr.nat && t.nat);
    assert.notEqual(t.addr.gwA.wire4, t.addr.gwA.seen4);
    const c: Case = { version: 1, proposals: 'aes256-sha256-ecp256', esp: 'aes256gcm16-ecp256' };
    const [a, b] = await pair(t, started, c);
    const sa = only(a.listSas()), sb = only(b.listSas());
    agreed(sa, sb, 1);
    assert.equal(sa.localHost, t.addr.gwA.wire4, 'gwA uses its private address');
    assert.equal(sb.remoteHost, t.addr.gwA.seen4, 'gwB sees the NAT\'s outer address');
    assert.ok(sa.natLocal, 'gwA detects that it is behind the NAT');
    assert.ok(!sb.natLocal, 'gwB is not behind a NAT');
    assert.equal(sa.children[0].dhGroup, 'ECP_256');
    assert.match(a.log(), /local host is behind NAT, sending keep alives/);
    // Linux masquerade keeps free source ports: 500 → 500, 4500 → 4500.
    const m = t.nat.mappings().filter((x) => x.proto === 'udp' && x.src === t.addr.gwA.wire4);
    assert.deepEqual(m.map((x) => `${x.sport}→${x.mappedSrc}:${x.mappedSport}`).sort(), [`4500→${t.addr.gwA.seen4}:4500`, `500→${t.addr.gwA.seen4}:500`]);
    await traffic(t, a, b);

    // The NAT forgets its mappings and hands out another port: gwA's next message (a DPD, every 2 s)
    // arrives from it, and gwB moves the IKE SA and its ESP there.
    t.nat.flush({ newPort: true });
    const range = t.nat.portRange!;
    const moved = await b.waitFor((sas) => (sas[0] && sas[0].remotePort !== 4500 ? sas[0] : undefined), 10_000);
    assert.ok(moved.remotePort >= range[0] && moved.remotePort <= range[1], `new port ${moved.remotePort} in ${range.join('–')}`);
    await ping(t, t.hA, t.addr.hB.lan4);
    await ping(t, t.hB, t.addr.hA.lan4);
  }));
});
