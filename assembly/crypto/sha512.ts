// SHA-512 compression function, FIPS 180-4 §6.4.2, shared by SHA-384 (§6.5: same function, other
// H(0), output truncated to 384 bits). Same shape as sha256.ts with 64-bit words and 80 rounds: the
// chaining value is 8 native u64 in memory, state in locals, rounds written out with K_t as
// immediates and renamed working variables, the message schedule in a 16-word window w0..w15.
// Nothing branches on or indexes by the data.

// Functions of §4.1.3.
// @ts-ignore: decorator
@inline function ch(x: u64, y: u64, z: u64): u64 { return z ^ (x & (y ^ z)); }
// @ts-ignore: decorator
@inline function maj(x: u64, y: u64, z: u64): u64 { return (x & y) | (z & (x | y)); }
// @ts-ignore: decorator
@inline function S0(x: u64): u64 { return rotr<u64>(x, 28) ^ rotr<u64>(x, 34) ^ rotr<u64>(x, 39); }
// @ts-ignore: decorator
@inline function S1(x: u64): u64 { return rotr<u64>(x, 14) ^ rotr<u64>(x, 18) ^ rotr<u64>(x, 41); }
// @ts-ignore: decorator
@inline function s0(x: u64): u64 { return rotr<u64>(x, 1) ^ rotr<u64>(x, 8) ^ (x >> 7); }
// @ts-ignore: decorator
@inline function s1(x: u64): u64 { return rotr<u64>(x, 19) ^ rotr<u64>(x, 61) ^ (x >> 6); }

