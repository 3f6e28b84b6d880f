// src/ike/crypto/ikev1.ts against strongSwan: every value charon logged during real Main Mode +
// Quick Mode (PFS) + Informational exchanges (test/vectors/ikev1-keys.ts) is recomputed from the
// exchange's inputs. Then the CBC helpers against the openssl CLI, and the small pure functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import {
  cbcDecrypt, cbcEncrypt, deriveIsakmpKeys, encryptionAlgorithm, expandKa, hashI, hashR, informationalHash, keymat,
  lastBlock, padPayloads, phase1Iv, phase2Iv, quickHash1, quickHash2, quickHash3, skeyidPsk, skeyidSig, type Phase1Cipher,
} from '../src/ike/crypto/ikev1.js';
import { hashBytes } from '../src/ike/crypto/prf.js';
import { IKEV1_CASES, type Ikev1KeyCase } from './vectors/ikev1-keys.js';
import { hex, toHex } from './util/vectors.js';
import {
  FIPS81_CBC, PERMUTATION_OPERATION, SUBSTITUTION_TABLE, VARIABLE_KEY_CT, VARIABLE_PLAINTEXT_CT, VARIABLE_PLAINTEXT_KEY,
} from './util/des-kat.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Phase-1 Encryption Algorithm attribute values for the proposal keywords (RFC 2409 Appendix A, IANA). */
const ENCR: Record<string, [number, number | undefined]> = { aes128: [7, 128], aes192: [7, 192], aes256: [7, 256], '3des': [5, undefined] };

function cipherOf(v: Ikev1KeyCase): Phase1Cipher {
  const alg = encryptionAlgorithm(...ENCR[v.encr]);
  assert.ok(alg, v.encr);
  return alg;
}

function phase1(v: Ikev1KeyCase) {
  const alg = cipherOf(v);
  const skeyid = skeyidPsk(v.hash, ascii(v.psk), hex(v.Ni_b), hex(v.Nr_b));
  const keys = deriveIsakmpKeys({ hash: v.hash, skeyid, gxy: hex(v.g_xy), ckyI: hex(v.CKY_I), ckyR: hex(v.CKY_R), encKeyBytes: alg.keyBytes });
  return { alg, skeyid, keys };
}

test('strongSwan vectors cover what they should', () => {
  assert.ok(IKEV1_CASES.length >= 5);
  // Ka expansion (SKEYID_e shorter than the key) happens in at least two cases: AES-256/SHA-1, 3DES/MD5.
  assert.ok(IKEV1_CASES.filter((v) => v.SKEYID_e.length < v.Ka.length).length >= 2);
  assert.ok(IKEV1_CASES.every((v) => v.quick.g_qm_xy.length > 0), 'every Quick Mode with PFS');
  assert.ok(IKEV1_CASES.some((v) => v.quick.integ_initiator === ''), 'an AEAD ESP proposal');
});

