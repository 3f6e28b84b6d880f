// Fuzzing the IKEv1 exchange handlers (the decoders alone: ike-v1-codec-fuzz.test.ts) with two
// in-process daemons (test/util/ike-pair.ts), main mode with a PSK and a Quick Mode:
//
//  1. Half-open: for each of the nine messages in turn, the wire holds it back; its receiver gets
//     mutated copies — truncated, with wrong lengths, next-payload types, cookies, exchange types,
//     flags and message IDs, payloads dropped or doubled, random bytes, and for the encrypted ones
//     any change to the ciphertext — and must drop every one without changing state. Then the real
//     message goes through and the negotiation must finish, CBC chains intact: a dropped forgery
//     left nothing behind.
//  2. Established: every message of the negotiation and of a DPD round, mutated the same ways,
//     plus well-encrypted forgeries — a wrong HASH on a Delete or a Quick Mode, HASH not first,
//     payloads a Quick Mode must not carry, a wrong IV — sent to both sides. The SAs and CHILD SAs
//     must stay as they were, no handler may fail internally, and the only answers allowed are the
//     cached reply to an exact copy of a request. Afterwards a DPD round trip, a Quick Mode and a
//     packet each way still work.
//
// What is not asked, 1: a change to the last ciphertext block. In CBC it garbles only the last
// plaintext block, which may be all padding — nothing authenticates padding in IKEv1 (RFC 2409
// §5.3 hashes payloads, not the message) and strongSwan's is a whole block when the payloads are
// aligned — so the payloads are intact and the message is genuine. It is accepted, and the two
// ends then chain different IVs (Appendix B): the negotiation dies on the next message. A known
// property of IKEv1 that no receiver can tell from a real message; IKEv2's integrity check has
// no such gap.
//
// What is not asked, 2: a well-formed but altered message 1-4 of Main Mode (say, another KE) is
// accepted, because nothing is authenticated before messages 5 and 6 (RFC 2409 §5) — the forgery
// surfaces there as an authentication failure, as the last case shows.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  DOI_IPSEC, EXCHANGE, FLAG, HEADER_BYTES, NOTIFY, PAYLOAD, PROTO, decodeMessage, decodePayloads, encodeMessage, encodePayloads,
  type Payload,
} from '../src/ike/codec/v1/index.js';
import { informationalHash, quickHash1 } from '../src/ike/crypto/index.js';
import type { Ikev1Sa } from '../src/ike/v1/ike-sa.js';
import { deleteIpsec, deleteIsakmp } from '../src/ike/v1/informational.js';
import { sealedMessage } from '../src/ike/v1/wire.js';
import { ADDR, assertTraffic, createPair, events, sideConfig, type Daemon, type Datagram, type Pair, type Side } from './util/ike-pair.js';
import { rng, type Rng } from './util/rng.js';

const PSK = 'fuzzing key, not a secret';

function yaml(side: 'A' | 'B'): string {
  const me = ADDR[side], peer = ADDR[side === 'A' ? 'B' : 'A'];
  const [lts, rts] = side === 'A' ? ['10.1.0.0/24', '10.2.0.0/24'] : ['10.2.0.0/24', '10.1.0.0/24'];
  return `gateway:
  name: ${side.toLowerCase()}
  listen: [${me}]
connections:
  peer:
    version: 1
    local: { address: ${me}, id: ${me}, auth: psk }
    remote: { address: ${peer}, id: ${peer}, auth: psk }
    psk: { file: psk.txt }
    ike:
      proposals: [aes128-sha256-modp2048]
      dpd: { delay: 1h, action: clear }
    children:
      lan:
        local-ts: [${lts}]
        remote-ts: [${rts}]
        proposals: [aes128gcm16]
        start: ${side === 'A' ? 'start' : 'none'}
`;
}

const pairs: Pair[] = [];
after(async () => {
  for (const p of pairs) await p.close();
});

/** A pair whose wire holds back datagram number `hold` (0: main mode message 1). */
function open(hold?: number): { pair: Pair; held: Datagram[] } {
  const files = { 'psk.txt': PSK };
  const held: Datagram[] = [];
  let n = 0;
  const filter = (d: Datagram): Datagram | null => {
    if (n++ !== hold) return d;
    held.push(d);
    return null;
  };
  const pair = createPair({ a: sideConfig(yaml('A'), files), b: sideConfig(yaml('B'), files) }, { filter });
  pairs.push(pair);
  return { pair, held };
}

const childUp = (s: Side): boolean => events(s).includes('child.established');

/** What must not change: the SAs, their states and SPIs, the CHILD SAs. */
function snapshot(d: Daemon): string {
  const st = d.status();
  return JSON.stringify({
    ike: st.ike.map((s) => [s.id, s.state, s.step, s.spiI, s.spiR, s.role]),
    children: st.children.map((c) => [c.state, c.spiIn, c.spiOut]),
  });
}