// Words are big-endian (§3.1): the block's first byte is the most significant.
// @ts-ignore: decorator
@inline function be64(x: u64): u64 { return bswap<u64>(x); }

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
  let a = load<u64>(H, 0), b = load<u64>(H, 8), c = load<u64>(H, 16), d = load<u64>(H, 24);
  let e = load<u64>(H, 32), f = load<u64>(H, 40), g = load<u64>(H, 48), h = load<u64>(H, 56);
  for (const end = p + (n << 7); p < end; p += 128) {
    const a0 = a, b0 = b, c0 = c, d0 = d, e0 = e, f0 = f, g0 = g, h0 = h;
    // Step 1, t < 16: W_t is word t of the block, big-endian (§3.1); later words are computed in place.
    let w0 = be64(load<u64>(p, 0)), w1 = be64(load<u64>(p, 8)), w2 = be64(load<u64>(p, 16)), w3 = be64(load<u64>(p, 24));
    let w4 = be64(load<u64>(p, 32)), w5 = be64(load<u64>(p, 40)), w6 = be64(load<u64>(p, 48)), w7 = be64(load<u64>(p, 56));
    let w8 = be64(load<u64>(p, 64)), w9 = be64(load<u64>(p, 72)), w10 = be64(load<u64>(p, 80)), w11 = be64(load<u64>(p, 88));
    let w12 = be64(load<u64>(p, 96)), w13 = be64(load<u64>(p, 104)), w14 = be64(load<u64>(p, 112)), w15 = be64(load<u64>(p, 120));
    // Steps 2 and 3: 80 rounds with K_t of §4.2.3.
    h += S1(e) + ch(e, f, g) + 0x428a2f98d728ae22 + w0; d += h; h += S0(a) + maj(a, b, c);
    g += S1(d) + ch(d, e, f) + 0x7137449123ef65cd + w1; c += g; g += S0(h) + maj(h, a, b);
    f += S1(c) + ch(c, d, e) + 0xb5c0fbcfec4d3b2f + w2; b += f; f += S0(g) + maj(g, h, a);
    e += S1(b) + ch(b, c, d) + 0xe9b5dba58189dbbc + w3; a += e; e += S0(f) + maj(f, g, h);
    d += S1(a) + ch(a, b, c) + 0x3956c25bf348b538 + w4; h += d; d += S0(e) + maj(e, f, g);
    c += S1(h) + ch(h, a, b) + 0x59f111f1b605d019 + w5; g += c; c += S0(d) + maj(d, e, f);
    b += S1(g) + ch(g, h, a) + 0x923f82a4af194f9b + w6; f += b; b += S0(c) + maj(c, d, e);
    a += S1(f) + ch(f, g, h) + 0xab1c5ed5da6d8118 + w7; e += a; a += S0(b) + maj(b, c, d);
    h += S1(e) + ch(e, f, g) + 0xd807aa98a3030242 + w8; d += h; h += S0(a) + maj(a, b, c);
    g += S1(d) + ch(d, e, f) + 0x12835b0145706fbe + w9; c += g; g += S0(h) + maj(h, a, b);
    f += S1(c) + ch(c, d, e) + 0x243185be4ee4b28c + w10; b += f; f += S0(g) + maj(g, h, a);
    e += S1(b) + ch(b, c, d) + 0x550c7dc3d5ffb4e2 + w11; a += e; e += S0(f) + maj(f, g, h);
    d += S1(a) + ch(a, b, c) + 0x72be5d74f27b896f + w12; h += d; d += S0(e) + maj(e, f, g);
    c += S1(h) + ch(h, a, b) + 0x80deb1fe3b1696b1 + w13; g += c; c += S0(d) + maj(d, e, f);
    b += S1(g) + ch(g, h, a) + 0x9bdc06a725c71235 + w14; f += b; b += S0(c) + maj(c, d, e);
    a += S1(f) + ch(f, g, h) + 0xc19bf174cf692694 + w15; e += a; a += S0(b) + maj(b, c, d);
    w0 += s1(w14) + w9 + s0(w1);
    h += S1(e) + ch(e, f, g) + 0xe49b69c19ef14ad2 + w0; d += h; h += S0(a) + maj(a, b, c);
    w1 += s1(w15) + w10 + s0(w2);
    g += S1(d) + ch(d, e, f) + 0xefbe4786384f25e3 + w1; c += g; g += S0(h) + maj(h, a, b);
    w2 += s1(w0) + w11 + s0(w3);
    f += S1(c) + ch(c, d, e) + 0x0fc19dc68b8cd5b5 + w2; b += f; f += S0(g) + maj(g, h, a);
    w3 += s1(w1) + w12 + s0(w4);
    e += S1(b) + ch(b, c, d) + 0x240ca1cc77ac9c65 + w3; a += e; e += S0(f) + maj(f, g, h);
    w4 += s1(w2) + w13 + s0(w5);
    d += S1(a) + ch(a, b, c) + 0x2de92c6f592b0275 + w4; h += d; d += S0(e) + maj(e, f, g);
    w5 += s1(w3) + w14 + s0(w6);
    c += S1(h) + ch(h, a, b) + 0x4a7484aa6ea6e483 + w5; g += c; c += S0(d) + maj(d, e, f);
    w6 += s1(w4) + w15 + s0(w7);
    b += S1(g) + ch(g, h, a) + 0x5cb0a9dcbd41fbd4 + w6; f += b; b += S0(c) + maj(c, d, e);
    w7 += s1(w5) + w0 + s0(w8);
    a += S1(f) + ch(f, g, h) + 0x76f988da831153b5 + w7; e += a; a += S0(b) + maj(b, c, d);
    w8 += s1(w6) + w1 + s0(w9);
    h += S1(e) + ch(e, f, g) + 0x983e5152ee66dfab + w8; d += h; h += S0(a) + maj(a, b, c);
    w9 += s1(w7) + w2 + s0(w10);
    g += S1(d) + ch(d, e, f) + 0xa831c66d2db43210 + w9; c += g; g += S0(h) + maj(h, a, b);
    w10 += s1(w8) + w3 + s0(w11);
    f += S1(c) + ch(c, d, e) + 0xb00327c898fb213f + w10; b += f; f += S0(g) + maj(g, h, a);
    w11 += s1(w9) + w4 + s0(w12);
    e += S1(b) + ch(b, c, d) + 0xbf597fc7beef0ee4 + w11; a += e; e += S0(f) + maj(f, g, h);
    w12 += s1(w10) + w5 + s0(w13);
    d += S1(a) + ch(a, b, c) + 0xc6e00bf33da88fc2 + w12; h += d; d += S0(e) + maj(e, f, g);
    w13 += s1(w11) + w6 + s0(w14);
    c += S1(h) + ch(h, a, b) + 0xd5a79147930aa725 + w13; g += c; c += S0(d) + maj(d, e, f);
    w14 += s1(w12) + w7 + s0(w15);
    b += S1(g) + ch(g, h, a) + 0x06ca6351e003826f + w14; f += b; b += S0(c) + maj(c, d, e);
    w15 += s1(w13) + w8 + s0(w0);
    a += S1(f) + ch(f, g, h) + 0x142929670a0e6e70 + w15; e += a; a += S0(b) + maj(b, c, d);
    w0 += s1(w14) + w9 + s0(w1);
    h += S1(e) + ch(e, f, g) + 0x27b70a8546d22ffc + w0; d += h; h += S0(a) + maj(a, b, c);
    w1 += s1(w15) + w10 + s0(w2);
    g += S1(d) + ch(d, e, f) + 0x2e1b21385c26c926 + w1; c += g; g += S0(h) + maj(h, a, b);
    w2 += s1(w0) + w11 + s0(w3);
    f += S1(c) + ch(c, d, e) + 0x4d2c6dfc5ac42aed + w2; b += f; f += S0(g) + maj(g, h, a);
    w3 += s1(w1) + w12 + s0(w4);
    e += S1(b) + ch(b, c, d) + 0x53380d139d95b3df + w3; a += e; e += S0(f) + maj(f, g, h);
    w4 += s1(w2) + w13 + s0(w5);
    d += S1(a) + ch(a, b, c) + 0x650a73548baf63de + w4; h += d; d += S0(e) + maj(e, f, g);
    w5 += s1(w3) + w14 + s0(w6);
    c += S1(h) + ch(h, a, b) + 0x766a0abb3c77b2a8 + w5; g += c; c += S0(d) + maj(d, e, f);
    w6 += s1(w4) + w15 + s0(w7);
    b += S1(g) + ch(g, h, a) + 0x81c2c92e47edaee6 + w6; f += b; b += S0(c) + maj(c, d, e);
    w7 += s1(w5) + w0 + s0(w8);
    a += S1(f) + ch(f, g, h) + 0x92722c851482353b + w7; e += a; a += S0(b) + maj(b, c, d);
    w8 += s1(w6) + w1 + s0(w9);
    h += S1(e) + ch(e, f, g) + 0xa2bfe8a14cf10364 + w8; d += h; h += S0(a) + maj(a, b, c);
    w9 += s1(w7) + w2 + s0(w10);
    g += S1(d) + ch(d, e, f) + 0xa81a664bbc423001 + w9; c += g; g += S0(h) + maj(h, a, b);
    w10 += s1(w8) + w3 + s0(w11);
    f += S1(c) + ch(c, d, e) + 0xc24b8b70d0f89791 + w10; b += f; f += S0(g) + maj(g, h, a);
    w11 += s1(w9) + w4 + s0(w12);
    e += S1(b) + ch(b, c, d) + 0xc76c51a30654be30 + w11; a += e; e += S0(f) + maj(f, g, h);
    w12 += s1(w10) + w5 + s0(w13);
    d += S1(a) + ch(a, b, c) + 0xd192e819d6ef5218 + w12; h += d; d += S0(e) + maj(e, f, g);
    w13 += s1(w11) + w6 + s0(w14);
    c += S1(h) + ch(h, a, b) + 0xd69906245565a910 + w13; g += c; c += S0(d) + maj(d, e, f);
    w14 += s1(w12) + w7 + s0(w15);
    b += S1(g) + ch(g, h, a) + 0xf40e35855771202a + w14; f += b; b += S0(c) + maj(c, d, e);
    w15 += s1(w13) + w8 + s0(w0);
    a += S1(f) + ch(f, g, h) + 0x106aa07032bbd1b8 + w15; e += a; a += S0(b) + maj(b, c, d);
    w0 += s1(w14) + w9 + s0(w1);
    h += S1(e) + ch(e, f, g) + 0x19a4c116b8d2d0c8 + w0; d += h; h += S0(a) + maj(a, b, c);
    w1 += s1(w15) + w10 + s0(w2);
    g += S1(d) + ch(d, e, f) + 0x1e376c085141ab53 + w1; c += g; g += S0(h) + maj(h, a, b);
    w2 += s1(w0) + w11 + s0(w3);
    f += S1(c) + ch(c, d, e) + 0x2748774cdf8eeb99 + w2; b += f; f += S0(g) + maj(g, h, a);
    w3 += s1(w1) + w12 + s0(w4);
    e += S1(b) + ch(b, c, d) + 0x34b0bcb5e19b48a8 + w3; a += e; e += S0(f) + maj(f, g, h);
    w4 += s1(w2) + w13 + s0(w5);
    d += S1(a) + ch(a, b, c) + 0x391c0cb3c5c95a63 + w4; h += d; d += S0(e) + maj(e, f, g);
    w5 += s1(w3) + w14 + s0(w6);
    c += S1(h) + ch(h, a, b) + 0x4ed8aa4ae3418acb + w5; g += c; c += S0(d) + maj(d, e, f);
    w6 += s1(w4) + w15 + s0(w7);
    b += S1(g) + ch(g, h, a) + 0x5b9cca4f7763e373 + w6; f += b; b += S0(c) + maj(c, d, e);
    w7 += s1(w5) + w0 + s0(w8);
    a += S1(f) + ch(f, g, h) + 0x682e6ff3d6b2b8a3 + w7; e += a; a += S0(b) + maj(b, c, d);
    w8 += s1(w6) + w1 + s0(w9);
    h += S1(e) + ch(e, f, g) + 0x748f82ee5defb2fc + w8; d += h; h += S0(a) + maj(a, b, c);
    w9 += s1(w7) + w2 + s0(w10);
    g += S1(d) + ch(d, e, f) + 0x78a5636f43172f60 + w9; c += g; g += S0(h) + maj(h, a, b);
    w10 += s1(w8) + w3 + s0(w11);
    f += S1(c) + ch(c, d, e) + 0x84c87814a1f0ab72 + w10; b += f; f += S0(g) + maj(g, h, a);
    w11 += s1(w9) + w4 + s0(w12);
    e += S1(b) + ch(b, c, d) + 0x8cc702081a6439ec + w11; a += e; e += S0(f) + maj(f, g, h);
    w12 += s1(w10) + w5 + s0(w13);
    d += S1(a) + ch(a, b, c) + 0x90befffa23631e28 + w12; h += d; d += S0(e) + maj(e, f, g);
    w13 += s1(w11) + w6 + s0(w14);
    c += S1(h) + ch(h, a, b) + 0xa4506cebde82bde9 + w13; g += c; c += S0(d) + maj(d, e, f);
    w14 += s1(w12) + w7 + s0(w15);
    b += S1(g) + ch(g, h, a) + 0xbef9a3f7b2c67915 + w14; f += b; b += S0(c) + maj(c, d, e);
    w15 += s1(w13) + w8 + s0(w0);
    a += S1(f) + ch(f, g, h) + 0xc67178f2e372532b + w15; e += a; a += S0(b) + maj(b, c, d);
    w0 += s1(w14) + w9 + s0(w1);
    h += S1(e) + ch(e, f, g) + 0xca273eceea26619c + w0; d += h; h += S0(a) + maj(a, b, c);
    w1 += s1(w15) + w10 + s0(w2);
    g += S1(d) + ch(d, e, f) + 0xd186b8c721c0c207 + w1; c += g; g += S0(h) + maj(h, a, b);
    w2 += s1(w0) + w11 + s0(w3);
    f += S1(c) + ch(c, d, e) + 0xeada7dd6cde0eb1e + w2; b += f; f += S0(g) + maj(g, h, a);
    w3 += s1(w1) + w12 + s0(w4);
    e += S1(b) + ch(b, c, d) + 0xf57d4f7fee6ed178 + w3; a += e; e += S0(f) + maj(f, g, h);
    w4 += s1(w2) + w13 + s0(w5);
    d += S1(a) + ch(a, b, c) + 0x06f067aa72176fba + w4; h += d; d += S0(e) + maj(e, f, g);
    w5 += s1(w3) + w14 + s0(w6);
    c += S1(h) + ch(h, a, b) + 0x0a637dc5a2c898a6 + w5; g += c; c += S0(d) + maj(d, e, f);
    w6 += s1(w4) + w15 + s0(w7);
    b += S1(g) + ch(g, h, a) + 0x113f9804bef90dae + w6; f += b; b += S0(c) + maj(c, d, e);
    w7 += s1(w5) + w0 + s0(w8);
    a += S1(f) + ch(f, g, h) + 0x1b710b35131c471b + w7; e += a; a += S0(b) + maj(b, c, d);
    w8 += s1(w6) + w1 + s0(w9);
    h += S1(e) + ch(e, f, g) + 0x28db77f523047d84 + w8; d += h; h += S0(a) + maj(a, b, c);
    w9 += s1(w7) + w2 + s0(w10);
    g += S1(d) + ch(d, e, f) + 0x32caab7b40c72493 + w9; c += g; g += S0(h) + maj(h, a, b);
    w10 += s1(w8) + w3 + s0(w11);
    f += S1(c) + ch(c, d, e) + 0x3c9ebe0a15c9bebc + w10; b += f; f += S0(g) + maj(g, h, a);
    w11 += s1(w9) + w4 + s0(w12);
    e += S1(b) + ch(b, c, d) + 0x431d67c49c100d4c + w11; a += e; e += S0(f) + maj(f, g, h);
    w12 += s1(w10) + w5 + s0(w13);
    d += S1(a) + ch(a, b, c) + 0x4cc5d4becb3e42b6 + w12; h += d; d += S0(e) + maj(e, f, g);
    w13 += s1(w11) + w6 + s0(w14);
    c += S1(h) + ch(h, a, b) + 0x597f299cfc657e2a + w13; g += c; c += S0(d) + maj(d, e, f);
    w14 += s1(w12) + w7 + s0(w15);
    b += S1(g) + ch(g, h, a) + 0x5fcb6fab3ad6faec + w14; f += b; b += S0(c) + maj(c, d, e);
    w15 += s1(w13) + w8 + s0(w0);
    a += S1(f) + ch(f, g, h) + 0x6c44198c4a475817 + w15; e += a; a += S0(b) + maj(b, c, d);
    // Step 4: H(i) = H(i-1) + working variables.
    a += a0; b += b0; c += c0; d += d0; e += e0; f += f0; g += g0; h += h0;
  }
  store<u64>(H, a, 0); store<u64>(H, b, 8); store<u64>(H, c, 16); store<u64>(H, d, 24);
  store<u64>(H, e, 32); store<u64>(H, f, 40); store<u64>(H, g, 48); store<u64>(H, h, 56);
}
