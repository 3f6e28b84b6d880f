// IKEv2 between two ipsecgw daemons in one process (test/util/ike-pair.ts): every exchange with
// its transcript (RFC 7296 notation), and traffic through both datapaths afterwards, which proves
// both sides derived the same CHILD SA keys.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ADDR, assertTraffic, createPair, events, sideConfig, sideOf, type Datagram, type Pair, type PairOptions, type Side } from './util/ike-pair.js';
import { randomBytes } from 'node:crypto';
import { parseProposal } from '../src/config/proposal.js';
import { EXCHANGE, FLAG, PAYLOAD, encodeMessage } from '../src/ike/codec/v2/index.js';
import { ikeOffer } from '../src/ike/v2/proposals.js';
import { udpPacket } from './util/packets.js';

const PSK = 'in-process IKEv2 test key, not a secret';

interface Opts {
  ikeA?: string;
  ikeB?: string;
  espA?: string;
  espB?: string;
  pfs?: string;
  lifetime?: string;
  ikeLifetime?: string;
  startA?: 'start' | 'trap' | 'none';
  modeA?: 'tunnel' | 'transport';
  modeB?: 'tunnel' | 'transport';
  dpd?: string;
  idA?: string;
  pskB?: string;
  tsB?: [string, string];
  /** B's remote.address (say 'any', for A behind a NAT). */
  remoteB?: string;
  /** Selectors: the two gateways' own addresses (transport mode). */
  hosts?: boolean;
  reauth?: string;
  /** Child lifetime in packets. */
  packets?: number;
}

function yaml(side: 'A' | 'B', o: Opts): string {
  const { me, peer, head } = sideOf(side);
  const [lts, rts] = o.hosts ? [`${me}/32`, `${peer}/32`] : side === 'A' ? ['10.1.0.0/24', '10.2.0.0/24'] : o.tsB ?? ['10.2.0.0/24', '10.1.0.0/24'];
  const pick = <T>(a: T | undefined, b: T | undefined): T | undefined => (side === 'A' ? a : b);
  return [
    ...head,
    '  peer:',
    '    version: 2',
    `    local: { address: ${me}, id: ${side === 'A' ? o.idA ?? 'a.example' : 'b.example'}, auth: psk }`,
    `    remote: { address: ${side === 'B' ? o.remoteB ?? peer : peer}, id: ${side === 'A' ? 'b.example' : 'a.example'}, auth: psk }`,
    '    psk: { file: psk.txt }',
    '    ike:',
    `      proposals: [${pick(o.ikeA, o.ikeB) ?? 'aes128-sha256-modp2048'}]`,
    ...(o.ikeLifetime ? [`      lifetime: { time: ${o.ikeLifetime} }`] : []),
    ...(o.reauth && side === 'A' ? [`      reauth: ${o.reauth}`] : []),
    ...(o.dpd ? [`      dpd: ${o.dpd}`] : []),
    '    children:',
    '      lan:',
    `        local-ts: [${lts}]`,
    `        remote-ts: [${rts}]`,
    `        proposals: [${pick(o.espA, o.espB) ?? 'aes128gcm16'}]`,
    ...(pick(o.modeA, o.modeB) ? [`        mode: ${pick(o.modeA, o.modeB)}`] : []),
    ...(o.pfs ? [`        pfs: ${o.pfs}`] : []),
    ...(o.lifetime || o.packets ? [`        lifetime: { time: ${o.lifetime ?? '1h'}${o.packets ? `, packets: ${o.packets}` : ''} }`] : []),
    `        start: ${side === 'A' ? o.startA ?? 'start' : 'none'}`,
    '',
  ].join('\n');
}

const pairs: Pair[] = [];
after(async () => {
  for (const p of pairs) await p.close();
});

