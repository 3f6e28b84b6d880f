// Secrets never reach a log line. Full lifecycles at trace level — IKEv1 and IKEv2 pairs in one
// process (establish, CHILD SA rekey, IKE SA rekey, delete; PSK and certificates) and a manually
// keyed gateway pair in network namespaces — with every secret they held collected as it existed,
// then searched for in every log line, JSON and --pretty, as hex (either case), base64, base64url
// and the decimal forms JSON gives a Uint8Array or a Buffer.
//
// Where the secrets come from (read from the objects, since everything is wiped when an SA goes):
// - the PSK from the configuration, private keys from the PEM files (the PEM body, the DER, and
//   the private numbers of the JWK export);
// - SKEYID, SKEYID_d/a/e and Ka (IKEv1) and SK_d/ai/ar/ei/er/pi/pr (IKEv2): each IKE SA's `keys`,
//   and IKEv1's g^xy, polled from the daemons' SA tables while the SAs live;
// - D-H private values and shared secrets: node:crypto's DiffieHellman and ECDH, whose prototypes
//   this file wraps (the groups used here are MODP and ECP for that reason: X25519 keys live in
//   KeyObjects no hook reaches);
// - every CHILD SA's keying material, both directions: what the datapath engine is handed;
// - the manual keys of the namespace pair, from its key files.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DiffieHellman, ECDH, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from '../src/gateway/control.js';
import { cleanup, startGateways, type Gateways } from '../src/lab/gateways.js';
import { canUseNetns, createTopology } from '../src/lab/netns.js';
import { createLogger, formatPretty } from '../src/log.js';
import { createPair, sideConfig, sideOf, type Pair, type Side } from './util/ike-pair.js';
import { udpPacket } from './util/packets.js';
import { Pki } from './util/pki.js';

// ---- Secrets and where to look for them -------------------------------------------------------

interface Secret {
  readonly what: string;
  readonly bytes: Uint8Array;
}

class Secrets {
  readonly list: Secret[] = [];
  private readonly seen = new Set<string>();

  /** A copy of `b` (it will be wiped later); short, all-zero (already wiped) and repeated values are skipped. */
  add(what: string, b: Uint8Array | undefined): void {
    if (!b || b.length < 8 || b.every((x) => x === 0)) return;
    const key = Buffer.from(b).toString('hex');
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ what, bytes: Uint8Array.from(b) });
  }

  count(prefix: string): number {
    return this.list.filter((s) => s.what.startsWith(prefix)).length;
  }
}

/**
 * The text forms a secret could take in a log line. Hex is compared with the line in lower case;
 * the 12-byte head and tail catch a secret printed in part or inside a longer buffer (12 bytes
 * keep base64 aligned: base64(head) is a prefix of base64(all)).
 */
function forms(b: Uint8Array): { hex: string[]; text: string[] } {
  const head = Buffer.from(b.subarray(0, 12)), tail = Buffer.from(b.subarray(b.length - 12)), all = Buffer.from(b);
  return {
    hex: [...new Set([head, tail, all].map((x) => x.toString('hex')))],
    text: [
      all.toString('base64').replace(/=+$/, ''), head.toString('base64'), all.toString('base64url'), head.toString('base64url'),
      [...b.subarray(0, 8)].join(','), // Buffer#toJSON: {"type":"Buffer","data":[…]}
      [...b.subarray(0, 6)].map((x, i) => `"${i}":${x}`).join(','), // a Uint8Array through JSON.stringify
    ],
  };
}

/** The first line that holds a secret in any form: `what` and the line; undefined when clean. */
function findLeak(lines: readonly string[], secrets: readonly Secret[], texts: readonly { what: string; text: string }[] = []): string | undefined {
  const prepared = secrets.map((s) => ({ what: s.what, ...forms(s.bytes) }));
  for (const line of lines) {
    const lower = line.toLowerCase();
    for (const s of prepared) {
      if (s.hex.some((h) => lower.includes(h)) || s.text.some((t) => line.includes(t))) return `${s.what} in: ${line}`;
    }
    for (const t of texts) if (line.includes(t.text)) return `${t.what} in: ${line}`;
  }
  return undefined;
}

