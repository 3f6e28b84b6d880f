// Fuzzing the IKEv2 exchange handlers (the decoders alone: ike-v2-codec-fuzz.test.ts) with two
// in-process daemons (test/util/ike-pair.ts), a PSK and AES-CBC/HMAC-SHA-256 for the IKE SA — the
// IKEv2 counterpart of ike-v1-fuzz.test.ts, with the same discipline:
//
//  1. Held messages: each message of IKE_SA_INIT and IKE_AUTH, and then of a new CHILD SA, a CHILD
//     SA rekey, the Delete of the rekeyed pair, a liveness check and an IKE SA rekey (both
//     CREATE_CHILD_SA and INFORMATIONAL, requests and responses), is held back on the wire; its
//     receiver gets mutated copies — truncated, with wrong lengths, first-payload and exchange
//     types, flags, versions, SPIs and message IDs, payloads dropped or doubled, random bytes, and
//     for the encrypted ones any bit flipped (the ICV covers the whole message, RFC 7296 §3.14) —
//     and must drop every one without changing state (SAs, their message-ID counters, the
//     outstanding request, the CHILD SAs). Answers: none, except that an IKE_SA_INIT request may
//     be answered with a lone error notify (§2.21.1). Then the real message completes the exchange.
//  2. Established: mutations of every recorded message to both sides; the only answers allowed are
//     cached responses to exact copies of requests (§2.1) — so none here.
//  3. Well-encrypted forgeries made with the real SK keys (the forger is the peer's own SA object,
//     so its message IDs stay in step): wrong ICVs, keys of the wrong direction, message IDs from
//     the future and the past, responses nobody asked for, an unknown exchange type, forged SKF
//     fragments (silence, §2.21.2, §2.3); a CREATE_CHILD_SA rekeying an unknown SPI
//     (CHILD_SA_NOT_FOUND, §1.3.3 / §3.10.1), a Delete of unknown SPIs (an empty response, §1.4.1),
//     payloads an exchange must not carry, a malformed inner payload (INVALID_SYNTAX, §2.21.3), a
//     critical unknown payload (UNSUPPORTED_CRITICAL_PAYLOAD, §2.5), an IKE_AUTH on an established
//     SA (INVALID_SYNTAX); a real fragmented request among mutated fragments (RFC 7383).
//     Afterwards a liveness check, a new CREATE_CHILD_SA and traffic both ways still work.
//
// No handler may fail internally (no `ike.error` log event) in any of them.
//
// What is not asked: an IKE_SA_INIT response whose SPIr or payload contents (nonce, KE value) are
// altered but well-formed is accepted — nothing authenticates IKE_SA_INIT before IKE_AUTH (§2.15
// signs both messages), where the forgery surfaces as an authentication failure. Mutations of the
// IKE_SA_INIT messages therefore change framing only, and never an SPI of a half-open exchange
// (another SPIi is another negotiation). Flag bits other than I and R are ignored by definition (§3.1).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  EXCHANGE, FLAG, HEADER_BYTES, NOTIFY, PAYLOAD, PROTOCOL, decodeMessage, decodePayloads, encodeMessage, openMessage, sealMessage, tsFromPrefix,
  type Decoded, type NotifyPayload, type Payload,
} from '../src/ike/codec/v2/index.js';
import type { ChildManager } from '../src/ike/children.js';
import { childRequest, notify, type ChildExchange } from '../src/ike/v2/child-sa.js';
import type { Ikev2Sa } from '../src/ike/v2/ike-sa.js';
import { ADDR, assertTraffic, createPair, events, sideConfig, sideOf, type Datagram, type Pair, type Side } from './util/ike-pair.js';
import { rng, type Rng } from './util/rng.js';

const PSK = 'IKEv2 fuzzing key, not a secret';

function yaml(side: 'A' | 'B'): string {
  const { me, peer, lts, rts, head } = sideOf(side);
  return [
    ...head,
    '  peer:',
    '    version: 2',
    `    local: { address: ${me}, id: ${side === 'A' ? 'a.example' : 'b.example'}, auth: psk }`,
    `    remote: { address: ${peer}, id: ${side === 'A' ? 'b.example' : 'a.example'}, auth: psk }`,
    '    psk: { file: psk.txt }',
    '    ike:',
    '      proposals: [aes128-sha256-modp2048]',
    '      dpd: { delay: 1h, action: clear }',
    '    children:',
    '      lan:',
    `        local-ts: [${lts}]`,
    `        remote-ts: [${rts}]`,
    '        proposals: [aes128gcm16]',
    `        start: ${side === 'A' ? 'start' : 'none'}`,
    '',
  ].join('\n');
}

