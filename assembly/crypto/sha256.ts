// SHA-256 compression function, FIPS 180-4 §6.2.2. The chaining value H lives in memory as 8 native
// u32 words so that one call can run over many blocks with the state held in locals. The 64 rounds
// are written out: every K_t is an immediate, and instead of shifting a..h down each round (§6.2.2
// step 4) the names rotate, so a round only updates d and h: T1 = h + Σ1(e) + Ch(e,f,g) + K_t + W_t;
// d += T1; h = T1 + Σ0(a) + Maj(a,b,c). The message schedule keeps its last 16 words in w0..w15
// (W_t needs W_{t-2}, W_{t-7}, W_{t-15}, W_{t-16}). Nothing branches on or indexes by the data.

// Functions of §4.1.2.
// @ts-ignore: decorator
@inline function ch(x: u32, y: u32, z: u32): u32 { return z ^ (x & (y ^ z)); }
// @ts-ignore: decorator
@inline function maj(x: u32, y: u32, z: u32): u32 { return (x & y) | (z & (x | y)); }
// @ts-ignore: decorator
@inline function S0(x: u32): u32 { return rotr<u32>(x, 2) ^ rotr<u32>(x, 13) ^ rotr<u32>(x, 22); }
// @ts-ignore: decorator
@inline function S1(x: u32): u32 { return rotr<u32>(x, 6) ^ rotr<u32>(x, 11) ^ rotr<u32>(x, 25); }
// @ts-ignore: decorator
@inline function s0(x: u32): u32 { return rotr<u32>(x, 7) ^ rotr<u32>(x, 18) ^ (x >> 3); }
// @ts-ignore: decorator
@inline function s1(x: u32): u32 { return rotr<u32>(x, 17) ^ rotr<u32>(x, 19) ^ (x >> 10); }

