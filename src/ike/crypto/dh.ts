// Diffie-Hellman groups for IKEv1 and IKEv2, on node:crypto. One numbering serves both versions:
// the IKEv1 Group Description (RFC 2409 Appendix A) and the IKEv2 Transform Type 4 ID (RFC 7296
// §3.3.2) share the IANA "Diffie-Hellman Group" registry.
//
// What travels is fixed-length, and so is the shared secret (the inputs of the key derivation):
// - MODP: g^x mod p and g^xy mod p as big-endian integers left-padded with zeros to the length of
//   p (RFC 2409 §5 "the length ... must be the length of p"; RFC 7296 §3.4 "MUST be ... prepended
//   with zero bits"). node returns public values without the leading zeros: we pad them.
// - ECP (RFC 5903 §7 and §9): the KE data is x ‖ y, each coordinate padded to the field size, with
//   no point-format octet (no 0x04); the shared secret is the x coordinate alone.
// - Curve25519/Curve448 (RFC 8031 §2): the raw u-coordinate as RFC 7748 §5 encodes it, 32 or 56
//   bytes; the shared secret is the X25519/X448 output.
//
// Peer values are checked before use, and every failure is a DhError (the exchange code answers
// INVALID_KE_PAYLOAD / INVALID_SYNTAX on it, whatever library detected the problem):
// - MODP: 1 < y < p-1 (RFC 6989 §2: excludes 0, 1, p-1 and anything not reduced mod p); for the
//   RFC 5114 groups 22-24, which have small subgroups, also y^q = 1 mod p (RFC 6989 §2).
// - ECP: the point must be on the curve (node / OpenSSL check it; RFC 6989 §2).
// - Curve25519/448: an all-zero shared secret is rejected (RFC 8031 §2, RFC 7748 §6.1).
import {
  createDiffieHellman, createECDH, createPrivateKey, createPublicKey, diffieHellman, getDiffieHellman,
  type DiffieHellman, type ECDH, type KeyObject,
} from 'node:crypto';
import { leftPad, random, toBigInt, u8, wipe } from './bytes.js';

export interface DhGroup {
  /** IANA D-H group number: IKEv1 Group Description and IKEv2 Transform Type 4 ID (same numbers). */
  readonly id: number;
  /** strongSwan keyword: 'modp2048', 'ecp256', 'curve25519', … */
  readonly name: string;
  /** Length of the KE payload's data (and of our public value). */
  readonly publicBytes: number;
  /** A fresh private value and its public value. */
  create(): DhPrivate;
}

export interface DhPrivate {
  /** Our public value, exactly group.publicBytes long: the KE payload's data. */
  readonly publicKey: Uint8Array;
  /** The shared secret with the peer's KE data; throws DhError on a malformed or invalid peer value. */
  computeSecret(peerPublic: Uint8Array): Uint8Array;
  /** Best effort zeroing of what we hold; the object is unusable afterwards. */
  destroy(): void;
}

/** A peer value we refuse, or a private value that has been destroyed. */
export class DhError extends Error {
  override readonly name = 'DhError';
}

// ---- MODP (RFC 2409 §6, RFC 3526, RFC 5114) ----------------------------------------------------

interface ModpParams {
  p: Uint8Array;
  g: Uint8Array;
  /** Order of the subgroup g generates, for the RFC 5114 groups (RFC 6989 §2 check). */
  q?: bigint;
}

/** modular exponentiation on public values (the RFC 6989 subgroup check); not constant-time. */
function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let r = 1n;
  base %= mod;
  for (; exp > 0n; exp >>= 1n) {
    if (exp & 1n) r = (r * base) % mod;
    base = (base * base) % mod;
  }
  return r;
}

class ModpPrivate implements DhPrivate {
  readonly publicKey: Uint8Array;
  #dh: DiffieHellman | undefined;
  readonly #params: ModpParams;

  constructor(params: ModpParams, privateValue?: Uint8Array) {
    this.#params = params;
    // createDiffieHellman rather than getDiffieHellman: OpenSSL 3 still recognises the named
    // group (short private exponents), and only this class has setPrivateKey, for destroy().
    const dh = createDiffieHellman(params.p, params.g);
    if (privateValue) dh.setPrivateKey(privateValue);
    // generateKeys() keeps a private value already set and computes its public value.
    this.publicKey = leftPad(u8(dh.generateKeys()), params.p.length);
    this.#dh = dh;
  }

