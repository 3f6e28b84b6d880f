// SK and SKF (RFC 7296 §3.14, RFC 5282, RFC 7634, RFC 7383): seal / open round trips for every
// supported suite, what is authenticated (header, SK header, IV, ciphertext), the framing refusals,
// and fragmentation: small fragment sizes, reassembly out of order and with duplicates, re-
// fragmentation with a larger total, the limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import {
  decodeMessage, decodePayloads, DecodeError, encodeMessage, ENCR, EXCHANGE, FLAG, INTEG, NOTIFY, openFragment, openMessage, PAYLOAD, Reassembly, sealMessage,
  skOverhead, type OpenedFragment, type Payload, type SkKeys,
} from '../src/ike/codec/v2/index.js';
import { rng } from './util/rng.js';
import { decodeError, hex } from './util/ikev2.js';

const H = { spiI: hex('0102030405060708'), spiR: hex('1112131415161718'), exchange: EXCHANGE.IKE_AUTH, flags: FLAG.INITIATOR, messageId: 1 };
const key = (n: number): Uint8Array => Uint8Array.from(randomBytes(n));

const SUITES: Array<[string, SkKeys]> = [
  ['AES-128-CBC + HMAC-SHA1-96', { encr: { id: ENCR.AES_CBC, keyLength: 128 }, integ: INTEG.HMAC_SHA1_96, ke: key(16), ka: key(20) }],
  ['AES-256-CBC + HMAC-SHA2-256-128', { encr: { id: ENCR.AES_CBC, keyLength: 256 }, integ: INTEG.HMAC_SHA2_256_128, ke: key(32), ka: key(32) }],
  ['AES-192-CBC + HMAC-SHA2-384-192', { encr: { id: ENCR.AES_CBC, keyLength: 192 }, integ: INTEG.HMAC_SHA2_384_192, ke: key(24), ka: key(48) }],
  ['AES-256-CBC + HMAC-SHA2-512-256', { encr: { id: ENCR.AES_CBC, keyLength: 256 }, integ: INTEG.HMAC_SHA2_512_256, ke: key(32), ka: key(64) }],
  ['3DES + HMAC-MD5-96', { encr: { id: ENCR['3DES'] }, integ: INTEG.HMAC_MD5_96, ke: key(24), ka: key(16) }],
  ['AES-128-GCM-16', { encr: { id: ENCR.AES_GCM_16, keyLength: 128 }, integ: INTEG.NONE, ke: key(20) }],
  ['AES-256-GCM-16', { encr: { id: ENCR.AES_GCM_16, keyLength: 256 }, integ: INTEG.NONE, ke: key(36) }],
  ['AES-128-GCM-8', { encr: { id: ENCR.AES_GCM_8, keyLength: 128 }, integ: INTEG.NONE, ke: key(20) }],
  ['AES-256-CCM-16', { encr: { id: ENCR.AES_CCM_16, keyLength: 256 }, integ: INTEG.NONE, ke: key(35) }],
  ['ChaCha20-Poly1305', { encr: { id: ENCR.CHACHA20_POLY1305 }, integ: INTEG.NONE, ke: key(36) }],
];

const inner: Payload[] = [
  { type: PAYLOAD.IDi, idType: 2, data: new TextEncoder().encode('gw-a.lab.example') },
  { type: PAYLOAD.AUTH, method: 2, data: key(32) },
  { type: PAYLOAD.N, protocolId: 0, spi: new Uint8Array(0), notifyType: NOTIFY.INITIAL_CONTACT, data: new Uint8Array(0) },
  { type: PAYLOAD.V, data: key(700) },
];