/** Every line as the JSON stream has it and as --pretty would print it. */
const bothStreams = (lines: readonly string[]): string[] => [...lines, ...lines.map(formatPretty)];

/** A private key file: its PEM body lines, its DER, and the private numbers of its JWK. */
function privateKeySecrets(what: string, pem: string, into: Secrets, texts: Array<{ what: string; text: string }>): void {
  const body = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
  for (const l of body) texts.push({ what: `${what} (PEM)`, text: l });
  into.add(`${what} (DER)`, Buffer.from(body.join(''), 'base64'));
  const jwk = createPrivateKey(pem).export({ format: 'jwk' }) as Record<string, string>;
  for (const k of ['d', 'p', 'q', 'dp', 'dq', 'qi']) if (jwk[k]) into.add(`${what} (${k})`, Buffer.from(jwk[k], 'base64url'));
}

// ---- D-H private values and shared secrets: node:crypto's own objects --------------------------

let dhSink: Secrets | undefined;
type DhLike = { generateKeys(...a: unknown[]): unknown; computeSecret(...a: unknown[]): unknown; getPrivateKey(): Buffer };
const restores: Array<() => void> = [];
for (const [name, proto] of [['MODP', DiffieHellman.prototype], ['ECP', ECDH.prototype]] as const) {
  const p = proto as unknown as DhLike;
  const { generateKeys, computeSecret } = p;
  p.generateKeys = function (this: DhLike, ...a: unknown[]) {
    const r = generateKeys.apply(this, a);
    dhSink?.add(`${name} D-H private value`, this.getPrivateKey());
    return r;
  };
  p.computeSecret = function (this: DhLike, ...a: unknown[]) {
    const r = computeSecret.apply(this, a) as Buffer;
    dhSink?.add(`${name} D-H shared secret`, r);
    return r;
  };
  restores.push(() => Object.assign(p, { generateKeys, computeSecret }));
}
after(() => restores.forEach((r) => r()));

// ---- The detector itself ----------------------------------------------------------------------

test('the search finds a secret in every form it looks for, JSON and --pretty; the logger prints no byte array', () => {
  const secret = Uint8Array.from({ length: 32 }, (_, i) => (i * 29 + 7) & 0xff);
  const s = new Secrets();
  s.add('probe', secret);
  const hex = Buffer.from(secret).toString('hex');
  const lines: string[] = [];
  const sink = () => new Writable({ write(c, _e, cb) { lines.push(...String(c).split('\n').filter(Boolean)); cb(); } });
  const log = createLogger({ level: 'trace', destination: sink() });
  log.info({ event: 'probe', note: `x${hex.toUpperCase()}y` }, 'hex');
  log.info({ event: 'probe', note: Buffer.from(secret).toString('base64') }, 'base64');
  log.info({ event: 'probe', note: `in a longer one: ${Buffer.concat([Buffer.alloc(5), secret, Buffer.alloc(5)]).toString('hex')}` }, 'embedded');
  // What JSON makes of byte arrays, should one ever get past the logger.
  lines.push(JSON.stringify({ blob: Buffer.from(secret.subarray(0, 20)) }), JSON.stringify({ blob: secret }));
  for (const line of lines) assert.ok(findLeak([line], s.list), `not found: ${line}`);
  for (const line of lines.map(formatPretty)) assert.ok(findLeak([line], s.list), `not found (pretty): ${line}`);

  // The logger itself: byte arrays by their length, fields named like secrets censored, wherever they nest.
  const written: string[] = [];
  const log2 = createLogger({ level: 'trace', destination: new Writable({ write(c, _e, cb) { written.push(String(c)); cb(); } }) });
  log2.info({ event: 'probe', blob: Buffer.from(secret), sa: { nonce: secret, list: [secret] } }, 'byte arrays');
  log2.info({ event: 'probe', psk: hex, sa: { keys: { SK_d: hex }, SKEYID_e: hex }, child: { keyIn: hex, keymat: hex } }, 'censored');
  assert.equal(findLeak(written, s.list), undefined, written.join(''));
  assert.match(written[0], /"blob":"\[32 bytes\]"/);
  const pretty: string[] = [];
  createLogger({ level: 'trace', pretty: true, destination: new Writable({ write(c, _e, cb) { pretty.push(String(c)); cb(); } }) })
    .info({ event: 'probe', blob: secret, psk: hex }, 'pretty');
  assert.match(pretty.join(''), / INFO probe pretty blob=\[32 bytes\] psk=\[redacted\]/);
});

