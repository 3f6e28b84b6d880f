// Hand-made ESP packets for inputs the engine itself would never produce: wrong padding, TFC
// padding, dummy packets, odd next headers. Built on the node:crypto reference (esp-reference.ts).
import { aeadSeal, minimalPad, trailerOf } from './esp-reference.js';
import { concat, ip } from './packets.js';

export interface Crafted {
  spi: number;
  seq: number;
  /** AES-128 key then the 4-byte salt. */
  key: Uint8Array;
  iv?: Uint8Array;
}

const be32 = (v: number): Uint8Array => new Uint8Array([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);

/**
 * An IP packet src → dst carrying ESP whose encrypted part is exactly `plaintext` (payload,
 * padding, pad length and next header, laid out by the caller), under AES-128-GCM (RFC 4106).
 */
export function craftGcm(c: Crafted, plaintext: Uint8Array, src = '192.0.2.2', dst = '192.0.2.1'): Uint8Array {
  const iv = c.iv ?? new Uint8Array(8).fill(7);
  const header = concat(be32(c.spi), be32(c.seq));
  const sealed = aeadSeal('aes-gcm', c.key.subarray(0, 16), concat(c.key.subarray(16, 20), iv), header, plaintext);
  return ip(src, dst, 50, concat(header, iv, sealed));
}

/** `data` and the RFC 4303 §2.4 trailer: minimal padding to `align` plus `extraPad` blocks of it. */
export const withTrailer = (data: Uint8Array, nextHeader: number, align = 4, extraPad = 0): Uint8Array =>
  concat(data, trailerOf(minimalPad(data.length, align) + extraPad * align, nextHeader));