test('seal / open every suite: inner payloads survive, header and IV / ciphertext / ICV are authenticated', () => {
  for (const [name, keys] of SUITES) {
    for (const ps of [inner, [], inner.slice(0, 1)]) {
      const [msg] = sealMessage(H, ps, keys);
      const o = openMessage(msg, keys);
      assert.ok(o, name);
      assert.equal(o.innerFirst, ps[0]?.type ?? 0);
      assert.deepEqual(decodePayloads(o.innerFirst, o.plain).map((d) => d.payload), ps, name);
      assert.deepEqual({ ...o.header, spiI: [...o.header.spiI], spiR: [...o.header.spiR] }, {
        ...H, spiI: [...H.spiI], spiR: [...H.spiR], nextPayload: PAYLOAD.SK, version: 0x20, length: msg.length,
      });
      const { iv, icv, block } = skOverhead(keys);
      const encLen = msg.length - 32 - iv - icv;
      assert.equal(encLen % block, 0, `${name}: whole blocks`);
      assert.ok(encLen - (o.plain.length + 1) < block, `${name}: minimal padding`);
      // Any one flipped bit anywhere (header, SK header, IV, ciphertext, ICV) fails the check.
      for (const at of [0, 18, 20, 28, 31, 32, 32 + iv, msg.length - icv - 1, msg.length - 1]) {
        const bad = msg.slice();
        bad[at] ^= 0x01;
        let r: unknown;
        try {
          r = openMessage(bad, keys);
        } catch (err) {
          assert.ok(err instanceof DecodeError, `${name} @${at}: ${String(err)}`);
          continue; // framing bytes: a DecodeError is as good
        }
        assert.equal(r, null, `${name}: flipped bit at ${at}`);
      }
    }
  }
});

test('open: framing errors are DecodeErrors; a message without SK too', () => {
  const keys = SUITES[0][1];
  const [msg] = sealMessage(H, inner, keys);
  decodeError(() => openMessage(msg.subarray(0, msg.length - 1), keys), NOTIFY.INVALID_SYNTAX, 'truncated');
  // Shorten the SK payload and the header consistently by 5 bytes: not whole blocks.
  const short = msg.slice(0, msg.length - 5);
  new DataView(short.buffer).setUint32(24, short.length);
  new DataView(short.buffer).setUint16(30, short.length - 28);
  decodeError(() => openMessage(short, keys), NOTIFY.INVALID_SYNTAX, 'not whole blocks');
  // Pad Length larger than the plaintext (sealed by hand: the ICV is right, the padding is not).
  const iv = key(16), clear = new Uint8Array(16);
  clear[15] = 200;
  const c = createCipheriv('aes-128-cbc', keys.ke, iv).setAutoPadding(false);
  const ct = Buffer.concat([c.update(clear), c.final()]);
  const handMade = new Uint8Array(28 + 4 + 16 + 16 + 12);
  handMade.set(encodeMessage(H, []).subarray(0, 28));
  const dv = new DataView(handMade.buffer);
  handMade[16] = PAYLOAD.SK;
  dv.setUint32(24, handMade.length);
  dv.setUint16(30, handMade.length - 28);
  handMade.set(iv, 32);
  handMade.set(ct, 48);
  handMade.set(createHmac('sha1', keys.ka!).update(handMade.subarray(0, 64)).digest().subarray(0, 12), 64);
  decodeError(() => openMessage(handMade, keys), NOTIFY.INVALID_SYNTAX, 'Pad Length 200 in 16 bytes');
  clear[15] = 15;
  const c2 = createCipheriv('aes-128-cbc', keys.ke, iv).setAutoPadding(false);
  handMade.set(Buffer.concat([c2.update(clear), c2.final()]), 48);
  handMade.set(createHmac('sha1', keys.ka!).update(handMade.subarray(0, 64)).digest().subarray(0, 12), 64);
  assert.deepEqual(openMessage(handMade, keys)!.plain, new Uint8Array(0), 'all padding: an empty SK');
  const notSk = sealMessage(H, inner, keys, { fragmentSize: 300 })[0];
  decodeError(() => openMessage(notSk, keys), NOTIFY.INVALID_SYNTAX, 'an SKF message');
  decodeError(() => openFragment(msg, keys), NOTIFY.INVALID_SYNTAX, 'an SK message as a fragment');
  assert.throws(() => sealMessage(H, inner, { ...keys, ka: key(3) }), RangeError);
  assert.throws(() => sealMessage(H, inner, { encr: { id: ENCR.AES_GCM_16 }, integ: INTEG.HMAC_SHA1_96, ke: key(20), ka: key(20) }), RangeError);
  assert.throws(() => sealMessage(H, inner, { encr: { id: ENCR.AES_CTR }, integ: INTEG.HMAC_SHA1_96, ke: key(20), ka: key(20) }), RangeError);
  assert.throws(() => sealMessage(H, inner, { encr: { id: ENCR.AES_CBC, keyLength: 256 }, integ: INTEG.HMAC_SHA1_96, ke: key(16), ka: key(20) }), RangeError);
});

