// Hand-made ESP packets (RFC 4303 §2, RFC 4106) built with node:crypto, for inputs the engine
// itself would never produce: wrong padding, TFC padding, dummy packets, odd next headers.
import { createCipheriv } from 'node:crypto';
import { ip } from './packets.js';

export interface Crafted {
  spi: number;
  seq: number;
  /** AES-128 key then the 4-byte salt. */
  key: Uint8Array;
  iv?: Uint8Array;
}

/**
 * An IPv4 packet 192.0.2.2 → 192.0.2.1 carrying ESP whose encrypted part is exactly `plaintext`
 * (payload, padding, pad length and next header, as the caller lays them out), under AES-128-GCM.
 */
export function craftGcm(c: Crafted, plaintext: Uint8Array, src = '192.0.2.2', dst = '192.0.2.1'): Uint8Array {
  const iv = c.iv ?? new Uint8Array(8).fill(7);
  const header = new Uint8Array(8);
  new DataView(header.buffer).setUint32(0, c.spi);
  new DataView(header.buffer).setUint32(4, c.seq);
  const nonce = Buffer.concat([c.key.subarray(16, 20), iv]);
  const gcm = createCipheriv('aes-128-gcm', c.key.subarray(0, 16), nonce);
  gcm.setAAD(header);
  const ct = Buffer.concat([gcm.update(plaintext), gcm.final(), gcm.getAuthTag()]);
  return ip(src, dst, 50, new Uint8Array(Buffer.concat([header, iv, ct])));
}

/** The ESP trailer of RFC 4303 §2.4 after `data`: padding 1, 2, … to `align`, pad length, next header. */
export function withTrailer(data: Uint8Array, nextHeader: number, align = 4, extraPad = 0): Uint8Array {
  let pad = (align - ((data.length + 2) % align)) % align;
  pad += extraPad * align;
  const out = new Uint8Array(data.length + pad + 2);
  out.set(data);
  for (let i = 0; i < pad; i++) out[data.length + i] = i + 1;
  out[data.length + pad] = pad;
  out[data.length + pad + 1] = nextHeader;
  return out;
}
