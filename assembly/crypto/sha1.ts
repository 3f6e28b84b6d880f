// SHA-1 compression function, FIPS 180-4 §6.1.2. (SHA-1 is here for ESP's HMAC-SHA1-96, RFC 2404,
// where its collision weakness does not matter; do not use it as a plain hash for anything new.)
//
// Shape, chosen by measurement under V8 (see the commit messages):
// - The chaining value H is 5 native u32 in memory, so one call runs over many blocks with the
//   working variables a..e in locals.
// - The 80 rounds are written out with K_t as immediates, and instead of shifting a..e down each
//   round (§6.1.2 step 4: e = d, d = c, c = ROTL30(b), b = a, a = T) the names rotate from one round
//   to the next, so a round is T = e + W_t + K_t + f(b, c, d) + ROTL5(a) computed in place of e,
//   and b = ROTL30(b).
// - The sum is built in that order on purpose: only `a` comes from the round just before, so it is
//   added last and the chain from one round to the next is one rotate and one add. Summing
//   ROTL5(a) first (the order of the standard's formula) ran 25-30% slower: V8 keeps the order.
// - W_t keeps its last 16 words in locals w0..w15 (W_t needs W_t-3, W_t-8, W_t-14, W_t-16). A SIMD
//   schedule as in sha256.ts measured slower here.
// Nothing branches on or indexes by the data.

// Functions of §4.1.1. Ch and Maj are written with one operation fewer than in the standard.
// @ts-ignore: decorator
@inline function ch(x: u32, y: u32, z: u32): u32 { return z ^ (x & (y ^ z)); }
// @ts-ignore: decorator
@inline function parity(x: u32, y: u32, z: u32): u32 { return x ^ y ^ z; }
// @ts-ignore: decorator
@inline function maj(x: u32, y: u32, z: u32): u32 { return (x & y) | (z & (x | y)); }

/** A big-endian word (§3.1: the first byte is the most significant). */
// @ts-ignore: decorator
@inline function be32(x: u32): u32 { return bswap<u32>(x); }

/** Sets `H` (5 × u32) to the initial hash value H(0), §5.3.1. */
export function sha1Init(H: usize): void {
  store<u32>(H, 0x67452301, 0);
  store<u32>(H, 0xefcdab89, 4);
  store<u32>(H, 0x98badcfe, 8);
  store<u32>(H, 0x10325476, 12);
  store<u32>(H, 0xc3d2e1f0, 16);
}

