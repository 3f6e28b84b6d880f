// The text of `ipsecgw status`, `up` and `down` (src/cli/status.ts, src/cli/updown.ts) from
// realistic status objects: both IKE versions, an IKEv1 pair that outlived its ISAKMP SA, a
// negotiation under way, a manual entry, the datapath workers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { duration, formatStatus } from '../src/cli/status.js';
import { describeDown, describeUp } from '../src/cli/updown.js';
import type { GatewayStatus } from '../src/gateway/status.js';
import type { ChildSaStatus, IkeSaStatus } from '../src/ike/status.js';

const ikev2: IkeSaStatus = {
  id: 3, conn: 'site-b', version: 2, state: 'established', step: 'established', role: 'initiator',
  local: { address: '192.0.2.1', port: 4500, id: 'gw-a.example' },
  remote: { address: '198.51.100.7', port: 4500, id: 'gw-b.example' },
  spiI: '6b3a5a1b2c3d4e5f', spiR: '0123456789abcdef', nat: { local: true, remote: false },
  algorithms: { encr: 'aes256', integ: 'sha256', prf: 'prfsha256', dh: 'x25519' },
  proposal: 'AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519',
  established: 192, rekeyIn: 12_345, expiresIn: 14_208,
};

const lan: ChildSaStatus = {
  conn: 'site-b', child: 'lan', version: 2, ike: 3, state: 'active', protocol: 'esp', mode: 'tunnel', encap: 'udp',
  spiIn: '0xc1234567', spiOut: '0xc7654321', algorithms: { encr: 'aes128gcm16', esn: false }, proposal: 'AES_GCM_16-128',
  localTs: ['10.1.0.0/24'], remoteTs: ['10.2.0.0/24', '10.3.0.0/24'],
  bytesIn: '840', bytesOut: '1176', packetsIn: '10', packetsOut: '14', lastIn: 1, lastOut: 0,
  installed: 190, rekeyIn: 2950, expiresIn: 3410,
};

const ikev1: IkeSaStatus = {
  id: 1, conn: 'branch', version: 1, state: 'established', step: 'established', role: 'responder', exchange: 'main',
  local: { address: '192.0.2.1', port: 500, id: '192.0.2.1' }, remote: { address: '203.0.113.9', port: 500, id: '203.0.113.9' },
  spiI: 'a1a2a3a4a5a6a7a8', spiR: 'b1b2b3b4b5b6b7b8', nat: { local: false, remote: false },
  algorithms: { encr: 'aes128', integ: 'sha1', prf: 'prfsha1', dh: 'modp2048' },
  proposal: 'AES_CBC-128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048',
  established: 4000, expiresIn: 24_800, bytesProtected: 2288,
};

const dmz: ChildSaStatus = {
  conn: 'branch', child: 'dmz', version: 1, ike: 1, state: 'active', protocol: 'esp', mode: 'transport', encap: 'none',
  spiIn: '0xcafe0001', spiOut: '0xcafe0002', algorithms: { encr: 'aes128', integ: 'sha256', dh: 'modp2048', esn: false },
  proposal: 'AES_CBC-128/HMAC_SHA2_256_128/MODP_2048', localTs: ['192.0.2.1/32'], remoteTs: ['203.0.113.9/32'],
  bytesIn: '0', bytesOut: '0', packetsIn: '0', packetsOut: '0', installed: 3990, rekeyIn: 86, expiresIn: 410,
};

/** PFS of identities: the ISAKMP SA went right after Quick Mode; the pair lives on. */
const orphan: ChildSaStatus = {
  ...dmz, conn: 'legacy', child: 'old', ike: undefined, state: 'rekeying', mode: 'tunnel', spiIn: '0xcafe0003', spiOut: '0xcafe0004',
  localTs: ['10.1.0.0/24'], remoteTs: ['10.9.0.0/16'], bytesIn: '123456789012', packetsIn: '98765432', lastIn: 75, rekeyIn: undefined, expiresIn: 61,
};

