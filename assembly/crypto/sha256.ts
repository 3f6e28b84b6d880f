// SHA-256 compression function, FIPS 180-4 §6.2.2.
//
// Shape, chosen by measurement under V8 (see the commit messages):
// - The chaining value H is 8 native u32 in memory, so one call runs over many blocks with the
//   working variables a..h in locals.
// - The message schedule W_t (§6.2.2 step 1) is computed four words at a time with 128-bit SIMD and
//   stored, with K_t already added, to a small static area; each round then reads one word. The
//   rounds keep only a..h live (with W_t in locals too, V8 spilled heavily), and each group of four
//   schedule words is computed a few rounds before it is needed, so vector and scalar work overlap.
//   (Computing the whole schedule first, then the rounds, measured slower than scalar code.)
// - The 64 rounds are written out, and instead of shifting a..h down each round (step 4) the names
//   rotate from one round to the next, so a round only updates d and h:
//   T1 = h + Σ1(e) + Ch(e, f, g) + K_t + W_t;  d += T1;  h = T1 + Σ0(a) + Maj(a, b, c).
//   The sums are built one term at a time, W_t + K_t first and the terms in e and a (the values
//   the round before just produced) last, which shortens the chain from round to round: V8 keeps
//   the order as written, and the standard's order measured about 10% slower.
// Nothing branches on or indexes by the data.
import { schedule } from "./schedule";

// Functions of §4.1.2. Ch and Maj are written with one operation fewer than in the standard.
// @ts-ignore: decorator
@inline function ch(x: u32, y: u32, z: u32): u32 { return z ^ (x & (y ^ z)); }
// @ts-ignore: decorator
@inline function maj(x: u32, y: u32, z: u32): u32 { return (x & y) | (z & (x | y)); }
// @ts-ignore: decorator
@inline function S0(x: u32): u32 { return rotr<u32>(x, 2) ^ rotr<u32>(x, 13) ^ rotr<u32>(x, 22); }
// @ts-ignore: decorator
@inline function S1(x: u32): u32 { return rotr<u32>(x, 6) ^ rotr<u32>(x, 11) ^ rotr<u32>(x, 25); }

/** Four big-endian words (§3.1) as native u32 lanes. */
// @ts-ignore: decorator
@inline function be32x4(v: v128): v128 { return i8x16.shuffle(v, v, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12); }
// @ts-ignore: decorator
@inline function rotr4(x: v128, n: i32): v128 { return v128.or(i32x4.shr_u(x, n), i32x4.shl(x, 32 - n)); }
/** σ0 and σ1 of §4.1.2 on four lanes. */
// @ts-ignore: decorator
@inline function s0x4(x: v128): v128 { return v128.xor(v128.xor(rotr4(x, 7), rotr4(x, 18)), i32x4.shr_u(x, 3)); }
// @ts-ignore: decorator
@inline function s1x4(x: v128): v128 { return v128.xor(v128.xor(rotr4(x, 17), rotr4(x, 19)), i32x4.shr_u(x, 10)); }

/**
 * W_t..W_t+3 from the sixteen words before them, x0 = W_t-16..W_t-13, …, x3 = W_t-4..W_t-1:
 * W_t = σ1(W_t-2) + W_t-7 + σ0(W_t-15) + W_t-16 (§6.2.2 step 1). Lanes 2 and 3 need σ1 of W_t and
 * W_t+1, which lanes 0 and 1 are only now producing, so σ1 is added in two halves (σ1(0) = 0
 * fills the other half).
 */
// @ts-ignore: decorator
@inline function next(x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  const zero = i32x4.splat(0);
  const w15 = i32x4.shuffle(x0, x1, 1, 2, 3, 4); // W_t-15..W_t-12
  const w7 = i32x4.shuffle(x2, x3, 1, 2, 3, 4); // W_t-7..W_t-4
  let v = i32x4.add(i32x4.add(x0, s0x4(w15)), w7);
  v = i32x4.add(v, s1x4(i32x4.shuffle(x3, zero, 2, 3, 4, 4))); // + σ1(W_t-2), σ1(W_t-1), 0, 0
  return i32x4.add(v, s1x4(i32x4.shuffle(zero, v, 0, 0, 4, 5))); // + 0, 0, σ1(W_t), σ1(W_t+1)
}