// Words are big-endian (§3.1): the block's first byte is the most significant.
// @ts-ignore: decorator
@inline function be32(x: u32): u32 { return bswap<u32>(x); }

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
  let a = load<u32>(H, 0), b = load<u32>(H, 4), c = load<u32>(H, 8), d = load<u32>(H, 12);
  let e = load<u32>(H, 16), f = load<u32>(H, 20), g = load<u32>(H, 24), h = load<u32>(H, 28);
  for (const end = p + (n << 6); p < end; p += 64) {
    const a0 = a, b0 = b, c0 = c, d0 = d, e0 = e, f0 = f, g0 = g, h0 = h;
    // Step 1, t < 16: W_t is word t of the block, big-endian (§3.1); later words are computed in place.
    let w0 = be32(load<u32>(p, 0)), w1 = be32(load<u32>(p, 4)), w2 = be32(load<u32>(p, 8)), w3 = be32(load<u32>(p, 12));
    let w4 = be32(load<u32>(p, 16)), w5 = be32(load<u32>(p, 20)), w6 = be32(load<u32>(p, 24)), w7 = be32(load<u32>(p, 28));
    let w8 = be32(load<u32>(p, 32)), w9 = be32(load<u32>(p, 36)), w10 = be32(load<u32>(p, 40)), w11 = be32(load<u32>(p, 44));
    let w12 = be32(load<u32>(p, 48)), w13 = be32(load<u32>(p, 52)), w14 = be32(load<u32>(p, 56)), w15 = be32(load<u32>(p, 60));
    // Steps 2 and 3: 64 rounds with K_t of §4.2.2.
    h += S1(e) + ch(e, f, g) + 0x428a2f98 + w0; d += h; h += S0(a) + maj(a, b, c);
    g += S1(d) + ch(d, e, f) + 0x71374491 + w1; c += g; g += S0(h) + maj(h, a, b);
    f += S1(c) + ch(c, d, e) + 0xb5c0fbcf + w2; b += f; f += S0(g) + maj(g, h, a);
    e += S1(b) + ch(b, c, d) + 0xe9b5dba5 + w3; a += e; e += S0(f) + maj(f, g, h);
    d += S1(a) + ch(a, b, c) + 0x3956c25b + w4; h += d; d += S0(e) + maj(e, f, g);
    c += S1(h) + ch(h, a, b) + 0x59f111f1 + w5; g += c; c += S0(d) + maj(d, e, f);
    b += S1(g) + ch(g, h, a) + 0x923f82a4 + w6; f += b; b += S0(c) + maj(c, d, e);
    a += S1(f) + ch(f, g, h) + 0xab1c5ed5 + w7; e += a; a += S0(b) + maj(b, c, d);
    h += S1(e) + ch(e, f, g) + 0xd807aa98 + w8; d += h; h += S0(a) + maj(a, b, c);
    g += S1(d) + ch(d, e, f) + 0x12835b01 + w9; c += g; g += S0(h) + maj(h, a, b);
    f += S1(c) + ch(c, d, e) + 0x243185be + w10; b += f; f += S0(g) + maj(g, h, a);
    e += S1(b) + ch(b, c, d) + 0x550c7dc3 + w11; a += e; e += S0(f) + maj(f, g, h);
    d += S1(a) + ch(a, b, c) + 0x72be5d74 + w12; h += d; d += S0(e) + maj(e, f, g);
    c += S1(h) + ch(h, a, b) + 0x80deb1fe + w13; g += c; c += S0(d) + maj(d, e, f);
    b += S1(g) + ch(g, h, a) + 0x9bdc06a7 + w14; f += b; b += S0(c) + maj(c, d, e);
    a += S1(f) + ch(f, g, h) + 0xc19bf174 + w15; e += a; a += S0(b) + maj(b, c, d);
    w0 += s1(w14) + w9 + s0(w1);
    h += S1(e) + ch(e, f, g) + 0xe49b69c1 + w0; d += h; h += S0(a) + maj(a, b, c);
    w1 += s1(w15) + w10 + s0(w2);
    g += S1(d) + ch(d, e, f) + 0xefbe4786 + w1; c += g; g += S0(h) + maj(h, a, b);
    w2 += s1(w0) + w11 + s0(w3);
    f += S1(c) + ch(c, d, e) + 0x0fc19dc6 + w2; b += f; f += S0(g) + maj(g, h, a);
    w3 += s1(w1) + w12 + s0(w4);
    e += S1(b) + ch(b, c, d) + 0x240ca1cc + w3; a += e; e += S0(f) + maj(f, g, h);
    w4 += s1(w2) + w13 + s0(w5);
    d += S1(a) + ch(a, b, c) + 0x2de92c6f + w4; h += d; d += S0(e) + maj(e, f, g);
    w5 += s1(w3) + w14 + s0(w6);
    c += S1(h) + ch(h, a, b) + 0x4a7484aa + w5; g += c; c += S0(d) + maj(d, e, f);
    w6 += s1(w4) + w15 + s0(w7);
    b += S1(g) + ch(g, h, a) + 0x5cb0a9dc + w6; f += b; b += S0(c) + maj(c, d, e);
    w7 += s1(w5) + w0 + s0(w8);
    a += S1(f) + ch(f, g, h) + 0x76f988da + w7; e += a; a += S0(b) + maj(b, c, d);
    w8 += s1(w6) + w1 + s0(w9);
    h += S1(e) + ch(e, f, g) + 0x983e5152 + w8; d += h; h += S0(a) + maj(a, b, c);
    w9 += s1(w7) + w2 + s0(w10);
    g += S1(d) + ch(d, e, f) + 0xa831c66d + w9; c += g; g += S0(h) + maj(h, a, b);
    w10 += s1(w8) + w3 + s0(w11);
    f += S1(c) + ch(c, d, e) + 0xb00327c8 + w10; b += f; f += S0(g) + maj(g, h, a);
    w11 += s1(w9) + w4 + s0(w12);
    e += S1(b) + ch(b, c, d) + 0xbf597fc7 + w11; a += e; e += S0(f) + maj(f, g, h);
    w12 += s1(w10) + w5 + s0(w13);
    d += S1(a) + ch(a, b, c) + 0xc6e00bf3 + w12; h += d; d += S0(e) + maj(e, f, g);
    w13 += s1(w11) + w6 + s0(w14);
    c += S1(h) + ch(h, a, b) + 0xd5a79147 + w13; g += c; c += S0(d) + maj(d, e, f);
    w14 += s1(w12) + w7 + s0(w15);
    b += S1(g) + ch(g, h, a) + 0x06ca6351 + w14; f += b; b += S0(c) + maj(c, d, e);
    w15 += s1(w13) + w8 + s0(w0);
    a += S1(f) + ch(f, g, h) + 0x14292967 + w15; e += a; a += S0(b) + maj(b, c, d);
    w0 += s1(w14) + w9 + s0(w1);
    h += S1(e) + ch(e, f, g) + 0x27b70a85 + w0; d += h; h += S0(a) + maj(a, b, c);
    w1 += s1(w15) + w10 + s0(w2);
    g += S1(d) + ch(d, e, f) + 0x2e1b2138 + w1; c += g; g += S0(h) + maj(h, a, b);
    w2 += s1(w0) + w11 + s0(w3);
    f += S1(c) + ch(c, d, e) + 0x4d2c6dfc + w2; b += f; f += S0(g) + maj(g, h, a);
    w3 += s1(w1) + w12 + s0(w4);
    e += S1(b) + ch(b, c, d) + 0x53380d13 + w3; a += e; e += S0(f) + maj(f, g, h);
    w4 += s1(w2) + w13 + s0(w5);
    d += S1(a) + ch(a, b, c) + 0x650a7354 + w4; h += d; d += S0(e) + maj(e, f, g);
    w5 += s1(w3) + w14 + s0(w6);
    c += S1(h) + ch(h, a, b) + 0x766a0abb + w5; g += c; c += S0(d) + maj(d, e, f);
    w6 += s1(w4) + w15 + s0(w7);
    b += S1(g) + ch(g, h, a) + 0x81c2c92e + w6; f += b; b += S0(c) + maj(c, d, e);
    w7 += s1(w5) + w0 + s0(w8);
    a += S1(f) + ch(f, g, h) + 0x92722c85 + w7; e += a; a += S0(b) + maj(b, c, d);
    w8 += s1(w6) + w1 + s0(w9);
    h += S1(e) + ch(e, f, g) + 0xa2bfe8a1 + w8; d += h; h += S0(a) + maj(a, b, c);
    w9 += s1(w7) + w2 + s0(w10);
    g += S1(d) + ch(d, e, f) + 0xa81a664b + w9; c += g; g += S0(h) + maj(h, a, b);
    w10 += s1(w8) + w3 + s0(w11);
    f += S1(c) + ch(c, d, e) + 0xc24b8b70 + w10; b += f; f += S0(g) + maj(g, h, a);
    w11 += s1(w9) + w4 + s0(w12);
    e += S1(b) + ch(b, c, d) + 0xc76c51a3 + w11; a += e; e += S0(f) + maj(f, g, h);
    w12 += s1(w10) + w5 + s0(w13);
    d += S1(a) + ch(a, b, c) + 0xd192e819 + w12; h += d; d += S0(e) + maj(e, f, g);
    w13 += s1(w11) + w6 + s0(w14);
    c += S1(h) + ch(h, a, b) + 0xd6990624 + w13; g += c; c += S0(d) + maj(d, e, f);
    w14 += s1(w12) + w7 + s0(w15);
    b += S1(g) + ch(g, h, a) + 0xf40e3585 + w14; f += b; b += S0(c) + maj(c, d, e);
    w15 += s1(w13) + w8 + s0(w0);
    a += S1(f) + ch(f, g, h) + 0x106aa070 + w15; e += a; a += S0(b) + maj(b, c, d);
    w0 += s1(w14) + w9 + s0(w1);
    h += S1(e) + ch(e, f, g) + 0x19a4c116 + w0; d += h; h += S0(a) + maj(a, b, c);
    w1 += s1(w15) + w10 + s0(w2);
    g += S1(d) + ch(d, e, f) + 0x1e376c08 + w1; c += g; g += S0(h) + maj(h, a, b);
    w2 += s1(w0) + w11 + s0(w3);
    f += S1(c) + ch(c, d, e) + 0x2748774c + w2; b += f; f += S0(g) + maj(g, h, a);
    w3 += s1(w1) + w12 + s0(w4);
    e += S1(b) + ch(b, c, d) + 0x34b0bcb5 + w3; a += e; e += S0(f) + maj(f, g, h);
    w4 += s1(w2) + w13 + s0(w5);
    d += S1(a) + ch(a, b, c) + 0x391c0cb3 + w4; h += d; d += S0(e) + maj(e, f, g);
    w5 += s1(w3) + w14 + s0(w6);
    c += S1(h) + ch(h, a, b) + 0x4ed8aa4a + w5; g += c; c += S0(d) + maj(d, e, f);
    w6 += s1(w4) + w15 + s0(w7);
    b += S1(g) + ch(g, h, a) + 0x5b9cca4f + w6; f += b; b += S0(c) + maj(c, d, e);
    w7 += s1(w5) + w0 + s0(w8);
    a += S1(f) + ch(f, g, h) + 0x682e6ff3 + w7; e += a; a += S0(b) + maj(b, c, d);
    w8 += s1(w6) + w1 + s0(w9);
    h += S1(e) + ch(e, f, g) + 0x748f82ee + w8; d += h; h += S0(a) + maj(a, b, c);
    w9 += s1(w7) + w2 + s0(w10);
    g += S1(d) + ch(d, e, f) + 0x78a5636f + w9; c += g; g += S0(h) + maj(h, a, b);
    w10 += s1(w8) + w3 + s0(w11);
    f += S1(c) + ch(c, d, e) + 0x84c87814 + w10; b += f; f += S0(g) + maj(g, h, a);
    w11 += s1(w9) + w4 + s0(w12);
    e += S1(b) + ch(b, c, d) + 0x8cc70208 + w11; a += e; e += S0(f) + maj(f, g, h);
    w12 += s1(w10) + w5 + s0(w13);
    d += S1(a) + ch(a, b, c) + 0x90befffa + w12; h += d; d += S0(e) + maj(e, f, g);
    w13 += s1(w11) + w6 + s0(w14);
    c += S1(h) + ch(h, a, b) + 0xa4506ceb + w13; g += c; c += S0(d) + maj(d, e, f);
    w14 += s1(w12) + w7 + s0(w15);
    b += S1(g) + ch(g, h, a) + 0xbef9a3f7 + w14; f += b; b += S0(c) + maj(c, d, e);
    w15 += s1(w13) + w8 + s0(w0);
    a += S1(f) + ch(f, g, h) + 0xc67178f2 + w15; e += a; a += S0(b) + maj(b, c, d);
    // Step 4: H(i) = H(i-1) + working variables.
    a += a0; b += b0; c += c0; d += d0; e += e0; f += f0; g += g0; h += h0;
  }
  store<u32>(H, a, 0); store<u32>(H, b, 4); store<u32>(H, c, 8); store<u32>(H, d, 12);
  store<u32>(H, e, 16); store<u32>(H, f, 20); store<u32>(H, g, 24); store<u32>(H, h, 28);
}
