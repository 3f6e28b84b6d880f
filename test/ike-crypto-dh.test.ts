// src/ike/crypto/dh.ts: published known-answer vectors (RFC 5903 §8, RFC 7748 §6.1/§6.2),
// Wycheproof's ECDH and X25519 edge cases, both sides agreeing in every group, fixed lengths, and
// the peer-value checks (every refusal a DhError).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getDiffieHellman } from 'node:crypto';
import { DH_GROUPS, DhError, dhGroup, dhPrivateFromBytes, type DhPrivate } from '../src/ike/crypto/dh.js';
import { DH_GROUPS as CONFIG_DH_GROUPS } from '../src/config/transforms.js';
import { hex, toHex, wycheproof } from './util/vectors.js';

const big = (b: Uint8Array): bigint => BigInt('0x' + (toHex(b) || '0'));
const bytes = (v: bigint, n: number): Uint8Array => hex(v.toString(16).padStart(2 * n, '0'));

test('the table: ids, strongSwan names, KE lengths agree with the proposal table of src/config', () => {
  assert.deepEqual([...DH_GROUPS.keys()], [1, 2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 31, 32]);
  for (const g of DH_GROUPS.values()) {
    const c = CONFIG_DH_GROUPS.find((t) => t.group === g.id);
    assert.ok(c, `group ${g.id} in src/config/transforms.ts`);
    assert.equal(g.publicBytes, c.keBytes, `${g.name} length`);
    // The config table spells Curve25519/448 'x25519'/'x448' (both are strongSwan keywords).
    if (g.id < 31) assert.equal(g.name, c.name);
  }
  assert.equal(dhGroup(14)?.name, 'modp2048');
  assert.equal(dhGroup(31)?.name, 'curve25519');
  assert.equal(dhGroup(25), undefined); // ECP-192: not supported
  assert.equal(dhGroup(0), undefined);
});

// RFC 5903 §8.1-8.3: i, g^i = x ‖ y, r, g^r, g^ir (the x coordinate).
const RFC5903 = [
  {
    id: 19,
    i: 'c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433',
    gi: 'dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180' +
      '5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3',
    r: 'c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53',
    gr: 'd12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63' +
      '56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab',
    gir: 'd6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de',
  },
  {
    id: 20,
    i: '099f3c7034d4a2c699884d73a375a67f7624ef7c6b3c0f160647b67414dce655e35b538041e649ee3faef896783ab194',
    gi: '667842d7d180ac2cde6f74f37551f55755c7645c20ef73e31634fe72b4c55ee6de3ac808acb4bdb4c88732aee95f41aa' +
      '9482ed1fc0eeb9cafc4984625ccfc23f65032149e0e144ada024181535a0f38eeb9fcff3c2c947dae69b4c634573a81c',
    r: '41cb0779b4bdb85d47846725fbec3c9430fab46cc8dc5060855cc9bda0aa2942e0308312916b8ed2960e4bd55a7448fc',
    gr: 'e558dbef53eecde3d3fccfc1aea08a89a987475d12fd950d83cfa41732bc509d0d1ac43a0336def96fda41d0774a3571' +
      'dcfbec7aacf3196472169e838430367f66eebe3c6e70c416dd5f0c68759dd1fff83fa40142209dff5eaad96db9e6386c',
    gir: '11187331c279962d93d604243fd592cb9d0a926f422e47187521287e7156c5c4d603135569b9e9d09cf5d4a270f59746',
  },
  {
    id: 21,
    i: '0037ade9319a89f4dabdb3ef411aaccca5123c61acab57b5393dce47608172a095aa85a30fe1c2952c6771d937ba9777' +
      'f5957b2639bab072462f68c27a57382d4a52',
    gi: '0015417e84dbf28c0ad3c278713349dc7df153c897a1891bd98bab4357c9ecbee1e3bf42e00b8e380aeae57c2d107564' +
      '941885942af5a7f4601723c4195d176ced3e' +
      '017cae20b6641d2eeb695786d8c946146239d099e18e1d5a514c739d7cb4a10ad8a788015ac405d7799dc75e7b7d5b6c' +
      'f2261a6a7f1507438bf01beb6ca3926f9582',
    r: '0145ba99a847af43793fdd0e872e7cdfa16be30fdc780f97bccc3f078380201e9c677d600b343757a3bdbf2a3163e4c2' +
      'f869cca7458aa4a4effc311f5cb151685eb9',
    gr: '00d0b3975ac4b799f5bea16d5e13e9af971d5e9b984c9f39728b5e5739735a219b97c356436adc6e95bb0352f6be64a6' +
      'c2912d4ef2d0433ced2b6171640012d9460f' +
      '015c68226383956e3bd066e797b623c27ce0eac2f551a10c2c724d9852077b87220b6536c5c408a1d2aebb8e86d678ae' +
      '49cb57091f4732296579ab44fcd17f0fc56a',
    gir: '01144c7d79ae6956bc8edb8e7c787c4521cb086fa64407f97894e5e6b2d79b04d1427e73ca4baa240a34786859810c06' +
      'b3c715a3a8cc3151f2bee417996d19f3ddea',
  },
];

