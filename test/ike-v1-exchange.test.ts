// IKEv1 between two ipsecgw daemons in one process (test/util/ike-pair.ts): every exchange with
// its transcript in RFC 2409 notation, and each CHILD SA proven by a packet through both engines.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load.js';
import { attrNumber, decodeMessage, decodePayloads, P1_ATTR, type SaPayload } from '../src/ike/codec/v1/index.js';
import type { RetransmitPolicy } from '../src/ike/v1/daemon.js';
import { ADDR, assertTraffic, createPair, events, sideConfig, sideOf, type Datagram, type Pair, type Side } from './util/ike-pair.js';
import { inetChecksum, ipHeader, transportChecksumOk, udpPacket } from './util/packets.js';

const PSK = 'in-process test key, not a secret';

interface Opts {
  mode?: 'main' | 'aggressive';
  ikeA?: string;
  ikeB?: string;
  espA?: string;
  espB?: string;
  pfs?: string;
  lifetime?: string;
  startA?: 'start' | 'trap' | 'none';
  extraA?: string;
  extraB?: string;
  /** A's own identity (B expects A's address). */
  idA?: string;
  /** B's pre-shared key (A has PSK). */
  pskB?: string;
}

function yaml(side: 'A' | 'B', o: Opts): string {
  const { me, peer, lts, rts, head } = sideOf(side);
  return [
    ...head,
    '  peer:',
    '    version: 1',
    `    mode: ${o.mode ?? 'main'}`,
    `    local: { address: ${me}, id: ${side === 'A' ? o.idA ?? me : me}, auth: psk }`,
    `    remote: { address: ${peer}, id: ${peer}, auth: psk }`,
    '    psk: { file: psk.txt }',
    '    ike:',
    `      proposals: [${(side === 'A' ? o.ikeA : o.ikeB) ?? 'aes128-sha256-modp2048'}]`,
    ...((side === 'A' ? o.extraA : o.extraB) ? [(side === 'A' ? o.extraA : o.extraB)!] : []),
    '    children:',
    '      lan:',
    `        local-ts: [${lts}]`,
    `        remote-ts: [${rts}]`,
    `        proposals: [${(side === 'A' ? o.espA : o.espB) ?? 'aes128gcm16'}]`,
    ...(o.pfs ? [`        pfs: ${o.pfs}`] : []),
    ...(o.lifetime ? [`        lifetime: { time: ${o.lifetime} }`] : []),
    `        start: ${side === 'A' ? o.startA ?? 'start' : 'none'}`,
    '',
  ].join('\n');
}

/** The loader's warnings for side A's configuration (what `ipsecgw check` prints and `run` logs as config.warning). */
function loaderWarnings(o: Opts): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-v1-'));
  writeFileSync(join(dir, 'psk.txt'), PSK, { mode: 0o600 });
  writeFileSync(join(dir, 'gw.yaml'), yaml('A', o), { mode: 0o600 });
  return loadConfig(join(dir, 'gw.yaml')).diagnostics.filter((d) => d.severity === 'warning').map((d) => d.message);
}

const pairs: Pair[] = [];
after(async () => {
  for (const p of pairs) await p.close();
});

function open(o: Opts = {}, retransmit?: RetransmitPolicy): { pair: Pair; transcript: string[] } {
  const transcript: string[] = [];
  const files = { 'psk.txt': PSK };
  const pair = createPair(
    { a: sideConfig(yaml('A', o), files), b: sideConfig(yaml('B', o), { 'psk.txt': o.pskB ?? PSK }) },
    { trace: (l) => transcript.push(l), retransmit },
  );
  pairs.push(pair);
  return { pair, transcript };
}

const established = (s: Side, n = 1): boolean => events(s).filter((e) => e === 'child.established' || e === 'child.rekeyed').length >= n;

/** A packet from hA's net to hB's through A's engine, then B's; and back. */

