// Tables for the vector-permute AES of aes.ts, derived here from first principles when the module
// starts (nothing secret is involved in building them).
//
// The idea (M. Hamburg, "Accelerating AES with Vector Permute Instructions", CHES 2009): the only
// non-linear step of AES, inversion in GF(2^8), becomes a handful of lookups in 16-entry tables
// once GF(2^8) is written as a degree-2 extension of GF(2^4) = GF(16). A 16-entry byte table fits
// in one v128 register and `i8x16.swizzle` looks up 16 lanes at once as a register permutation,
// so no memory address ever depends on secret data. Everything linear (the affine map of the
// S-box, MixColumns, changes of basis) is folded into the tables and the round keys.
//
// The representation used here:
// - GF(16) is the subfield {z : z^16 = z} of GF(2^8); h = 0x03^17 generates its multiplicative
//   group and a nibble n = (n3 n2 n1 n0) stands for n0 + n1·h + n2·h^2 + n3·h^3, so XOR of
//   nibbles is addition in GF(16).
// - a ∈ GF(16) is chosen with Tr(1/a) = 1, so that t^2 + a·t + a is irreducible over GF(16); β is
//   one of its roots in GF(2^8). Every byte x is then x = i·β + k with i, k ∈ GF(16): the "T
//   coordinates" of x are the byte (i << 4) | k. T is GF(2)-linear.
// - The norm of x = i·β + k is Δ = a·i^2 + a·i·k + k^2 (β has trace a and norm a), and the
//   conjugate is i·(a + β) + k, so x^-1 = (i·(a+β) + k) / Δ. With j = i + k, the lookups
//       iak = 1/i + a/k,  jak = 1/j + a/k,  io = 1/iak + j,  jo = 1/jak + i
//   give io = Δ/(k + a·i) and jo = Δ/(k + a·j), hence x^-1 = γ1·(1/io) + γ2·(1/jo) with
//   γ2 = β/a^2 and γ1 = 1 + β/a + β/a^2. Division by zero is the value 0x80 ("infinity"): XOR
//   keeps the high bit set and a swizzle with an index ≥ 16 returns 0, i.e. 1/∞ = 0. All 256
//   inputs, 0 included, come out right (checked by the FIPS-197 tests through aesEncryptBlock).
// - The output tables apply, to γ1/io and γ2/jo separately, whatever linear map the round needs
//   next (the S-box's affine matrix, the MixColumns multiples, the change back to T coordinates),
//   so the state stays in T coordinates from round to round.

/** Byte offsets of the 16-byte tables, from TABLES. */
export const TABLES: usize = memory.data(16 * 23, 16);
export const NIBBLE_INV: usize = TABLES + 16 * 0; // n ↦ 1/n in GF(16), 1/0 = 0x80
export const NIBBLE_ADIV: usize = TABLES + 16 * 1; // n ↦ a/n, a/0 = 0x80
export const ENC_IN_LO: usize = TABLES + 16 * 2; // T(n), n a low nibble
export const ENC_IN_HI: usize = TABLES + 16 * 3; // T(n << 4)
export const ENC_S1: usize = TABLES + 16 * 4; // io ↦ T(M·γ1/io)            (M: FIPS-197 §5.1.1 matrix)
export const ENC_S1Q: usize = TABLES + 16 * 5; // jo ↦ T(M·γ2/jo)
export const ENC_S2: usize = TABLES + 16 * 6; // io ↦ T({02}·M·γ1/io)     (for MixColumns)
export const ENC_S2Q: usize = TABLES + 16 * 7; // jo ↦ T({02}·M·γ2/jo)
export const ENC_OUT: usize = TABLES + 16 * 8; // io ↦ M·γ1/io, standard basis (last round)
export const ENC_OUTQ: usize = TABLES + 16 * 9; // jo ↦ M·γ2/jo
export const DEC_IN_LO: usize = TABLES + 16 * 10; // T(M^-1·n)
export const DEC_IN_HI: usize = TABLES + 16 * 11; // T(M^-1·(n << 4))
export const DEC_E: usize = TABLES + 16 * 12; // io ↦ T(M^-1·{0e}·γ1/io)   (InvMixColumns, §5.3.3)
export const DEC_EQ: usize = TABLES + 16 * 13;
export const DEC_B: usize = TABLES + 16 * 14; // {0b}
export const DEC_BQ: usize = TABLES + 16 * 15;
export const DEC_D: usize = TABLES + 16 * 16; // {0d}
export const DEC_DQ: usize = TABLES + 16 * 17;
export const DEC_9: usize = TABLES + 16 * 18; // {09}
export const DEC_9Q: usize = TABLES + 16 * 19;
export const DEC_OUT: usize = TABLES + 16 * 20; // io ↦ γ1/io, standard basis (last round)
export const DEC_OUTQ: usize = TABLES + 16 * 21; // jo ↦ γ2/jo
/** T(0x05) in every byte: the InvSubBytes constant, folded into decryption round keys. */
export const T_05: usize = TABLES + 16 * 22;

/** Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (FIPS-197 §4.2). Public data only. */
export function gmul(a: u32, b: u32): u32 {
  let r: u32 = 0;
  for (let i = 0; i < 8; i++) {
    if (b & 1) r ^= a;
    a = (a << 1) ^ (a & 0x80 ? 0x11b : 0);
    b >>= 1;
  }
  return r;
}

function gpow(a: u32, e: u32): u32 {
  let r: u32 = 1;
  while (e) {
    if (e & 1) r = gmul(r, a);
    a = gmul(a, a);
    e >>= 1;
  }
  return r;
}

