// SHA-1 compression function, FIPS 180-4 §6.1.2. The chaining value H lives in memory as 5 native
// u32 words so that one call can run over many blocks with the state held in locals; the 80 rounds
// are written out so that every K_t is an immediate and the working variables are renamed each round
// instead of shifted (§6.1.2 step 4 moves a..e down by one; here the names rotate instead, which is
// the same computation without the moves). The message schedule W_t keeps only its last 16 words,
// in w0..w15, since W_t depends on W_{t-3}, W_{t-8}, W_{t-14} and W_{t-16} only.
// No branch or address depends on the data: the code is constant time by construction.

/** Ch(x, y, z) = (x ∧ y) ⊕ (¬x ∧ z), §4.1.1, written with one operation fewer. */
// @ts-ignore: decorator
@inline function ch(x: u32, y: u32, z: u32): u32 { return z ^ (x & (y ^ z)); }
/** Parity(x, y, z) = x ⊕ y ⊕ z, §4.1.1. */
// @ts-ignore: decorator
@inline function parity(x: u32, y: u32, z: u32): u32 { return x ^ y ^ z; }
/** Maj(x, y, z) = (x ∧ y) ⊕ (x ∧ z) ⊕ (y ∧ z), §4.1.1. */
// @ts-ignore: decorator
@inline function maj(x: u32, y: u32, z: u32): u32 { return (x & y) | (z & (x | y)); }