// ---- In-process IKE pairs -----------------------------------------------------------------------

const PSK = 'correct horse battery staple, in-process';

interface Case {
  version: 1 | 2;
  auth: 'psk' | 'pubkey';
}

function yaml(side: 'A' | 'B', c: Case): string {
  const { me, peer, lts, rts, head } = sideOf(side);
  const ends = c.auth === 'psk'
    ? [`    local: { address: ${me}, id: ${side.toLowerCase()}.example, auth: psk }`,
      `    remote: { address: ${peer}, id: ${side === 'A' ? 'b' : 'a'}.example, auth: psk }`,
      '    psk: { file: psk.txt }']
    : [`    local: { address: ${me}, auth: pubkey, cert: gw.crt, key: gw.key }`,
      `    remote: { address: ${peer}, auth: pubkey, ca: [ca.crt] }`];
  return [
    ...head,
    '  peer:',
    `    version: ${c.version}`,
    ...ends,
    '    ike:',
    `      proposals: [${c.version === 1 ? 'aes128-sha256-ecp256' : 'aes256-sha256-modp2048'}]`,
    '      lifetime: { time: 5s }',
    '    children:',
    '      lan:',
    `        local-ts: [${lts}]`,
    `        remote-ts: [${rts}]`,
    `        proposals: [${c.version === 1 ? 'aes256-sha256' : 'aes128gcm16'}]`,
    `        pfs: ${c.version === 1 ? 'modp2048' : 'ecp256'}`,
    '        lifetime: { time: 3s }',
    `        start: ${side === 'A' ? 'start' : 'none'}`,
    '',
  ].join('\n');
}

/** A packet each way, whatever becomes of it (the pairs change under it during rekeys). */
function traffic(pair: Pair): void {
  for (const [from, to, src, dst] of [[pair.a, pair.b, '10.1.0.5', '10.2.0.7'], [pair.b, pair.a, '10.2.0.7', '10.1.0.5']] as const) {
    const [out] = from.engine.run('encap', [udpPacket(src, dst, 1234, 5678, new TextEncoder().encode('through the tunnel'))]);
    if (out.verdict === 'send') to.engine.run('decap', [out.packet]);
  }
}

/** The IKE SA keys each daemon holds right now (private fields, read as the objects are). */
function pollIkeKeys(side: Side, into: Secrets): void {
  const sas = (side.daemon as unknown as { sas: Iterable<{ keys?: Record<string, Uint8Array>; gxy?: Uint8Array }> }).sas;
  for (const sa of sas) {
    for (const [name, k] of Object.entries(sa.keys ?? {})) into.add(`${name} (IKE SA of ${side.name})`, k);
    into.add(`g^xy (IKE SA of ${side.name})`, sa.gxy);
  }
}

/** Every key the datapath engine of a side is handed: the CHILD SAs' keying material. */
function recordChildKeys(side: Side, into: Secrets): void {
  const engine = side.engine as unknown as { installSa(spec: { key: Uint8Array; spi: number; direction: string }): number };
  const install = engine.installSa.bind(engine);
  engine.installSa = (spec) => {
    into.add(`CHILD SA keying material (${side.name}, ${spec.direction} SPI ${spec.spi.toString(16)})`, spec.key);
    return install(spec);
  };
}