const pairs: Pair[] = [];
after(async () => {
  for (const p of pairs) await p.close();
});

/** A pair whose wire holds back datagram number `hold` (0: the IKE_SA_INIT request). */
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

/** The wire from now on holds back the first datagram `pred` picks. */
function holdNext(pair: Pair, pred: (d: Datagram, sender: 'A' | 'B') => boolean): Datagram[] {
  const held: Datagram[] = [];
  pair.filter = (d, sender) => {
    if (held.length === 0 && pred(d, sender)) {
      held.push(d);
      return null;
    }
    return d;
  };
  return held;
}

const passAll = (d: Datagram): Datagram => d;
const isMsg = (exchange: number, response: boolean) => (d: Datagram): boolean =>
  d.data.length >= HEADER_BYTES && d.data[18] === exchange && ((d.data[19] & FLAG.RESPONSE) !== 0) === response;

// ---- the daemon's insides (what the state snapshot covers, and the forger's keys) -------------------

interface Internals {
  sas: Set<Ikev2Sa>;
  children: ChildManager<Ikev2Sa>;
  outstanding: Map<Ikev2Sa, { messageId: number }>;
  request(sa: Ikev2Sa, exchange: number, payloads: Payload[], onResponse: (m: unknown) => void, what: string): void;
  startChild(sa: Ikev2Sa, child: unknown, rekeyOf?: unknown): void;
  rekeyIke(sa: Ikev2Sa): void;
}
const inside = (s: Side): Internals => s.daemon as unknown as Internals;
const liveSa = (s: Side): Ikev2Sa => [...inside(s).sas].filter((x) => x.established).sort((a, b) => b.establishedAt! - a.establishedAt!)[0];

/** What must not change: the SAs (state, SPIs, role, peer address, message IDs), the outstanding requests, the CHILD SAs. */
function snapshot(s: Side, ids = true): string {
  const d = inside(s);
  const st = s.daemon.status();
  return JSON.stringify({
    ike: [...d.sas].map((sa) => [sa.id, sa.state, sa.spis, sa.role, `${sa.remote.address}:${sa.remote.port}`, ...(ids ? [sa.nextRequestId, sa.expectedRequestId] : [])]),
    outstanding: [...d.outstanding.entries()].map(([sa, o]) => [sa.id, o.messageId]),
    children: st.children.map((c) => [c.state, c.spiIn, c.spiOut]),
  });
}

const internalErrors = (s: Side): number => s.logs.filter((l) => l.event === 'ike.error').length;
const count = (s: Side, e: string): number => events(s).filter((x) => x === e).length;
const childUp = (s: Side): boolean => count(s, 'child.established') > 0;
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const tick = (): Promise<void> => new Promise((res) => setImmediate(res));


// ---- mutations ------------------------------------------------------------------------------------

const put32 = (b: Uint8Array, at: number, v: number): void => new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0);
const put16 = (b: Uint8Array, at: number, v: number): void => new DataView(b.buffer, b.byteOffset).setUint16(at, v & 0xffff);
const be32 = (v: number): Uint8Array => Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
const get32 = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset).getUint32(at);

/** Offsets of the generic payload headers of a cleartext message, with the type each one carries. */
function payloadHeaders(m: Uint8Array): Array<{ at: number; type: number }> {
  const out: Array<{ at: number; type: number }> = [];
  let at = HEADER_BYTES, type = m[16];
  while (type !== 0 && at + 4 <= m.length) {
    out.push({ at, type });
    type = m[at];
    at += (m[at + 2] << 8) | m[at + 3];
  }
  return out;
}

/** The payloads IKE_SA_INIT must have exactly one of (§1.2): removing or doubling one breaks the message. */
const SINGLE: ReadonlySet<number> = new Set([PAYLOAD.SA, PAYLOAD.KE, PAYLOAD.NONCE]);

interface MutateOpts {
  /** After the header all is ciphertext and ICV (else cleartext: framing changes only). */
  encrypted: boolean;
  /** An SPI may change (not in a half-open IKE_SA_INIT: another SPI is another, valid negotiation). */
  spis: boolean;
}

/** A broken copy of `m`, never equal to it: something no receiver may accept. */
function mutate(r: Rng, m: Uint8Array, o: MutateOpts): Uint8Array {
  for (;;) {
    const x = mutateOnce(r, m, o);
    if (x.length !== m.length || x.some((b, i) => b !== m[i])) return x;
  }
}