describe('IKEv1 in process', () => {
  it('main mode with a PSK, then Quick Mode', async () => {
    const { pair, transcript } = open();
    await pair.until(() => established(pair.a) && established(pair.b), 5000, 'CHILD SAs');
    assert.deepEqual(transcript, [
      'HDR, SA, VID, VID, VID, VID, VID -->',
      '<-- HDR, SA, VID, VID, VID, VID, VID',
      'HDR, KE, Ni, NAT-D, NAT-D -->',
      '<-- HDR, KE, Nr, NAT-D, NAT-D',
      'HDR*, IDii, HASH_I, N(INITIAL_CONTACT) -->',
      '<-- HDR*, IDir, HASH_R',
      'HDR*, HASH(1), SA, Ni, IDci, IDcr -->',
      '<-- HDR*, HASH(2), SA, Nr, IDci, IDcr',
      'HDR*, HASH(3) -->',
    ]);
    assertTraffic(pair);
  });

  it('aggressive mode with a PSK', async () => {
    const { pair, transcript } = open({ mode: 'aggressive' });
    await pair.until(() => established(pair.a) && established(pair.b), 5000, 'CHILD SAs');
    assert.deepEqual(transcript.slice(0, 3), [
      'HDR, SA, KE, Ni, IDii, VID, VID, VID, VID, VID -->',
      '<-- HDR, SA, KE, Nr, IDir, HASH_R, VID, VID, VID, VID, VID, NAT-D, NAT-D',
      'HDR*, HASH_I, NAT-D, NAT-D, N(INITIAL_CONTACT) -->',
    ]);
    assert.ok(loaderWarnings({ mode: 'aggressive' }).some((m) => /aggressive mode with a PSK/.test(m)), 'aggressive mode with a PSK is warned about');
    assertTraffic(pair);
  });

  it('PFS: a fresh key exchange in Quick Mode', async () => {
    const { pair, transcript } = open({ pfs: 'ecp256', ikeA: 'aes256-sha384-ecp384', ikeB: 'aes256-sha384-ecp384' });
    await pair.until(() => established(pair.a) && established(pair.b), 5000, 'CHILD SAs');
    assert.ok(transcript.includes('HDR*, HASH(1), SA, Ni, KE, IDci, IDcr -->'), transcript.join('\n'));
    assert.ok(transcript.includes('<-- HDR*, HASH(2), SA, Nr, KE, IDci, IDcr'));
    assertTraffic(pair);
  });

  it('the responder picks the first of its own proposals that the initiator offers', async () => {
    const { pair } = open({
      ikeA: 'aes128-sha1-modp1024, aes256-sha256-modp2048, 3des-sha1-modp1536',
      ikeB: 'aes256-sha512-modp4096, aes256-sha256-modp2048, aes128-sha1-modp1024',
      espA: 'aes128-sha1, aes256-sha256, aes256gcm16', espB: 'aes256gcm16, aes128-sha1',
    });
    await pair.until(() => established(pair.a) && established(pair.b), 8000, 'CHILD SAs');
    const ike = pair.b.logs.find((l) => l.event === 'ike.established')!;
    assert.equal(ike.encr, 'aes256');
    assert.equal(ike.hash, 'sha256');
    const child = pair.b.logs.find((l) => l.event === 'child.established')!;
    assert.equal(child.encr, 'aes256gcm16');
    assertTraffic(pair);
  });

  it("single DES where both connections say 'allow-weak: [des]': des-sha1-modp1024, then des-sha1 ESP", async () => {
    const allow = '    allow-weak: [des]';
    const o: Opts = { ikeA: 'des-sha1-modp1024', ikeB: 'des-sha1-modp1024', espA: 'des-sha1', espB: 'des-sha1', extraA: allow, extraB: allow };
    const { pair } = open(o);
    await pair.until(() => established(pair.a) && established(pair.b), 5000, 'CHILD SAs');
    // Message 1's only transform asks for Encryption Algorithm 1, DES-CBC (RFC 2409 Appendix A),
    // with no Key Length attribute (a fixed-key cipher).
    const m1 = decodeMessage(pair.sent[0].data);
    const sa = decodePayloads(m1.header.nextPayload, m1.body)[0].payload as SaPayload;
    const attrs = sa.proposals[0].transforms[0].attributes;
    assert.equal(attrNumber(attrs.find((a) => a.type === P1_ATTR.ENCRYPTION_ALGORITHM)!), 1);
    assert.ok(!attrs.some((a) => a.type === P1_ATTR.KEY_LENGTH));
    for (const side of [pair.a, pair.b]) {
      const ike = side.logs.find((l) => l.event === 'ike.established')!;
      assert.deepEqual([ike.encr, ike.hash], ['des', 'sha1'], side.name);
      assert.equal(side.logs.find((l) => l.event === 'child.established')!.encr, 'des', side.name);
    }
    assertTraffic(pair);
    // `ipsecgw check` on the same file: the opt-in leaves warnings at the tokens, exit 0.
    const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-des-'));
    writeFileSync(join(dir, 'psk.txt'), PSK, { mode: 0o600 });
    writeFileSync(join(dir, 'gw.yaml'), yaml('A', o), { mode: 0o600 });
    const check = spawnSync(process.execPath, [fileURLToPath(new URL('../src/cli/main.js', import.meta.url)), 'check', '-c', join(dir, 'gw.yaml')], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /gw\.yaml:12:19: warning: 'des': single DES \(56-bit key\) MUST NOT be used \(RFC 8247/);
    assert.match(check.stdout, /gw\.yaml:18:21: warning: 'des': single DES \(56-bit key\) MUST NOT be used \(RFC 8221/);
  });

  it('phase-1 mismatch: NO-PROPOSAL-CHOSEN, and the initiator gives up at once', async () => {
    const { pair } = open({ ikeA: 'aes128-sha256-modp2048', ikeB: 'aes256-sha512-ecp384' });
    await pair.until(() => events(pair.a).includes('proposal.mismatch'), 3000, 'the mismatch at A');
    assert.ok(events(pair.b).includes('proposal.mismatch'));
    const a = pair.a.logs.find((l) => l.event === 'proposal.mismatch')!;
    assert.equal(a.notify, 'NO_PROPOSAL_CHOSEN');
  });

  it('phase-2 mismatch: a protected NO-PROPOSAL-CHOSEN ends the Quick Mode', async () => {
    const { pair } = open({ espA: 'aes128-sha256', espB: 'aes256gcm16' });
    await pair.until(() => events(pair.a).includes('child.failed'), 3000, 'the failed child at A');
    assert.ok(events(pair.a).includes('ike.established'));
    assert.ok(events(pair.b).includes('proposal.mismatch') || events(pair.b).includes('child.failed'));
  });

  it('an identity the responder has no connection for: INVALID-ID-INFORMATION, protected, and the SA stays until it times out', async () => {
    const { pair } = open({ idA: 'stranger.example' }, { timeoutMs: 50, base: 1, tries: 2 });
    await pair.until(() => events(pair.a).includes('ike.peer_error'), 3000, 'the notify at A');
    const b = pair.b.logs.find((l) => l.event === 'auth.failed')!;
    assert.match(String(b.reason), /no connection for the peer identity stranger\.example/);
    assert.equal(pair.a.logs.find((l) => l.event === 'ike.peer_error')!.notify, 'INVALID_ID_INFORMATION');
    await pair.until(() => events(pair.a).includes('ike.timeout'), 3000, 'A to give up');
    assert.match(String(pair.a.logs.find((l) => l.event === 'ike.timeout')!.reason), /identities differ/);
    assert.ok(!events(pair.a).includes('ike.established') && !events(pair.b).includes('ike.established'));
  });

  it('pre-shared keys that differ: message 5 decrypts to noise at the responder, which says so', async () => {
    const { pair } = open({ pskB: 'another key' }, { timeoutMs: 50, base: 1, tries: 2 });
    await pair.until(() => events(pair.a).includes('ike.timeout'), 3000, 'A to give up');
    const b = pair.b.logs.filter((l) => l.event === 'auth.failed');
    assert.equal(b.length, 3, 'message 5 and its two retransmits');
    assert.match(String(b[0].reason), /pre-shared keys differ/);
    assert.ok(!events(pair.b).includes('ike.established'));
  });

  it('a lost message is retransmitted; a repeated one is answered from the cache', async () => {
    const { pair } = open();
    let dropped = 0, repeated = 0;
    pair.filter = (d, sender) => {
      // Drop A's message 3 once; send B's message 4 twice.
      if (sender === 'A' && pair.sent.filter((s) => s.sender === 'A').length === 2 && dropped++ === 0) return null;
      if (sender === 'B' && pair.sent.filter((s) => s.sender === 'B').length === 2 && repeated++ === 0) {
        setImmediate(() => pair.a.daemon.receive(d.to, d.from, d.data));
      }
      return d;
    };
    await pair.until(() => established(pair.a) && established(pair.b), 8000, 'CHILD SAs despite a lost message');
    assert.equal(dropped, 1);
    assertTraffic(pair);
  });

  it('transport mode behind a NAT: NAT-D sees it, both float to 4500, UDP-encapsulated ESP, NAT-OA both ways (RFC 3947 §5.2)', async () => {
    const PUBLIC = '198.51.100.7';
    const conf = (side: 'A' | 'B'): string => `gateway:
  name: ${side.toLowerCase()}
  listen: [${ADDR[side]}]
connections:
  peer:
    version: 1
    local: { address: ${ADDR[side]}, id: ${side.toLowerCase()}.example, auth: psk }
    remote: { address: ${side === 'A' ? ADDR.B : 'any'}, id: ${side === 'A' ? 'b' : 'a'}.example, auth: psk }
    psk: { file: psk.txt }
    ike: { proposals: [aes128-sha256-modp2048] }
    children:
      host:
        mode: transport
        proposals: [aes128gcm16]
        start: ${side === 'A' ? 'start' : 'none'}
`;
    // A sits behind a NAT that maps it to PUBLIC, a port per inside port.
    const mapping = new Map<number, number>();
    let next = 40000;
    const filter = (d: Datagram, sender: 'A' | 'B'): Datagram | null => {
      if (sender === 'A') {
        if (!mapping.has(d.from.port)) mapping.set(d.from.port, next++);
        return { ...d, from: { address: PUBLIC, port: mapping.get(d.from.port)! } };
      }
      const inside = [...mapping].find(([, pub]) => pub === d.to.port);
      return inside && d.to.address === PUBLIC ? { ...d, to: { address: ADDR.A, port: inside[0] } } : null;
    };
    const transcript: string[] = [];
    const files = { 'psk.txt': PSK };
    const pair = createPair({ a: sideConfig(conf('A'), files), b: sideConfig(conf('B'), files) }, { filter, trace: (l) => transcript.push(l) });
    pairs.push(pair);
    await pair.until(() => established(pair.a) && established(pair.b), 5000, 'CHILD SAs');
    const quick = transcript.filter((l) => l.includes('IDci'));
    assert.equal(quick.length, 2, transcript.join('\n'));
    for (const l of quick) assert.match(l, /IDci, IDcr, NAT-OAi, NAT-OAr/);
    const a = pair.a.logs.find((l) => l.event === 'child.established')!, b = pair.b.logs.find((l) => l.event === 'child.established')!;
    assert.deepEqual([a.mode, a.encap, b.mode, b.encap], ['transport', 'udp', 'transport', 'udp']);
    // Each learned the other's original addresses: B that A is really 192.0.2.1.
    assert.deepEqual(b.natOa, { local: ADDR.B, remote: ADDR.A });
    assert.deepEqual(a.natOa, { local: PUBLIC, remote: ADDR.B });
    // B's SA is for the address it sees (the NAT's), A's for its own.
    assert.deepEqual(b.remoteTs, [`${PUBLIC}/32`]);
    // A packet each way through the NAT: it rewrites the outer (in transport mode the only) IPv4
    // header, and the receiver of A's packets finishes the checksum the rewrite broke (RFC 3948 §3.1.2).
    const nat = (p: Uint8Array, field: 12 | 16, to: string): Uint8Array => {
      const q = p.slice();
      q.set(to.split('.').map(Number), field);
      q[10] = q[11] = 0;
      const sum = inetChecksum(q.subarray(0, 20));
      [q[10], q[11]] = [sum >> 8, sum & 0xff];
      return q;
    };
    const [fromA] = pair.a.engine.run('encap', [udpPacket(ADDR.A, ADDR.B, 1234, 5678, new TextEncoder().encode('from behind the NAT'))]);
    const [atB] = pair.b.engine.run('decap', [nat(fromA.packet, 12, PUBLIC)]);
    assert.equal(atB.verdict, 'send', `B decapsulates (${atB.reason})`);
    assert.deepEqual([...ipHeader(atB.packet).src], PUBLIC.split(".").map(Number));
    assert.ok(transportChecksumOk(atB.packet), 'UDP checksum right for the address B sees');
    const [fromB] = pair.b.engine.run('encap', [udpPacket(ADDR.B, PUBLIC, 5678, 1234, new TextEncoder().encode('back'))]);
    assert.deepEqual([...ipHeader(fromB.packet).dst], PUBLIC.split(".").map(Number));
    const [atA] = pair.a.engine.run('decap', [nat(fromB.packet, 16, ADDR.A)]);
    assert.equal(atA.verdict, 'send', `A decapsulates (${atA.reason})`);
  });
});