test('RFC 5903 §8: ECP groups 19, 20, 21 (KE data x ‖ y, shared secret x)', () => {
  for (const v of RFC5903) {
    const i = dhPrivateFromBytes(v.id, hex(v.i)), r = dhPrivateFromBytes(v.id, hex(v.r));
    assert.equal(toHex(i.publicKey), v.gi, `g^i, group ${v.id}`);
    assert.equal(toHex(r.publicKey), v.gr, `g^r, group ${v.id}`);
    assert.equal(toHex(i.computeSecret(hex(v.gr))), v.gir, `g^ir, group ${v.id}`);
    assert.equal(toHex(r.computeSecret(hex(v.gi))), v.gir);
    assert.equal(i.publicKey.length, dhGroup(v.id)!.publicBytes);
  }
});

// RFC 7748 §6.1 (X25519) and §6.2 (X448): Alice's and Bob's private and public keys, K.
const RFC7748 = [
  {
    id: 31,
    a: '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
    A: '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
    b: '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb',
    B: 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
    K: '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
  },
  {
    id: 32,
    a: '9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b',
    A: '9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0',
    b: '1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d',
    B: '3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609',
    K: '07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d',
  },
];

test('RFC 7748 §6.1 and §6.2: X25519 and X448 (raw u-coordinates, RFC 8031 §2)', () => {
  for (const v of RFC7748) {
    const a = dhPrivateFromBytes(v.id, hex(v.a)), b = dhPrivateFromBytes(v.id, hex(v.b));
    assert.equal(toHex(a.publicKey), v.A);
    assert.equal(toHex(b.publicKey), v.B);
    assert.equal(toHex(a.computeSecret(hex(v.B))), v.K);
    assert.equal(toHex(b.computeSecret(hex(v.A))), v.K);
  }
});

test('Wycheproof x25519_test.json: shared secrets, and every all-zero result refused', () => {
  let zero = 0, ok = 0;
  for (const g of wycheproof('x25519_test.json')) {
    for (const t of g.tests) {
      const priv = dhPrivateFromBytes(31, hex(t.private as string));
      const ctx = `tcId ${t.tcId} ${t.comment}`;
      if (t.flags.includes('ZeroSharedSecret')) {
        assert.throws(() => priv.computeSecret(hex(t.public as string)), DhError, ctx);
        zero++;
      } else {
        assert.equal(toHex(priv.computeSecret(hex(t.public as string))), t.shared, ctx);
        ok++;
      }
    }
  }
  assert.ok(zero >= 20 && ok >= 400, `${zero} zero, ${ok} ok`);
});