function open(o: Opts = {}, extra: Omit<PairOptions, 'trace'> = {}): { pair: Pair; transcript: string[] } {
  const transcript: string[] = [];
  const pair = createPair(
    { a: sideConfig(yaml('A', o), { 'psk.txt': PSK }), b: sideConfig(yaml('B', o), { 'psk.txt': o.pskB ?? PSK }) },
    { trace: (l) => transcript.push(l), ...extra },
  );
  pairs.push(pair);
  return { pair, transcript };
}

const count = (s: Side, e: string): number => events(s).filter((x) => x === e).length;
const up = (s: Side, n = 1): boolean => count(s, 'child.established') + count(s, 'child.rekeyed') >= n;

/** A packet from one side's engine to the other's: the outer packet as sent. */
function send(from: Side, to: Side): Uint8Array {
  const [src, dst] = from.name === 'A' ? ['10.1.0.5', '10.2.0.7'] : ['10.2.0.7', '10.1.0.5'];
  const [out] = from.engine.run('encap', [udpPacket(src, dst, 1234, 5678, new TextEncoder().encode('ping'))]);
  assert.equal(out.verdict, 'send', `${from.name} encapsulates`);
  const [back] = to.engine.run('decap', [out.packet]);
  assert.equal(back.verdict, 'send', `${to.name} decapsulates (${back.reason})`);
  return out.packet;
}

// Reaching into a daemon for what a test must trigger by hand (a rekey at a chosen moment).
type Inside = {
  sas: Set<{ state: string; spis: string; initiator: boolean }>;
  children: { all(): Array<{ state: string; result: { spiIn: number }; child: unknown }> };
  startChild(sa: unknown, child: unknown, rekeyOf?: unknown): void;
  rekeyIke(sa: unknown): void;
};
const inside = (s: Side): Inside => s.daemon as unknown as Inside;
const liveIke = (s: Side) => [...inside(s).sas].filter((x) => x.state === 'established');
const activeChildren = (s: Side) => inside(s).children.all().filter((r) => r.state === 'active');


