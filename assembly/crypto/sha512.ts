// SHA-512 compression function, FIPS 180-4 §6.4.2, shared by SHA-384 (§6.5: the same function from
// another H(0), the digest cut to 384 bits). Same shape as sha256.ts with 64-bit words and 80
// rounds: the chaining value is 8 native u64 in memory and a..h live in locals; the message
// schedule is computed two words at a time with SIMD, stored with K_t added, a few rounds ahead of
// use (two lanes need no fix-up here: W_t+1 depends on W_t-1, not on W_t); rounds are written out
// with rotating names and their sums ordered as in sha256.ts (terms in the newest e and a last).
// The SIMD schedule measured about 15% faster than keeping W_t in locals.
// Nothing branches on or indexes by the data.
import { schedule } from "./schedule";

// Functions of §4.1.3. Ch and Maj are written with one operation fewer than in the standard.
// @ts-ignore: decorator
@inline function ch(x: u64, y: u64, z: u64): u64 { return z ^ (x & (y ^ z)); }
// @ts-ignore: decorator
@inline function maj(x: u64, y: u64, z: u64): u64 { return (x & y) | (z & (x | y)); }
// @ts-ignore: decorator
@inline function S0(x: u64): u64 { return rotr<u64>(x, 28) ^ rotr<u64>(x, 34) ^ rotr<u64>(x, 39); }
// @ts-ignore: decorator
@inline function S1(x: u64): u64 { return rotr<u64>(x, 14) ^ rotr<u64>(x, 18) ^ rotr<u64>(x, 41); }

/** Two big-endian words (§3.1) as native u64 lanes. */
// @ts-ignore: decorator
@inline function be64x2(v: v128): v128 { return i8x16.shuffle(v, v, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8); }
// @ts-ignore: decorator
@inline function rotr2(x: v128, n: i32): v128 { return v128.or(i64x2.shr_u(x, n), i64x2.shl(x, 64 - n)); }
/** σ0 and σ1 of §4.1.3 on two lanes. */
// @ts-ignore: decorator
@inline function s0x2(x: v128): v128 { return v128.xor(v128.xor(rotr2(x, 1), rotr2(x, 8)), i64x2.shr_u(x, 7)); }
// @ts-ignore: decorator
@inline function s1x2(x: v128): v128 { return v128.xor(v128.xor(rotr2(x, 19), rotr2(x, 61)), i64x2.shr_u(x, 6)); }

/**
 * W_t, W_t+1 from the sixteen words before them, x0 = W_t-16, W_t-15, …, x7 = W_t-2, W_t-1:
 * W_t = σ1(W_t-2) + W_t-7 + σ0(W_t-15) + W_t-16 (§6.4.2 step 1).
 */
// @ts-ignore: decorator
@inline function next(x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128, x6: v128, x7: v128): v128 {
  const w15 = v128.shuffle<u64>(x0, x1, 1, 2); // W_t-15, W_t-14
  const w7 = v128.shuffle<u64>(x4, x5, 1, 2); // W_t-7, W_t-6
  return i64x2.add(i64x2.add(x0, s0x2(w15)), i64x2.add(w7, s1x2(x7)));
}

/** K_t (§4.2.3): the first 64 bits of the fractional parts of the cube roots of the first 80 primes. */
const K = memory.data<u64>([
  0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
  0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
  0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
  0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
  0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
  0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
  0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
  0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
  0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
  0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
  0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
  0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
  0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
  0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
  0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
  0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
  0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
  0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
  0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
  0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817
], 16);

/** Sets `H` (8 × u64) to the SHA-512 initial hash value H(0), §5.3.5. */
export function sha512Init(H: usize): void {
  store<u64>(H, 0x6a09e667f3bcc908, 0);
  store<u64>(H, 0xbb67ae8584caa73b, 8);
  store<u64>(H, 0x3c6ef372fe94f82b, 16);
  store<u64>(H, 0xa54ff53a5f1d36f1, 24);
  store<u64>(H, 0x510e527fade682d1, 32);
  store<u64>(H, 0x9b05688c2b3e6c1f, 40);
  store<u64>(H, 0x1f83d9abfb41bd6b, 48);
  store<u64>(H, 0x5be0cd19137e2179, 56);
}