const connecting: IkeSaStatus = {
  id: 4, conn: 'roam', version: 2, state: 'connecting', step: 'init-sent', role: 'initiator',
  local: { address: '192.0.2.1', port: 500 }, remote: { address: '192.0.2.99', port: 500 },
  spiI: '1111222233334444', spiR: '0000000000000000', nat: { local: false, remote: false },
};

const status: GatewayStatus = {
  gateway: 'site-a', uptime: 3725, tun: 'ipsec0',
  ike: [ikev1, ikev2, connecting],
  children: [dmz, orphan, lan],
  manual: [{
    name: 'lab-link', mode: 'tunnel', protocol: 'esp', local: '192.0.2.1', remote: '192.0.2.2', encap: 'udp',
    localTs: ['10.1.1.0/24'], remoteTs: ['10.2.1.0/24'],
    in: { spi: '0xc0010001', state: 'active', seq: '0', packets: '5', bytes: '420', used: '0', soft: false, peerMoved: false, peerPort: 4500, drops: { replay: 2 } },
    out: { spi: '0xc0010002', state: 'active', seq: '5', packets: '5', bytes: '600', used: '0', soft: false, peerMoved: false, peerPort: 4500, drops: {} },
  }],
  ikeMessages: { v1: { received: 12, dropped: {} }, v2: { received: 40, dropped: { retransmit: 1 } } },
  datapath: [
    { role: 'tx', encap: '19', decap: '0', drops: { 'no-sa': '0', policy: '0', 'send-failed': '0' } },
    { role: 'rx', encap: '0', decap: '15', drops: { 'no-sa': '0', replay: '2', 'send-failed': '0' } },
  ],
  controlPackets: 3,
  memory: { rss: 1 },
};

describe('ipsecgw status', () => {
  it('IKE SAs with their CHILD SAs as swanctl --list-sas shows them, then manual entries and workers', () => {
    assert.equal(formatStatus(status), [
      'site-a: up 1h02m, TUN ipsec0',
      'branch: #1, ESTABLISHED, IKEv1 main mode, a1a2a3a4a5a6a7a8_i b1b2b3b4b5b6b7b8_r*',
      "  local  '192.0.2.1' @ 192.0.2.1[500]",
      "  remote '203.0.113.9' @ 203.0.113.9[500]",
      '  AES_CBC-128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048',
      '  established 1h06m ago, expires in 6h53m',
      '  dmz: ACTIVE, TRANSPORT, ESP:AES_CBC-128/HMAC_SHA2_256_128/MODP_2048',
      '    installed 1h06m ago, rekeying in 1m26s, expires in 6m50s',
      '    in  cafe0001,          0 bytes,        0 packets',
      '    out cafe0002,          0 bytes,        0 packets',
      '    192.0.2.1/32 === 203.0.113.9/32',
      'site-b: #3, ESTABLISHED, IKEv2, 6b3a5a1b2c3d4e5f_i* 0123456789abcdef_r',
      "  local  'gw-a.example' @ 192.0.2.1[4500] (behind NAT)",
      "  remote 'gw-b.example' @ 198.51.100.7[4500]",
      '  AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519',
      '  established 3m12s ago, rekeying in 3h25m, expires in 3h56m',
      '  lan: ACTIVE, TUNNEL-in-UDP, ESP:AES_GCM_16-128',
      '    installed 3m10s ago, rekeying in 49m10s, expires in 56m50s',
      '    in  c1234567,        840 bytes,       10 packets, 1s ago',
      '    out c7654321,       1176 bytes,       14 packets, 0s ago',
      '    10.1.0.0/24 === 10.2.0.0/24 10.3.0.0/24',
      'roam: #4, CONNECTING (init-sent), IKEv2, 1111222233334444_i* 0000000000000000_r',
      '  local  192.0.2.1[500]',
      '  remote 192.0.2.99[500]',
      'legacy: IKEv1, no ISAKMP SA',
      '  old: REKEYING, TUNNEL, ESP:AES_CBC-128/HMAC_SHA2_256_128/MODP_2048',
      '    installed 1h06m ago, expires in 1m01s',
      '    in  cafe0003, 123456789012 bytes, 98765432 packets, 1m15s ago',
      '    out cafe0004,          0 bytes,        0 packets',
      '    10.1.0.0/24 === 10.9.0.0/16',
      'lab-link: manual ESP tunnel, 192.0.2.1 === 192.0.2.2 (UDP 4500)',
      '  in  SPI 0xc0010001 active: 420 bytes, 5 packets; dropped: replay 2',
      '  out SPI 0xc0010002 active: 600 bytes, 5 packets',
      '  10.1.1.0/24 === 10.2.1.0/24',
      'worker 1 (tx): 19 protected, 0 accepted',
      'worker 2 (rx): 0 protected, 15 accepted; dropped: replay 2',
    ].join('\n'));
  });

  it('says so when IKE runs without SAs; manual entries alone need no IKE line', () => {
    const idle = { ...status, ike: [], children: [], manual: [] };
    assert.equal(formatStatus(idle).split('\n')[1], 'no IKE SAs');
    const manualOnly = { ...status, ike: [], children: [], ikeMessages: {} };
    assert.ok(!formatStatus(manualOnly).includes('no IKE SAs'));
  });

  it('durations: two units at most', () => {
    assert.deepEqual([0, 59, 60, 192, 3599, 3600, 3725, 86_399, 86_400, 200_000].map(duration),
      ['0s', '59s', '1m00s', '3m12s', '59m59s', '1h00m', '1h02m', '23h59m', '1d00h', '2d07h']);
  });
});

