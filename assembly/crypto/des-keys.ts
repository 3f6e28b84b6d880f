// The DES key schedule (FIPS 46-3, "Key Schedule Calculation"): PC-1, sixteen rotations of C and
// D, PC-2 per round. It runs once per key (per SA), so it is written plainly, one bit at a time;
// it stays constant time because every address and shift comes from the public tables and round
// counter, never from the key.
import { KEY_SHIFTS, PC1, PC2 } from './des-tables';
import { ROUND_KEY_BYTES } from './des-block';
import { sboxLane } from './des-layout';

/** Bit n (1…64, 1 = most significant bit of the first byte) of the 8-byte key at `key`. */
// @ts-ignore: decorator
@inline function keyBit(key: usize, n: i32): u32 {
  return (<u32>load<u8>(key + <usize>((n - 1) >> 3)) >> <u32>(7 - ((n - 1) & 7))) & 1;
}

/** A 28-bit rotation left by s (1 or 2). */
// @ts-ignore: decorator
@inline function rotl28(x: u32, s: u32): u32 {
  return ((x << s) | (x >> (28 - s))) & 0x0fffffff;
}

/**
 * Writes the 16 round keys of the 8-byte DES key at `key` to `out` (KEY_SCHEDULE_BYTES of des-block.ts), in the
 * layout des-block.ts reads: round n at out + 16·(n−1); the six bits of K_n that enter S-box j
 * (bits 6j+1…6j+6, the first one most significant) in byte sboxLane(j) and again in byte 8 + sboxLane(j).
 */
export function desKeySchedule(key: usize, out: usize): void {
  let c: u32 = 0;
  let d: u32 = 0;
  for (let i = 0; i < 28; i++) c = (c << 1) | keyBit(key, load<u8>(PC1 + <usize>i));
  for (let i = 28; i < 56; i++) d = (d << 1) | keyBit(key, load<u8>(PC1 + <usize>i));

  for (let n = 0; n < 16; n++) {
    const s = <u32>load<u8>(KEY_SHIFTS + <usize>n);
    c = rotl28(c, s);
    d = rotl28(d, s);
    // Cn‖Dn as 56 bits, bit 1 the most significant (bit 55 of the u64).
    const cd = (<u64>c << 28) | <u64>d;
    const round = out + <usize>(n * ROUND_KEY_BYTES);
    for (let j = 0; j < 8; j++) {
      let six: u32 = 0;
      for (let b = 0; b < 6; b++) {
        const bit = <u64>load<u8>(PC2 + <usize>(6 * j + b));
        six = (six << 1) | <u32>((cd >> (56 - bit)) & 1);
      }
      const lane = <usize>sboxLane(j);
      store<u8>(round + lane, six);
      store<u8>(round + 8 + lane, six);
    }
  }
}