  computeSecret(peerPublic: Uint8Array): Uint8Array {
    const dh = this.#dh;
    if (!dh) throw new DhError('D-H private value was destroyed');
    const { p, q } = this.#params;
    if (peerPublic.length !== p.length) throw new DhError(`MODP public value must be ${p.length} bytes, got ${peerPublic.length}`);
    const y = toBigInt(peerPublic), P = toBigInt(p);
    if (y <= 1n || y >= P - 1n) throw new DhError('MODP public value out of range (RFC 6989 §2: 1 < y < p-1)');
    if (q !== undefined && modPow(y, q, P) !== 1n) throw new DhError('MODP public value not in the prime-order subgroup (RFC 6989 §2)');
    let s: Uint8Array;
    try {
      s = u8(dh.computeSecret(peerPublic));
    } catch (err) {
      throw new DhError(`MODP public value rejected: ${(err as Error).message}`);
    }
    return leftPad(s, p.length);
  }

  destroy(): void {
    const dh = this.#dh;
    this.#dh = undefined;
    // Replacing the private value makes OpenSSL clear-free the old BIGNUM.
    try {
      dh?.setPrivateKey(Uint8Array.of(1));
    } catch { /* best effort */ }
  }
}

// ---- ECP (RFC 5903) ----------------------------------------------------------------------------

class EcpPrivate implements DhPrivate {
  readonly publicKey: Uint8Array;
  #ecdh: ECDH | undefined;
  readonly #field: number;

  constructor(curve: string, field: number, privateValue?: Uint8Array) {
    const ecdh = createECDH(curve);
    if (privateValue) ecdh.setPrivateKey(privateValue);
    else ecdh.generateKeys();
    // getPublicKey() is 0x04 ‖ x ‖ y with fixed-size coordinates (SEC 1 §2.3.3); RFC 5903 §7 drops the 0x04.
    const point = u8(ecdh.getPublicKey());
    this.publicKey = point.slice(1);
    this.#ecdh = ecdh;
    this.#field = field;
  }

  computeSecret(peerPublic: Uint8Array): Uint8Array {
    const ecdh = this.#ecdh;
    if (!ecdh) throw new DhError('D-H private value was destroyed');
    const n = 2 * this.#field;
    if (peerPublic.length !== n) throw new DhError(`ECP public value must be ${n} bytes (x ‖ y), got ${peerPublic.length}`);
    const point = new Uint8Array(1 + n);
    point[0] = 0x04;
    point.set(peerPublic, 1);
    let s: Uint8Array;
    try {
      // OpenSSL rejects points that are not on the curve (ERR_CRYPTO_ECDH_INVALID_PUBLIC_KEY).
      s = u8(ecdh.computeSecret(point));
    } catch (err) {
      throw new DhError(`ECP public value rejected: ${(err as Error).message}`);
    }
    // RFC 5903 §9: the shared secret is the x coordinate, field-size bytes.
    return leftPad(s, this.#field);
  }

  destroy(): void {
    const ecdh = this.#ecdh;
    this.#ecdh = undefined;
    try {
      ecdh?.setPrivateKey(Uint8Array.of(1));
    } catch { /* best effort */ }
  }
}

// ---- Curve25519 / Curve448 (RFC 7748, RFC 8031) --------------------------------------------------

// Raw keys go in and out as JWK (RFC 8037 §2: the u-coordinate is x, the private value d).
const MONT = {
  x25519: { bytes: 32, jwk: 'X25519' },
  x448: { bytes: 56, jwk: 'X448' },
} as const;
type MontCurve = keyof typeof MONT;

class MontPrivate implements DhPrivate {
  readonly publicKey: Uint8Array;
  #key: KeyObject | undefined;
  readonly #curve: MontCurve;