/** Runs the compression function over the `n` 64-byte blocks at `p`, updating `H` (§6.1.2). */
export function sha1Blocks(H: usize, p: usize, n: usize): void {
  let a = load<u32>(H, 0), b = load<u32>(H, 4), c = load<u32>(H, 8), d = load<u32>(H, 12), e = load<u32>(H, 16);
  for (const end = p + (n << 6); p < end; p += 64) {
    // W_0..W_15 are the block's words (§6.1.2 step 1), big-endian (§3.1).
    let w0 = be32(load<u32>(p, 0)), w1 = be32(load<u32>(p, 4)), w2 = be32(load<u32>(p, 8)), w3 = be32(load<u32>(p, 12));
    let w4 = be32(load<u32>(p, 16)), w5 = be32(load<u32>(p, 20)), w6 = be32(load<u32>(p, 24)), w7 = be32(load<u32>(p, 28));
    let w8 = be32(load<u32>(p, 32)), w9 = be32(load<u32>(p, 36)), w10 = be32(load<u32>(p, 40)), w11 = be32(load<u32>(p, 44));
    let w12 = be32(load<u32>(p, 48)), w13 = be32(load<u32>(p, 52)), w14 = be32(load<u32>(p, 56)), w15 = be32(load<u32>(p, 60));
    // Rounds 0..19: f = Ch, K = 0x5a827999 (§4.1.1, §4.2.1).
    e += w0 + 0x5a827999; e += ch(b, c, d); e += rotl<u32>(a, 5); b = rotl<u32>(b, 30);
    d += w1 + 0x5a827999; d += ch(a, b, c); d += rotl<u32>(e, 5); a = rotl<u32>(a, 30);
    c += w2 + 0x5a827999; c += ch(e, a, b); c += rotl<u32>(d, 5); e = rotl<u32>(e, 30);
    b += w3 + 0x5a827999; b += ch(d, e, a); b += rotl<u32>(c, 5); d = rotl<u32>(d, 30);
    a += w4 + 0x5a827999; a += ch(c, d, e); a += rotl<u32>(b, 5); c = rotl<u32>(c, 30);
    e += w5 + 0x5a827999; e += ch(b, c, d); e += rotl<u32>(a, 5); b = rotl<u32>(b, 30);
    d += w6 + 0x5a827999; d += ch(a, b, c); d += rotl<u32>(e, 5); a = rotl<u32>(a, 30);
    c += w7 + 0x5a827999; c += ch(e, a, b); c += rotl<u32>(d, 5); e = rotl<u32>(e, 30);
    b += w8 + 0x5a827999; b += ch(d, e, a); b += rotl<u32>(c, 5); d = rotl<u32>(d, 30);
    a += w9 + 0x5a827999; a += ch(c, d, e); a += rotl<u32>(b, 5); c = rotl<u32>(c, 30);
    e += w10 + 0x5a827999; e += ch(b, c, d); e += rotl<u32>(a, 5); b = rotl<u32>(b, 30);
    d += w11 + 0x5a827999; d += ch(a, b, c); d += rotl<u32>(e, 5); a = rotl<u32>(a, 30);
    c += w12 + 0x5a827999; c += ch(e, a, b); c += rotl<u32>(d, 5); e = rotl<u32>(e, 30);
    b += w13 + 0x5a827999; b += ch(d, e, a); b += rotl<u32>(c, 5); d = rotl<u32>(d, 30);
    a += w14 + 0x5a827999; a += ch(c, d, e); a += rotl<u32>(b, 5); c = rotl<u32>(c, 30);
    e += w15 + 0x5a827999; e += ch(b, c, d); e += rotl<u32>(a, 5); b = rotl<u32>(b, 30);
    w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1);
    d += w0 + 0x5a827999; d += ch(a, b, c); d += rotl<u32>(e, 5); a = rotl<u32>(a, 30);
    w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1);
    c += w1 + 0x5a827999; c += ch(e, a, b); c += rotl<u32>(d, 5); e = rotl<u32>(e, 30);
    w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1);
    b += w2 + 0x5a827999; b += ch(d, e, a); b += rotl<u32>(c, 5); d = rotl<u32>(d, 30);
    w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1);
    a += w3 + 0x5a827999; a += ch(c, d, e); a += rotl<u32>(b, 5); c = rotl<u32>(c, 30);
    // Rounds 20..39: f = Parity, K = 0x6ed9eba1 (§4.1.1, §4.2.1).
    w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1);
    e += w4 + 0x6ed9eba1; e += parity(b, c, d); e += rotl<u32>(a, 5); b = rotl<u32>(b, 30);
    w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1);
    d += w5 + 0x6ed9eba1; d += parity(a, b, c); d += rotl<u32>(e, 5); a = rotl<u32>(a, 30);
    w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1);
    c += w6 + 0x6ed9eba1; c += parity(e, a, b); c += rotl<u32>(d, 5); e = rotl<u32>(e, 30);
    w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1);
    b += w7 + 0x6ed9eba1; b += parity(d, e, a); b += rotl<u32>(c, 5); d = rotl<u32>(d, 30);
    w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1);
    a += w8 + 0x6ed9eba1; a += parity(c, d, e); a += rotl<u32>(b, 5); c = rotl<u32>(c, 30);
    w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1);
    e += w9 + 0x6ed9eba1; e += parity(b, c, d); e += rotl<u32>(a, 5); b = rotl<u32>(b, 30);
    w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1);
    d += w10 + 0x6ed9eba1; d += parity(a, b, c); d += rotl<u32>(e, 5); a = rotl<u32>(a, 30);
    w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1);
    c += w11 + 0x6ed9eba1; c += parity(e, a, b); c += rotl<u32>(d, 5); e = rotl<u32>(e, 30);
    w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1);
    b += w12 + 0x6ed9eba1; b += parity(d, e, a); b += rotl<u32>(c, 5); d = rotl<u32>(d, 30);
    w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1);
    a += w13 + 0x6ed9eba1; a += parity(c, d, e); a += rotl<u32>(b, 5); c = rotl<u32>(c, 30);
    w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1);
    e += w14 + 0x6ed9eba1; e += parity(b, c, d); e += rotl<u32>(a, 5); b = rotl<u32>(b, 30);
    w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1);
    d += w15 + 0x6ed9eba1; d += parity(a, b, c); d += rotl<u32>(e, 5); a = rotl<u32>(a, 30);
    w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1);
    c += w0 + 0x6ed9eba1; c += parity(e, a, b); c += rotl<u32>(d, 5); e = rotl<u32>(e, 30);
    w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1);
    b += w1 + 0x6ed9eba1; b += parity(d, e, a); b += rotl<u32>(c, 5); d = rotl<u32>(d, 30);
    w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1);
    a += w2 + 0x6ed9eba1; a += parity(c, d, e); a += rotl<u32>(b, 5); c = rotl<u32>(c, 30);
    w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1);
    e += w3 + 0x6ed9eba1; e += parity(b, c, d); e += rotl<u32>(a, 5); b = rotl<u32>(b, 30);
    w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1);
    d += w4 + 0x6ed9eba1; d += parity(a, b, c); d += rotl<u32>(e, 5); a = rotl<u32>(a, 30);
    w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1);
    c += w5 + 0x6ed9eba1; c += parity(e, a, b); c += rotl<u32>(d, 5); e = rotl<u32>(e, 30);
    w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1);
    b += w6 + 0x6ed9eba1; b += parity(d, e, a); b += rotl<u32>(c, 5); d = rotl<u32>(d, 30);
    w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1);
    a += w7 + 0x6ed9eba1; a += parity(c, d, e); a += rotl<u32>(b, 5); c = rotl<u32>(c, 30);
    // Rounds 40..59: f = Maj, K = 0x8f1bbcdc (§4.1.1, §4.2.1).
    w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1);
    e += w8 + 0x8f1bbcdc; e += maj(b, c, d); e += rotl<u32>(a, 5); b = rotl<u32>(b, 30);
    w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1);
    d += w9 + 0x8f1bbcdc; d += maj(a, b, c); d += rotl<u32>(e, 5); a = rotl<u32>(a, 30);
    w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1);
    c += w10 + 0x8f1bbcdc; c += maj(e, a, b); c += rotl<u32>(d, 5); e = rotl<u32>(e, 30);
    w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1);
    b += w11 + 0x8f1bbcdc; b += maj(d, e, a); b += rotl<u32>(c, 5); d = rotl<u32>(d, 30);
    w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1);
    a += w12 + 0x8f1bbcdc; a += maj(c, d, e); a += rotl<u32>(b, 5); c = rotl<u32>(c, 30);
    w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1);
    e += w13 + 0x8f1bbcdc; e += maj(b, c, d); e += rotl<u32>(a, 5); b = rotl<u32>(b, 30);
    w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1);
    d += w14 + 0x8f1bbcdc; d += maj(a, b, c); d += rotl<u32>(e, 5); a = rotl<u32>(a, 30);
    w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1);
    c += w15 + 0x8f1bbcdc; c += maj(e, a, b); c += rotl<u32>(d, 5); e = rotl<u32>(e, 30);
    w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1);
    b += w0 + 0x8f1bbcdc; b += maj(d, e, a); b += rotl<u32>(c, 5); d = rotl<u32>(d, 30);
    w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1);
    a += w1 + 0x8f1bbcdc; a += maj(c, d, e); a += rotl<u32>(b, 5); c = rotl<u32>(c, 30);
    w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1);
    e += w2 + 0x8f1bbcdc; e += maj(b, c, d); e += rotl<u32>(a, 5); b = rotl<u32>(b, 30);
    w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1);
    d += w3 + 0x8f1bbcdc; d += maj(a, b, c); d += rotl<u32>(e, 5); a = rotl<u32>(a, 30);
    w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1);
    c += w4 + 0x8f1bbcdc; c += maj(e, a, b); c += rotl<u32>(d, 5); e = rotl<u32>(e, 30);
    w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1);
    b += w5 + 0x8f1bbcdc; b += maj(d, e, a); b += rotl<u32>(c, 5); d = rotl<u32>(d, 30);
    w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1);
    a += w6 + 0x8f1bbcdc; a += maj(c, d, e); a += rotl<u32>(b, 5); c = rotl<u32>(c, 30);
    w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1);
    e += w7 + 0x8f1bbcdc; e += maj(b, c, d); e += rotl<u32>(a, 5); b = rotl<u32>(b, 30);
    w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1);
    d += w8 + 0x8f1bbcdc; d += maj(a, b, c); d += rotl<u32>(e, 5); a = rotl<u32>(a, 30);
    w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1);
    c += w9 + 0x8f1bbcdc; c += maj(e, a, b); c += rotl<u32>(d, 5); e = rotl<u32>(e, 30);
    w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1);
    b += w10 + 0x8f1bbcdc; b += maj(d, e, a); b += rotl<u32>(c, 5); d = rotl<u32>(d, 30);
    w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1);
    a += w11 + 0x8f1bbcdc; a += maj(c, d, e); a += rotl<u32>(b, 5); c = rotl<u32>(c, 30);
    // Rounds 60..79: f = Parity, K = 0xca62c1d6 (§4.1.1, §4.2.1).
    w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1);
    e += w12 + 0xca62c1d6; e += parity(b, c, d); e += rotl<u32>(a, 5); b = rotl<u32>(b, 30);
    w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1);
    d += w13 + 0xca62c1d6; d += parity(a, b, c); d += rotl<u32>(e, 5); a = rotl<u32>(a, 30);
    w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1);
    c += w14 + 0xca62c1d6; c += parity(e, a, b); c += rotl<u32>(d, 5); e = rotl<u32>(e, 30);
    w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1);
    b += w15 + 0xca62c1d6; b += parity(d, e, a); b += rotl<u32>(c, 5); d = rotl<u32>(d, 30);
    w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1);
    a += w0 + 0xca62c1d6; a += parity(c, d, e); a += rotl<u32>(b, 5); c = rotl<u32>(c, 30);
    w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1);
    e += w1 + 0xca62c1d6; e += parity(b, c, d); e += rotl<u32>(a, 5); b = rotl<u32>(b, 30);
    w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1);
    d += w2 + 0xca62c1d6; d += parity(a, b, c); d += rotl<u32>(e, 5); a = rotl<u32>(a, 30);
    w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1);
    c += w3 + 0xca62c1d6; c += parity(e, a, b); c += rotl<u32>(d, 5); e = rotl<u32>(e, 30);
    w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1);
    b += w4 + 0xca62c1d6; b += parity(d, e, a); b += rotl<u32>(c, 5); d = rotl<u32>(d, 30);
    w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1);
    a += w5 + 0xca62c1d6; a += parity(c, d, e); a += rotl<u32>(b, 5); c = rotl<u32>(c, 30);
    w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1);
    e += w6 + 0xca62c1d6; e += parity(b, c, d); e += rotl<u32>(a, 5); b = rotl<u32>(b, 30);
    w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1);
    d += w7 + 0xca62c1d6; d += parity(a, b, c); d += rotl<u32>(e, 5); a = rotl<u32>(a, 30);
    w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1);
    c += w8 + 0xca62c1d6; c += parity(e, a, b); c += rotl<u32>(d, 5); e = rotl<u32>(e, 30);
    w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1);
    b += w9 + 0xca62c1d6; b += parity(d, e, a); b += rotl<u32>(c, 5); d = rotl<u32>(d, 30);
    w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1);
    a += w10 + 0xca62c1d6; a += parity(c, d, e); a += rotl<u32>(b, 5); c = rotl<u32>(c, 30);
    w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1);
    e += w11 + 0xca62c1d6; e += parity(b, c, d); e += rotl<u32>(a, 5); b = rotl<u32>(b, 30);
    w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1);
    d += w12 + 0xca62c1d6; d += parity(a, b, c); d += rotl<u32>(e, 5); a = rotl<u32>(a, 30);
    w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1);
    c += w13 + 0xca62c1d6; c += parity(e, a, b); c += rotl<u32>(d, 5); e = rotl<u32>(e, 30);
    w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1);
    b += w14 + 0xca62c1d6; b += parity(d, e, a); b += rotl<u32>(c, 5); d = rotl<u32>(d, 30);
    w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1);
    a += w15 + 0xca62c1d6; a += parity(c, d, e); a += rotl<u32>(b, 5); c = rotl<u32>(c, 30);
    // Step 4: H(i) = H(i-1) + working variables, H(i-1) re-read rather than held in five more locals.
    a += load<u32>(H, 0); b += load<u32>(H, 4); c += load<u32>(H, 8); d += load<u32>(H, 12); e += load<u32>(H, 16);
    store<u32>(H, a, 0); store<u32>(H, b, 4); store<u32>(H, c, 8); store<u32>(H, d, 12); store<u32>(H, e, 16);
  }
}