for (const v of IKEV1_CASES) {
  test(`strongSwan ${v.name}: SKEYID, SKEYID_d/a/e, Ka (RFC 2409 §5, Appendix B)`, () => {
    const { skeyid, keys } = phase1(v);
    assert.equal(toHex(skeyid), v.SKEYID);
    assert.equal(toHex(keys.SKEYID_d), v.SKEYID_d);
    assert.equal(toHex(keys.SKEYID_a), v.SKEYID_a);
    assert.equal(toHex(keys.SKEYID_e), v.SKEYID_e);
    assert.equal(toHex(keys.Ka), v.Ka);
  });

  test(`strongSwan ${v.name}: initial IV, HASH_I, HASH_R`, () => {
    const { alg, skeyid } = phase1(v);
    assert.equal(toHex(phase1Iv(v.hash, hex(v.g_xi), hex(v.g_xr), alg.blockBytes)), v.IV);
    const common = { hash: v.hash, skeyid, gxi: hex(v.g_xi), gxr: hex(v.g_xr), ckyI: hex(v.CKY_I), ckyR: hex(v.CKY_R), SAi_b: hex(v.SAi_b) };
    assert.equal(toHex(hashI({ ...common, IDii_b: hex(v.IDii_b) })), v.HASH_I);
    assert.equal(toHex(hashR({ ...common, IDir_b: hex(v.IDir_b) })), v.HASH_R);
  });

  test(`strongSwan ${v.name}: Main Mode messages 5 and 6 (padding, CBC, IV chaining)`, () => {
    const { alg, keys } = phase1(v);
    // Our padding is charon's, byte for byte.
    const padded = padPayloads(hex(v.mm5.plain), alg.blockBytes);
    assert.equal(toHex(padded), v.mm5.plain + v.mm5.padding);
    const ct = cbcEncrypt(alg, keys.Ka, hex(v.IV), padded);
    assert.equal(toHex(ct), v.mm5.encrypted);
    assert.deepEqual(cbcDecrypt(alg, keys.Ka, hex(v.IV), ct), padded);
    // The responder's message 6 is encrypted with the last block of message 5 as IV.
    assert.equal(toHex(cbcDecrypt(alg, keys.Ka, lastBlock(ct, alg.blockBytes), hex(v.mm6.encrypted))), v.mm6.plain);
  });

  test(`strongSwan ${v.name}: Quick Mode IV, HASH(1), HASH(2), HASH(3) (RFC 2409 §5.5, Appendix B)`, () => {
    const { alg, keys } = phase1(v);
    const q = v.quick;
    const h = hashBytes(v.hash);
    const iv = phase2Iv(v.hash, lastBlock(hex(v.mm6.encrypted), alg.blockBytes), q.mid, alg.blockBytes);
    assert.equal(toHex(iv), q.IV);
    const qm1 = cbcEncrypt(alg, keys.Ka, iv, padPayloads(hex(q.qm1.plain), alg.blockBytes));
    assert.equal(toHex(qm1), q.qm1.encrypted);
    // Reply: IV = last block of the request.
    assert.equal(toHex(cbcDecrypt(alg, keys.Ka, lastBlock(qm1, alg.blockBytes), hex(q.qm2.encrypted))), q.qm2.plain);
    // The messages start with the HASH payload: 4-byte generic header, then the hash.
    const qm1Plain = hex(q.qm1.plain), qm2Plain = hex(q.qm2.plain);
    assert.equal(toHex(qm1Plain.subarray(4, 4 + h)), q.Hash1);
    assert.equal(toHex(qm2Plain.subarray(4, 4 + h)), q.Hash2);
    assert.equal(toHex(quickHash1(v.hash, keys.SKEYID_a, q.mid, qm1Plain.subarray(4 + h))), q.Hash1);
    assert.equal(toHex(quickHash2(v.hash, keys.SKEYID_a, q.mid, hex(q.Ni_b), qm2Plain.subarray(4 + h, q.qm2_len))), q.Hash2);
    assert.equal(toHex(quickHash3(v.hash, keys.SKEYID_a, q.mid, hex(q.Ni_b), hex(q.Nr_b))), q.Hash3);
  });

  test(`strongSwan ${v.name}: Quick Mode KEYMAT with PFS, both SAs (RFC 2409 §5.5)`, () => {
    const { keys } = phase1(v);
    const q = v.quick;
    const common = { hash: v.hash, skeyidD: keys.SKEYID_d, gxy: hex(q.g_qm_xy), protocol: q.protocol, Ni_b: hex(q.Ni_b), Nr_b: hex(q.Nr_b) };
    const toResponder = q.encr_initiator + q.integ_initiator, toInitiator = q.encr_responder + q.integ_responder;
    assert.equal(toHex(keymat({ ...common, spi: hex(q.SPIr), bytes: toResponder.length / 2 })), toResponder);
    assert.equal(toHex(keymat({ ...common, spi: hex(q.SPIi), bytes: toInitiator.length / 2 })), toInitiator);
    // The SPI as a number is the same 4 bytes.
    assert.equal(toHex(keymat({ ...common, spi: Number.parseInt(q.SPIr, 16), bytes: toResponder.length / 2 })), toResponder);
  });

  test(`strongSwan ${v.name}: Informational exchange IV and HASH (RFC 2409 §5.7)`, () => {
    const { alg, keys } = phase1(v);
    const i = v.info;
    const h = hashBytes(v.hash);
    const iv = phase2Iv(v.hash, lastBlock(hex(v.mm6.encrypted), alg.blockBytes), i.mid, alg.blockBytes);
    assert.equal(toHex(iv), i.IV);
    const plain = hex(i.enc.plain);
    assert.equal(toHex(informationalHash(v.hash, keys.SKEYID_a, i.mid, plain.subarray(4 + h))), i.hash);
    assert.equal(toHex(cbcEncrypt(alg, keys.Ka, iv, padPayloads(plain, alg.blockBytes))), i.enc.encrypted);
  });
}