  constructor(curve: MontCurve, privateValue?: Uint8Array) {
    const m = MONT[curve];
    if (privateValue && privateValue.length !== m.bytes) throw new RangeError(`${curve} private value must be ${m.bytes} bytes`);
    // RFC 7748 §5: any string of random bytes is a private value (the function clamps it). Not
    // generateKeyPairSync: node 20's key generation job locks the key's mutex when the garbage
    // collector destroys it (~KeyPairGenConfig), so a collection during pub.export() — which holds
    // that mutex and allocates — deadlocked the gateway's main thread for good now and then (once
    // in a few thousand SAs; gdb: ExportJWKEdKey → GC → ~KeyGenJob → pthread_mutex_lock on the
    // mutex its own thread held). Imported from JWK instead, as fast: OpenSSL derives the public
    // value from d, and node 20 reads x of a private JWK only as a string (so '' will do). The d
    // string cannot be wiped; it dies young, in the same collection as the other temporaries.
    const d = privateValue ?? random(m.bytes);
    const jwk = { kty: 'OKP', crv: m.jwk, d: Buffer.from(d.buffer, d.byteOffset, d.length).toString('base64url'), x: '' };
    const priv = createPrivateKey({ key: jwk, format: 'jwk' });
    if (!privateValue) wipe(d);
    // The raw u-coordinate is the JWK's x (RFC 8037 §2); exporting JWK costs a third of DER here.
    this.publicKey = u8(Buffer.from(createPublicKey(priv).export({ format: 'jwk' }).x!, 'base64url'));
    if (this.publicKey.length !== m.bytes) throw new DhError(`${curve} public value of ${this.publicKey.length} bytes`);
    this.#key = priv;
    this.#curve = curve;
  }