test('fragmentation (RFC 7383): every fragment ≤ fragmentSize, reassembly in any order with duplicates gives the message back', () => {
  const r = rng(7383);
  let checked = 0;
  for (const [name, keys] of SUITES) {
    for (const size of [120, 200, 576, 1280]) {
      const frags = sealMessage(H, inner, keys, { fragmentSize: size });
      const whole = sealMessage(H, inner, keys)[0];
      if (whole.length <= size) {
        assert.equal(frags.length, 1);
        continue;
      }
      assert.ok(frags.length > 1, `${name} @${size}`);
      const opened = frags.map((f, i) => {
        assert.ok(f.length <= size, `${name} @${size}: fragment ${i + 1} is ${f.length} bytes`);
        assert.equal(decodeMessage(f).header.nextPayload, PAYLOAD.SKF);
        const o = openFragment(f, keys)!;
        assert.deepEqual([o.fragmentNumber, o.totalFragments, o.innerFirst], [i + 1, frags.length, i === 0 ? PAYLOAD.IDi : 0]);
        return o;
      });
      for (let round = 0; round < 5; round++) {
        const order = [...opened, ...opened.filter(() => r.int(3) === 0)];
        for (let i = order.length - 1; i > 0; i--) {
          const j = r.int(i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
        const re = new Reassembly();
        let done: ReturnType<Reassembly['add']> = null;
        for (const f of order) {
          const got = re.add(f);
          if (got) {
            assert.equal(done, null, 'completes once');
            done = got;
          }
        }
        assert.ok(done, `${name} @${size}: complete`);
        assert.equal(done.innerFirst, PAYLOAD.IDi);
        assert.deepEqual(decodePayloads(done.innerFirst, done.plain).map((d) => d.payload), inner);
        checked++;
      }
    }
  }
  assert.ok(checked >= 30);
  assert.throws(() => sealMessage(H, inner, SUITES[0][1], { fragmentSize: 60 }), RangeError);
});

test('reassembly: a larger total starts over, a smaller one is ignored, other message IDs are ignored, limits', () => {
  const keys = SUITES[5][1];
  const open = (fs: Uint8Array[]): OpenedFragment[] => fs.map((f) => openFragment(f, keys)!);
  const big = open(sealMessage(H, inner, keys, { fragmentSize: 400 }));
  const small = open(sealMessage(H, inner, keys, { fragmentSize: 200 }));
  assert.ok(small.length > big.length);
  const re = new Reassembly();
  assert.equal(re.add(big[0]), null);
  assert.equal(re.add(small[0]), null); // re-fragmented smaller: start over
  assert.equal(re.received, 1);
  for (const f of big) assert.equal(re.add(f), null, 'the old, smaller total is ignored now');
  assert.equal(re.add(open(sealMessage({ ...H, messageId: 2 }, inner, keys, { fragmentSize: 200 }))[1]), null, 'another message ID');
  let done = null;
  for (const f of small.slice(1)) done = re.add(f) ?? done;
  assert.ok(done && re.complete);
  assert.deepEqual(decodePayloads(done.innerFirst, done.plain).map((d) => d.payload), inner);
  assert.equal(re.add(small[0]), null, 'after completion');
  // Limits.
  assert.throws(() => new Reassembly({ maxFragments: 3 }).add(small[0]), DecodeError);
  const tight = new Reassembly({ maxBytes: 300 });
  assert.throws(() => { for (const f of small) tight.add(f); }, DecodeError);
  assert.throws(() => new Reassembly().add({ ...small[0], fragmentNumber: 0 }), DecodeError);
});
