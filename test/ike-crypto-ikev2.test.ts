// src/ike/crypto/ikev2.ts against strongSwan: SKEYSEED, SK_*, the PSK AUTH, child KEYMAT with and
// without PFS, and an IKE SA rekey, all recomputed from the inputs charon logged
// (test/vectors/ikev2-keys.ts); plus the formulas written out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import {
  childKeys, deriveIkeKeys, KEY_PAD, macedId, pskAuth, rekeySkeyseed, skeyseed, type IkeKeys,
} from '../src/ike/crypto/ikev2.js';
import { prfPlus } from '../src/ike/crypto/prf.js';
import { IKEV2_CASES, type ChildKeys, type SkKeys } from './vectors/ikev2-keys.js';
import { hex, toHex } from './util/vectors.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const n = (s: string): number => s.length / 2;

function sizes(v: SkKeys) {
  return { d: n(v.SK_d), ai: n(v.SK_ai), ar: n(v.SK_ar), ei: n(v.SK_ei), er: n(v.SK_er), pi: n(v.SK_pi), pr: n(v.SK_pr) };
}

function assertKeys(got: IkeKeys, want: SkKeys, ctx: string): void {
  for (const k of ['SK_d', 'SK_ai', 'SK_ar', 'SK_ei', 'SK_er', 'SK_pi', 'SK_pr'] as const) assert.equal(toHex(got[k]), want[k], `${ctx} ${k}`);
}

const keymatOf = (c: ChildKeys): string => c.encr_initiator + c.integ_initiator + c.encr_responder + c.integ_responder;

test('strongSwan vectors cover an AEAD IKE SA (no SK_a) and several PRFs', () => {
  assert.ok(IKEV2_CASES.some((v) => v.SK_ai === ''));
  assert.deepEqual(new Set(IKEV2_CASES.map((v) => v.hash)), new Set(['sha1', 'sha256', 'sha384', 'sha512']));
});

for (const v of IKEV2_CASES) {
  test(`strongSwan ${v.name}: SKEYSEED and SK_* (RFC 7296 §2.14)`, () => {
    const s = skeyseed(v.hash, hex(v.Ni), hex(v.Nr), hex(v.g_ir));
    assert.equal(toHex(s), v.SKEYSEED);
    const keys = deriveIkeKeys({ prf: v.hash, skeyseed: s, Ni: hex(v.Ni), Nr: hex(v.Nr), SPIi: hex(v.SPIi), SPIr: hex(v.SPIr), sizes: sizes(v) });
    assertKeys(keys, v, v.name);
    // d, pi and pr default to the PRF's output length.
    const { d: _d, pi: _pi, pr: _pr, ...rest } = sizes(v);
    assertKeys(deriveIkeKeys({ prf: v.hash, skeyseed: s, Ni: hex(v.Ni), Nr: hex(v.Nr), SPIi: hex(v.SPIi), SPIr: hex(v.SPIr), sizes: rest }), v, 'defaults');
  });

  test(`strongSwan ${v.name}: PSK AUTH of the initiator (RFC 7296 §2.15)`, () => {
    const psk = ascii(v.psk);
    assert.equal(toHex(createHmac(v.hash, psk).update(KEY_PAD).digest()), v.auth.prf_secret_keypad);
    assert.equal(toHex(pskAuth(v.hash, psk, hex(v.auth.octets))), v.auth.AUTH);
    // The signed octets end with prf(SK_pi, IDi').
    assert.ok(v.auth.octets.endsWith(toHex(macedId(v.hash, hex(v.SK_pi), hex(v.auth.IDx_)))));
  });

  test(`strongSwan ${v.name}: CHILD_SA KEYMAT from IKE_AUTH and from a PFS rekey (RFC 7296 §2.17)`, () => {
    const first = keymatOf(v.child);
    assert.equal(toHex(childKeys(v.hash, hex(v.SK_d), undefined, hex(v.Ni), hex(v.Nr), n(first))), first);
    const r = v.rekeyChild;
    const second = keymatOf(r);
    assert.equal(toHex(childKeys(v.hash, hex(v.SK_d), hex(r.g_ir), hex(r.Ni), hex(r.Nr), n(second))), second);
  });

  test(`strongSwan ${v.name}: IKE SA rekey (RFC 7296 §2.18)`, () => {
    const x = v.rekeyIke;
    const s = rekeySkeyseed(v.hash, hex(v.SK_d), hex(x.g_ir), hex(x.Ni), hex(x.Nr));
    assert.equal(toHex(s), x.SKEYSEED);
    assertKeys(deriveIkeKeys({ prf: v.hash, skeyseed: s, Ni: hex(x.Ni), Nr: hex(x.Nr), SPIi: hex(x.SPIi), SPIr: hex(x.SPIr), sizes: sizes(x) }), x, 'rekeyed');
  });
}

test('the formulas written out', () => {
  const ni = randomBytes(32), nr = randomBytes(48), gir = randomBytes(256), spiI = randomBytes(8), spiR = randomBytes(8);
  const s = createHmac('sha256', Buffer.concat([ni, nr])).update(gir).digest();
  assert.equal(toHex(skeyseed('sha256', ni, nr, gir)), s.toString('hex'));
  const stream = prfPlus('sha256', s, Buffer.concat([ni, nr, spiI, spiR]), 32 * 3 + 2 * 32 + 2 * 16 + 4);
  const k = deriveIkeKeys({ prf: 'sha256', skeyseed: s, Ni: ni, Nr: nr, SPIi: spiI, SPIr: spiR, sizes: { ai: 32, ar: 32, ei: 18, er: 18 } });
  assert.equal(toHex(k.SK_d) + toHex(k.SK_ai) + toHex(k.SK_ar) + toHex(k.SK_ei) + toHex(k.SK_er) + toHex(k.SK_pi) + toHex(k.SK_pr), toHex(stream));
  const skd = randomBytes(32);
  assert.equal(toHex(rekeySkeyseed('sha256', skd, gir, ni, nr)), createHmac('sha256', skd).update(Buffer.concat([gir, ni, nr])).digest('hex'));
  assert.equal(toHex(childKeys('sha256', skd, gir, ni, nr, 100)), toHex(prfPlus('sha256', skd, Buffer.concat([gir, ni, nr]), 100)));
  assert.equal(new TextDecoder().decode(KEY_PAD), 'Key Pad for IKEv2');
});

test('argument checks', () => {
  const base = { prf: 'sha1' as const, skeyseed: new Uint8Array(20), Ni: new Uint8Array(16), Nr: new Uint8Array(16), SPIr: new Uint8Array(8), sizes: { ai: 20, ar: 20, ei: 16, er: 16 } };
  assert.throws(() => deriveIkeKeys({ ...base, SPIi: new Uint8Array(4) }), /SPIi must be 8 bytes/);
  assert.throws(() => deriveIkeKeys({ ...base, SPIi: new Uint8Array(8), sizes: { ai: -1, ar: 20, ei: 16, er: 16 } }), /non-negative/);
});
