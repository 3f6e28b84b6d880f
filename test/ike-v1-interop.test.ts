// IKEv1 between ipsecgw (gwA) and strongSwan 5.9.8 with kernel-libipsec (gwB), in namespaces:
// hA — gwA ==== gwB — hB (with a NAT namespace between the gateways where the case says so). Both
// roles; traffic hA ↔ hB in every case; what strongSwan says it negotiated (swanctl --list-sas)
// checked against what we asked for. strongSwan's kernel-libipsec always fakes a NAT, so every
// case also exercises NAT-T: the float to 4500 and UDP-encapsulated ESP.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SiteCase } from '../src/lab/ike.js';
import { canUseNat, canUseNetns } from '../src/lab/netns.js';
import { canUseStrongswan } from '../src/lab/strongswan.js';
import { BOTH, atEnd, bothWays, established, events, installed, ping, pingFor, site, waitUntil } from './util/interop.js';
import { Pki } from './util/pki.js';

const skip = canUseNetns() ?? canUseStrongswan() ?? undefined;
const skipNat = skip ?? canUseNat() ?? undefined;

describe('IKEv1 against strongSwan', { skip }, () => {
  let pki: Pki;
  before(() => {
    pki = new Pki();
    atEnd(() => pki.remove());
    pki.key('ca', 'rsa');
    pki.cert('ca', '/C=CH/O=ipsecgw lab/CN=Lab Root CA', 'root');
    for (const gw of ['gwa', 'gwb']) {
      pki.key(gw, 'rsa');
      pki.cert(gw, `/C=CH/O=ipsecgw lab/CN=${gw}.lab.example`, 'leaf', { issuer: 'ca', san: `DNS:${gw}.lab.example` });
    }
  });
  const certs = (ids: boolean): SiteCase['certs'] => ({
    ca: pki.path('ca.crt'),
    a: { cert: pki.path('gwa.crt'), key: pki.path('gwa.key'), id: ids ? 'gwa.lab.example' : undefined },
    b: { cert: pki.path('gwb.crt'), key: pki.path('gwb.key'), id: ids ? 'gwb.lab.example' : undefined },
  });

  for (const initiator of BOTH) {
    it(`main mode, PSK, ${initiator} initiates`, async () => {
      const c: SiteCase = { version: 1, mode: 'main', initiator, ike: ['aes128-sha256-modp2048'], esp: ['aes128gcm16'] };
      const { t, s } = await site(c);
      const sa = await established(s, c);
      assert.equal(sa.version, 1);
      assert.equal(sa.encrAlg, 'AES_CBC');
      assert.equal(installed(sa).encrAlg, 'AES_GCM_16');
      assert.ok(sa.natAny, 'kernel-libipsec makes it UDP-encapsulated');
      await bothWays(t);
    });

    it(`aggressive mode, PSK, ${initiator} initiates`, async () => {
      const c: SiteCase = { version: 1, mode: 'aggressive', initiator, ike: ['aes256-sha256-modp3072'], esp: ['aes256-sha256'] };
      const { t, s } = await site(c);
      const sa = await established(s, c);
      assert.equal(sa.encrKeysize, 256);
      assert.equal(installed(sa).integAlg, 'HMAC_SHA2_256_128');
      // The loader's warning, which `ipsecgw run` logs as config.warning.
      assert.equal(events(s, 'config.warning').filter((e) => /aggressive mode with a PSK/.test(String(e.msg))).length, 1, 'ipsecgw warns about aggressive mode with a PSK');
      await bothWays(t);
    });

    it(`main mode, RSA certificates, ${initiator} initiates`, async () => {
      const c: SiteCase = {
        version: 1, mode: 'main', auth: 'pubkey', initiator, ike: ['aes128-sha256-ecp256'], esp: ['aes128-sha256'],
        certs: certs(initiator === 'ipsecgw'),
      };
      const { t, s } = await site(c);
      const sa = await established(s, c);
      assert.equal(sa.remoteId, initiator === 'ipsecgw' ? 'gwa.lab.example' : 'C=CH, O=ipsecgw lab, CN=gwa.lab.example');
      await bothWays(t);
    });
  }

  it('PFS: a fresh D-H exchange in Quick Mode, both ways', async () => {
    for (const [initiator, pfs] of [['ipsecgw', 'modp2048'], ['strongswan', 'ecp256']] as const) {
      const c: SiteCase = { version: 1, initiator, ike: ['aes128-sha256-modp2048'], esp: ['aes128gcm16'], pfs };
      const { t, s } = await site(c);
      const sa = await established(s, c);
      assert.equal(installed(sa).dhGroup, pfs === 'modp2048' ? 'MODP_2048' : 'ECP_256');
      await bothWays(t);
    }
  });

  it('proposal lists: the responder takes the first of its own that the initiator offers', async () => {
    const ike = ['aes128-sha1-modp2048', 'aes256-sha256-modp3072', '3des-sha1-modp1536'];
    const esp = ['aes128-sha1', 'aes256gcm16', 'aes256-sha256'];
    const swanIke = ['aes256-sha512-modp4096', 'aes256-sha256-modp3072', 'aes128-sha1-modp2048'];
    const swanEsp = ['aes256-sha256', 'aes256gcm16', 'aes128-sha1'];
    for (const initiator of BOTH) {
      const c: SiteCase = { version: 1, initiator, ike, esp, swanIke, swanEsp };
      const { t, s } = await site(c);
      const sa = await established(s, c);
      // The responder's preference wins: strongSwan's order, or ours.
      const [wantIke, wantEsp] = initiator === 'ipsecgw' ? [['AES_CBC', 256, 'MODP_3072'], ['AES_CBC', 'HMAC_SHA2_256_128']] : [['AES_CBC', 128, 'MODP_2048'], ['AES_CBC', 'HMAC_SHA1_96']];
      assert.deepEqual([sa.encrAlg, sa.encrKeysize, sa.dhGroup], wantIke);
      assert.deepEqual([installed(sa).encrAlg, installed(sa).integAlg], wantEsp);
      await bothWays(t);
    }
  });

  it("single DES ('allow-weak: [des]'): des-sha1-modp1024 and des-sha1 ESP, both roles", async () => {
    for (const initiator of BOTH) {
      const c: SiteCase = { version: 1, initiator, ike: ['des-sha1-modp1024'], esp: ['des-sha1'], allowWeak: ['des'] };
      const { t, s } = await site(c);
      const sa = await established(s, c);
      assert.deepEqual([sa.encrAlg, sa.integAlg, sa.dhGroup], ['DES_CBC', 'HMAC_SHA1_96', 'MODP_1024']);
      assert.deepEqual([installed(sa).encrAlg, installed(sa).integAlg], ['DES_CBC', 'HMAC_SHA1_96']);
      assert.ok(events(s, 'config.warning').some((e) => /'des': single DES/.test(String(e.msg))), 'ipsecgw warns about DES at start');
      await bothWays(t);
    }
  });

  it('a proposal mismatch fails with NO-PROPOSAL-CHOSEN, either way round', async () => {
    const base = { version: 1 as const, esp: ['aes128gcm16'], ike: ['aes128-sha256-modp2048'], swanIke: ['aes256-sha512-ecp384'] };
    {
      const { s } = await site({ ...base, initiator: 'ipsecgw' });
      await waitUntil(() => events(s, 'proposal.mismatch').length > 0, 10_000, 'ipsecgw to hear NO_PROPOSAL_CHOSEN');
      assert.equal(events(s, 'proposal.mismatch')[0].notify, 'NO_PROPOSAL_CHOSEN');
    }
    {
      const c: SiteCase = { ...base, initiator: 'strongswan' };
      const { s } = await site(c);
      await s.charon.initiate('lan', { timeoutSec: 10 }).catch(() => {});
      assert.match(s.charon.log(), /received NO_PROPOSAL_CHOSEN error notify/);
      assert.ok(events(s, 'proposal.mismatch').length > 0);
    }
    {
      // Phase 2 only: the ISAKMP SA stands, Quick Mode is refused with a protected notify.
      const c: SiteCase = { version: 1, initiator: 'strongswan', ike: ['aes128-sha256-modp2048'], esp: ['aes128gcm16'], swanEsp: ['aes256-sha512'] };
      const { s } = await site(c);
      await s.charon.initiate('lan', { timeoutSec: 10 }).catch(() => {});
      assert.match(s.charon.log(), /received NO_PROPOSAL_CHOSEN error notify/);
    }
  });

  for (const initiator of BOTH) {
    it(`Quick Mode rekeys under a running ping lose nothing (${initiator} rekeys)`, async () => {
      const c: SiteCase = {
        version: 1, initiator, ike: ['aes128-sha256-modp2048'], esp: ['aes128gcm16'], pfs: 'ecp256',
        // The side that rekeys has the short lifetime: ipsecgw 10 s (rekey at 8-9 s), or strongSwan 8 s.
        childLifetime: initiator === 'ipsecgw' ? 10 : 60,
        swanChild: initiator === 'ipsecgw' ? { rekey_time: '60s' } : { rekey_time: '8s', life_time: '12s', rand_time: '1s' },
      };
      const { t, s } = await site(c);
      await established(s, c);
      await ping(t, t.hA, t.addr.hB.lan4);
      const out = await pingFor(t, t.hA, t.addr.hB.lan4, 22);
      assert.match(out, / 0% packet loss/, out.split('\n').slice(-3).join('\n'));
      assert.ok(events(s, 'child.rekeyed').length >= 2, `rekeyed ${events(s, 'child.rekeyed').length} times`);
      // The old SAs went away: one pair left on each side.
      await waitUntil(() => s.charon.listSas()[0]?.children.filter((ch) => ch.state === 'INSTALLED').length === 1, 8000, 'one INSTALLED child at strongSwan');
    });
  }

  it('through a NAT (nftables masquerade, ports remapped), ipsecgw behind it', { skip: skipNat }, async () => {
    const c: SiteCase = { version: 1, initiator: 'ipsecgw', ike: ['aes128-sha256-modp2048'], esp: ['aes128gcm16'] };
    const { t, s } = await site(c, 'remap');
    const sa = await established(s, c);
    assert.ok(sa.natRemote, 'strongSwan sees ipsecgw behind a NAT');
    assert.notEqual(sa.remotePort, 4500, 'the NAT moved our port');
    assert.equal(sa.remoteHost, t.addr.gwA.seen4);
    // strongSwan may list the SA before our log line for it has come through the pipe.
    await waitUntil(() => events(s, 'ike.established').length > 0, 5000, 'ipsecgw to log ike.established');
    const ike = events(s, 'ike.established')[0] as { nat: { local: boolean } };
    assert.ok(ike.nat.local, 'ipsecgw knows it is behind a NAT');
    await bothWays(t);
  });

  it('on demand: a trap policy negotiates on the first packet (start: trap)', async () => {
    const c: SiteCase = { version: 1, initiator: 'ipsecgw', trap: true, ike: ['aes128-sha256-modp2048'], esp: ['aes128gcm16'] };
    const { t, s } = await site(c);
    await sleep(1000);
    assert.equal(s.charon.listSas().length, 0, 'nothing negotiated before traffic');
    await ping(t, t.hA, t.addr.hB.lan4);
    await waitUntil(() => events(s, 'child.acquire').length > 0, 5000, 'ipsecgw to log child.acquire');
    assert.equal(events(s, 'child.acquire').length, 1);
    await ping(t, t.hB, t.addr.hA.lan4);
  });

  it('DPD: a killed peer is declared dead and its SAs cleared', async () => {
    const c: SiteCase = {
      version: 1, initiator: 'ipsecgw', ike: ['aes128-sha256-modp2048'], esp: ['aes128gcm16'],
      dpd: { delay: '1s', action: 'clear', timeout: '4s' }, swanDpd: { dpd_delay: '1s' },
    };
    const { t, s } = await site(c);
    await established(s, c);
    await bothWays(t);
    await sleep(2500); // R-U-THERE both ways, answered
    assert.equal(events(s, 'dpd.timeout').length, 0);
    await s.charon.kill('SIGKILL');
    await waitUntil(() => events(s, 'dpd.timeout').length > 0, 15_000, 'dpd.timeout');
    await waitUntil(() => events(s, 'child.deleted').length > 0, 5000, 'the child removed');
  });

  it('a restarted peer (INITIAL-CONTACT) replaces the old SAs', async () => {
    const c: SiteCase = { version: 1, initiator: 'strongswan', ike: ['aes128-sha256-modp2048'], esp: ['aes128gcm16'] };
    const { t, s } = await site(c);
    await established(s, c);
    await bothWays(t);
    await s.charon.restart(); // SIGKILL and a fresh start: it remembers nothing
    await established(s, c);
    await waitUntil(() => events(s, 'ike.initial_contact').length > 0, 10_000, 'INITIAL-CONTACT handled');
    await bothWays(t);
  });
});