test('expandKa: Appendix B written out (K1 = prf(SKEYID_e, 0x00), Kn = prf(SKEYID_e, Kn-1))', () => {
  const e = randomBytes(16);
  const k1 = createHmac('md5', e).update(Buffer.of(0)).digest();
  const k2 = createHmac('md5', e).update(k1).digest();
  assert.equal(toHex(expandKa('md5', e, 24)), Buffer.concat([k1, k2]).subarray(0, 24).toString('hex'));
  // Long enough: a prefix, no PRF.
  const long = randomBytes(32);
  assert.equal(toHex(expandKa('sha256', long, 16)), long.subarray(0, 16).toString('hex'));
  assert.equal(toHex(expandKa('sha256', long, 32)), long.toString('hex'));
});

test('keymat: the RFC 2409 §5.5 expansion written out, without PFS', () => {
  const d = randomBytes(20), ni = randomBytes(16), nr = randomBytes(24);
  const seed = Buffer.concat([Buffer.of(3), Buffer.from('c0ffee01', 'hex'), ni, nr]);
  const k1 = createHmac('sha1', d).update(seed).digest();
  const k2 = createHmac('sha1', d).update(Buffer.concat([k1, seed])).digest();
  const k3 = createHmac('sha1', d).update(Buffer.concat([k2, seed])).digest();
  const want = Buffer.concat([k1, k2, k3]).subarray(0, 52).toString('hex');
  assert.equal(toHex(keymat({ hash: 'sha1', skeyidD: d, protocol: 3, spi: 0xc0ffee01, Ni_b: ni, Nr_b: nr, bytes: 52 })), want);
});

test('skeyidSig: prf(Ni_b | Nr_b, g^xy), the nonces in full as the key', () => {
  const ni = randomBytes(40), nr = randomBytes(40), gxy = randomBytes(256);
  assert.equal(toHex(skeyidSig('sha256', ni, nr, gxy)), createHmac('sha256', Buffer.concat([ni, nr])).update(gxy).digest('hex'));
});

test('argument checks: cookies, IVs, whole blocks', () => {
  const k = { hash: 'sha1' as const, skeyid: new Uint8Array(20), gxy: new Uint8Array(8), ckyR: new Uint8Array(8), encKeyBytes: 16 };
  assert.throws(() => deriveIsakmpKeys({ ...k, ckyI: new Uint8Array(4) }), /ckyI must be the 8-byte ISAKMP cookie/);
  const aes = encryptionAlgorithm(7, 128)!;
  assert.throws(() => cbcEncrypt(aes, new Uint8Array(16), new Uint8Array(8), new Uint8Array(16)), /IV must be 16 bytes/);
  assert.throws(() => cbcEncrypt(aes, new Uint8Array(16), new Uint8Array(16), new Uint8Array(15)), /whole 16-byte blocks/);
  assert.throws(() => cbcEncrypt(aes, new Uint8Array(24), new Uint8Array(16), new Uint8Array(16)), /key must be 16 bytes/);
  assert.throws(() => phase2Iv('md5', new Uint8Array(16), 1, 32), /does not fit/);
  assert.throws(() => quickHash3('sha1', new Uint8Array(20), 2 ** 32, new Uint8Array(1), new Uint8Array(1)), /32-bit/);
});

test('encryptionAlgorithm: RFC 2409 Appendix A values and key lengths', () => {
  assert.deepEqual(encryptionAlgorithm(1), { name: 'des-cbc', keyBytes: 8, blockBytes: 8 });
  assert.deepEqual(encryptionAlgorithm(5), { name: 'des-ede3-cbc', keyBytes: 24, blockBytes: 8 });
  assert.deepEqual(encryptionAlgorithm(5, 192), encryptionAlgorithm(5));
  assert.deepEqual(encryptionAlgorithm(7, 128), { name: 'aes-128-cbc', keyBytes: 16, blockBytes: 16 });
  assert.deepEqual(encryptionAlgorithm(7, 192), { name: 'aes-192-cbc', keyBytes: 24, blockBytes: 16 });
  assert.deepEqual(encryptionAlgorithm(7, 256), { name: 'aes-256-cbc', keyBytes: 32, blockBytes: 16 });
  // AES without its Key Length, odd lengths, fixed-key ciphers with another length, unknown ciphers.
  for (const [v, l] of [[7, undefined], [7, 64], [5, 128], [1, 56], [2, undefined], [3, undefined], [6, undefined], [0, undefined]] as const) {
    assert.equal(encryptionAlgorithm(v, l), undefined, `${v}/${l}`);
  }
});

