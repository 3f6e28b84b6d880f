// IKEv2 between two ipsecgw daemons in one process (test/util/ike-pair.ts): every exchange with
// its transcript (RFC 7296 notation), and traffic through both datapaths afterwards, which proves
// both sides derived the same CHILD SA keys.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ADDR, createPair, events, sideConfig, type Pair, type Side } from './util/ike-pair.js';
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
}

function yaml(side: 'A' | 'B', o: Opts): string {
  const me = ADDR[side], peer = ADDR[side === 'A' ? 'B' : 'A'];
  const [lts, rts] = side === 'A' ? ['10.1.0.0/24', '10.2.0.0/24'] : o.tsB ?? ['10.2.0.0/24', '10.1.0.0/24'];
  const pick = <T>(a: T | undefined, b: T | undefined): T | undefined => (side === 'A' ? a : b);
  return [
    'gateway:',
    `  name: ${side.toLowerCase()}`,
    `  listen: [${me}]`,
    'connections:',
    '  peer:',
    '    version: 2',
    `    local: { address: ${me}, id: ${side === 'A' ? o.idA ?? 'a.example' : 'b.example'}, auth: psk }`,
    `    remote: { address: ${peer}, id: ${side === 'A' ? 'b.example' : 'a.example'}, auth: psk }`,
    '    psk: { file: psk.txt }',
    '    ike:',
    `      proposals: [${pick(o.ikeA, o.ikeB) ?? 'aes128-sha256-modp2048'}]`,
    ...(o.ikeLifetime ? [`      lifetime: { time: ${o.ikeLifetime} }`] : []),
    ...(o.dpd ? [`      dpd: ${o.dpd}`] : []),
    '    children:',
    '      lan:',
    `        local-ts: [${lts}]`,
    `        remote-ts: [${rts}]`,
    `        proposals: [${pick(o.espA, o.espB) ?? 'aes128gcm16'}]`,
    ...(pick(o.modeA, o.modeB) ? [`        mode: ${pick(o.modeA, o.modeB)}`] : []),
    ...(o.pfs ? [`        pfs: ${o.pfs}`] : []),
    ...(o.lifetime ? [`        lifetime: { time: ${o.lifetime} }`] : []),
    `        start: ${side === 'A' ? o.startA ?? 'start' : 'none'}`,
    '',
  ].join('\n');
}

const pairs: Pair[] = [];
after(async () => {
  for (const p of pairs) await p.close();
});

function open(o: Opts = {}): { pair: Pair; transcript: string[] } {
  const transcript: string[] = [];
  const pair = createPair(
    { a: sideConfig(yaml('A', o), { 'psk.txt': PSK }), b: sideConfig(yaml('B', o), { 'psk.txt': o.pskB ?? PSK }) },
    { trace: (l) => transcript.push(l) },
  );
  pairs.push(pair);
  return { pair, transcript };
}

const count = (s: Side, e: string): number => events(s).filter((x) => x === e).length;
const up = (s: Side, n = 1): boolean => count(s, 'child.established') + count(s, 'child.rekeyed') >= n;

function assertTraffic(pair: Pair): void {
  for (const [from, to, src, dst] of [[pair.a, pair.b, '10.1.0.5', '10.2.0.7'], [pair.b, pair.a, '10.2.0.7', '10.1.0.5']] as const) {
    const inner = udpPacket(src, dst, 1234, 5678, new TextEncoder().encode('hello through IKEv2'));
    const [out] = from.engine.run('encap', [inner]);
    assert.equal(out.verdict, 'send', `${from.name} encapsulates`);
    const [back] = to.engine.run('decap', [out.packet]);
    assert.equal(back.verdict, 'send', `${to.name} decapsulates (${back.reason})`);
  }
}

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
});