/** K_t (§4.2.2): the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const K = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
], 16);

/** Sets `H` (8 × u32) to the SHA-256 initial hash value H(0), §5.3.3. */
export function sha256Init(H: usize): void {
  store<u32>(H, 0x6a09e667, 0);
  store<u32>(H, 0xbb67ae85, 4);
  store<u32>(H, 0x3c6ef372, 8);
  store<u32>(H, 0xa54ff53a, 12);
  store<u32>(H, 0x510e527f, 16);
  store<u32>(H, 0x9b05688c, 20);
  store<u32>(H, 0x1f83d9ab, 24);
  store<u32>(H, 0x5be0cd19, 28);
}

/** Runs the compression function over the `n` 64-byte blocks at `p`, updating `H` (§6.2.2). */
export function sha256Blocks(H: usize, p: usize, n: usize): void {
  const W = schedule();
  let a = load<u32>(H, 0), b = load<u32>(H, 4), c = load<u32>(H, 8), d = load<u32>(H, 12);
  let e = load<u32>(H, 16), f = load<u32>(H, 20), g = load<u32>(H, 24), h = load<u32>(H, 28);
  for (const end = p + (n << 6); p < end; p += 64) {
    // W_0..W_15 are the block's words (§6.2.2 step 1), big-endian (§3.1).
    let x0 = be32x4(v128.load(p, 0)), x1 = be32x4(v128.load(p, 16)), x2 = be32x4(v128.load(p, 32)), x3 = be32x4(v128.load(p, 48));
    v128.store(W, i32x4.add(x0, v128.load(K, 0)), 0); v128.store(W, i32x4.add(x1, v128.load(K, 16)), 16);
    v128.store(W, i32x4.add(x2, v128.load(K, 32)), 32); v128.store(W, i32x4.add(x3, v128.load(K, 48)), 48);
    x0 = next(x0, x1, x2, x3); v128.store(W, i32x4.add(x0, v128.load(K, 64)), 64); // W_16..W_19
    h += load<u32>(W, 0); h += ch(e, f, g); h += S1(e); d += h; h += maj(a, b, c); h += S0(a);
    g += load<u32>(W, 4); g += ch(d, e, f); g += S1(d); c += g; g += maj(h, a, b); g += S0(h);
    f += load<u32>(W, 8); f += ch(c, d, e); f += S1(c); b += f; f += maj(g, h, a); f += S0(g);
    e += load<u32>(W, 12); e += ch(b, c, d); e += S1(b); a += e; e += maj(f, g, h); e += S0(f);
    x1 = next(x1, x2, x3, x0); v128.store(W, i32x4.add(x1, v128.load(K, 80)), 80); // W_20..W_23
    d += load<u32>(W, 16); d += ch(a, b, c); d += S1(a); h += d; d += maj(e, f, g); d += S0(e);
    c += load<u32>(W, 20); c += ch(h, a, b); c += S1(h); g += c; c += maj(d, e, f); c += S0(d);
    b += load<u32>(W, 24); b += ch(g, h, a); b += S1(g); f += b; b += maj(c, d, e); b += S0(c);
    a += load<u32>(W, 28); a += ch(f, g, h); a += S1(f); e += a; a += maj(b, c, d); a += S0(b);
    x2 = next(x2, x3, x0, x1); v128.store(W, i32x4.add(x2, v128.load(K, 96)), 96); // W_24..W_27
    h += load<u32>(W, 32); h += ch(e, f, g); h += S1(e); d += h; h += maj(a, b, c); h += S0(a);
    g += load<u32>(W, 36); g += ch(d, e, f); g += S1(d); c += g; g += maj(h, a, b); g += S0(h);
    f += load<u32>(W, 40); f += ch(c, d, e); f += S1(c); b += f; f += maj(g, h, a); f += S0(g);
    e += load<u32>(W, 44); e += ch(b, c, d); e += S1(b); a += e; e += maj(f, g, h); e += S0(f);
    x3 = next(x3, x0, x1, x2); v128.store(W, i32x4.add(x3, v128.load(K, 112)), 112); // W_28..W_31
    d += load<u32>(W, 48); d += ch(a, b, c); d += S1(a); h += d; d += maj(e, f, g); d += S0(e);
    c += load<u32>(W, 52); c += ch(h, a, b); c += S1(h); g += c; c += maj(d, e, f); c += S0(d);
    b += load<u32>(W, 56); b += ch(g, h, a); b += S1(g); f += b; b += maj(c, d, e); b += S0(c);
    a += load<u32>(W, 60); a += ch(f, g, h); a += S1(f); e += a; a += maj(b, c, d); a += S0(b);
    x0 = next(x0, x1, x2, x3); v128.store(W, i32x4.add(x0, v128.load(K, 128)), 128); // W_32..W_35
    h += load<u32>(W, 64); h += ch(e, f, g); h += S1(e); d += h; h += maj(a, b, c); h += S0(a);
    g += load<u32>(W, 68); g += ch(d, e, f); g += S1(d); c += g; g += maj(h, a, b); g += S0(h);
    f += load<u32>(W, 72); f += ch(c, d, e); f += S1(c); b += f; f += maj(g, h, a); f += S0(g);
    e += load<u32>(W, 76); e += ch(b, c, d); e += S1(b); a += e; e += maj(f, g, h); e += S0(f);
    x1 = next(x1, x2, x3, x0); v128.store(W, i32x4.add(x1, v128.load(K, 144)), 144); // W_36..W_39
    d += load<u32>(W, 80); d += ch(a, b, c); d += S1(a); h += d; d += maj(e, f, g); d += S0(e);
    c += load<u32>(W, 84); c += ch(h, a, b); c += S1(h); g += c; c += maj(d, e, f); c += S0(d);
    b += load<u32>(W, 88); b += ch(g, h, a); b += S1(g); f += b; b += maj(c, d, e); b += S0(c);
    a += load<u32>(W, 92); a += ch(f, g, h); a += S1(f); e += a; a += maj(b, c, d); a += S0(b);
    x2 = next(x2, x3, x0, x1); v128.store(W, i32x4.add(x2, v128.load(K, 160)), 160); // W_40..W_43
    h += load<u32>(W, 96); h += ch(e, f, g); h += S1(e); d += h; h += maj(a, b, c); h += S0(a);
    g += load<u32>(W, 100); g += ch(d, e, f); g += S1(d); c += g; g += maj(h, a, b); g += S0(h);
    f += load<u32>(W, 104); f += ch(c, d, e); f += S1(c); b += f; f += maj(g, h, a); f += S0(g);
    e += load<u32>(W, 108); e += ch(b, c, d); e += S1(b); a += e; e += maj(f, g, h); e += S0(f);
    x3 = next(x3, x0, x1, x2); v128.store(W, i32x4.add(x3, v128.load(K, 176)), 176); // W_44..W_47
    d += load<u32>(W, 112); d += ch(a, b, c); d += S1(a); h += d; d += maj(e, f, g); d += S0(e);
    c += load<u32>(W, 116); c += ch(h, a, b); c += S1(h); g += c; c += maj(d, e, f); c += S0(d);
    b += load<u32>(W, 120); b += ch(g, h, a); b += S1(g); f += b; b += maj(c, d, e); b += S0(c);
    a += load<u32>(W, 124); a += ch(f, g, h); a += S1(f); e += a; a += maj(b, c, d); a += S0(b);
    x0 = next(x0, x1, x2, x3); v128.store(W, i32x4.add(x0, v128.load(K, 192)), 192); // W_48..W_51
    h += load<u32>(W, 128); h += ch(e, f, g); h += S1(e); d += h; h += maj(a, b, c); h += S0(a);
    g += load<u32>(W, 132); g += ch(d, e, f); g += S1(d); c += g; g += maj(h, a, b); g += S0(h);
    f += load<u32>(W, 136); f += ch(c, d, e); f += S1(c); b += f; f += maj(g, h, a); f += S0(g);
    e += load<u32>(W, 140); e += ch(b, c, d); e += S1(b); a += e; e += maj(f, g, h); e += S0(f);
    x1 = next(x1, x2, x3, x0); v128.store(W, i32x4.add(x1, v128.load(K, 208)), 208); // W_52..W_55
    d += load<u32>(W, 144); d += ch(a, b, c); d += S1(a); h += d; d += maj(e, f, g); d += S0(e);
    c += load<u32>(W, 148); c += ch(h, a, b); c += S1(h); g += c; c += maj(d, e, f); c += S0(d);
    b += load<u32>(W, 152); b += ch(g, h, a); b += S1(g); f += b; b += maj(c, d, e); b += S0(c);
    a += load<u32>(W, 156); a += ch(f, g, h); a += S1(f); e += a; a += maj(b, c, d); a += S0(b);
    x2 = next(x2, x3, x0, x1); v128.store(W, i32x4.add(x2, v128.load(K, 224)), 224); // W_56..W_59
    h += load<u32>(W, 160); h += ch(e, f, g); h += S1(e); d += h; h += maj(a, b, c); h += S0(a);
    g += load<u32>(W, 164); g += ch(d, e, f); g += S1(d); c += g; g += maj(h, a, b); g += S0(h);
    f += load<u32>(W, 168); f += ch(c, d, e); f += S1(c); b += f; f += maj(g, h, a); f += S0(g);
    e += load<u32>(W, 172); e += ch(b, c, d); e += S1(b); a += e; e += maj(f, g, h); e += S0(f);
    x3 = next(x3, x0, x1, x2); v128.store(W, i32x4.add(x3, v128.load(K, 240)), 240); // W_60..W_63
    d += load<u32>(W, 176); d += ch(a, b, c); d += S1(a); h += d; d += maj(e, f, g); d += S0(e);
    c += load<u32>(W, 180); c += ch(h, a, b); c += S1(h); g += c; c += maj(d, e, f); c += S0(d);
    b += load<u32>(W, 184); b += ch(g, h, a); b += S1(g); f += b; b += maj(c, d, e); b += S0(c);
    a += load<u32>(W, 188); a += ch(f, g, h); a += S1(f); e += a; a += maj(b, c, d); a += S0(b);
    h += load<u32>(W, 192); h += ch(e, f, g); h += S1(e); d += h; h += maj(a, b, c); h += S0(a);
    g += load<u32>(W, 196); g += ch(d, e, f); g += S1(d); c += g; g += maj(h, a, b); g += S0(h);
    f += load<u32>(W, 200); f += ch(c, d, e); f += S1(c); b += f; f += maj(g, h, a); f += S0(g);
    e += load<u32>(W, 204); e += ch(b, c, d); e += S1(b); a += e; e += maj(f, g, h); e += S0(f);
    d += load<u32>(W, 208); d += ch(a, b, c); d += S1(a); h += d; d += maj(e, f, g); d += S0(e);
    c += load<u32>(W, 212); c += ch(h, a, b); c += S1(h); g += c; c += maj(d, e, f); c += S0(d);
    b += load<u32>(W, 216); b += ch(g, h, a); b += S1(g); f += b; b += maj(c, d, e); b += S0(c);
    a += load<u32>(W, 220); a += ch(f, g, h); a += S1(f); e += a; a += maj(b, c, d); a += S0(b);
    h += load<u32>(W, 224); h += ch(e, f, g); h += S1(e); d += h; h += maj(a, b, c); h += S0(a);
    g += load<u32>(W, 228); g += ch(d, e, f); g += S1(d); c += g; g += maj(h, a, b); g += S0(h);
    f += load<u32>(W, 232); f += ch(c, d, e); f += S1(c); b += f; f += maj(g, h, a); f += S0(g);
    e += load<u32>(W, 236); e += ch(b, c, d); e += S1(b); a += e; e += maj(f, g, h); e += S0(f);
    d += load<u32>(W, 240); d += ch(a, b, c); d += S1(a); h += d; d += maj(e, f, g); d += S0(e);
    c += load<u32>(W, 244); c += ch(h, a, b); c += S1(h); g += c; c += maj(d, e, f); c += S0(d);
    b += load<u32>(W, 248); b += ch(g, h, a); b += S1(g); f += b; b += maj(c, d, e); b += S0(c);
    a += load<u32>(W, 252); a += ch(f, g, h); a += S1(f); e += a; a += maj(b, c, d); a += S0(b);
    // Step 4: H(i) = H(i-1) + working variables, H(i-1) re-read rather than held in eight more locals.
    a += load<u32>(H, 0); b += load<u32>(H, 4); c += load<u32>(H, 8); d += load<u32>(H, 12);
    e += load<u32>(H, 16); f += load<u32>(H, 20); g += load<u32>(H, 24); h += load<u32>(H, 28);
    store<u32>(H, a, 0); store<u32>(H, b, 4); store<u32>(H, c, 8); store<u32>(H, d, 12);
    store<u32>(H, e, 16); store<u32>(H, f, 20); store<u32>(H, g, 24); store<u32>(H, h, 28);
  }
}