test('Wycheproof ecdh_secp256r1/384r1_ecpoint_test.json: valid points agree, invalid ones are DhErrors', () => {
  for (const [file, id, field] of [['ecdh_secp256r1_ecpoint_test.json', 19, 32], ['ecdh_secp384r1_ecpoint_test.json', 20, 48]] as const) {
    let n = 0;
    for (const g of wycheproof(file)) {
      for (const t of g.tests) {
        // Wycheproof's private keys are big-endian integers, sometimes with a leading 00.
        const d = hex(t.private as string);
        const priv = dhPrivateFromBytes(id, bytes(big(d), field));
        const pub = hex(t.public as string);
        // IKE carries x ‖ y without the SEC 1 point-format octet (RFC 5903 §7): uncompressed points
        // map to it; compressed or malformed encodings cannot be expressed and must be refused.
        const ke = pub.length === 2 * field + 1 && pub[0] === 4 ? pub.subarray(1) : pub;
        const ctx = `${file} tcId ${t.tcId} ${t.comment}`;
        if (t.result === 'valid') assert.equal(toHex(priv.computeSecret(ke)), t.shared, ctx);
        else assert.throws(() => priv.computeSecret(ke), DhError, ctx);
        n++;
      }
    }
    assert.ok(n > 300, file);
  }
});

test('every group: both sides agree, values have the fixed length', () => {
  for (const g of DH_GROUPS.values()) {
    const a = g.create(), b = g.create();
    assert.equal(a.publicKey.length, g.publicBytes, g.name);
    const s1 = a.computeSecret(b.publicKey), s2 = b.computeSecret(a.publicKey);
    assert.deepEqual(s1, s2, g.name);
    const expected = g.id === 19 ? 32 : g.id === 20 ? 48 : g.id === 21 ? 66 : g.publicBytes;
    assert.equal(s1.length, expected, `${g.name} secret length`);
    assert.notDeepEqual(a.publicKey, b.publicKey);
    a.destroy();
    b.destroy();
  }
});

test('MODP public values and secrets are left-padded to the length of p (RFC 7296 §3.4)', () => {
  // With 768-bit MODP about one public value in 256 has a leading zero octet, which node drops.
  const g = dhGroup(1)!;
  const peer = g.create();
  let short = 0;
  for (let n = 0; n < 1500 && short < 3; n++) {
    const d = g.create();
    assert.equal(d.publicKey.length, 96);
    if (d.publicKey[0] === 0) short++;
    const s = d.computeSecret(peer.publicKey);
    assert.equal(s.length, 96);
    d.destroy();
  }
  assert.ok(short > 0, 'saw a public value with a leading zero octet');
  // A known small exponent: g^1 = 2, padded.
  const one = dhPrivateFromBytes(2, Uint8Array.of(1));
  assert.equal(toHex(one.publicKey), '00'.repeat(127) + '02');
});

test('MODP: peer values 0, 1, p-1, p, p+1 and wrong lengths are DhErrors (RFC 6989 §2)', () => {
  for (const id of [1, 2, 5, 14, 15, 16, 17, 18, 22, 23, 24]) {
    const g = dhGroup(id)!;
    const d = g.create();
    const n = g.publicBytes;
    const p = id < 22 ? big(getDiffieHellman(`modp${id}`).getPrime()) : undefined;
    const bad = [0n, 1n];
    if (p !== undefined) bad.push(p - 1n, p, p + 1n < 1n << BigInt(8 * n) ? p + 1n : p);
    for (const y of bad) assert.throws(() => d.computeSecret(bytes(y, n)), DhError, `${g.name} y=${y}`);
    assert.throws(() => d.computeSecret(new Uint8Array(n - 1).fill(0x55)), DhError);
    assert.throws(() => d.computeSecret(new Uint8Array(n + 1).fill(0x55)), DhError);
    assert.throws(() => d.computeSecret(new Uint8Array(n).fill(0xff)), DhError, 'above p');
    // 2 is a legitimate value (the generator) in the safe-prime groups.
    if (id < 22) assert.equal(d.computeSecret(bytes(2n, n)).length, n);
  }
});

// RFC 5114 §2.1-2.3: the subgroup orders q, and the first octets of the generators g.
const RFC5114 = [
  { id: 22, q: 'f518aa8781a8df278aba4e7d64b7cb9d49462353', g: 'a4d1cbd5c3fd3412' },
  { id: 23, q: '801c0d34c58d93fe997177101f80535a4738cebcbf389a99b36371eb', g: 'ac4032ef4f2d9ae3' },
  { id: 24, q: '8cf83642a709a097b447997640129da299b1a47d1eb3750ba308b0fe64f5fbd3', g: '3fb32c9b73134d0b' },
];