const internalErrors = (s: Side): number => s.logs.filter((l) => l.event === 'ike.error').length;


// ---- mutations ------------------------------------------------------------------------------------

/** Offsets of the generic payload headers of a cleartext message (next payload, length). */
function payloadHeaders(m: Uint8Array): number[] {
  const out: number[] = [];
  let at = HEADER_BYTES, next = m[16];
  while (next !== 0 && at + 4 <= m.length) {
    out.push(at);
    next = m[at];
    at += (m[at + 2] << 8) | m[at + 3];
  }
  return out;
}

const put32 = (b: Uint8Array, at: number, v: number): void => new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0);
const put16 = (b: Uint8Array, at: number, v: number): void => new DataView(b.buffer, b.byteOffset).setUint16(at, v & 0xffff);

/**
 * A structurally broken copy of `m`: something no receiver may accept. `encrypted`: anything after
 * the header may change (it decrypts to noise); cleartext: only framing (lengths, types, counts).
 */
function mutate(r: Rng, m: Uint8Array, encrypted: boolean, cookies = true): Uint8Array {
  for (;;) {
    const x = mutateOnce(r, m, encrypted, cookies);
    if (x.length !== m.length || x.some((b, i) => b !== m[i])) return x;
  }
}

function mutateOnce(r: Rng, m: Uint8Array, encrypted: boolean, cookies: boolean): Uint8Array {
  const x = m.slice();
  const bs = 16;
  switch (r.int(encrypted ? 10 : 9)) {
    case 0: { // truncated into the payloads (an encrypted message: by two blocks or more — padding is at most one)
      const len = r.int(Math.max(1, m.length - (encrypted ? 2 * bs : 4)));
      const t = x.slice(0, len);
      if (t.length >= HEADER_BYTES && r.int(2)) put32(t, 24, t.length);
      return t;
    }
    case 1: // header Length wrong
      put32(x, 24, r.pick([0, 1, 27, m.length - 1, m.length + 1, m.length + r.int(1000), 0xffffffff]));
      return x;
    case 2: // a cookie changed: no such SA (where a cookie is still open, the message ID instead)
      if (cookies) x[r.int(16)] ^= 1 + r.int(255);
      else put32(x, 20, r.next() | 1);
      return x;
    case 3: // another first payload
      x[16] = r.pick([0, 2, 3, 14, 15, 19, 22, 99, 128, 200, 255].filter((t) => t !== m[16]));
      return x;
    case 4: // another exchange type, or the encryption flag flipped
      if (r.int(2)) x[18] = r.pick([0, 1, 3, 6, 33, 34, 100, 255].filter((t) => t !== m[18]));
      else x[19] ^= FLAG.ENCRYPTION;
      return x;
    case 5: // random bytes behind the header
      return new Uint8Array([...x.subarray(0, HEADER_BYTES), ...r.bytes(r.int(600))]);
    case 6: // another message ID
      put32(x, 20, r.next() | 1);
      return x;
    default: {
      if (encrypted) { // any change to the ciphertext but its last block (see the note at the top)
        const at = HEADER_BYTES + r.int(m.length - HEADER_BYTES - bs);
        x[at] ^= 1 << r.int(8);
        return x;
      }
      const hs = payloadHeaders(m);
      if (hs.length === 0) return x.slice(0, HEADER_BYTES - 1);
      const at = r.pick(hs);
      if (r.int(2)) put16(x, at + 2, r.pick([0, 1, 3, 4, ((m[at + 2] << 8) | m[at + 3]) + 1 + r.int(200), 0xffff]));
      else x[at] = r.pick([2, 3, 14, 19, 99, 200]); // next payload of a payload: the chain breaks
      return x;
    }
  }
}

/** Payloads a message has exactly one of, when it has them (RFC 2409 §5). */
const SINGLE: ReadonlySet<number> = new Set([PAYLOAD.SA, PAYLOAD.KE, PAYLOAD.NONCE, PAYLOAD.ID, PAYLOAD.HASH, PAYLOAD.SIG]);

/** Cleartext forgeries by payload: a required payload dropped, or doubled (rules.ts refuses both). */
function reshape(r: Rng, m: Uint8Array): Uint8Array | null {
  const { header, body } = decodeMessage(m);
  if (header.flags & FLAG.ENCRYPTION) return null;
  const ps = decodePayloads(header.nextPayload, body).map((d) => d.payload);
  const core = ps.filter((p) => SINGLE.has(p.type));
  if (core.length === 0) return null;
  const i = r.int(core.length);
  const changed: Payload[] = r.int(2) ? ps.filter((p) => p !== core[i]) : [...ps, core[i]];
  if (changed.length === 0) return null;
  return encodeMessage({ ...header }, changed);
}