test('padPayloads: zeros to the next boundary, at least one octet, no pad-length octet', () => {
  assert.equal(toHex(padPayloads(hex('0102030405'), 8)), '0102030405000000');
  assert.equal(toHex(padPayloads(hex('0102030405060708'), 8)), '0102030405060708' + '00'.repeat(8));
  assert.equal(padPayloads(new Uint8Array(33), 16).length, 48);
  assert.equal(padPayloads(new Uint8Array(0), 16).length, 16);
});

/** openssl enc, without padding, as a second implementation. */
function opensslEnc(cipher: string, key: Uint8Array, iv: Uint8Array, data: Uint8Array, decrypt: boolean, extra: string[] = []): string {
  return execFileSync('openssl', ['enc', `-${cipher}`, ...(decrypt ? ['-d'] : []), '-nopad', '-K', toHex(key), '-iv', toHex(iv), ...extra], { input: data }).toString('hex');
}

test('cbcEncrypt/cbcDecrypt against `openssl enc -nopad` on random vectors', () => {
  const cases: [number, number | undefined, string][] = [[7, 128, 'aes-128-cbc'], [7, 192, 'aes-192-cbc'], [7, 256, 'aes-256-cbc'], [5, undefined, 'des-ede3-cbc']];
  for (const [value, bits, cli] of cases) {
    const alg = encryptionAlgorithm(value, bits)!;
    for (const blocks of [1, 2, 7]) {
      const key = randomBytes(alg.keyBytes), iv = randomBytes(alg.blockBytes), data = randomBytes(blocks * alg.blockBytes);
      const ct = cbcEncrypt(alg, key, iv, data);
      assert.equal(toHex(ct), opensslEnc(cli, key, iv, data, false), `${cli} encrypt`);
      assert.equal(toHex(cbcDecrypt(alg, key, iv, data)), opensslEnc(cli, key, iv, data, true), `${cli} decrypt`);
      assert.deepEqual(cbcDecrypt(alg, key, iv, ct), new Uint8Array(data));
    }
  }
});

test('single DES (des-ede3 with K|K|K): the FIPS 81 CBC example and the SP 800-20 DES known answers', () => {
  const des = encryptionAlgorithm(1)!;
  const check = (key: string, iv: string, pt: string, ct: string) => {
    assert.equal(toHex(cbcEncrypt(des, hex(key), hex(iv), hex(pt))), ct.toLowerCase(), `encrypt, key ${key}`);
    assert.equal(toHex(cbcDecrypt(des, hex(key), hex(iv), hex(ct))), pt.toLowerCase(), `decrypt, key ${key}`);
  };
  check(FIPS81_CBC.key, FIPS81_CBC.iv, FIPS81_CBC.pt, FIPS81_CBC.ct);
  const zero = '0000000000000000';
  VARIABLE_PLAINTEXT_CT.forEach((ct, i) => {
    const pt = new Uint8Array(8);
    pt[i >> 3] = 0x80 >> (i & 7);
    check(VARIABLE_PLAINTEXT_KEY, zero, toHex(pt), ct);
  });
  VARIABLE_KEY_CT.forEach((ct, i) => {
    const k = new Uint8Array(8).fill(0x01);
    k[Math.floor(i / 7)] = 0x80 >> (i % 7);
    check(toHex(k), zero, zero, ct);
  });
  for (const [k, ct] of PERMUTATION_OPERATION) check(k, zero, zero, ct);
  for (const [k, pt, ct] of SUBSTITUTION_TABLE) check(k, zero, pt, ct);
});

test('single DES (des-ede3 with K|K|K) against `openssl enc -des-cbc` from the legacy provider', (t) => {
  const alg = encryptionAlgorithm(1)!;
  const key = randomBytes(8), iv = randomBytes(8), data = randomBytes(40);
  let want: string;
  try {
    want = opensslEnc('des-cbc', key, iv, data, false, ['-provider', 'legacy', '-provider', 'default']);
  } catch {
    t.skip('openssl has no legacy provider here');
    return;
  }
  assert.equal(toHex(cbcEncrypt(alg, key, iv, data)), want);
  assert.deepEqual(cbcDecrypt(alg, key, iv, cbcEncrypt(alg, key, iv, data)), new Uint8Array(data));
});