describe('ipsecgw up / down', () => {
  it('established: the connection and its SAs; exit 0', () => {
    const r = describeUp({ outcome: 'established', conn: 'site-b', ike: [ikev2], children: [lan], ms: 412 }, 30);
    assert.equal(r.code, 0);
    assert.match(r.text, /^'site-b' established in 0\.4 s \(CHILD SA 'lan'\)\nsite-b: #3, ESTABLISHED, IKEv2/);
  });

  it('already up: said, exit 0', () => {
    const r = describeUp({ outcome: 'already', conn: 'site-b', ike: [ikev2], children: [lan] }, 30);
    assert.equal(r.code, 0);
    assert.match(r.text, /^'site-b' is already up \(CHILD SA 'lan'\)/);
  });

  it('failures: what went wrong first, then the reason; exit 1', () => {
    const cases: Array<[Parameters<typeof describeUp>[0], string]> = [
      [{ outcome: 'failed', conn: 'site-b', failure: 'proposal.mismatch', reason: 'peer sent NO_PROPOSAL_CHOSEN', ms: 20 },
        "'site-b': no proposal chosen: peer sent NO_PROPOSAL_CHOSEN"],
      [{ outcome: 'failed', conn: 'site-b', failure: 'auth.failed', reason: 'peer sent AUTHENTICATION_FAILED', ms: 20 },
        "'site-b': authentication failed: peer sent AUTHENTICATION_FAILED"],
      [{ outcome: 'failed', conn: 'site-b', child: 'lan', failure: 'proposal.mismatch', reason: 'NO_PROPOSAL_CHOSEN (no ESP proposal)', ms: 20 },
        "'site-b' (CHILD SA 'lan'): no proposal chosen: NO_PROPOSAL_CHOSEN (no ESP proposal)"],
      [{ outcome: 'failed', conn: 'site-b', failure: 'timeout', reason: 'no answer to IKE_SA_INIT from 192.0.2.2[500]', ms: 30_000 },
        "'site-b': timed out after 30 s: no answer to IKE_SA_INIT from 192.0.2.2[500]"],
    ];
    for (const [r, text] of cases) assert.deepEqual(describeUp(r, 30), { text, code: 1 });
  });

  it('down: what was deleted, or that nothing was up', () => {
    assert.equal(describeDown({ outcome: 'terminated', conn: 'site-b', ike: 1, children: 2, ms: 3 }), "'site-b' terminated: 1 IKE SA and 2 CHILD SAs deleted");
    assert.equal(describeDown({ outcome: 'not-up', conn: 'site-b' }), "'site-b' has no SAs: nothing to terminate");
  });
});