// ---- the tests -------------------------------------------------------------------------------------

describe('IKEv1 exchange fuzzing', () => {
  let total = 0;
  after(() => {
    // eslint-disable-next-line no-console
    console.log(`# IKEv1 exchange fuzz: ${total} cases`);
  });

  it('half-open: every mutated message of main mode and quick mode is dropped; the real one then completes the exchange', async (t) => {
    const r = rng(0x1ce);
    let cases = 0;
    for (let k = 0; k < 9; k++) {
      const { pair, held } = open(k);
      await pair.until(() => held.length === 1, 5000, `message ${k + 1} on the wire`);
      const d = held[0];
      const receiver = d.to.address === ADDR.A ? pair.a : pair.b;
      const before = snapshot(receiver.daemon);
      const encrypted = (d.data[19] & FLAG.ENCRYPTION) !== 0;
      // Messages 1 and 2 set a cookie: another cookie there is another (equally valid) negotiation.
      const cookies = k >= 2;
      const n = 400;
      for (let i = 0; i < n; i++) {
        const m = i % 5 === 4 && !encrypted ? reshape(r, d.data) ?? mutate(r, d.data, encrypted, cookies) : mutate(r, d.data, encrypted, cookies);
        receiver.daemon.receive(d.to, d.from, m);
        assert.equal(snapshot(receiver.daemon), before, `message ${k + 1}, case ${i}: state changed by ${Buffer.from(m).toString("hex")} (real: ${Buffer.from(d.data).toString("hex")})`);
      }
      await new Promise((res) => setImmediate(res));
      assert.equal(internalErrors(receiver), 0);
      cases += n;
      // The real message now: the exchange goes on as if nothing had happened.
      receiver.daemon.receive(d.to, d.from, d.data);
      await pair.until(() => childUp(pair.a) && childUp(pair.b), 8000, `completion after fuzzing message ${k + 1}`);
      assertTraffic(pair);
    }
    total += cases;
    t.diagnostic(`${cases} half-open cases`);
  });

  it('established: forgeries and mutations change nothing, and get no answer but a cached one', async (t) => {
    const r = rng(0xbeef);
    const { pair } = open();
    await pair.until(() => childUp(pair.a) && childUp(pair.b), 5000, 'CHILD SAs');
    const recorded = pair.sent.map((s) => ({ ...s }));
    const sides = [pair.a, pair.b];
    const before = sides.map((s) => snapshot(s.daemon));
    const saOf = (s: Side): Ikev1Sa => [...(s.daemon as unknown as { sas: Set<Ikev1Sa> }).sas][0];

    // Answers to forgeries may only be copies of what was already sent (a cached reply).
    const sentBefore = new Set(recorded.map((d) => Buffer.from(d.data).toString('hex')));
    const mark = pair.sent.length;
    let cases = 0;
    const deliver = (to: Side, m: Uint8Array, from: Datagram['from']): void => {
      to.daemon.receive({ address: ADDR[to.name], port: 500 }, from, m);
      cases++;
    };

    // Mutations of every recorded message, to both sides.
    for (let i = 0; i < 6000; i++) {
      const d = r.pick(recorded);
      const encrypted = (d.data[19] & FLAG.ENCRYPTION) !== 0;
      // Message 1 with another initiator cookie would be a new negotiation, not a forgery.
      const cookies = d.data.subarray(8, 16).some((b) => b !== 0);
      const m = !encrypted && i % 4 === 0 ? reshape(r, d.data) ?? mutate(r, d.data, false, cookies) : mutate(r, d.data, encrypted, cookies);
      deliver(r.pick(sides), m, d.from);
    }

    // Well-encrypted forgeries, made with the real keys.
    for (const [s, peer] of [[pair.a, pair.b], [pair.b, pair.a]] as const) {
      const sa = saOf(peer); // the sender's view of the same ISAKMP SA
      const from = { address: ADDR[peer.name], port: sa.local.port };
      const child = (peer.daemon.status() as { children: Array<{ spiIn: string }> }).children[0];
      const forge = (exchange: number, payloads: Payload[], hash: (id: number) => Uint8Array, iv?: Uint8Array): Uint8Array => {
        const id = (r.next() | 1) >>> 0;
        return sealedMessage(sa, exchange, id, [{ type: PAYLOAD.HASH, data: hash(id) }, ...payloads], iv ?? sa.exchangeIv(id)).message;
      };
      const bad = (): Uint8Array => r.bytes(32);
      for (let i = 0; i < 50; i++) {
        // Delete of the ISAKMP SA and of the CHILD SA with a wrong HASH.
        deliver(s, forge(EXCHANGE.INFORMATIONAL, [deleteIsakmp(sa)], bad), from);
        deliver(s, forge(EXCHANGE.INFORMATIONAL, [deleteIpsec('esp', [Number(child.spiIn)])], bad), from);
        // The right HASH but on the wrong payloads (it covers a Delete, the message carries a notify).
        deliver(s, forge(EXCHANGE.INFORMATIONAL, [{ type: PAYLOAD.N, doi: DOI_IPSEC, protocolId: PROTO.ISAKMP, spi: new Uint8Array(16), notifyType: NOTIFY.INITIAL_CONTACT, data: new Uint8Array(0) }],
          (id) => informationalHash(sa.choice!.hash, sa.keys!.SKEYID_a, id, encodePayloads([deleteIsakmp(sa)]))), from);
        // A Quick Mode with a wrong HASH(1), and one whose HASH(1) is right but not first.
        const qm: Payload[] = [{ type: PAYLOAD.NONCE, data: r.bytes(32) }];
        deliver(s, forge(EXCHANGE.QUICK, qm, bad), from);
        const id = (r.next() | 1) >>> 0;
        const h = quickHash1(sa.choice!.hash, sa.keys!.SKEYID_a, id, encodePayloads(qm));
        deliver(s, sealedMessage(sa, EXCHANGE.QUICK, id, [...qm, { type: PAYLOAD.HASH, data: h }], sa.exchangeIv(id)).message, from);
        // The right HASH(1), but a wrong IV: the first block decrypts to noise.
        deliver(s, forge(EXCHANGE.INFORMATIONAL, [deleteIsakmp(sa)], (id2) => informationalHash(sa.choice!.hash, sa.keys!.SKEYID_a, id2, encodePayloads([deleteIsakmp(sa)])), r.bytes(16)), from);
      }
    }
    await new Promise((res) => setImmediate(res));
    for (const [i, s] of sides.entries()) {
      assert.equal(snapshot(s.daemon), before[i], `${s.name}: state changed`);
      assert.equal(internalErrors(s), 0, `${s.name}: a handler failed internally`);
    }
    const answers = pair.sent.slice(mark).filter((d) => !sentBefore.has(Buffer.from(d.data).toString('hex')));
    assert.deepEqual(answers.map((d) => decodeMessage(d.data).header.exchange), [], 'no answers but cached ones');

    // Everything still works: a DPD round trip, a new Quick Mode, traffic.
    const a = saOf(pair.a);
    const acks = events(pair.b).length;
    (pair.a.daemon as unknown as { sendRaw(sa: Ikev1Sa, m: Uint8Array): void }).sendRaw(a, forgeDpd(a));
    await pair.until(() => events(pair.b).length > acks, 2000, 'the R-U-THERE taken');
    pair.a.daemon.initiate('peer', 'lan');
    await pair.until(() => events(pair.a).filter((e) => e === 'child.established' || e === 'child.rekeyed').length >= 2, 5000, 'a second Quick Mode');
    assertTraffic(pair);
    total += cases;
    t.diagnostic(`${cases} cases against established SAs`);
  });

  it('an altered key exchange in main mode is caught at authentication', async () => {
    const { pair, held } = open(2); // message 3: KE, Ni
    await pair.until(() => held.length === 1, 5000, 'message 3');
    const d = held[0];
    assert.equal(d.to.address, ADDR.B);
    const m = d.data.slice();
    m[HEADER_BYTES + 4 + 10] ^= 0x55; // inside the KE data
    pair.b.daemon.receive(d.to, d.from, m);
    await pair.until(() => events(pair.a).includes('ike.failed') || events(pair.b).includes('auth.failed') || events(pair.a).includes('auth.failed'), 8000, 'authentication to fail');
    assert.ok(!childUp(pair.a) && !childUp(pair.b));
  });
});

/** A genuine R-U-THERE from a side (built like the daemon's, sent through its transport). */
function forgeDpd(sa: Ikev1Sa): Uint8Array {
  const spi = new Uint8Array(16);
  spi.set(sa.icookie);
  spi.set(sa.rcookie, 8);
  const n: Payload = { type: PAYLOAD.N, doi: DOI_IPSEC, protocolId: PROTO.ISAKMP, spi, notifyType: NOTIFY.R_U_THERE, data: Uint8Array.of(0, 0, 0, 7) };
  const id = 0x12345679;
  const hash = informationalHash(sa.choice!.hash, sa.keys!.SKEYID_a, id, encodePayloads([n]));
  return sealedMessage(sa, EXCHANGE.INFORMATIONAL, id, [{ type: PAYLOAD.HASH, data: hash }, n], sa.exchangeIv(id)).message;
}