/** Sets `H` (8 × u64) to the SHA-384 initial hash value H(0), §5.3.4. */
export function sha384Init(H: usize): void {
  store<u64>(H, 0xcbbb9d5dc1059ed8, 0);
  store<u64>(H, 0x629a292a367cd507, 8);
  store<u64>(H, 0x9159015a3070dd17, 16);
  store<u64>(H, 0x152fecd8f70e5939, 24);
  store<u64>(H, 0x67332667ffc00b31, 32);
  store<u64>(H, 0x8eb44a8768581511, 40);
  store<u64>(H, 0xdb0c2e0d64f98fa7, 48);
  store<u64>(H, 0x47b5481dbefa4fa4, 56);
}

/** Runs the compression function over the `n` 128-byte blocks at `p`, updating `H` (§6.4.2). */
export function sha512Blocks(H: usize, p: usize, n: usize): void {
  const W = schedule();
  let a = load<u64>(H, 0), b = load<u64>(H, 8), c = load<u64>(H, 16), d = load<u64>(H, 24);
  let e = load<u64>(H, 32), f = load<u64>(H, 40), g = load<u64>(H, 48), h = load<u64>(H, 56);
  for (const end = p + (n << 7); p < end; p += 128) {
    // W_0..W_15 are the block's words (§6.4.2 step 1), big-endian (§3.1).
    let x0 = be64x2(v128.load(p, 0)), x1 = be64x2(v128.load(p, 16)), x2 = be64x2(v128.load(p, 32)), x3 = be64x2(v128.load(p, 48));
    let x4 = be64x2(v128.load(p, 64)), x5 = be64x2(v128.load(p, 80)), x6 = be64x2(v128.load(p, 96)), x7 = be64x2(v128.load(p, 112));
    v128.store(W, i64x2.add(x0, v128.load(K, 0)), 0); v128.store(W, i64x2.add(x1, v128.load(K, 16)), 16);
    v128.store(W, i64x2.add(x2, v128.load(K, 32)), 32); v128.store(W, i64x2.add(x3, v128.load(K, 48)), 48);
    v128.store(W, i64x2.add(x4, v128.load(K, 64)), 64); v128.store(W, i64x2.add(x5, v128.load(K, 80)), 80);
    v128.store(W, i64x2.add(x6, v128.load(K, 96)), 96); v128.store(W, i64x2.add(x7, v128.load(K, 112)), 112);
    x0 = next(x0, x1, x2, x3, x4, x5, x6, x7); v128.store(W, i64x2.add(x0, v128.load(K, 128)), 128); // W_16, W_17
    h += load<u64>(W, 0); h += ch(e, f, g); h += S1(e); d += h; h += maj(a, b, c); h += S0(a);
    g += load<u64>(W, 8); g += ch(d, e, f); g += S1(d); c += g; g += maj(h, a, b); g += S0(h);
    x1 = next(x1, x2, x3, x4, x5, x6, x7, x0); v128.store(W, i64x2.add(x1, v128.load(K, 144)), 144); // W_18, W_19
    f += load<u64>(W, 16); f += ch(c, d, e); f += S1(c); b += f; f += maj(g, h, a); f += S0(g);
    e += load<u64>(W, 24); e += ch(b, c, d); e += S1(b); a += e; e += maj(f, g, h); e += S0(f);
    x2 = next(x2, x3, x4, x5, x6, x7, x0, x1); v128.store(W, i64x2.add(x2, v128.load(K, 160)), 160); // W_20, W_21
    d += load<u64>(W, 32); d += ch(a, b, c); d += S1(a); h += d; d += maj(e, f, g); d += S0(e);
    c += load<u64>(W, 40); c += ch(h, a, b); c += S1(h); g += c; c += maj(d, e, f); c += S0(d);
    x3 = next(x3, x4, x5, x6, x7, x0, x1, x2); v128.store(W, i64x2.add(x3, v128.load(K, 176)), 176); // W_22, W_23
    b += load<u64>(W, 48); b += ch(g, h, a); b += S1(g); f += b; b += maj(c, d, e); b += S0(c);
    a += load<u64>(W, 56); a += ch(f, g, h); a += S1(f); e += a; a += maj(b, c, d); a += S0(b);
    x4 = next(x4, x5, x6, x7, x0, x1, x2, x3); v128.store(W, i64x2.add(x4, v128.load(K, 192)), 192); // W_24, W_25
    h += load<u64>(W, 64); h += ch(e, f, g); h += S1(e); d += h; h += maj(a, b, c); h += S0(a);
    g += load<u64>(W, 72); g += ch(d, e, f); g += S1(d); c += g; g += maj(h, a, b); g += S0(h);
    x5 = next(x5, x6, x7, x0, x1, x2, x3, x4); v128.store(W, i64x2.add(x5, v128.load(K, 208)), 208); // W_26, W_27
    f += load<u64>(W, 80); f += ch(c, d, e); f += S1(c); b += f; f += maj(g, h, a); f += S0(g);
    e += load<u64>(W, 88); e += ch(b, c, d); e += S1(b); a += e; e += maj(f, g, h); e += S0(f);
    x6 = next(x6, x7, x0, x1, x2, x3, x4, x5); v128.store(W, i64x2.add(x6, v128.load(K, 224)), 224); // W_28, W_29
    d += load<u64>(W, 96); d += ch(a, b, c); d += S1(a); h += d; d += maj(e, f, g); d += S0(e);
    c += load<u64>(W, 104); c += ch(h, a, b); c += S1(h); g += c; c += maj(d, e, f); c += S0(d);
    x7 = next(x7, x0, x1, x2, x3, x4, x5, x6); v128.store(W, i64x2.add(x7, v128.load(K, 240)), 240); // W_30, W_31
    b += load<u64>(W, 112); b += ch(g, h, a); b += S1(g); f += b; b += maj(c, d, e); b += S0(c);
    a += load<u64>(W, 120); a += ch(f, g, h); a += S1(f); e += a; a += maj(b, c, d); a += S0(b);
    x0 = next(x0, x1, x2, x3, x4, x5, x6, x7); v128.store(W, i64x2.add(x0, v128.load(K, 256)), 256); // W_32, W_33
    h += load<u64>(W, 128); h += ch(e, f, g); h += S1(e); d += h; h += maj(a, b, c); h += S0(a);
    g += load<u64>(W, 136); g += ch(d, e, f); g += S1(d); c += g; g += maj(h, a, b); g += S0(h);
    x1 = next(x1, x2, x3, x4, x5, x6, x7, x0); v128.store(W, i64x2.add(x1, v128.load(K, 272)), 272); // W_34, W_35
    f += load<u64>(W, 144); f += ch(c, d, e); f += S1(c); b += f; f += maj(g, h, a); f += S0(g);
    e += load<u64>(W, 152); e += ch(b, c, d); e += S1(b); a += e; e += maj(f, g, h); e += S0(f);
    x2 = next(x2, x3, x4, x5, x6, x7, x0, x1); v128.store(W, i64x2.add(x2, v128.load(K, 288)), 288); // W_36, W_37
    d += load<u64>(W, 160); d += ch(a, b, c); d += S1(a); h += d; d += maj(e, f, g); d += S0(e);
    c += load<u64>(W, 168); c += ch(h, a, b); c += S1(h); g += c; c += maj(d, e, f); c += S0(d);
    x3 = next(x3, x4, x5, x6, x7, x0, x1, x2); v128.store(W, i64x2.add(x3, v128.load(K, 304)), 304); // W_38, W_39
    b += load<u64>(W, 176); b += ch(g, h, a); b += S1(g); f += b; b += maj(c, d, e); b += S0(c);
    a += load<u64>(W, 184); a += ch(f, g, h); a += S1(f); e += a; a += maj(b, c, d); a += S0(b);
    x4 = next(x4, x5, x6, x7, x0, x1, x2, x3); v128.store(W, i64x2.add(x4, v128.load(K, 320)), 320); // W_40, W_41
    h += load<u64>(W, 192); h += ch(e, f, g); h += S1(e); d += h; h += maj(a, b, c); h += S0(a);
    g += load<u64>(W, 200); g += ch(d, e, f); g += S1(d); c += g; g += maj(h, a, b); g += S0(h);
    x5 = next(x5, x6, x7, x0, x1, x2, x3, x4); v128.store(W, i64x2.add(x5, v128.load(K, 336)), 336); // W_42, W_43
    f += load<u64>(W, 208); f += ch(c, d, e); f += S1(c); b += f; f += maj(g, h, a); f += S0(g);
    e += load<u64>(W, 216); e += ch(b, c, d); e += S1(b); a += e; e += maj(f, g, h); e += S0(f);
    x6 = next(x6, x7, x0, x1, x2, x3, x4, x5); v128.store(W, i64x2.add(x6, v128.load(K, 352)), 352); // W_44, W_45
    d += load<u64>(W, 224); d += ch(a, b, c); d += S1(a); h += d; d += maj(e, f, g); d += S0(e);
    c += load<u64>(W, 232); c += ch(h, a, b); c += S1(h); g += c; c += maj(d, e, f); c += S0(d);
    x7 = next(x7, x0, x1, x2, x3, x4, x5, x6); v128.store(W, i64x2.add(x7, v128.load(K, 368)), 368); // W_46, W_47
    b += load<u64>(W, 240); b += ch(g, h, a); b += S1(g); f += b; b += maj(c, d, e); b += S0(c);
    a += load<u64>(W, 248); a += ch(f, g, h); a += S1(f); e += a; a += maj(b, c, d); a += S0(b);
    x0 = next(x0, x1, x2, x3, x4, x5, x6, x7); v128.store(W, i64x2.add(x0, v128.load(K, 384)), 384); // W_48, W_49
    h += load<u64>(W, 256); h += ch(e, f, g); h += S1(e); d += h; h += maj(a, b, c); h += S0(a);
    g += load<u64>(W, 264); g += ch(d, e, f); g += S1(d); c += g; g += maj(h, a, b); g += S0(h);
    x1 = next(x1, x2, x3, x4, x5, x6, x7, x0); v128.store(W, i64x2.add(x1, v128.load(K, 400)), 400); // W_50, W_51
    f += load<u64>(W, 272); f += ch(c, d, e); f += S1(c); b += f; f += maj(g, h, a); f += S0(g);
    e += load<u64>(W, 280); e += ch(b, c, d); e += S1(b); a += e; e += maj(f, g, h); e += S0(f);
    x2 = next(x2, x3, x4, x5, x6, x7, x0, x1); v128.store(W, i64x2.add(x2, v128.load(K, 416)), 416); // W_52, W_53
    d += load<u64>(W, 288); d += ch(a, b, c); d += S1(a); h += d; d += maj(e, f, g); d += S0(e);
    c += load<u64>(W, 296); c += ch(h, a, b); c += S1(h); g += c; c += maj(d, e, f); c += S0(d);
    x3 = next(x3, x4, x5, x6, x7, x0, x1, x2); v128.store(W, i64x2.add(x3, v128.load(K, 432)), 432); // W_54, W_55
    b += load<u64>(W, 304); b += ch(g, h, a); b += S1(g); f += b; b += maj(c, d, e); b += S0(c);
    a += load<u64>(W, 312); a += ch(f, g, h); a += S1(f); e += a; a += maj(b, c, d); a += S0(b);
    x4 = next(x4, x5, x6, x7, x0, x1, x2, x3); v128.store(W, i64x2.add(x4, v128.load(K, 448)), 448); // W_56, W_57
    h += load<u64>(W, 320); h += ch(e, f, g); h += S1(e); d += h; h += maj(a, b, c); h += S0(a);
    g += load<u64>(W, 328); g += ch(d, e, f); g += S1(d); c += g; g += maj(h, a, b); g += S0(h);
    x5 = next(x5, x6, x7, x0, x1, x2, x3, x4); v128.store(W, i64x2.add(x5, v128.load(K, 464)), 464); // W_58, W_59
    f += load<u64>(W, 336); f += ch(c, d, e); f += S1(c); b += f; f += maj(g, h, a); f += S0(g);
    e += load<u64>(W, 344); e += ch(b, c, d); e += S1(b); a += e; e += maj(f, g, h); e += S0(f);
    x6 = next(x6, x7, x0, x1, x2, x3, x4, x5); v128.store(W, i64x2.add(x6, v128.load(K, 480)), 480); // W_60, W_61
    d += load<u64>(W, 352); d += ch(a, b, c); d += S1(a); h += d; d += maj(e, f, g); d += S0(e);
    c += load<u64>(W, 360); c += ch(h, a, b); c += S1(h); g += c; c += maj(d, e, f); c += S0(d);
    x7 = next(x7, x0, x1, x2, x3, x4, x5, x6); v128.store(W, i64x2.add(x7, v128.load(K, 496)), 496); // W_62, W_63
    b += load<u64>(W, 368); b += ch(g, h, a); b += S1(g); f += b; b += maj(c, d, e); b += S0(c);
    a += load<u64>(W, 376); a += ch(f, g, h); a += S1(f); e += a; a += maj(b, c, d); a += S0(b);
    x0 = next(x0, x1, x2, x3, x4, x5, x6, x7); v128.store(W, i64x2.add(x0, v128.load(K, 512)), 512); // W_64, W_65
    h += load<u64>(W, 384); h += ch(e, f, g); h += S1(e); d += h; h += maj(a, b, c); h += S0(a);
    g += load<u64>(W, 392); g += ch(d, e, f); g += S1(d); c += g; g += maj(h, a, b); g += S0(h);
    x1 = next(x1, x2, x3, x4, x5, x6, x7, x0); v128.store(W, i64x2.add(x1, v128.load(K, 528)), 528); // W_66, W_67
    f += load<u64>(W, 400); f += ch(c, d, e); f += S1(c); b += f; f += maj(g, h, a); f += S0(g);
    e += load<u64>(W, 408); e += ch(b, c, d); e += S1(b); a += e; e += maj(f, g, h); e += S0(f);
    x2 = next(x2, x3, x4, x5, x6, x7, x0, x1); v128.store(W, i64x2.add(x2, v128.load(K, 544)), 544); // W_68, W_69
    d += load<u64>(W, 416); d += ch(a, b, c); d += S1(a); h += d; d += maj(e, f, g); d += S0(e);
    c += load<u64>(W, 424); c += ch(h, a, b); c += S1(h); g += c; c += maj(d, e, f); c += S0(d);
    x3 = next(x3, x4, x5, x6, x7, x0, x1, x2); v128.store(W, i64x2.add(x3, v128.load(K, 560)), 560); // W_70, W_71
    b += load<u64>(W, 432); b += ch(g, h, a); b += S1(g); f += b; b += maj(c, d, e); b += S0(c);
    a += load<u64>(W, 440); a += ch(f, g, h); a += S1(f); e += a; a += maj(b, c, d); a += S0(b);
    x4 = next(x4, x5, x6, x7, x0, x1, x2, x3); v128.store(W, i64x2.add(x4, v128.load(K, 576)), 576); // W_72, W_73
    h += load<u64>(W, 448); h += ch(e, f, g); h += S1(e); d += h; h += maj(a, b, c); h += S0(a);
    g += load<u64>(W, 456); g += ch(d, e, f); g += S1(d); c += g; g += maj(h, a, b); g += S0(h);
    x5 = next(x5, x6, x7, x0, x1, x2, x3, x4); v128.store(W, i64x2.add(x5, v128.load(K, 592)), 592); // W_74, W_75
    f += load<u64>(W, 464); f += ch(c, d, e); f += S1(c); b += f; f += maj(g, h, a); f += S0(g);
    e += load<u64>(W, 472); e += ch(b, c, d); e += S1(b); a += e; e += maj(f, g, h); e += S0(f);
    x6 = next(x6, x7, x0, x1, x2, x3, x4, x5); v128.store(W, i64x2.add(x6, v128.load(K, 608)), 608); // W_76, W_77
    d += load<u64>(W, 480); d += ch(a, b, c); d += S1(a); h += d; d += maj(e, f, g); d += S0(e);
    c += load<u64>(W, 488); c += ch(h, a, b); c += S1(h); g += c; c += maj(d, e, f); c += S0(d);
    x7 = next(x7, x0, x1, x2, x3, x4, x5, x6); v128.store(W, i64x2.add(x7, v128.load(K, 624)), 624); // W_78, W_79
    b += load<u64>(W, 496); b += ch(g, h, a); b += S1(g); f += b; b += maj(c, d, e); b += S0(c);
    a += load<u64>(W, 504); a += ch(f, g, h); a += S1(f); e += a; a += maj(b, c, d); a += S0(b);
    h += load<u64>(W, 512); h += ch(e, f, g); h += S1(e); d += h; h += maj(a, b, c); h += S0(a);
    g += load<u64>(W, 520); g += ch(d, e, f); g += S1(d); c += g; g += maj(h, a, b); g += S0(h);
    f += load<u64>(W, 528); f += ch(c, d, e); f += S1(c); b += f; f += maj(g, h, a); f += S0(g);
    e += load<u64>(W, 536); e += ch(b, c, d); e += S1(b); a += e; e += maj(f, g, h); e += S0(f);
    d += load<u64>(W, 544); d += ch(a, b, c); d += S1(a); h += d; d += maj(e, f, g); d += S0(e);
    c += load<u64>(W, 552); c += ch(h, a, b); c += S1(h); g += c; c += maj(d, e, f); c += S0(d);
    b += load<u64>(W, 560); b += ch(g, h, a); b += S1(g); f += b; b += maj(c, d, e); b += S0(c);
    a += load<u64>(W, 568); a += ch(f, g, h); a += S1(f); e += a; a += maj(b, c, d); a += S0(b);
    h += load<u64>(W, 576); h += ch(e, f, g); h += S1(e); d += h; h += maj(a, b, c); h += S0(a);
    g += load<u64>(W, 584); g += ch(d, e, f); g += S1(d); c += g; g += maj(h, a, b); g += S0(h);
    f += load<u64>(W, 592); f += ch(c, d, e); f += S1(c); b += f; f += maj(g, h, a); f += S0(g);
    e += load<u64>(W, 600); e += ch(b, c, d); e += S1(b); a += e; e += maj(f, g, h); e += S0(f);
    d += load<u64>(W, 608); d += ch(a, b, c); d += S1(a); h += d; d += maj(e, f, g); d += S0(e);
    c += load<u64>(W, 616); c += ch(h, a, b); c += S1(h); g += c; c += maj(d, e, f); c += S0(d);
    b += load<u64>(W, 624); b += ch(g, h, a); b += S1(g); f += b; b += maj(c, d, e); b += S0(c);
    a += load<u64>(W, 632); a += ch(f, g, h); a += S1(f); e += a; a += maj(b, c, d); a += S0(b);
    // Step 4: H(i) = H(i-1) + working variables, H(i-1) re-read rather than held in eight more locals.
    a += load<u64>(H, 0); b += load<u64>(H, 8); c += load<u64>(H, 16); d += load<u64>(H, 24);
    e += load<u64>(H, 32); f += load<u64>(H, 40); g += load<u64>(H, 48); h += load<u64>(H, 56);
    store<u64>(H, a, 0); store<u64>(H, b, 8); store<u64>(H, c, 16); store<u64>(H, d, 24);
    store<u64>(H, e, 32); store<u64>(H, f, 40); store<u64>(H, g, 48); store<u64>(H, h, 56);
  }
}