describe('IKEv2 in process', () => {
  it('IKE_SA_INIT and IKE_AUTH with a PSK: the IKE SA and the first CHILD SA', async () => {
    const { pair, transcript } = open();
    await pair.until(() => up(pair.a) && up(pair.b), 3000, 'CHILD SAs');
    assert.deepEqual(transcript, [
      'IKE_SA_INIT { SA, KEi, Ni, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(IKEV2_FRAGMENTATION_SUPPORTED), N(SIGNATURE_HASH_ALGORITHMS) } -->',
      '<-- IKE_SA_INIT { SA, KEr, Nr, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(IKEV2_FRAGMENTATION_SUPPORTED), N(SIGNATURE_HASH_ALGORITHMS) }',
      'IKE_AUTH SK { IDi, N(INITIAL_CONTACT), IDr, AUTH, SA, TSi, TSr } -->',
      '<-- IKE_AUTH SK { IDr, AUTH, SA, TSi, TSr }',
    ]);
    assertTraffic(pair);
  });

  it('CREATE_CHILD_SA rekeys the CHILD SA with PFS: new SPIs, the old pair deleted, traffic on the new one', async () => {
    const { pair, transcript } = open({ pfs: 'ecp256', lifetime: '3s' });
    await pair.until(() => up(pair.a) && up(pair.b), 3000, 'CHILD SAs');
    send(pair.a, pair.b); // not idle: it is rekeyed, not closed
    await pair.until(() => count(pair.a, 'child.rekeyed') >= 1 && count(pair.b, 'child.rekeyed') >= 1, 5000, 'the rekey');
    await pair.until(() => count(pair.a, 'child.deleted') >= 1 && count(pair.b, 'child.deleted') >= 1, 5000, 'the old pair deleted');
    assert.ok(transcript.includes('CREATE_CHILD_SA SK { SA, Ni, KEi, TSi, TSr, N(REKEY_SA) } -->'), transcript.join('\n'));
    assert.ok(transcript.includes('<-- CREATE_CHILD_SA SK { SA, Nr, KEr, TSi, TSr }'));
    // The side that removes the old pair logs child.deleted when it queues the Delete; the
    // INFORMATIONAL goes out once its exchange window is free (and the other side may have removed
    // its half on its own grace timer meanwhile), so the Delete is waited for, not assumed sent.
    await pair.until(() => transcript.some((l) => /INFORMATIONAL SK \{ D \}/.test(l)), 5000, 'a Delete for the old pair');
    assert.equal(activeChildren(pair.a).length, 1);
    assertTraffic(pair);
  });

  it('an idle CHILD SA is closed at its soft lifetime, not rekeyed', async () => {
    const { pair } = open({ lifetime: '2s' });
    await pair.until(() => up(pair.a) && up(pair.b), 3000, 'CHILD SAs');
    await pair.until(() => count(pair.a, 'child.idle') === 1, 4000, 'child.idle');
    await pair.until(() => activeChildren(pair.b).length === 0, 2000, 'the peer removes it too');
    assert.equal(count(pair.a, 'child.rekeyed'), 0);
  });

  it('the IKE SA is rekeyed with CREATE_CHILD_SA; its CHILD SA moves over and keeps working', async () => {
    const { pair, transcript } = open({ ikeLifetime: '3s' });
    await pair.until(() => up(pair.a) && up(pair.b), 3000, 'CHILD SAs');
    const before = liveIke(pair.a)[0].spis;
    await pair.until(() => count(pair.a, 'ike.rekeyed') >= 1 && count(pair.b, 'ike.rekeyed') >= 1, 5000, 'the IKE rekey');
    await pair.until(() => liveIke(pair.a).length === 1 && liveIke(pair.b).length === 1 && inside(pair.a).sas.size === 1, 3000, 'the old IKE SA gone');
    assert.notEqual(liveIke(pair.a)[0].spis, before);
    assert.ok(transcript.includes('CREATE_CHILD_SA SK { SA, Ni, KEi } -->'), transcript.join('\n'));
    assertTraffic(pair);
    // The moved child is rekeyed under the new IKE SA.
    inside(pair.a).startChild([...inside(pair.a).sas][0], activeChildren(pair.a)[0].child, activeChildren(pair.a)[0]);
    await pair.until(() => count(pair.a, 'child.rekeyed') >= 1, 3000, 'a child rekey under the new IKE SA');
    assertTraffic(pair);
  });

  it('both ends rekey the CHILD SA at once (§2.8.1): the pair from the lowest nonce goes, one pair stays', async () => {
    const { pair } = open();
    await pair.until(() => up(pair.a) && up(pair.b), 3000, 'CHILD SAs');
    for (const s of [pair.a, pair.b]) {
      const r = activeChildren(s)[0];
      inside(s).startChild(liveIke(s)[0], r.child, r);
    }
    await pair.until(() => count(pair.a, 'child.rekey_collision') === 1 && count(pair.b, 'child.rekey_collision') === 1, 3000, 'both see the collision');
    await pair.until(() => activeChildren(pair.a).length === 1 && activeChildren(pair.b).length === 1 && inside(pair.a).children.all().length === 1 && inside(pair.b).children.all().length === 1, 5000, 'one pair left on each side');
    const a = activeChildren(pair.a)[0].result, b = activeChildren(pair.b)[0].result as unknown as { spiIn: number; spiOut: number };
    assert.equal((a as unknown as { spiOut: number }).spiOut, b.spiIn, 'the same pair on both sides');
    assertTraffic(pair);
  });

  it('both ends rekey the IKE SA at once (§2.8.2): one new IKE SA stays, with the CHILD SA', async () => {
    const { pair } = open();
    await pair.until(() => up(pair.a) && up(pair.b), 3000, 'CHILD SAs');
    for (const s of [pair.a, pair.b]) inside(s).rekeyIke(liveIke(s)[0]);
    await pair.until(() => count(pair.a, 'ike.rekey_collision') === 1 && count(pair.b, 'ike.rekey_collision') === 1, 3000, 'both see the collision');
    await pair.until(() => inside(pair.a).sas.size === 1 && inside(pair.b).sas.size === 1, 5000, 'one IKE SA left on each side');
    assert.equal(liveIke(pair.a)[0].spis, liveIke(pair.b)[0].spis);
    assertTraffic(pair);
    // It still works: a new CHILD SA on it.
    pair.a.daemon.initiate('peer', 'lan');
    await pair.until(() => count(pair.a, 'child.established') + count(pair.a, 'child.rekeyed') >= 2, 3000, 'a CHILD SA on the surviving IKE SA');
  });

  it('INVALID_KE_PAYLOAD: the responder asks for its group, the initiator retries with it', async () => {
    const { pair, transcript } = open({ ikeA: 'aes128-sha256-modp2048-ecp256', ikeB: 'aes128-sha256-ecp256' });
    await pair.until(() => up(pair.a) && up(pair.b), 3000, 'CHILD SAs');
    assert.equal(transcript[1], '<-- IKE_SA_INIT { N(INVALID_KE_PAYLOAD) }');
    assert.equal(pair.a.logs.find((l) => l.event === 'ike.established')!.group, 19);
  });

  it('COOKIE (§2.6): past the half-open threshold the responder answers with a cookie first', async () => {
    const { pair, transcript } = open({}, { optionsB: { cookieThreshold: 0 } });
    await pair.until(() => up(pair.a) && up(pair.b), 3000, 'CHILD SAs');
    assert.equal(transcript[1], '<-- IKE_SA_INIT { N(COOKIE) }');
    assert.match(transcript[2], /^IKE_SA_INIT \{ N\(COOKIE\), SA, KEi, Ni/);
  });

  it('proposal mismatch: NO_PROPOSAL_CHOSEN for the IKE SA, and for the CHILD SA inside IKE_AUTH', async () => {
    {
      const { pair } = open({ ikeA: 'aes128-sha256-modp2048', ikeB: 'aes256-sha512-ecp384' });
      await pair.until(() => events(pair.a).includes('proposal.mismatch') && events(pair.a).includes('ike.failed'), 3000, 'the refusal');
    }
    {
      const { pair } = open({ espA: 'aes128gcm16', espB: 'aes256-sha512' });
      await pair.until(() => events(pair.a).includes('proposal.mismatch'), 3000, 'the refused child');
      assert.ok(events(pair.a).includes('ike.established'), 'the IKE SA stands');
      assert.equal(count(pair.a, 'child.established'), 0);
    }
  });

  it('AUTHENTICATION_FAILED: differing PSKs end IKE_AUTH at both ends', async () => {
    const { pair } = open({ pskB: 'another key' });
    await pair.until(() => events(pair.a).includes('auth.failed') && events(pair.b).includes('auth.failed'), 3000, 'the failures');
    assert.equal(pair.a.logs.find((l) => l.event === 'auth.failed')!.notify, 'AUTHENTICATION_FAILED');
    assert.ok(!events(pair.a).includes('ike.established'));
  });

  it('transport mode when both ask for it (USE_TRANSPORT_MODE); tunnel when only one does', async () => {
    {
      const { pair, transcript } = open({ modeA: 'transport', modeB: 'transport', hosts: true });
      await pair.until(() => up(pair.a) && up(pair.b), 3000, 'CHILD SAs');
      assert.match(transcript[2], /N\(USE_TRANSPORT_MODE\)/);
      assert.match(transcript[3], /N\(USE_TRANSPORT_MODE\)/);
      assert.equal(pair.b.logs.find((l) => l.event === 'child.established')!.mode, 'transport');
    }
    {
      const { pair } = open({ modeA: 'transport', hosts: true });
      await pair.until(() => events(pair.a).includes('proposal.mismatch'), 3000, 'A refuses tunnel mode');
      assert.equal(pair.b.logs.find((l) => l.event === 'child.established')!.mode, 'tunnel');
    }
  });

  it('Delete: terminating a connection deletes both SAs at the peer (§1.4.1)', async () => {
    const { pair, transcript } = open();
    await pair.until(() => up(pair.a) && up(pair.b), 3000, 'CHILD SAs');
    await (pair.a.daemon as unknown as { terminate(n: string): Promise<void> }).terminate('peer');
    await pair.until(() => inside(pair.b).sas.size === 0 && inside(pair.b).children.all().length === 0, 3000, 'B empty');
    assert.ok(transcript.includes('INFORMATIONAL SK { D } -->'));
  });

  it('DPD: a silent peer is declared dead (action clear), its SAs removed', async () => {
    const { pair } = open({ dpd: '{ delay: 1s, action: clear }' }, { retransmit: { timeoutMs: 100, base: 1.5, tries: 3 } });
    await pair.until(() => up(pair.a) && up(pair.b), 3000, 'CHILD SAs');
    pair.filter = () => null;
    await pair.until(() => events(pair.a).includes('dpd.timeout'), 5000, 'dpd.timeout');
    assert.equal(inside(pair.a).children.all().length, 0);
  });

  it('behind a NAT whose mapping changes, the peer and its CHILD SAs follow (§2.23)', async () => {
    const PUBLIC = '198.51.100.7';
    let base = 40000;
    const mapping = new Map<number, number>();
    const filter = (d: Datagram, sender: 'A' | 'B'): Datagram | null => {
      if (sender === 'A') {
        if (!mapping.has(d.from.port)) mapping.set(d.from.port, base++);
        return { ...d, from: { address: PUBLIC, port: mapping.get(d.from.port)! } };
      }
      const inner = [...mapping].find(([, pub]) => pub === d.to.port);
      return inner && d.to.address === PUBLIC ? { ...d, to: { address: ADDR.A, port: inner[0] } } : null;
    };
    const { pair } = open({ remoteB: 'any' }, { filter });
    await pair.until(() => up(pair.a) && up(pair.b), 3000, 'CHILD SAs');
    const ike = pair.b.logs.find((l) => l.event === 'ike.established')!;
    assert.deepEqual(ike.nat, { local: false, remote: true });
    const udpDst = (p: Uint8Array): string => `${p.subarray(16, 20).join('.')}:${(p[22] << 8) | p[23]}`;
    assert.equal(udpDst(send(pair.b, pair.a)), `${PUBLIC}:${mapping.get(4500)}`);
    // The NAT forgets: A's next request comes from a new port; B answers there, and so does its ESP.
    mapping.clear();
    base = 50000;
    pair.a.daemon.initiate('peer', 'lan');
    await pair.until(() => count(pair.a, 'child.established') >= 2 && count(pair.b, 'child.established') >= 2, 3000, 'a second CHILD SA');
    assert.ok(events(pair.b).includes('ike.peer_moved'));
    assert.equal(udpDst(send(pair.b, pair.a)), `${PUBLIC}:50000`);
  });

  it('reauthentication (§2.8.3): a new IKE SA from scratch, the CHILD SA made anew on it, then the old one deleted', async () => {
    const { pair, transcript } = open({ reauth: '3s' });
    await pair.until(() => up(pair.a) && up(pair.b), 3000, 'CHILD SAs');
    const before = liveIke(pair.a)[0].spis;
    send(pair.a, pair.b);
    await pair.until(() => count(pair.a, 'ike.reauthenticated') === 1, 5000, 'the reauthentication');
    await pair.until(() => inside(pair.a).sas.size === 1 && inside(pair.b).sas.size === 1 && inside(pair.b).children.all().length === 1, 3000, 'the old SAs gone on both sides');
    assert.notEqual(liveIke(pair.a)[0].spis, before);
    assert.equal(transcript.filter((l) => l.startsWith('IKE_AUTH')).length, 2);
    assert.ok(!transcript[transcript.lastIndexOf(transcript.filter((l) => l.startsWith('IKE_AUTH'))[1])].includes('INITIAL_CONTACT'), 'no INITIAL_CONTACT: the old SA stands until the new is up');
    assertTraffic(pair);
  });

  it('a CHILD SA lifetime in packets: past the soft share it is rekeyed', async () => {
    const { pair } = open({ packets: 10 });
    await pair.until(() => up(pair.a) && up(pair.b), 3000, 'CHILD SAs');
    for (let i = 0; i < 9; i++) send(pair.a, pair.b); // the initiator's soft share: 8 to 9 packets; the hard limit 10
    await pair.until(() => count(pair.a, 'child.rekeyed') >= 1 && count(pair.b, 'child.rekeyed') >= 1, 6000, 'a rekey by packets');
    assert.equal(count(pair.a, 'child.expired') + count(pair.b, 'child.expired'), 0, 'rekeyed before the hard limit');
    await pair.until(() => { try { assertTraffic(pair); return true; } catch { return false; } }, 3000, 'traffic on the new pair');
  });

  for (const action of ['hold', 'restart'] as const) {
    it(`DPD action '${action}': the dead peer's CHILD SA gives way to a trap (hold) or a new negotiation once the peer is back (restart)`, async () => {
      const { pair } = open({ dpd: `{ delay: 1s, action: ${action} }` }, { retransmit: { timeoutMs: 100, base: 1.5, tries: 3 } });
      await pair.until(() => up(pair.a) && up(pair.b), 3000, 'CHILD SAs');
      const pass = pair.filter;
      pair.filter = () => null;
      await pair.until(() => events(pair.a).includes('dpd.timeout'), 5000, 'dpd.timeout');
      pair.filter = pass;
      const [p] = pair.a.engine.run('encap', [udpPacket('10.1.0.5', '10.2.0.7', 1, 2, new Uint8Array(8))]);
      if (action === 'hold') {
        assert.equal(p.verdict, 'control', 'the trap catches the traffic');
        assert.equal(p.reason, 'trap');
        (pair.a.daemon as unknown as { acquire(id: number, packet: Uint8Array): void }).acquire(p.aux, p.packet);
      }
      await pair.until(() => count(pair.a, 'child.established') >= 2, 5000, 'a new CHILD SA');
      await pair.until(() => count(pair.b, 'child.established') >= 2, 3000, 'at the peer too');
      await pair.until(() => { try { assertTraffic(pair); return true; } catch { return false; } }, 3000, 'traffic on the new pair');
    });
  }

  it('no more than 5 half-open IKE SAs per peer address (strongSwan\'s block_threshold)', async () => {
    const { pair } = open({ startA: 'none' });
    const proposal = parseProposal('aes128-sha256-modp2048', 'ike');
    assert.ok(proposal.ok);
    for (let i = 0; i < 7; i++) {
      const ke = new Uint8Array(randomBytes(256));
      ke[0] = 0x7f;
      pair.b.daemon.receive({ address: ADDR.B, port: 500 }, { address: ADDR.A, port: 500 + i }, encodeMessage(
        { spiI: new Uint8Array(randomBytes(8)), spiR: new Uint8Array(8), exchange: EXCHANGE.IKE_SA_INIT, flags: FLAG.INITIATOR, messageId: 0 },
        [ikeOffer([proposal.proposal], undefined, 14), { type: PAYLOAD.KE, group: 14, data: ke }, { type: PAYLOAD.NONCE, data: new Uint8Array(randomBytes(32)) }],
      ));
    }
    const st = pair.b.daemon.status() as { ike: unknown[]; stats: { dropped: Record<string, number> } };
    assert.equal(st.ike.length, 5);
    assert.equal(st.stats.dropped['half-open'], 2);
  });
});