/** x^-1 = x^254 (Fermat), with 0 ↦ 0 as AES defines. */
function ginv(a: u32): u32 {
  return gpow(a, 254);
}

function rotl8(x: u32, n: u32): u32 {
  return ((x << n) | (x >> (8 - n))) & 0xff;
}

/** The linear part of the S-box's affine transformation (FIPS-197 §5.1.1, eq. 5.1). */
function affine(x: u32): u32 {
  return x ^ rotl8(x, 1) ^ rotl8(x, 2) ^ rotl8(x, 3) ^ rotl8(x, 4);
}

/** Its inverse (the linear part of InvSubBytes, §5.3.2). */
function affineInv(x: u32): u32 {
  return rotl8(x, 1) ^ rotl8(x, 3) ^ rotl8(x, 6);
}

// Scratch used while building: the T map of every byte, and the nibble code of each GF(16) element.
const T_FWD: usize = memory.data(256);
const GF16_CODE: usize = memory.data(256);

function nibble(n: u32, h: u32): u32 {
  let r: u32 = 0;
  let p: u32 = 1;
  for (let b: u32 = 0; b < 4; b++) {
    if ((n >> b) & 1) r ^= p;
    p = gmul(p, h);
  }
  return r;
}

function trace16(z: u32): u32 {
  return z ^ gpow(z, 2) ^ gpow(z, 4) ^ gpow(z, 8);
}

function tOf(x: u32): u32 {
  return load<u8>(T_FWD + x);
}

function code(z: u32): u32 {
  return load<u8>(GF16_CODE + z);
}

function buildTables(): void {
  const h = gpow(3, 17);
  // Nibble codes of GF(16): code ↦ element is nibble(code, h), element ↦ code is code().
  for (let n: u32 = 0; n < 16; n++) store<u8>(GF16_CODE + nibble(n, h), <u8>n);
  let a: u32 = 0;
  for (let n: u32 = 1; n < 16 && a == 0; n++) if (trace16(ginv(nibble(n, h))) == 1) a = nibble(n, h);
  let beta: u32 = 0;
  for (let x: u32 = 2; x < 256 && beta == 0; x++) {
    if ((gmul(x, x) ^ gmul(a, x) ^ a) == 0 && gpow(x, 16) != x) beta = x;
  }
  const g2 = gmul(beta, ginv(gmul(a, a)));
  const g1 = 1 ^ gmul(beta, ginv(a)) ^ g2;
  // Unary GF(16) tables (codes in, codes out).
  for (let n: u32 = 0; n < 16; n++) {
    const z = nibble(n, h);
    store<u8>(NIBBLE_INV + n, n ? code(ginv(z)) : 0x80);
    store<u8>(NIBBLE_ADIV + n, n ? code(gmul(a, ginv(z))) : 0x80);
  }
  // T coordinates of every byte: x = i·β + k.
  for (let i: u32 = 0; i < 16; i++) {
    for (let k: u32 = 0; k < 16; k++) {
      const x = gmul(nibble(i, h), beta) ^ nibble(k, h);
      store<u8>(T_FWD + x, <u8>((i << 4) | k));
    }
  }
  for (let n: u32 = 0; n < 16; n++) {
    store<u8>(ENC_IN_LO + n, <u8>tOf(n));
    store<u8>(ENC_IN_HI + n, <u8>tOf(n << 4));
    store<u8>(DEC_IN_LO + n, <u8>tOf(affineInv(n)));
    store<u8>(DEC_IN_HI + n, <u8>tOf(affineInv(n << 4)));
    // Entry 0 is never used by a valid input (io, jo ≠ 0 unless "infinity", which reads as 0).
    const u1: u32 = n ? gmul(g1, ginv(nibble(n, h))) : 0;
    const u2: u32 = n ? gmul(g2, ginv(nibble(n, h))) : 0;
    store<u8>(ENC_S1 + n, <u8>tOf(affine(u1)));
    store<u8>(ENC_S1Q + n, <u8>tOf(affine(u2)));
    store<u8>(ENC_S2 + n, <u8>tOf(gmul(2, affine(u1))));
    store<u8>(ENC_S2Q + n, <u8>tOf(gmul(2, affine(u2))));
    store<u8>(ENC_OUT + n, <u8>affine(u1));
    store<u8>(ENC_OUTQ + n, <u8>affine(u2));
    store<u8>(DEC_E + n, <u8>tOf(affineInv(gmul(0x0e, u1))));
    store<u8>(DEC_EQ + n, <u8>tOf(affineInv(gmul(0x0e, u2))));
    store<u8>(DEC_B + n, <u8>tOf(affineInv(gmul(0x0b, u1))));
    store<u8>(DEC_BQ + n, <u8>tOf(affineInv(gmul(0x0b, u2))));
    store<u8>(DEC_D + n, <u8>tOf(affineInv(gmul(0x0d, u1))));
    store<u8>(DEC_DQ + n, <u8>tOf(affineInv(gmul(0x0d, u2))));
    store<u8>(DEC_9 + n, <u8>tOf(affineInv(gmul(0x09, u1))));
    store<u8>(DEC_9Q + n, <u8>tOf(affineInv(gmul(0x09, u2))));
    store<u8>(DEC_OUT + n, <u8>u1);
    store<u8>(DEC_OUTQ + n, <u8>u2);
    store<u8>(T_05 + n, <u8>tOf(0x05));
  }
}

buildTables();
