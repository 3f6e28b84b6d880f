// src/ike/crypto/prf.ts: the HMAC PRF and plain hashes against a second computation, prf+ against
// its definition written out (RFC 7296 §2.13; no published prf+ vectors exist), and the IKEv1 /
// IKEv2 algorithm numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  HASH_NAMES, hashBytes, hashFromIkev1, hashFromIkev2Prf, hashOf, prf, prfPlus, type HashName,
} from '../src/ike/crypto/prf.js';
import { hex, toHex } from './util/vectors.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

test('hashBytes: output lengths', () => {
  assert.deepEqual(HASH_NAMES.map(hashBytes), [16, 20, 32, 48, 64]);
  assert.throws(() => hashBytes('sha224' as HashName), /unknown hash/);
});

// One published vector per hash as an anchor (RFC 2202 §2/§3 case 2, RFC 4231 §4.3 case 2); the
// differential test below covers the rest.
test('prf: RFC 2202 and RFC 4231 "Jefe" vectors', () => {
  const key = ascii('Jefe'), data = ascii('what do ya want for nothing?');
  assert.equal(toHex(prf('md5', key, data)), '750c783e6ab0b503eaa86e310a5db738');
  assert.equal(toHex(prf('sha1', key, data)), 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79');
  assert.equal(toHex(prf('sha256', key, data)), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  assert.equal(toHex(prf('sha384', key, data)),
    'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649');
  assert.equal(toHex(prf('sha512', key, data)),
    '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaea' +
    'b1a34d4a6b4b636e070a38bce737');
});

test('prf and hashOf: the parts are concatenated (differential against node:crypto in one piece)', () => {
  for (const h of HASH_NAMES) {
    for (let n = 0; n < 20; n++) {
      // Keys shorter and longer than the HMAC block (64 or 128 bytes), the empty key included.
      const key = randomBytes([0, 1, 16, 64, 65, 128, 129, 200][n % 8]);
      const parts = Array.from({ length: n % 5 }, (_, i) => randomBytes((n * 7 + i * 13) % 97));
      const whole = Buffer.concat(parts);
      assert.equal(toHex(prf(h, key, ...parts)), createHmac(h, key).update(whole).digest('hex'), `${h} prf case ${n}`);
      assert.equal(toHex(hashOf(h, ...parts)), createHash(h).update(whole).digest('hex'), `${h} hash case ${n}`);
    }
  }
});

test('prf returns plain Uint8Arrays, not Buffers', () => {
  const out = prf('sha256', new Uint8Array(1), new Uint8Array(1));
  assert.equal(Object.getPrototypeOf(out), Uint8Array.prototype);
  assert.equal(Object.getPrototypeOf(hashOf('sha1')), Uint8Array.prototype);
});

// prf+ (K,S) = T1 | T2 | T3 | …, T1 = prf(K, S | 0x01), T2 = prf(K, T1 | S | 0x02), … written out
// independently with createHmac.
function prfPlusByHand(h: HashName, key: Uint8Array, seed: Uint8Array, length: number): string {
  let t = Buffer.alloc(0);
  let out = Buffer.alloc(0);
  for (let n = 1; out.length < length; n++) {
    t = createHmac(h, key).update(Buffer.concat([t, seed, Buffer.of(n)])).digest();
    out = Buffer.concat([out, t]);
  }
  return out.subarray(0, length).toString('hex');
}

test('prfPlus: RFC 7296 §2.13 structure', () => {
  for (const h of HASH_NAMES) {
    const key = randomBytes(hashBytes(h)), seed = randomBytes(80);
    for (const length of [0, 1, hashBytes(h) - 1, hashBytes(h), hashBytes(h) + 1, 3 * hashBytes(h) + 5, 255 * hashBytes(h)]) {
      assert.equal(toHex(prfPlus(h, key, seed, length)), prfPlusByHand(h, key, seed, length), `${h} ${length}`);
    }
    // T1 is prf(K, S | 0x01): the first block alone.
    assert.equal(toHex(prfPlus(h, key, seed, hashBytes(h))), toHex(prf(h, key, seed, Uint8Array.of(1))));
    // A shorter output is a prefix of a longer one.
    assert.equal(toHex(prfPlus(h, key, seed, 100)), toHex(prfPlus(h, key, seed, 200)).slice(0, 200));
  }
});

test('prfPlus: at most 255 blocks, non-negative integer lengths', () => {
  assert.throws(() => prfPlus('sha1', new Uint8Array(20), new Uint8Array(4), 255 * 20 + 1), /at most 5100 bytes/);
  assert.throws(() => prfPlus('sha1', new Uint8Array(20), new Uint8Array(4), -1), /non-negative integer/);
  assert.throws(() => prfPlus('sha1', new Uint8Array(20), new Uint8Array(4), 1.5), /non-negative integer/);
});

test('hashFromIkev1: RFC 2409 Appendix A and IANA hash values', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 0].map(hashFromIkev1), ['md5', 'sha1', undefined, 'sha256', 'sha384', 'sha512', undefined, undefined]);
});

test('hashFromIkev2Prf: RFC 7296 §3.3.2 and RFC 4868 PRF IDs', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map(hashFromIkev2Prf), ['md5', 'sha1', undefined, undefined, 'sha256', 'sha384', 'sha512', undefined]);
});

test('prf accepts Buffers and subarrays as input', () => {
  const big = hex('00112233445566778899aabbccddeeff');
  assert.equal(toHex(prf('sha256', big.subarray(2, 6), big.subarray(8))), createHmac('sha256', Buffer.from('22334455', 'hex')).update(Buffer.from('8899aabbccddeeff', 'hex')).digest('hex'));
});