test('RFC 5114 groups 22-24: g has order q; values outside the subgroup are refused (RFC 6989 §2)', () => {
  for (const v of RFC5114) {
    const g = dhGroup(v.id)!;
    // Exponent 1 gives g itself; exponent q gives 1, so the table's g generates a subgroup of order q.
    assert.ok(toHex(dhPrivateFromBytes(v.id, Uint8Array.of(1)).publicKey).startsWith(v.g), `${g.name} g`);
    assert.equal(big(dhPrivateFromBytes(v.id, hex(v.q)).publicKey), 1n, `${g.name} g^q = 1`);
    const a = g.create(), b = g.create();
    assert.deepEqual(a.computeSecret(b.publicKey), b.computeSecret(a.publicKey));
    // 2 is in [2, p-2] but not a power of these generators (2^q != 1 mod p).
    assert.throws(() => a.computeSecret(bytes(2n, g.publicBytes)), /prime-order subgroup/, g.name);
  }
});

test('ECP: points off the curve, the point at infinity and wrong lengths are DhErrors', () => {
  for (const id of [19, 20, 21]) {
    const g = dhGroup(id)!;
    const d = g.create();
    const good = g.create().publicKey;
    const off = good.slice();
    off[off.length - 1] ^= 1; // y changed: not on the curve
    assert.throws(() => d.computeSecret(off), DhError, `${g.name} off-curve`);
    assert.throws(() => d.computeSecret(new Uint8Array(g.publicBytes)), DhError, `${g.name} (0, 0)`);
    assert.throws(() => d.computeSecret(good.subarray(1)), DhError, `${g.name} short`);
    assert.throws(() => d.computeSecret(Uint8Array.of(4, ...good)), DhError, `${g.name} with the 0x04 prefix`);
  }
});

test('Curve25519/448: the all-zero result (low-order points) is refused (RFC 8031 §2)', () => {
  for (const id of [31, 32]) {
    const g = dhGroup(id)!;
    const d = g.create();
    // u = 0 and u = 1 are of low order on both curves.
    assert.throws(() => d.computeSecret(new Uint8Array(g.publicBytes)), DhError);
    const one = new Uint8Array(g.publicBytes);
    one[0] = 1;
    assert.throws(() => d.computeSecret(one), DhError);
    assert.throws(() => d.computeSecret(new Uint8Array(g.publicBytes - 1).fill(9)), DhError);
  }
});

test('destroy(): the private value is gone, computeSecret refuses', () => {
  for (const g of DH_GROUPS.values()) {
    const d: DhPrivate = g.create();
    const peer = g.create().publicKey;
    d.destroy();
    assert.throws(() => d.computeSecret(peer), DhError, g.name);
    d.destroy(); // twice is fine
  }
});

// Node 20's generateKeyPairSync job locks its key's mutex when the garbage collector destroys it;
// exporting that key's public value holds the same mutex while it allocates: a collection right
// there deadlocked the gateway's main thread (once in a few thousand IKE SAs). Many fresh
// Curve25519/448 values under a tiny young generation (a collection every few keys) in a child
// process: it must finish. The timeout detects a hang; it says nothing about speed.
test('Curve25519/448: fresh values under constant garbage collection never deadlock', async () => {
  const { spawn } = await import('node:child_process');
  const dh = new URL('../src/ike/crypto/dh.js', import.meta.url).href;
  const script = `const { dhGroup } = await import(${JSON.stringify(dh)});
    for (const id of [31, 32]) {
      const g = dhGroup(id), peer = g.create().publicKey;
      for (let i = 0; i < 15000; i++) { const d = g.create(); d.computeSecret(peer); d.destroy(); }
    }
    process.stdout.write('done');`;
  const child = spawn(process.execPath, ['--max-semi-space-size=1', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  clearTimeout(timer);
  assert.equal(code, 0, 'the child hung (killed) or failed');
  assert.equal(out, 'done');
});