function mutateOnce(r: Rng, m: Uint8Array, o: MutateOpts): Uint8Array {
  const x = m.slice();
  const id = get32(m, 20);
  switch (r.int(11)) {
    case 0: { // truncated (the Length fixed up half the time)
      const t = x.slice(0, r.int(m.length));
      if (t.length >= HEADER_BYTES && r.int(2)) put32(t, 24, t.length);
      return t;
    }
    case 1: // header Length wrong, oversized included
      put32(x, 24, r.pick([0, 1, 27, 28, m.length - 1, m.length + 1, m.length + r.int(1000), 0x7fffffff, 0xffffffff]));
      return x;
    case 2: // an SPI changed: no such SA
      if (o.spis) x[r.int(16)] ^= 1 + r.int(255);
      else put32(x, 20, id + 1 + r.int(5));
      return x;
    case 3: // another first payload
      x[16] = r.pick([0, 2, 33, 34, 40, 41, 43, 46, 53, 99, 128, 255].filter((t) => t !== m[16]));
      return x;
    case 4: // another exchange type
      x[18] = r.pick([0, 1, 2, 4, 5, 32, 33, 34, 35, 36, 37, 38, 43, 255].filter((t) => t !== m[18]));
      return x;
    case 5: // the R or I flag flipped, or another major version
      if (r.int(3) === 0) x[17] = r.pick([0x00, 0x10, 0x30, 0xf0, 0x12]);
      else x[19] ^= r.int(2) ? FLAG.RESPONSE : FLAG.INITIATOR;
      return x;
    case 6: { // random bytes behind the header, Length right half the time
      const t = new Uint8Array([...x.subarray(0, HEADER_BYTES), ...r.bytes(r.int(600))]);
      if (r.int(2)) put32(t, 24, t.length);
      return t;
    }
    case 7: // another message ID: from the future or the past
      put32(x, 20, r.pick([id + 1, id - 1, id + 2, id + 100, r.next(), 0xffffffff, 0]));
      return x;
    default: {
      if (o.encrypted) { // any bit after the header: payload headers, IV, ciphertext, padding, ICV
        const at = r.int(4) === 0 ? m.length - 1 - r.int(16) : HEADER_BYTES + r.int(m.length - HEADER_BYTES);
        x[at] ^= 1 << r.int(8);
        return x;
      }
      const reshaped = r.int(3) === 0 ? reshape(r, m) : null;
      if (reshaped) return reshaped;
      // The length or next-payload field of a payload header, where the chain names SA, KE or Nonce:
      // those are required once, so the change always breaks the message (a payload after an optional
      // one retyped to V would be well-formed).
      const hs = payloadHeaders(m);
      const h = r.pick(hs);
      if (r.int(2)) put16(x, h.at + 2, r.pick([0, 1, 3, 4, ((m[h.at + 2] << 8) | m[h.at + 3]) + 1 + r.int(200), 0xffff]));
      else {
        const naming = hs.filter((p, i) => i + 1 < hs.length && SINGLE.has(hs[i + 1].type));
        if (naming.length === 0) return x.slice(0, HEADER_BYTES - 1);
        x[r.pick(naming).at] = r.pick([0, 2, 33, 34, 35, 40, 41, 42, 46, 99, 200]);
      }
      return x;
    }
  }
}

/** A cleartext message with SA, KE or Nonce dropped or doubled (rules.ts refuses both). */
function reshape(r: Rng, m: Uint8Array): Uint8Array | null {
  const { header, body } = decodeMessage(m);
  const ps = decodePayloads(header.nextPayload, body).map((d) => d.payload);
  const core = ps.filter((p) => SINGLE.has(p.type));
  if (core.length === 0) return null;
  const c = r.pick(core);
  const changed: Payload[] = r.int(2) ? ps.filter((p) => p !== c) : [...ps, c];
  return encodeMessage({ spiI: header.spiI, spiR: header.spiR, exchange: header.exchange, flags: header.flags, messageId: header.messageId }, changed);
}

/** §2.21.1: the lone error notify an IKE_SA_INIT responder may send to a broken request. */
function isInitNotify(m: Uint8Array): boolean {
  const { header, body } = decodeMessage(m);
  if (header.exchange !== EXCHANGE.IKE_SA_INIT || !(header.flags & FLAG.RESPONSE) || header.spiR.some((b) => b !== 0)) return false;
  const ps = decodePayloads(header.nextPayload, body);
  return ps.length > 0 && ps.every((d) => d.payload.type === PAYLOAD.N && ((d.payload as NotifyPayload).notifyType < 16384 || (d.payload as NotifyPayload).notifyType === NOTIFY.COOKIE));
}

