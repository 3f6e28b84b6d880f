// IKEv1 between ipsecgw (gwA) and strongSwan 5.9.8 with kernel-libipsec (gwB), in namespaces:
// hA — gwA ==== gwB — hB. Both roles; traffic hA ↔ hB in every case; what strongSwan says it
// negotiated (swanctl --list-sas) checked against what we asked for.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSite, type Site, type SiteCase } from '../src/lab/ike.js';
import { canUseNetns, createTopology, type Topology } from '../src/lab/netns.js';
import { canUseStrongswan, type SwanSa } from '../src/lab/strongswan.js';

const skip = canUseNetns() ?? canUseStrongswan() ?? undefined;

/** Pings until one answers (the first may trigger or wait for the SA), then `count` that all must. */
export async function ping(t: Topology, from: string, to: string, count = 3): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if (t.exec(from, 'ping', ['-c', '1', '-W', '1', to], { allowFail: true }).includes(' 0% packet loss')) break;
    await sleep(100);
  }
  assert.match(t.exec(from, 'ping', ['-c', String(count), '-i', '0.2', '-W', '2', to]), / 0% packet loss/);
}

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A topology and both gateways for one case; everything goes at the end of the file's tests. */
async function site(c: SiteCase, nat = false): Promise<{ t: Topology; s: Site }> {
  const t = createTopology({ nat });
  cleanups.push(() => t.destroy());
  const s = await startSite(t, c);
  cleanups.push(() => s.stop());
  return { t, s };
}

async function established(s: Site, c: SiteCase): Promise<SwanSa> {
  if (c.initiator === 'strongswan') await s.charon.initiate('lan', { timeoutSec: 20 });
  return s.charon.waitFor((sas) => sas.find((sa) => sa.state === 'ESTABLISHED' && sa.children.some((ch) => ch.state === 'INSTALLED')), 20_000);
}

describe('IKEv1 against strongSwan', { skip }, () => {
  for (const initiator of ['ipsecgw', 'strongswan'] as const) {
    it(`main mode, PSK, ${initiator} initiates`, async () => {
      const c: SiteCase = { version: 1, mode: 'main', initiator, ike: ['aes128-sha256-modp2048'], esp: ['aes128gcm16'] };
      const { t, s } = await site(c);
      const sa = await established(s, c);
      assert.equal(sa.version, 1);
      await ping(t, t.hA, t.addr.hB.lan4);
      await ping(t, t.hB, t.addr.hA.lan4);
    });
  }
});