const count = (s: Side, event: string): number => s.logs.filter((l) => l.event === event).length;

describe('no secret in the logs of full IKE lifecycles at trace level', () => {
  let pki: Pki | undefined;
  const pem: Record<string, string> = {};
  const certs = (): { a: Record<string, string>; b: Record<string, string> } => {
    if (!pki) {
      pki = new Pki();
      pki.key('ca', 'ec');
      pki.cert('ca', '/O=ipsecgw test/CN=Test CA', 'root');
      for (const [gw, san, type] of [['a', 'IP:192.0.2.1', 'rsa'], ['b', 'IP:192.0.2.2', 'rsa']] as const) {
        pki.key(gw, type);
        pki.cert(gw, `/O=ipsecgw test/CN=${gw}.example`, 'leaf', { issuer: 'ca', san });
        pem[gw] = readFileSync(pki.path(`${gw}.key`), 'utf8');
      }
    }
    const files = (gw: 'a' | 'b') => ({ 'gw.crt': readFileSync(pki!.path(`${gw}.crt`), 'utf8'), 'gw.key': pem[gw], 'ca.crt': readFileSync(pki!.path('ca.crt'), 'utf8') });
    return { a: files('a'), b: files('b') };
  };
  after(() => pki?.remove());

  for (const c of [{ version: 1, auth: 'psk' }, { version: 2, auth: 'psk' }, { version: 1, auth: 'pubkey' }, { version: 2, auth: 'pubkey' }] as Case[]) {
    test(`IKEv${c.version} with ${c.auth === 'psk' ? 'a PSK' : 'certificates'}: establish, CHILD SA rekey, IKE SA rekey, delete`, { timeout: 60_000 }, async () => {
      const secrets = new Secrets(), texts: Array<{ what: string; text: string }> = [];
      const files = c.auth === 'psk' ? { a: { 'psk.txt': PSK }, b: { 'psk.txt': PSK } } : certs();
      if (c.auth === 'psk') {
        texts.push({ what: 'the PSK', text: PSK });
        secrets.add('the PSK (bytes)', new TextEncoder().encode(PSK));
      } else {
        privateKeySecrets("A's private key", pem.a, secrets, texts);
        privateKeySecrets("B's private key", pem.b, secrets, texts);
      }
      dhSink = secrets;
      const pair = createPair({ a: sideConfig(yaml('A', c), files.a), b: sideConfig(yaml('B', c), files.b) }, { logLevel: 'trace' });
      const poll = setInterval(() => [pair.a, pair.b].forEach((s) => pollIkeKeys(s, secrets)), 2);
      try {
        for (const s of [pair.a, pair.b]) recordChildKeys(s, secrets);
        await pair.until(() => count(pair.a, 'child.established') >= 1 && count(pair.b, 'child.established') >= 1, 5000, 'CHILD SAs');
        const flow = setInterval(() => traffic(pair), 100); // not idle: rekeyed at the soft lifetime, not closed
        try {
          // The IKE SA rekey: IKEv2's CREATE_CHILD_SA at both ends; IKEv1's new phase 1, which its initiator (A) logs.
          const ikeRekeyed = () => count(pair.a, 'ike.rekeyed') >= 1 && (c.version === 1 || count(pair.b, 'ike.rekeyed') >= 1);
          await pair.until(() => count(pair.a, 'child.rekeyed') >= 1 && count(pair.b, 'child.rekeyed') >= 1 && ikeRekeyed(), 15_000, 'the rekeys');
        } finally {
          clearInterval(flow);
        }
        // A stops: Deletes for its SAs, which B acts on.
        await pair.a.daemon.stop();
        await pair.until(() => pair.b.logs.some((l) => l.event === 'ike.deleted' && l.by === 'peer'), 5000, 'B to hear the Delete');
      } finally {
        clearInterval(poll);
        dhSink = undefined;
        await pair.close();
      }

      // The collection is not vacuous: each kind of secret was seen.
      const ikeKeys = c.version === 1 ? ['SKEYID', 'SKEYID_d', 'SKEYID_a', 'SKEYID_e', 'Ka'] : ['SK_d', 'SK_ai', 'SK_ar', 'SK_ei', 'SK_er', 'SK_pi', 'SK_pr'];
      for (const k of ikeKeys) assert.ok(secrets.count(`${k} (`) >= 2, `${k} of at least two IKE SAs (${secrets.count(`${k} (`)})`);
      // Each key once: A's outbound key is B's inbound one.
      assert.ok(secrets.count('CHILD SA keying material') >= 4, 'the keys of two pairs of CHILD SAs');
      assert.ok(secrets.count(c.version === 1 ? 'ECP D-H private' : 'MODP D-H private') >= 4, 'the IKE SAs\' D-H private values');
      assert.ok(secrets.count(c.version === 1 ? 'MODP D-H private' : 'ECP D-H private') >= 2, 'the PFS D-H private values');
      // Each shared secret once (both ends compute it): the IKE SA, its rekey, a CHILD SA rekey's PFS.
      assert.ok(secrets.count('ECP D-H shared') + secrets.count('MODP D-H shared') >= 3, 'the D-H shared secrets');

      const lines = [...pair.a.lines, ...pair.b.lines];
      assert.ok(lines.length > 15, `${lines.length} log lines`);
      assert.equal(findLeak(bothStreams(lines), secrets.list, texts), undefined);
    });
  }
});

// ---- A manually keyed gateway pair in namespaces ------------------------------------------------

const netns = canUseNetns();

describe('no secret in the logs of a manually keyed gateway pair at --log-level trace', { skip: netns ?? false }, () => {
  test('JSON (gwB) and --pretty (gwA) logs from start to SIGTERM, and the status answer', { timeout: 120_000 }, async () => {
    const t = createTopology();
    let g: Gateways | undefined;
    try {
      g = await startGateways(t, { esp: 'aes128-sha256', encap: 'udp', outer: 4, inner: 4 }, { a: { logLevel: 'trace', pretty: true }, b: { logLevel: 'trace' } });
      const secrets = new Secrets();
      secrets.add('manual key gwA → gwB', Buffer.from(g.keys.ab, 'hex'));
      secrets.add('manual key gwB → gwA', Buffer.from(g.keys.ba, 'hex'));
      for (let i = 0; i < 5; i++) {
        const out = t.exec(t.hA, 'ping', ['-c', '1', '-W', '1', t.addr.hB.lan4], { allowFail: true });
        if (/ 0% packet loss/.test(out)) break;
        await sleep(200);
      }
      assert.match(t.exec(t.hB, 'ping', ['-c', '3', '-i', '0.2', '-W', '2', t.addr.hA.lan4]), / 0% packet loss/);
      const status = JSON.stringify(await request(g.sockets.a, { cmd: 'status' }));
      assert.equal(findLeak([status], secrets.list), undefined, 'status');
      assert.deepEqual(await g.stop(), { a: 0, b: 0 });
      const a = g.logs.a.join('').split('\n').filter(Boolean), b = g.logs.b.join('').split('\n').filter(Boolean);
      assert.ok(a.some((l) => / INFO manual\.installed /.test(l)), `gwA logs --pretty:\n${a.slice(0, 5).join('\n')}`);
      assert.ok(b.some((l) => l.startsWith('{') && JSON.parse(l).event === 'manual.installed'), 'gwB logs JSON');
      assert.equal(findLeak([...a, ...b, ...b.map(formatPretty)], secrets.list), undefined);
    } finally {
      try {
        await g?.stop();
      } finally {
        t.destroy();
        cleanup(g);
      }
    }
  });
});