/**
 * Feeds `n` mutated copies of `d` to its receiver; the receiver's state may not change, nothing may
 * fail internally, and it may answer only as `mayAnswer` allows. Answers don't reach the wire.
 */
async function fuzzHeld(pair: Pair, d: Datagram, r: Rng, n: number, what: string, mayAnswer: (m: Uint8Array) => boolean = () => false): Promise<number> {
  const receiver = d.to.address === ADDR.A ? pair.a : pair.b;
  const keep = pair.filter;
  pair.filter = () => null;
  const before = snapshot(receiver);
  const mark = pair.sent.length;
  const cleartext = d.data[18] === EXCHANGE.IKE_SA_INIT;
  for (let i = 0; i < n; i++) {
    const m = mutate(r, d.data, { encrypted: !cleartext, spis: !cleartext });
    receiver.daemon.receive(d.to, d.from, m);
    assert.equal(snapshot(receiver), before, `${what}, case ${i}: state changed by ${hexOf(m)}\n(real: ${hexOf(d.data)})`);
  }
  const answers = pair.sent.slice(mark).filter((x) => !mayAnswer(x.data));
  assert.deepEqual(answers.map((x) => hexOf(x.data)), [], `${what}: answers to mutated copies`);
  await tick();
  pair.filter = keep;
  assert.equal(internalErrors(receiver), 0, `${what}: a handler failed internally`);
  return n;
}

// ---- the tests -------------------------------------------------------------------------------------