// Words are big-endian (§3.1): the block's first byte is the most significant.
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
    const a0 = a, b0 = b, c0 = c, d0 = d, e0 = e;
    // Step 1, t < 16: W_t is word t of the block, big-endian (§3.1).
    let w0 = be32(load<u32>(p, 0)), w1 = be32(load<u32>(p, 4)), w2 = be32(load<u32>(p, 8)), w3 = be32(load<u32>(p, 12));
    let w4 = be32(load<u32>(p, 16)), w5 = be32(load<u32>(p, 20)), w6 = be32(load<u32>(p, 24)), w7 = be32(load<u32>(p, 28));
    let w8 = be32(load<u32>(p, 32)), w9 = be32(load<u32>(p, 36)), w10 = be32(load<u32>(p, 40)), w11 = be32(load<u32>(p, 44));
    let w12 = be32(load<u32>(p, 48)), w13 = be32(load<u32>(p, 52)), w14 = be32(load<u32>(p, 56)), w15 = be32(load<u32>(p, 60));
    // Rounds 0..19: f = Ch, K = 0x5a827999 (§4.1.1, §4.2.1).
    e += rotl<u32>(a, 5) + ch(b, c, d) + 0x5a827999 + w0; b = rotl<u32>(b, 30);
    d += rotl<u32>(e, 5) + ch(a, b, c) + 0x5a827999 + w1; a = rotl<u32>(a, 30);
    c += rotl<u32>(d, 5) + ch(e, a, b) + 0x5a827999 + w2; e = rotl<u32>(e, 30);
    b += rotl<u32>(c, 5) + ch(d, e, a) + 0x5a827999 + w3; d = rotl<u32>(d, 30);
    a += rotl<u32>(b, 5) + ch(c, d, e) + 0x5a827999 + w4; c = rotl<u32>(c, 30);
    e += rotl<u32>(a, 5) + ch(b, c, d) + 0x5a827999 + w5; b = rotl<u32>(b, 30);
    d += rotl<u32>(e, 5) + ch(a, b, c) + 0x5a827999 + w6; a = rotl<u32>(a, 30);
    c += rotl<u32>(d, 5) + ch(e, a, b) + 0x5a827999 + w7; e = rotl<u32>(e, 30);
    b += rotl<u32>(c, 5) + ch(d, e, a) + 0x5a827999 + w8; d = rotl<u32>(d, 30);
    a += rotl<u32>(b, 5) + ch(c, d, e) + 0x5a827999 + w9; c = rotl<u32>(c, 30);
    e += rotl<u32>(a, 5) + ch(b, c, d) + 0x5a827999 + w10; b = rotl<u32>(b, 30);
    d += rotl<u32>(e, 5) + ch(a, b, c) + 0x5a827999 + w11; a = rotl<u32>(a, 30);
    c += rotl<u32>(d, 5) + ch(e, a, b) + 0x5a827999 + w12; e = rotl<u32>(e, 30);
    b += rotl<u32>(c, 5) + ch(d, e, a) + 0x5a827999 + w13; d = rotl<u32>(d, 30);
    a += rotl<u32>(b, 5) + ch(c, d, e) + 0x5a827999 + w14; c = rotl<u32>(c, 30);
    e += rotl<u32>(a, 5) + ch(b, c, d) + 0x5a827999 + w15; b = rotl<u32>(b, 30);
    w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1);
    d += rotl<u32>(e, 5) + ch(a, b, c) + 0x5a827999 + w0; a = rotl<u32>(a, 30);
    w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1);
    c += rotl<u32>(d, 5) + ch(e, a, b) + 0x5a827999 + w1; e = rotl<u32>(e, 30);
    w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1);
    b += rotl<u32>(c, 5) + ch(d, e, a) + 0x5a827999 + w2; d = rotl<u32>(d, 30);
    w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1);
    a += rotl<u32>(b, 5) + ch(c, d, e) + 0x5a827999 + w3; c = rotl<u32>(c, 30);
    // Rounds 20..39: f = Parity, K = 0x6ed9eba1 (§4.1.1, §4.2.1).
    w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1);
    e += rotl<u32>(a, 5) + parity(b, c, d) + 0x6ed9eba1 + w4; b = rotl<u32>(b, 30);
    w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1);
    d += rotl<u32>(e, 5) + parity(a, b, c) + 0x6ed9eba1 + w5; a = rotl<u32>(a, 30);
    w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1);
    c += rotl<u32>(d, 5) + parity(e, a, b) + 0x6ed9eba1 + w6; e = rotl<u32>(e, 30);
    w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1);
    b += rotl<u32>(c, 5) + parity(d, e, a) + 0x6ed9eba1 + w7; d = rotl<u32>(d, 30);
    w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1);
    a += rotl<u32>(b, 5) + parity(c, d, e) + 0x6ed9eba1 + w8; c = rotl<u32>(c, 30);
    w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1);
    e += rotl<u32>(a, 5) + parity(b, c, d) + 0x6ed9eba1 + w9; b = rotl<u32>(b, 30);
    w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1);
    d += rotl<u32>(e, 5) + parity(a, b, c) + 0x6ed9eba1 + w10; a = rotl<u32>(a, 30);
    w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1);
    c += rotl<u32>(d, 5) + parity(e, a, b) + 0x6ed9eba1 + w11; e = rotl<u32>(e, 30);
    w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1);
    b += rotl<u32>(c, 5) + parity(d, e, a) + 0x6ed9eba1 + w12; d = rotl<u32>(d, 30);
    w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1);
    a += rotl<u32>(b, 5) + parity(c, d, e) + 0x6ed9eba1 + w13; c = rotl<u32>(c, 30);
    w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1);
    e += rotl<u32>(a, 5) + parity(b, c, d) + 0x6ed9eba1 + w14; b = rotl<u32>(b, 30);
    w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1);
    d += rotl<u32>(e, 5) + parity(a, b, c) + 0x6ed9eba1 + w15; a = rotl<u32>(a, 30);
    w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1);
    c += rotl<u32>(d, 5) + parity(e, a, b) + 0x6ed9eba1 + w0; e = rotl<u32>(e, 30);
    w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1);
    b += rotl<u32>(c, 5) + parity(d, e, a) + 0x6ed9eba1 + w1; d = rotl<u32>(d, 30);
    w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1);
    a += rotl<u32>(b, 5) + parity(c, d, e) + 0x6ed9eba1 + w2; c = rotl<u32>(c, 30);
    w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1);
    e += rotl<u32>(a, 5) + parity(b, c, d) + 0x6ed9eba1 + w3; b = rotl<u32>(b, 30);
    w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1);
    d += rotl<u32>(e, 5) + parity(a, b, c) + 0x6ed9eba1 + w4; a = rotl<u32>(a, 30);
    w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1);
    c += rotl<u32>(d, 5) + parity(e, a, b) + 0x6ed9eba1 + w5; e = rotl<u32>(e, 30);
    w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1);
    b += rotl<u32>(c, 5) + parity(d, e, a) + 0x6ed9eba1 + w6; d = rotl<u32>(d, 30);
    w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1);
    a += rotl<u32>(b, 5) + parity(c, d, e) + 0x6ed9eba1 + w7; c = rotl<u32>(c, 30);
    // Rounds 40..59: f = Maj, K = 0x8f1bbcdc (§4.1.1, §4.2.1).
    w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1);
    e += rotl<u32>(a, 5) + maj(b, c, d) + 0x8f1bbcdc + w8; b = rotl<u32>(b, 30);
    w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1);
    d += rotl<u32>(e, 5) + maj(a, b, c) + 0x8f1bbcdc + w9; a = rotl<u32>(a, 30);
    w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1);
    c += rotl<u32>(d, 5) + maj(e, a, b) + 0x8f1bbcdc + w10; e = rotl<u32>(e, 30);
    w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1);
    b += rotl<u32>(c, 5) + maj(d, e, a) + 0x8f1bbcdc + w11; d = rotl<u32>(d, 30);
    w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1);
    a += rotl<u32>(b, 5) + maj(c, d, e) + 0x8f1bbcdc + w12; c = rotl<u32>(c, 30);
    w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1);
    e += rotl<u32>(a, 5) + maj(b, c, d) + 0x8f1bbcdc + w13; b = rotl<u32>(b, 30);
    w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1);
    d += rotl<u32>(e, 5) + maj(a, b, c) + 0x8f1bbcdc + w14; a = rotl<u32>(a, 30);
    w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1);
    c += rotl<u32>(d, 5) + maj(e, a, b) + 0x8f1bbcdc + w15; e = rotl<u32>(e, 30);
    w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1);
    b += rotl<u32>(c, 5) + maj(d, e, a) + 0x8f1bbcdc + w0; d = rotl<u32>(d, 30);
    w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1);
    a += rotl<u32>(b, 5) + maj(c, d, e) + 0x8f1bbcdc + w1; c = rotl<u32>(c, 30);
    w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1);
    e += rotl<u32>(a, 5) + maj(b, c, d) + 0x8f1bbcdc + w2; b = rotl<u32>(b, 30);
    w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1);
    d += rotl<u32>(e, 5) + maj(a, b, c) + 0x8f1bbcdc + w3; a = rotl<u32>(a, 30);
    w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1);
    c += rotl<u32>(d, 5) + maj(e, a, b) + 0x8f1bbcdc + w4; e = rotl<u32>(e, 30);
    w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1);
    b += rotl<u32>(c, 5) + maj(d, e, a) + 0x8f1bbcdc + w5; d = rotl<u32>(d, 30);
    w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1);
    a += rotl<u32>(b, 5) + maj(c, d, e) + 0x8f1bbcdc + w6; c = rotl<u32>(c, 30);
    w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1);
    e += rotl<u32>(a, 5) + maj(b, c, d) + 0x8f1bbcdc + w7; b = rotl<u32>(b, 30);
    w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1);
    d += rotl<u32>(e, 5) + maj(a, b, c) + 0x8f1bbcdc + w8; a = rotl<u32>(a, 30);
    w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1);
    c += rotl<u32>(d, 5) + maj(e, a, b) + 0x8f1bbcdc + w9; e = rotl<u32>(e, 30);
    w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1);
    b += rotl<u32>(c, 5) + maj(d, e, a) + 0x8f1bbcdc + w10; d = rotl<u32>(d, 30);
    w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1);
    a += rotl<u32>(b, 5) + maj(c, d, e) + 0x8f1bbcdc + w11; c = rotl<u32>(c, 30);
    // Rounds 60..79: f = Parity, K = 0xca62c1d6 (§4.1.1, §4.2.1).
    w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1);
    e += rotl<u32>(a, 5) + parity(b, c, d) + 0xca62c1d6 + w12; b = rotl<u32>(b, 30);
    w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1);
    d += rotl<u32>(e, 5) + parity(a, b, c) + 0xca62c1d6 + w13; a = rotl<u32>(a, 30);
    w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1);
    c += rotl<u32>(d, 5) + parity(e, a, b) + 0xca62c1d6 + w14; e = rotl<u32>(e, 30);
    w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1);
    b += rotl<u32>(c, 5) + parity(d, e, a) + 0xca62c1d6 + w15; d = rotl<u32>(d, 30);
    w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1);
    a += rotl<u32>(b, 5) + parity(c, d, e) + 0xca62c1d6 + w0; c = rotl<u32>(c, 30);
    w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1);
    e += rotl<u32>(a, 5) + parity(b, c, d) + 0xca62c1d6 + w1; b = rotl<u32>(b, 30);
    w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1);
    d += rotl<u32>(e, 5) + parity(a, b, c) + 0xca62c1d6 + w2; a = rotl<u32>(a, 30);
    w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1);
    c += rotl<u32>(d, 5) + parity(e, a, b) + 0xca62c1d6 + w3; e = rotl<u32>(e, 30);
    w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1);
    b += rotl<u32>(c, 5) + parity(d, e, a) + 0xca62c1d6 + w4; d = rotl<u32>(d, 30);
    w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1);
    a += rotl<u32>(b, 5) + parity(c, d, e) + 0xca62c1d6 + w5; c = rotl<u32>(c, 30);
    w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1);
    e += rotl<u32>(a, 5) + parity(b, c, d) + 0xca62c1d6 + w6; b = rotl<u32>(b, 30);
    w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1);
    d += rotl<u32>(e, 5) + parity(a, b, c) + 0xca62c1d6 + w7; a = rotl<u32>(a, 30);
    w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1);
    c += rotl<u32>(d, 5) + parity(e, a, b) + 0xca62c1d6 + w8; e = rotl<u32>(e, 30);
    w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1);
    b += rotl<u32>(c, 5) + parity(d, e, a) + 0xca62c1d6 + w9; d = rotl<u32>(d, 30);
    w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1);
    a += rotl<u32>(b, 5) + parity(c, d, e) + 0xca62c1d6 + w10; c = rotl<u32>(c, 30);
    w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1);
    e += rotl<u32>(a, 5) + parity(b, c, d) + 0xca62c1d6 + w11; b = rotl<u32>(b, 30);
    w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1);
    d += rotl<u32>(e, 5) + parity(a, b, c) + 0xca62c1d6 + w12; a = rotl<u32>(a, 30);
    w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1);
    c += rotl<u32>(d, 5) + parity(e, a, b) + 0xca62c1d6 + w13; e = rotl<u32>(e, 30);
    w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1);
    b += rotl<u32>(c, 5) + parity(d, e, a) + 0xca62c1d6 + w14; d = rotl<u32>(d, 30);
    w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1);
    a += rotl<u32>(b, 5) + parity(c, d, e) + 0xca62c1d6 + w15; c = rotl<u32>(c, 30);
    // Step 4: H(i) = H(i-1) + working variables.
    a += a0; b += b0; c += c0; d += d0; e += e0;
  }
  store<u32>(H, a, 0); store<u32>(H, b, 4); store<u32>(H, c, 8); store<u32>(H, d, 12); store<u32>(H, e, 16);
}