  computeSecret(peerPublic: Uint8Array): Uint8Array {
    const key = this.#key;
    if (!key) throw new DhError('D-H private value was destroyed');
    const m = MONT[this.#curve];
    if (peerPublic.length !== m.bytes) throw new DhError(`${this.#curve} public value must be ${m.bytes} bytes, got ${peerPublic.length}`);
    let s: Uint8Array;
    try {
      // Imported as a JWK (RFC 8037 §2): a third of the cost of the SPKI DER route in Node 20.
      const publicKey = createPublicKey({ key: { kty: 'OKP', crv: m.jwk, x: Buffer.from(peerPublic).toString('base64url') }, format: 'jwk' });
      s = u8(diffieHellman({ privateKey: key, publicKey }));
    } catch (err) {
      // OpenSSL refuses an all-zero result itself ("failed during derivation").
      throw new DhError(`${this.#curve} public value rejected: ${(err as Error).message}`);
    }
    // RFC 8031 §2 / RFC 7748 §6: a low-order peer value gives the all-zero secret; MUST abort.
    if (s.every((b) => b === 0)) throw new DhError(`${this.#curve} shared secret is all zeros (low-order peer value, RFC 8031 §2)`);
    return s;
  }

  destroy(): void {
    // KeyObjects cannot be overwritten from JavaScript; dropping the last reference is all we can do.
    this.#key = undefined;
  }
}

// ---- The table -----------------------------------------------------------------------------------

type Maker = (privateValue?: Uint8Array) => DhPrivate;

function group(id: number, name: string, publicBytes: number, make: Maker): DhGroup & { make: Maker } {
  return Object.freeze({ id, name, publicBytes, create: () => make(), make });
}

const memo = <T>(f: () => T): (() => T) => {
  let v: T | undefined;
  return () => (v ??= f());
};

/** node's built-in MODP primes (RFC 2409 §6.1-6.2: modp1/2; RFC 3526: modp5, modp14-18), generator 2. */
function modpBuiltin(id: number, name: string, node: string, bytes: number) {
  const params = memo((): ModpParams => ({ p: u8(getDiffieHellman(node).getPrime()), g: Uint8Array.of(2) }));
  return group(id, name, bytes, (x) => new ModpPrivate(params(), x));
}

/** RFC 5114 §2.1-2.3 groups: p, g and the subgroup order q. Deprecated by RFC 8247 §2.4 (SHOULD NOT), kept for old peers. */
function modp5114(id: number, name: string, p: string, g: string, q: string) {
  const params = memo((): ModpParams => ({ p: u8(Buffer.from(p, 'hex')), g: u8(Buffer.from(g, 'hex')), q: BigInt('0x' + q) }));
  return group(id, name, p.length / 2, (x) => new ModpPrivate(params(), x));
}

// RFC 5114 §2.1: 1024-bit MODP Group with 160-bit Prime Order Subgroup.
const RFC5114_22 = {
  p: 'b10b8f96a080e01dde92de5eae5d54ec52c99fbcfb06a3c69a6a9dca52d23b616073e28675a23d189838ef1e2ee652c0' +
    '13ecb4aea906112324975c3cd49b83bfaccbdd7d90c4bd7098488e9c219a73724effd6fae5644738faa31a4ff55bccc0' +
    'a151af5f0dc8b4bd45bf37df365c1a65e68cfda76d4da708df1fb2bc2e4a4371',
  g: 'a4d1cbd5c3fd34126765a442efb99905f8104dd258ac507fd6406cff14266d31266fea1e5c41564b777e690f5504f213' +
    '160217b4b01b886a5e91547f9e2749f4d7fbd7d3b9a92ee1909d0d2263f80a76a6a24c087a091f531dbf0a0169b6a28a' +
    'd662a4d18e73afa32d779d5918d08bc8858f4dcef97c2a24855e6eeb22b3b2e5',
  q: 'f518aa8781a8df278aba4e7d64b7cb9d49462353',
};
// RFC 5114 §2.2: 2048-bit MODP Group with 224-bit Prime Order Subgroup.
const RFC5114_23 = {
  p: 'ad107e1e9123a9d0d660faa79559c51fa20d64e5683b9fd1b54b1597b61d0a75e6fa141df95a56dbaf9a3c407ba1df15' +
    'eb3d688a309c180e1de6b85a1274a0a66d3f8152ad6ac2129037c9edefda4df8d91e8fef55b7394b7ad5b7d0b6c12207' +
    'c9f98d11ed34dbf6c6ba0b2c8bbc27be6a00e0a0b9c49708b3bf8a317091883681286130bc8985db1602e714415d9330' +
    '278273c7de31efdc7310f7121fd5a07415987d9adc0a486dcdf93acc44328387315d75e198c641a480cd86a1b9e587e8' +
    'be60e69cc928b2b9c52172e413042e9b23f10b0e16e79763c9b53dcf4ba80a29e3fb73c16b8e75b97ef363e2ffa31f71' +
    'cf9de5384e71b81c0ac4dffe0c10e64f',
  g: 'ac4032ef4f2d9ae39df30b5c8ffdac506cdebe7b89998caf74866a08cfe4ffe3a6824a4e10b9a6f0dd921f01a70c4afa' +
    'ab739d7700c29f52c57db17c620a8652be5e9001a8d66ad7c17669101999024af4d027275ac1348bb8a762d0521bc98a' +
    'e247150422ea1ed409939d54da7460cdb5f6c6b250717cbef180eb34118e98d119529a45d6f834566e3025e316a330ef' +
    'bb77a86f0c1ab15b051ae3d428c8f8acb70a8137150b8eeb10e183edd19963ddd9e263e4770589ef6aa21e7f5f2ff381' +
    'b539cce3409d13cd566afbb48d6c019181e1bcfe94b30269edfe72fe9b6aa4bd7b5a0f1c71cfff4c19c418e1f6ec0179' +
    '81bc087f2a7065b384b890d3191f2bfa',
  q: '801c0d34c58d93fe997177101f80535a4738cebcbf389a99b36371eb',
};
// RFC 5114 §2.3: 2048-bit MODP Group with 256-bit Prime Order Subgroup.
const RFC5114_24 = {
  p: '87a8e61db4b6663cffbbd19c651959998ceef608660dd0f25d2ceed4435e3b00e00df8f1d61957d4faf7df4561b2aa30' +
    '16c3d91134096faa3bf4296d830e9a7c209e0c6497517abd5a8a9d306bcf67ed91f9e6725b4758c022e0b1ef4275bf7b' +
    '6c5bfc11d45f9088b941f54eb1e59bb8bc39a0bf12307f5c4fdb70c581b23f76b63acae1caa6b7902d52526735488a0e' +
    'f13c6d9a51bfa4ab3ad8347796524d8ef6a167b5a41825d967e144e5140564251ccacb83e6b486f6b3ca3f7971506026' +
    'c0b857f689962856ded4010abd0be621c3a3960a54e710c375f26375d7014103a4b54330c198af126116d2276e11715f' +
    '693877fad7ef09cadb094ae91e1a1597',
  g: '3fb32c9b73134d0b2e77506660edbd484ca7b18f21ef205407f4793a1a0ba12510dbc15077be463fff4fed4aac0bb555' +
    'be3a6c1b0c6b47b1bc3773bf7e8c6f62901228f8c28cbb18a55ae31341000a650196f931c77a57f2ddf463e5e9ec144b' +
    '777de62aaab8a8628ac376d282d6ed3864e67982428ebc831d14348f6f2f9193b5045af2767164e1dfc967c1fb3f2e55' +
    'a4bd1bffe83b9c80d052b985d182ea0adb2a3b7313d3fe14c8484b1e052588b9b7d2bbd2df016199ecd06e1557cd0915' +
    'b3353bbb64e0ec377fd028370df92b52c7891428cdc67eb6184b523d1db246c32f63078490f00ef8d647d148d4795451' +
    '5e2327cfef98c582664b4c0f6cc41659',
  q: '8cf83642a709a097b447997640129da299b1a47d1eb3750ba308b0fe64f5fbd3',
};

/** RFC 5903 §3: P-256, P-384, P-521 (OpenSSL names); field sizes 32, 48, 66 bytes. */
function ecp(id: number, name: string, curve: string, field: number) {
  return group(id, name, 2 * field, (x) => new EcpPrivate(curve, field, x));
}

function mont(id: number, name: string, curve: MontCurve) {
  return group(id, name, MONT[curve].bytes, (x) => new MontPrivate(curve, x));
}

const GROUPS = [
  modpBuiltin(1, 'modp768', 'modp1', 96),
  modpBuiltin(2, 'modp1024', 'modp2', 128),
  modpBuiltin(5, 'modp1536', 'modp5', 192),
  modpBuiltin(14, 'modp2048', 'modp14', 256),
  modpBuiltin(15, 'modp3072', 'modp15', 384),
  modpBuiltin(16, 'modp4096', 'modp16', 512),
  modpBuiltin(17, 'modp6144', 'modp17', 768),
  modpBuiltin(18, 'modp8192', 'modp18', 1024),
  ecp(19, 'ecp256', 'prime256v1', 32),
  ecp(20, 'ecp384', 'secp384r1', 48),
  ecp(21, 'ecp521', 'secp521r1', 66),
  modp5114(22, 'modp1024s160', RFC5114_22.p, RFC5114_22.g, RFC5114_22.q),
  modp5114(23, 'modp2048s224', RFC5114_23.p, RFC5114_23.g, RFC5114_23.q),
  modp5114(24, 'modp2048s256', RFC5114_24.p, RFC5114_24.g, RFC5114_24.q),
  mont(31, 'curve25519', 'x25519'),
  mont(32, 'curve448', 'x448'),
];

/** The supported D-H groups by IANA number. */
export const DH_GROUPS: ReadonlyMap<number, DhGroup> = new Map(GROUPS.map((g) => [g.id, g]));
const MAKERS = new Map(GROUPS.map((g) => [g.id, g.make]));

/** The group with this IANA number, or undefined when we do not implement it (ECP 25-30 among others). */
export function dhGroup(id: number): DhGroup | undefined {
  return DH_GROUPS.get(id);
}

/**
 * A private value from known bytes (big-endian exponent for MODP and ECP, the RFC 7748 scalar for
 * Curve25519/448), for known-answer tests such as RFC 5903 §8 and RFC 7748 §6. Production code
 * uses group.create().
 */
export function dhPrivateFromBytes(id: number, privateValue: Uint8Array): DhPrivate {
  const make = MAKERS.get(id);
  if (!make) throw new RangeError(`unsupported D-H group ${id}`);
  return make(privateValue);
}