describe('IKEv2 exchange fuzzing', () => {
  let total = 0;
  after(() => {
    // eslint-disable-next-line no-console
    console.log(`# IKEv2 exchange fuzz: ${total} cases`);
  });

  it('held IKE_SA_INIT and IKE_AUTH messages: every mutated copy is dropped; the real one then completes the exchange', async (t) => {
    const r = rng(0x2ce);
    const names = ['IKE_SA_INIT request', 'IKE_SA_INIT response', 'IKE_AUTH request', 'IKE_AUTH response'];
    let cases = 0;
    for (let k = 0; k < 4; k++) {
      const { pair, held } = open(k);
      await pair.until(() => held.length === 1, 5000, `${names[k]} on the wire`);
      const d = held[0];
      cases += await fuzzHeld(pair, d, r, 500, names[k], k === 0 ? isInitNotify : undefined);
      const receiver = d.to.address === ADDR.A ? pair.a : pair.b;
      receiver.daemon.receive(d.to, d.from, d.data);
      await pair.until(() => childUp(pair.a) && childUp(pair.b), 8000, `completion after fuzzing the ${names[k]}`);
      assertTraffic(pair);
      t.diagnostic(`${names[k]}: 500 mutated copies dropped`);
    }
    total += cases;
    t.diagnostic(`${cases} cases on held IKE_SA_INIT / IKE_AUTH messages`);
  });

  it('held CREATE_CHILD_SA and INFORMATIONAL messages: new child, child rekey, Delete, liveness, IKE rekey', async (t) => {
    const r = rng(0x5eed);
    const { pair } = open();
    await pair.until(() => childUp(pair.a) && childUp(pair.b), 5000, 'CHILD SAs');
    assertTraffic(pair);
    let cases = 0;
    const n = 300;
    /**
     * Holds the request of an exchange `trigger` starts (or `o.req`, already held), fuzzes its
     * receiver, then the same for the response; `o.holdAfter`: the next request of that exchange
     * type is held from the moment the response is delivered (returned, for the next call).
     */
    const exchange = async (name: string, exchangeType: number, trigger: () => void, done: () => boolean, o: { req?: Datagram[]; holdAfter?: number } = {}): Promise<Datagram[] | undefined> => {
      const req = o.req ?? holdNext(pair, isMsg(exchangeType, false));
      trigger();
      await pair.until(() => req.length === 1, 5000, `${name} request`);
      cases += await fuzzHeld(pair, req[0], r, n, `${name} request`);
      const resp = holdNext(pair, isMsg(exchangeType, true));
      const to = req[0].to.address === ADDR.A ? pair.a : pair.b;
      to.daemon.receive(req[0].to, req[0].from, req[0].data);
      await pair.until(() => resp.length === 1, 5000, `${name} response`);
      cases += await fuzzHeld(pair, resp[0], r, n, `${name} response`);
      let next: Datagram[] | undefined;
      if (o.holdAfter !== undefined) next = holdNext(pair, isMsg(o.holdAfter, false));
      else pair.filter = passAll;
      const back = resp[0].to.address === ADDR.A ? pair.a : pair.b;
      back.daemon.receive(resp[0].to, resp[0].from, resp[0].data);
      await pair.until(done, 5000, `${name} done`);
      t.diagnostic(`${name}: ${2 * n} mutated copies dropped`);
      return next;
    };

    // A new CHILD SA (§1.3.1), A initiating.
    const established = count(pair.a, 'child.established');
    await exchange('CREATE_CHILD_SA (new child)', EXCHANGE.CREATE_CHILD_SA, () => pair.a.daemon.initiate('peer', 'lan'),
      () => count(pair.a, 'child.established') > established && count(pair.b, 'child.established') > established);

    // A CHILD SA rekey (§1.3.3), B initiating — then B deletes the old pair after the grace period (§1.4.1).
    const b = inside(pair.b);
    const old = b.children.all().find((c) => c.state === 'active')!;
    const delHeld = await exchange('CREATE_CHILD_SA (CHILD SA rekey)', EXCHANGE.CREATE_CHILD_SA, () => {
      old.state = 'rekeying';
      b.startChild(liveSa(pair.b), old.child, old);
    }, () => count(pair.a, 'child.rekeyed') === 1 && count(pair.b, 'child.rekeyed') === 1, { holdAfter: EXCHANGE.INFORMATIONAL });
    const oldSpi = old.result.spiIn;
    await exchange('INFORMATIONAL (Delete of the rekeyed pair)', EXCHANGE.INFORMATIONAL, () => {},
      () => !b.children.byInboundSpi(oldSpi) && !inside(pair.a).children.all().some((c) => c.result.spiOut === oldSpi), { req: delHeld });

    // A liveness check (§2.4), A asking.
    let alive = false;
    await exchange('INFORMATIONAL (liveness)', EXCHANGE.INFORMATIONAL, () => {
      inside(pair.a).request(liveSa(pair.a), EXCHANGE.INFORMATIONAL, [], () => {
        alive = true;
      }, 'a liveness check');
    }, () => alive);

    // An IKE SA rekey (§1.3.2), A initiating; then A deletes the old IKE SA.
    const oldIke = liveSa(pair.a);
    const ikeDel = await exchange('CREATE_CHILD_SA (IKE SA rekey)', EXCHANGE.CREATE_CHILD_SA, () => inside(pair.a).rekeyIke(oldIke),
      () => count(pair.a, 'ike.rekeyed') === 1 && count(pair.b, 'ike.rekeyed') === 1, { holdAfter: EXCHANGE.INFORMATIONAL });
    await exchange('INFORMATIONAL (Delete of the old IKE SA)', EXCHANGE.INFORMATIONAL, () => {},
      () => inside(pair.a).sas.size === 1 && inside(pair.b).sas.size === 1, { req: ikeDel });

    assertTraffic(pair);
    for (const s of [pair.a, pair.b]) assert.equal(internalErrors(s), 0);
    total += cases;
    t.diagnostic(`${cases} cases on held CREATE_CHILD_SA / INFORMATIONAL messages`);
  });

  it('established: mutations of every message, and well-encrypted forgeries, change nothing; the RFC answer or silence', async (t) => {
    const r = rng(0xbeef2);
    const { pair } = open();
    await pair.until(() => childUp(pair.a) && childUp(pair.b), 5000, 'CHILD SAs');
    // More to record: a second CHILD SA, a liveness check, and the Delete of the second pair by B.
    pair.a.daemon.initiate('peer', 'lan');
    await pair.until(() => count(pair.a, 'child.established') === 2 && count(pair.b, 'child.established') === 2, 5000, 'a second CHILD SA');
    let alive = false;
    inside(pair.a).request(liveSa(pair.a), EXCHANGE.INFORMATIONAL, [], () => {
      alive = true;
    }, 'a liveness check');
    await pair.until(() => alive, 5000, 'a liveness round');
    const second = inside(pair.b).children.all()[1];
    void inside(pair.b).children.remove(second, true, 'test');
    await pair.until(() => inside(pair.a).children.all().length === 1, 5000, 'the Delete of the second pair');
    await new Promise((res) => setTimeout(res, 50));

    const recorded = pair.sent.map((s) => ({ ...s }));
    const sides = [pair.a, pair.b];
    const sentBefore = new Set(recorded.map((d) => hexOf(d.data)));
    let before = sides.map((s) => snapshot(s));
    let mark = pair.sent.length;
    let mutations = 0;

    // 2. Mutations of every recorded message, to both sides.
    for (let i = 0; i < 6000; i++) {
      const d = r.pick(recorded);
      const init = d.data[18] === EXCHANGE.IKE_SA_INIT;
      // Another SPIi on an IKE_SA_INIT request would be a new negotiation, not a forgery.
      const m = mutate(r, d.data, { encrypted: !init, spis: !init || d.data.subarray(8, 16).some((b) => b !== 0) });
      const to = r.pick(sides);
      to.daemon.receive({ address: ADDR[to.name], port: 500 }, d.from, m);
      mutations++;
    }
    await tick();
    for (const [i, s] of sides.entries()) {
      assert.equal(snapshot(s), before[i], `${s.name}: state changed by mutations`);
      assert.equal(internalErrors(s), 0, `${s.name}: a handler failed internally`);
    }
    const answers = pair.sent.slice(mark).filter((d) => !sentBefore.has(hexOf(d.data)));
    assert.deepEqual(answers.map((d) => `${d.sender}: exchange ${d.data[18]}`), [], 'no answers to mutations but cached ones');
    t.diagnostic(`${mutations} mutations of ${recorded.length} recorded messages`);

    // A late copy of the IKE_SA_INIT request: silence — §2.1, a response need only be kept until a
    // request with a higher message ID came (IKE_AUTH's); a copy of the last request gets the cached
    // response byte for byte (checked with each answered forgery below).
    {
      const [req] = recorded;
      mark = pair.sent.length;
      pair.b.daemon.receive(req.to, req.from, req.data);
      assert.deepEqual(pair.sent.slice(mark).map((d) => hexOf(d.data)), [], 'a late IKE_SA_INIT request');
      assert.equal(snapshot(pair.b), before[1]);
      mutations++;
    }

    // 3. Well-encrypted forgeries, made with the real keys.
    let forgeries = 0;
    const tally = new Map<string, number>();
    for (const [s, peer] of [[pair.a, pair.b], [pair.b, pair.a]] as const) {
      const mine = liveSa(s), theirs = liveSa(peer); // the same IKE SA, seen from both ends
      const from = { address: ADDR[peer.name], port: 500 }, to = { address: ADDR[s.name], port: 500 };
      const child = inside(s).children.all()[0];
      const header = (exchange: number, messageId: number, response = false) =>
        ({ spiI: theirs.spiI, spiR: theirs.spiR, exchange, flags: theirs.flags(response), messageId });
      /** Seals as the peer; `consume`: the request takes the peer's next message ID (it will be answered). */
      const seal = (exchange: number, payloads: Payload[], o: { id?: number; response?: boolean; keys?: 'in' | 'out'; fragment?: number } = {}): Uint8Array[] =>
        sealMessage(header(exchange, o.id ?? theirs.nextRequestId, o.response), payloads, theirs.skKeys(o.keys ?? 'out'), o.fragment ? { fragmentSize: o.fragment } : {});
      const deliver = (ms: Uint8Array[]): Array<{ data: Uint8Array }> => {
        const at = pair.sent.length;
        for (const m of ms) s.daemon.receive(to, from, m);
        return pair.sent.slice(at).filter((x) => x.sender === s.name);
      };
      const note = (what: string): void => {
        tally.set(what, (tally.get(what) ?? 0) + 1);
        forgeries++;
      };
      /** Expects silence and no change at all. */
      const silent = (what: string, ms: Uint8Array[]): void => {
        const b0 = snapshot(s);
        const out = deliver(ms);
        assert.deepEqual(out.map((x) => hexOf(x.data)), [], `${s.name}, ${what}: answered`);
        assert.equal(snapshot(s), b0, `${s.name}, ${what}: state changed`);
        note(what);
      };
      /** Expects one response carrying exactly these payloads (notify types for N), the request's message ID consumed, nothing else changed. */
      const answered = (what: string, payloads: Payload[], want: Array<number | string>, o: { fragment?: number; extra?: Uint8Array[] } = {}): void => {
        const id = theirs.nextRequestId, expected = mine.expectedRequestId;
        assert.equal(id, expected, `${s.name}, ${what}: message IDs out of step`);
        const b0 = snapshot(s, false);
        const ms = seal(EXCHANGE_OF.get(what) ?? EXCHANGE.INFORMATIONAL, payloads, { fragment: o.fragment });
        theirs.nextRequestId++;
        const out = deliver([...(o.extra ?? []), ...ms]);
        assert.equal(out.length, 1, `${s.name}, ${what}: ${out.length} answers`);
        const opened = openMessage(out[0].data, theirs.skKeys('in'));
        assert.ok(opened, `${s.name}, ${what}: the answer is sealed with the SA's keys`);
        assert.equal(opened.header.messageId, id, `${s.name}, ${what}: the answer's message ID`);
        assert.ok(opened.header.flags & FLAG.RESPONSE);
        const got = decodePayloads(opened.innerFirst, opened.plain).map((d: Decoded) => d.payload.type === PAYLOAD.N ? (d.payload as NotifyPayload).notifyType : PAYLOAD_NAME[d.payload.type] ?? d.payload.type);
        assert.deepEqual(got, want, `${s.name}, ${what}: the answer`);
        assert.equal(mine.expectedRequestId, expected + 1, `${s.name}, ${what}: the request's message ID is used up`);
        assert.equal(snapshot(s, false), b0, `${s.name}, ${what}: state changed`);
        // The same request again: the cached answer, byte for byte (§2.1).
        const again = deliver([ms[ms.length - 1]]);
        assert.deepEqual(again.map((x) => hexOf(x.data)), [hexOf(out[0].data)], `${s.name}, ${what}: a retransmission gets the cached answer`);
        note(what);
      };
      const EXCHANGE_OF = new Map<string, number>();
      const as = (what: string, exchange: number): string => (EXCHANGE_OF.set(what, exchange), what);

      const unknownSpi = 0x0badf00d;
      const childEx = (rekeyOf?: number): ChildExchange => ({
        initiator: true, child: child.child, spiIn: 0x12345678, rekeyOf,
        localTs: child.result.remoteTs.map((p) => tsFromPrefix(p)), remoteTs: child.result.localTs.map((p) => tsFromPrefix(p)),
      });
      const nonce = (): Payload => ({ type: PAYLOAD.NONCE, data: r.bytes(32) });

      for (let i = 0; i < 5; i++) {
        // Silence (§2.21.2: a bad ICV; §2.3: message IDs outside the window; responses nobody asked for).
        const del = [{ type: PAYLOAD.D, protocolId: PROTOCOL.IKE, spiSize: 0, spis: [] }] as Payload[];
        const badIcv = seal(EXCHANGE.INFORMATIONAL, del)[0];
        badIcv[badIcv.length - 1 - r.int(16)] ^= 1 << r.int(8);
        silent('Delete of the IKE SA with a bad ICV', [badIcv]);
        silent('Delete of the IKE SA sealed with the other direction\'s keys', seal(EXCHANGE.INFORMATIONAL, del, { keys: 'in' }));
        for (const id of [mine.expectedRequestId + 1, mine.expectedRequestId + 2 + r.int(1000), 0x7fffffff, 0xffffffff]) {
          silent('Delete of the IKE SA with a message ID from the future', seal(EXCHANGE.INFORMATIONAL, del, { id }));
        }
        for (const id of [mine.expectedRequestId - 1, 0, Math.max(0, mine.expectedRequestId - 2)]) {
          silent('Delete of the IKE SA with a message ID from the past', seal(EXCHANGE.INFORMATIONAL, del, { id }));
        }
        for (const id of [mine.nextRequestId, mine.nextRequestId - 1, r.next()]) {
          silent('an INFORMATIONAL response nobody asked for', seal(EXCHANGE.INFORMATIONAL, del, { id, response: true }));
          silent('a CREATE_CHILD_SA response nobody asked for', seal(EXCHANGE.CREATE_CHILD_SA, [{ ...notify(NOTIFY.NO_PROPOSAL_CHOSEN) }], { id, response: true }));
        }
        // Forged fragments (RFC 7383): numbering out of range, or too many to collect.
        const frags = seal(EXCHANGE.INFORMATIONAL, [{ type: PAYLOAD.V, data: r.bytes(400) }], { fragment: 200 });
        for (const f of frags) {
          const x = f.slice();
          put16(x, HEADER_BYTES + 4 + 2 * r.int(2), r.pick([0, 0xffff, frags.length + 1]));
          silent('an SKF fragment with a broken number or total', [x]);
        }
        silent('SKF fragments that never complete', frags.slice(1));
      }

      // Answered: CHILD_SA_NOT_FOUND (§1.3.3, §3.10.1), Delete of unknown SPIs (§1.4.1), INVALID_SYNTAX (§2.21.3, §3.10.1),
      // UNSUPPORTED_CRITICAL_PAYLOAD (§2.5).
      for (let i = 0; i < 3; i++) {
        answered(as('CREATE_CHILD_SA rekeying an unknown SPI', EXCHANGE.CREATE_CHILD_SA), childRequest(theirs, childEx(unknownSpi + i), r.bytes(32)), [NOTIFY.CHILD_SA_NOT_FOUND]);
        answered('Delete of unknown ESP SPIs', [{ type: PAYLOAD.D, protocolId: PROTOCOL.ESP, spiSize: 4, spis: [Uint8Array.of(0, 0, 0, i + 1), r.bytes(4)] }], []);
        answered('Delete of the ESP SPI under protocol AH', [{ type: PAYLOAD.D, protocolId: PROTOCOL.AH, spiSize: 4, spis: [be32(child.result.spiIn)] }], []);
        answered('an empty INFORMATIONAL (liveness)', [], []);
        answered('INFORMATIONAL carrying SA, Nonce, KE', [childRequest(theirs, childEx(), r.bytes(32))[0], nonce(), { type: PAYLOAD.KE, group: 14, data: r.bytes(256) }], [NOTIFY.INVALID_SYNTAX]);
        answered('INFORMATIONAL carrying TSi and TSr', childRequest(theirs, childEx(), undefined).slice(1), [NOTIFY.INVALID_SYNTAX]);
        answered(as('CREATE_CHILD_SA without Nonce', EXCHANGE.CREATE_CHILD_SA), childRequest(theirs, childEx(), undefined), [NOTIFY.INVALID_SYNTAX]);
        answered(as('CREATE_CHILD_SA with an IDi', EXCHANGE.CREATE_CHILD_SA), [...childRequest(theirs, childEx(), r.bytes(32)), { type: PAYLOAD.IDi, idType: 2, data: new TextEncoder().encode('x.example') }], [NOTIFY.INVALID_SYNTAX]);
        answered(as('IKE_AUTH on an established SA', EXCHANGE.IKE_AUTH), [{ type: PAYLOAD.IDi, idType: 2, data: new TextEncoder().encode('a.example') }], [NOTIFY.INVALID_SYNTAX]);
        answered('INFORMATIONAL with a malformed Nonce', [{ type: PAYLOAD.NONCE, data: r.bytes(3) }], [NOTIFY.INVALID_SYNTAX]);
        answered('INFORMATIONAL with a critical unknown payload', [{ type: 200, critical: true, body: r.bytes(8) }], [NOTIFY.UNSUPPORTED_CRITICAL_PAYLOAD]);
        // A real fragmented request among mutated copies of its fragments: one answer once all are in.
        const big: Payload[] = [{ type: PAYLOAD.V, data: r.bytes(700) }];
        const probe = seal(EXCHANGE.INFORMATIONAL, big, { fragment: 256 });
        assert.ok(probe.length > 2, 'fragmented');
        const broken = probe.map((f) => mutate(r, f, { encrypted: true, spis: true }));
        answered('a fragmented liveness request among mutated fragments', big, [], { fragment: 256, extra: broken });
      }
      // An unknown exchange type, well encrypted: silence, the message ID unused.
      silent('a request of an unknown exchange type', seal(40, []));
      silent('a request of an unknown exchange type with a malformed payload', seal(40, [{ type: PAYLOAD.NONCE, data: r.bytes(3) }]));
    }
    await tick();
    await new Promise((res) => setTimeout(res, 50));
    for (const s of sides) assert.equal(internalErrors(s), 0, `${s.name}: a handler failed internally`);
    for (const [what, n] of tally) t.diagnostic(`forgery: ${what} × ${n}`);
    t.diagnostic(`${forgeries} well-encrypted forgeries`);

    // Everything still works: a liveness check, a new CHILD SA, traffic.
    before = sides.map((s) => snapshot(s));
    mark = pair.sent.length;
    alive = false;
    inside(pair.b).request(liveSa(pair.b), EXCHANGE.INFORMATIONAL, [], () => {
      alive = true;
    }, 'a liveness check');
    await pair.until(() => alive, 3000, 'a liveness round after the fuzzing');
    pair.a.daemon.initiate('peer', 'lan');
    await pair.until(() => count(pair.a, 'child.established') === 3 && count(pair.b, 'child.established') === 3, 5000, 'a CHILD SA after the fuzzing');
    assertTraffic(pair);
    for (const s of sides) assert.equal(internalErrors(s), 0);
    total += mutations + forgeries;
    t.diagnostic(`${mutations + forgeries} cases against established SAs`);
  });
});

const PAYLOAD_NAME: Record<number, string> = { 33: 'SA', 34: 'KE', 40: 'Nonce', 42: 'D', 43: 'V', 44: 'TSi', 45: 'TSr' };
