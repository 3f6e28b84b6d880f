// IKEv2 between ipsecgw (gwA) and strongSwan 5.9.8 with kernel-libipsec (gwB), in namespaces:
// hA — gwA ==== gwB — hB (a NAT namespace between the gateways where the case says so). Both roles;
// traffic hA ↔ hB in every case; what strongSwan says it negotiated (swanctl --list-sas) checked
// against what we asked for. kernel-libipsec fakes a NAT, so every case also runs NAT traversal:
// the move to port 4500 and UDP-encapsulated ESP.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { SiteCase } from '../src/lab/ike.js';
import { canUseNat, canUseNetns } from '../src/lab/netns.js';
import { canUseStrongswan } from '../src/lab/strongswan.js';
import { BOTH, atEnd, bothWays, established, events, installed, ping, pingFor, site, waitUntil } from './util/interop.js';
import { Pki } from './util/pki.js';

const skip = canUseNetns() ?? canUseStrongswan() ?? undefined;
const skipNat = skip ?? canUseNat() ?? undefined;
const BASE = { version: 2 as const, ike: ['aes128-sha256-modp2048'], esp: ['aes128gcm16'] };

describe('IKEv2 against strongSwan', { skip }, () => {
  let pki: Pki;
  before(() => {
    pki = new Pki();
    atEnd(() => pki.remove());
    pki.key('ca', 'rsa');
    pki.cert('ca', '/C=CH/O=ipsecgw lab/CN=Lab Root CA', 'root');
    pki.key('gwa', 'rsa');
    pki.cert('gwa', '/C=CH/O=ipsecgw lab/CN=gwa.lab.example', 'leaf', { issuer: 'ca', san: 'DNS:gwa.lab.example' });
    pki.key('gwb', 'ec');
    pki.cert('gwb', '/C=CH/O=ipsecgw lab/CN=gwb.lab.example', 'leaf', { issuer: 'ca', san: 'DNS:gwb.lab.example' });
  });

  for (const initiator of BOTH) {
    it(`PSK, ${initiator} initiates`, async () => {
      const c: SiteCase = { ...BASE, initiator };
      const { t, s } = await site(c);
      const sa = await established(s, c);
      assert.equal(sa.version, 2);
      assert.deepEqual([sa.encrAlg, sa.integAlg, sa.prfAlg, sa.dhGroup], ['AES_CBC', 'HMAC_SHA2_256_128', 'PRF_HMAC_SHA2_256', 'MODP_2048']);
      assert.equal(installed(sa).encrAlg, 'AES_GCM_16');
      assert.ok(sa.natAny, 'kernel-libipsec makes it UDP-encapsulated');
      await bothWays(t);
    });

    it(`AEAD for IKE itself (RFC 5282), ChaCha20-Poly1305 for ESP, ${initiator} initiates`, async () => {
      const c: SiteCase = { ...BASE, initiator, ike: ['aes256gcm16-prfsha384-ecp384'], esp: ['chacha20poly1305'] };
      const { t, s } = await site(c);
      const sa = await established(s, c);
      assert.deepEqual([sa.encrAlg, sa.encrKeysize, sa.prfAlg, sa.dhGroup], ['AES_GCM_16', 256, 'PRF_HMAC_SHA2_384', 'ECP_384']);
      assert.equal(installed(sa).encrAlg, 'CHACHA20_POLY1305');
      await bothWays(t);
    });

    it(`certificates (RSA here, ECDSA there, RFC 7427 signatures), ${initiator} initiates`, async () => {
      const c: SiteCase = {
        ...BASE, initiator, auth: 'pubkey', ike: ['aes128-sha256-ecp256'],
        certs: {
          ca: pki.path('ca.crt'),
          a: { cert: pki.path('gwa.crt'), key: pki.path('gwa.key'), id: 'gwa.lab.example' },
          b: { cert: pki.path('gwb.crt'), key: pki.path('gwb.key'), id: 'gwb.lab.example' },
        },
      };
      const { t, s } = await site(c);
      const sa = await established(s, c);
      assert.equal(sa.remoteId, 'gwa.lab.example');
      await bothWays(t);
    });
  }

  it('proposal lists: the responder takes the first of its own that the initiator offers', async () => {
    // AES-CBC + SHA-2, AES-GCM and ChaCha20-Poly1305 on both lists, in different orders.
    const ike = ['aes128-sha1-modp2048', 'aes256-sha256-modp3072', 'aes128gcm16-prfsha256-ecp256', 'chacha20poly1305-prfsha256-x25519'];
    const esp = ['aes128-sha1', 'chacha20poly1305', 'aes256gcm16', 'aes256-sha256'];
    const swanIke = ['aes256-sha512-modp4096', 'aes256-sha256-modp3072', 'chacha20poly1305-prfsha256-x25519', 'aes128-sha1-modp2048'];
    const swanEsp = ['aes256-sha256', 'aes256gcm16', 'chacha20poly1305', 'aes128-sha1'];
    for (const initiator of BOTH) {
      const c: SiteCase = { ...BASE, initiator, ike, esp, swanIke, swanEsp };
      const { t, s } = await site(c);
      const sa = await established(s, c);
      const [wantIke, wantEsp] = initiator === 'ipsecgw' ? [['AES_CBC', 256, 'MODP_3072'], ['AES_CBC', 'HMAC_SHA2_256_128']] : [['AES_CBC', 128, 'MODP_2048'], ['AES_CBC', 'HMAC_SHA1_96']];
      assert.deepEqual([sa.encrAlg, sa.encrKeysize, sa.dhGroup], wantIke);
      assert.deepEqual([installed(sa).encrAlg, installed(sa).integAlg], wantEsp);
      await bothWays(t);
    }
  });

  it('INVALID_KE_PAYLOAD: the initiator retries with the group the responder wants, either way round', async () => {
    for (const initiator of BOTH) {
      // The initiator's KE is for its first group; the responder prefers the other.
      const c: SiteCase = initiator === 'ipsecgw'
        ? { ...BASE, initiator, ike: ['aes128-sha256-modp2048-ecp256'], swanIke: ['aes128-sha256-ecp256'] }
        : { ...BASE, initiator, ike: ['aes128-sha256-modp3072'], swanIke: ['aes128-sha256-ecp256-modp3072'] };
      const { t, s } = await site(c);
      const sa = await established(s, c);
      assert.equal(sa.dhGroup, initiator === 'ipsecgw' ? 'ECP_256' : 'MODP_3072');
      await waitUntil(() => events(s, 'ike.invalid_ke').length > 0, 3000, 'ike.invalid_ke logged');
      await bothWays(t);
    }
  });

  it('a proposal mismatch fails with NO_PROPOSAL_CHOSEN, for the IKE SA and for the CHILD SA', async () => {
    {
      const { s } = await site({ ...BASE, initiator: 'ipsecgw', swanIke: ['aes256-sha512-ecp384'] });
      await waitUntil(() => events(s, 'proposal.mismatch').length > 0, 10_000, 'ipsecgw to hear NO_PROPOSAL_CHOSEN');
      assert.equal(events(s, 'proposal.mismatch')[0].notify, 'NO_PROPOSAL_CHOSEN');
    }
    {
      const c: SiteCase = { ...BASE, initiator: 'strongswan', swanIke: ['aes256-sha512-ecp384'] };
      const { s } = await site(c);
      await s.charon.initiate('lan', { timeoutSec: 10 }).catch(() => {});
      assert.match(s.charon.log(), /received NO_PROPOSAL_CHOSEN notify/);
      await waitUntil(() => events(s, 'proposal.mismatch').length > 0, 3000, 'ipsecgw logs the mismatch');
    }
    {
      // The IKE SA comes up; the first CHILD SA is refused inside IKE_AUTH.
      const { s } = await site({ ...BASE, initiator: 'ipsecgw', swanEsp: ['aes256-sha512'] });
      await waitUntil(() => events(s, 'proposal.mismatch').length > 0, 10_000, 'the refused child');
      assert.equal(events(s, 'ike.established').length, 1);
      assert.equal(events(s, 'child.established').length, 0);
    }
  });

  for (const initiator of BOTH) {
    it(`CHILD SA rekeys with PFS under a running ping lose nothing (${initiator} rekeys)`, async () => {
      const c: SiteCase = {
        ...BASE, initiator, pfs: 'ecp256',
        childLifetime: initiator === 'ipsecgw' ? 10 : 60,
        swanChild: initiator === 'ipsecgw' ? { rekey_time: '60s' } : { rekey_time: '8s', life_time: '12s', rand_time: '1s' },
      };
      const { t, s } = await site(c);
      await established(s, c);
      await ping(t, t.hA, t.addr.hB.lan4);
      const out = await pingFor(t, t.hA, t.addr.hB.lan4, 22);
      if (!/ 0% packet loss/.test(out)) console.log(JSON.stringify(s.gw.events().map((e) => [e.time, e.event, e.msg, e.reason, e.spiIn, e.spiOut])));
      assert.match(out, / 0% packet loss/, out.split('\n').slice(-3).join('\n'));
      assert.ok(events(s, 'child.rekeyed').length >= 2, `rekeyed ${events(s, 'child.rekeyed').length} times`);
      await waitUntil(() => s.charon.listSas()[0]?.children.filter((ch) => ch.state === 'INSTALLED').length === 1, 8000, 'one INSTALLED child at strongSwan');
      assert.equal(installed(s.charon.listSas()[0]).dhGroup, 'ECP_256');
    });
  }

  for (const initiator of BOTH) {
    it(`IKE SA rekey (${initiator} rekeys): the CHILD SA moves over, traffic goes on`, async () => {
      const c: SiteCase = initiator === 'ipsecgw' ? { ...BASE, initiator, ikeLifetime: 10, swanIkeRekey: '1h' } : { ...BASE, initiator, swanIkeRekey: '6s' };
      const { t, s } = await site(c);
      const first = await established(s, c);
      const out = pingFor(t, t.hA, t.addr.hB.lan4, 14);
      await waitUntil(() => events(s, 'ike.rekeyed').length > 0, 16_000, 'ike.rekeyed');
      const res = await out;
      if (!/ 0% packet loss/.test(res)) console.log(JSON.stringify(s.gw.events().map((e) => [e.event, e.msg, e.reason])), s.charon.log().slice(-6000));
      assert.match(res, / 0% packet loss/);
      const now = s.charon.listSas().filter((sa) => sa.state === 'ESTABLISHED');
      assert.equal(now.length, 1, 'one IKE SA left');
      assert.notEqual(now[0].initiatorSpi, first.initiatorSpi);
      await bothWays(t);
    });
  }

  it('a flood of IKE_SA_INIT from 40 addresses is answered with cookies while the tunnel carries traffic (§2.6)', async () => {
    const c: SiteCase = { ...BASE, initiator: 'ipsecgw', roaming: true };
    const { t, s } = await site(c);
    await established(s, c);
    await ping(t, t.hA, t.addr.hB.lan4);
    for (let i = 0; i < 40; i++) t.exec(t.gwB, 'ip', ['addr', 'add', `192.0.2.${100 + i}/24`, 'dev', t.wireB]);
    const during = pingFor(t, t.hA, t.addr.hB.lan4, 6);
    const flood = t.exec(t.gwB, process.execPath, [fileURLToPath(new URL('./util/ike-flood.js', import.meta.url)), t.addr.gwA.wire4, '192.0.2.100', '40', '4'], { timeout: 20_000 });
    const r = JSON.parse(flood) as { sent: number; answers: number; cookies: number };
    assert.equal(r.sent, 160);
    // 30 half-open SAs (strongSwan's cookie_threshold) are answered in full, the rest with a cookie.
    assert.ok(r.cookies >= 100, `${r.cookies} cookies in ${r.answers} answers`);
    assert.match(await during, / 0% packet loss/);
    await bothWays(t);
  });

  it('certificate chains big enough for IKE fragmentation (RFC 7383), both ways', async () => {
    // ipsecgw sends its certificate and an intermediate CA; strongSwan's RSA-4096 certificate and signature are big too.
    pki.key('inter', 'rsa');
    pki.cert('inter', '/C=CH/O=ipsecgw lab/CN=Lab Intermediate CA', 'inter', { issuer: 'ca' });
    pki.key('gwa2', 'rsa');
    pki.cert('gwa2', '/C=CH/O=ipsecgw lab/CN=gwa.lab.example', 'leaf', { issuer: 'inter', san: 'DNS:gwa.lab.example' });
    writeFileSync(pki.path('gwa2-chain.crt'), readFileSync(pki.path('gwa2.crt'), 'utf8') + readFileSync(pki.path('inter.crt'), 'utf8'));
    pki.key('gwb2', 'rsa', 4096);
    pki.cert('gwb2', '/C=CH/O=ipsecgw lab/CN=gwb.lab.example', 'leaf', { issuer: 'ca', san: 'DNS:gwb.lab.example' });
    for (const initiator of BOTH) {
      const c: SiteCase = {
        ...BASE, initiator, auth: 'pubkey',
        certs: {
          ca: pki.path('ca.crt'),
          a: { cert: pki.path('gwa2-chain.crt'), key: pki.path('gwa2.key'), id: 'gwa.lab.example' },
          b: { cert: pki.path('gwb2.crt'), key: pki.path('gwb2.key'), id: 'gwb.lab.example' },
        },
      };
      const { t, s } = await site(c);
      await established(s, c);
      const log = s.charon.log();
      assert.match(log, /received fragment #\d+ of \d+/, 'strongSwan reassembled our fragments');
      assert.match(log, /sending packet: .*\(\d+ bytes\)[\s\S]*splitting IKE message|generating IKE_AUTH (request|response) \d+ \[ EF/, 'strongSwan fragmented its own');
      await bothWays(t);
    }
  });

  it('through a NAT (nftables masquerade, ports remapped), ipsecgw behind it', { skip: skipNat }, async () => {
    const c: SiteCase = { ...BASE, initiator: 'ipsecgw' };
    const { t, s } = await site(c, 'remap');
    const sa = await established(s, c);
    assert.ok(sa.natRemote, 'strongSwan sees ipsecgw behind a NAT');
    assert.notEqual(sa.remotePort, 4500, 'the NAT moved our port');
    await waitUntil(() => events(s, 'ike.established').length > 0, 5000, 'ipsecgw to log ike.established');
    assert.ok((events(s, 'ike.established')[0] as { nat: { local: boolean } }).nat.local, 'ipsecgw knows it is behind a NAT');
    await bothWays(t);
  });

  it('on demand: a trap policy negotiates on the first packet and delivers that packet (start: trap)', async () => {
    const c: SiteCase = { ...BASE, initiator: 'ipsecgw', trap: true };
    const { t, s } = await site(c);
    await sleep(1000);
    assert.equal(s.charon.listSas().length, 0, 'nothing negotiated before traffic');
    // One echo request, waited for long enough: it was held while IKE ran and then sent on.
    const out = t.exec(t.hA, 'ping', ['-c', '1', '-W', '8', t.addr.hB.lan4], { allowFail: true });
    assert.match(out, /1 received/, out);
    await waitUntil(() => events(s, 'child.acquire').length > 0, 5000, 'ipsecgw to log child.acquire');
    assert.equal(events(s, 'child.acquire').length, 1);
    await bothWays(t);
  });

  it('DPD: a killed peer is declared dead and its SAs cleared', async () => {
    const c: SiteCase = { ...BASE, initiator: 'ipsecgw', dpd: { delay: '1s', action: 'clear', timeout: '4s' }, swanDpd: { dpd_delay: '1s' } };
    const { t, s } = await site(c);
    await established(s, c);
    await bothWays(t);
    await sleep(2500);
    assert.equal(events(s, 'dpd.timeout').length, 0);
    await s.charon.kill('SIGKILL');
    // The liveness check goes unanswered; dpd.timeout (4 s) ends its retransmissions early.
    await waitUntil(() => events(s, 'dpd.timeout').length > 0, 15_000, 'dpd.timeout');
    await waitUntil(() => events(s, 'child.deleted').length > 0, 5000, 'the child removed');
  });

  it('a restarted peer (INITIAL_CONTACT) replaces the old SAs', async () => {
    const c: SiteCase = { ...BASE, initiator: 'strongswan' };
    const { t, s } = await site(c);
    await established(s, c);
    await bothWays(t);
    await s.charon.restart();
    await established(s, c);
    await waitUntil(() => events(s, 'ike.initial_contact').length > 0, 10_000, 'INITIAL_CONTACT handled');
    await bothWays(t);
  });

  it('Delete: strongSwan terminates, ipsecgw removes the SAs', async () => {
    const c: SiteCase = { ...BASE, initiator: 'ipsecgw' };
    const { t, s } = await site(c);
    await established(s, c);
    await bothWays(t);
    await s.charon.terminate({ ike: 'site' });
    await waitUntil(() => events(s, 'ike.deleted').length > 0 && events(s, 'child.deleted').length > 0, 5000, 'both SAs deleted');
  });
});
