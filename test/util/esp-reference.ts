// A reference for ESP built on node:crypto (OpenSSL), independent of the engine: it checks the
// published vectors as they are typed in, and computes what the vectors leave out (the ICV of
// RFC 3602's encryption-only packets). Only the pieces the tests need; no policy, no replay window.

import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { concat } from './packets.js';

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);
const be32 = (v: number): Uint8Array => new Uint8Array([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);

/** AES-GCM (RFC 4106) or ChaCha20-Poly1305 (RFC 7634) open: ciphertext ‖ 16-byte tag → plaintext or null. */
export function aeadOpen(alg: 'aes-gcm' | 'chacha20-poly1305', key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null {
  const name = alg === 'aes-gcm' ? `aes-${key.length * 8}-gcm` : 'chacha20-poly1305';
  const d = createDecipheriv(name as 'aes-128-gcm', key, nonce, { authTagLength: 16 });
  d.setAAD(aad, { plaintextLength: sealed.length - 16 });
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  try {
    return u8(Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]));
  } catch {
    return null;
  }
}

export function aeadSeal(alg: 'aes-gcm' | 'chacha20-poly1305', key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const name = alg === 'aes-gcm' ? `aes-${key.length * 8}-gcm` : 'chacha20-poly1305';
  const c = createCipheriv(name as 'aes-128-gcm', key, nonce, { authTagLength: 16 });
  c.setAAD(aad, { plaintextLength: plaintext.length });
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return concat(u8(ct), u8(c.getAuthTag()));
}

/** The first ChaCha20 block with counter 0, whose first 32 bytes are the Poly1305 key (RFC 8439 §2.6). */
export function chachaPolyKey(key: Uint8Array, nonce: Uint8Array): Uint8Array {
  // node's 'chacha20' takes a 16-byte IV: 32-bit little-endian block counter ‖ 96-bit nonce.
  const c = createCipheriv('chacha20', key, concat(new Uint8Array(4), nonce));
  return u8(c.update(new Uint8Array(32)));
}

/** CBC without padding (ESP pads itself, RFC 4303 §2.4): AES by key length, or 3DES. */
export function cbc(dir: 'encrypt' | 'decrypt', cipher: 'aes' | '3des', key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const name = cipher === '3des' ? 'des-ede3-cbc' : `aes-${key.length * 8}-cbc`;
  const c = dir === 'encrypt' ? createCipheriv(name, key, iv) : createDecipheriv(name, key, iv);
  c.setAutoPadding(false);
  return u8(Buffer.concat([c.update(data), c.final()]));
}

/** HMAC truncated to the ICV length: RFC 2404 (SHA-1-96), RFC 4868 (SHA-256-128, -384-192, -512-256). */
export function hmacIcv(hash: 'sha1' | 'sha256' | 'sha384' | 'sha512', key: Uint8Array, ...data: Uint8Array[]): Uint8Array {
  const len = { sha1: 12, sha256: 16, sha384: 24, sha512: 32 }[hash];
  const h = createHmac(hash, key);
  for (const d of data) h.update(d);
  return u8(h.digest()).subarray(0, len);
}

/** RFC 4303 §2.4–2.6: the trailer at the end of a decrypted payload. */
export interface Trailer {
  payload: Uint8Array;
  padding: Uint8Array;
  padLength: number;
  nextHeader: number;
  /** Padding is 1, 2, 3, … (RFC 4303 §2.4's default). */
  monotonic: boolean;
}

export function parseTrailer(plain: Uint8Array): Trailer {
  const padLength = plain[plain.length - 2];
  const nextHeader = plain[plain.length - 1];
  const padding = plain.subarray(plain.length - 2 - padLength, plain.length - 2);
  return {
    payload: plain.subarray(0, plain.length - 2 - padLength),
    padding,
    padLength,
    nextHeader,
    monotonic: padding.every((b, i) => b === i + 1),
  };
}

/** The least padding that makes payload ‖ Pad Length ‖ Next Header a multiple of `align` (RFC 4303 §2.4). */
export const minimalPad = (payloadLength: number, align: number): number => (align - ((payloadLength + 2) % align)) % align;

/** RFC 4303 §2.4 padding 1, 2, 3, … of exactly `n` bytes, then Pad Length and Next Header. */
export function trailerOf(n: number, nextHeader: number): Uint8Array {
  const t = new Uint8Array(n + 2);
  for (let i = 0; i < n; i++) t[i] = i + 1;
  t[n] = n;
  t[n + 1] = nextHeader;
  return t;
}

/** AEAD ESP (RFC 4106 / RFC 7634, no ESN): SPI ‖ Seq ‖ IV ‖ AEAD(payload ‖ trailer) with `padLength` bytes of padding. */
export function aeadEsp(o: {
  alg: 'aes-gcm' | 'chacha20-poly1305'; key: Uint8Array; salt: Uint8Array; spi: number; seq: number; iv: Uint8Array;
  payload: Uint8Array; nextHeader: number; padLength: number;
}): Uint8Array {
  const aad = concat(be32(o.spi), be32(o.seq));
  return concat(aad, o.iv, aeadSeal(o.alg, o.key, concat(o.salt, o.iv), aad, concat(o.payload, trailerOf(o.padLength, o.nextHeader))));
}

/**
 * ESP with AES-CBC or 3DES-CBC and an HMAC, as RFC 4303 §2 and §3.3.2.1 build it: SPI ‖ Seq(low 32) ‖
 * IV ‖ CBC(payload ‖ trailer) ‖ ICV, where with ESN the ICV also covers the high-order 32 bits of the
 * sequence number, appended after the ciphertext and not transmitted (§2.2.1).
 */
export function cbcHmacEsp(o: {
  cipher: 'aes' | '3des'; encKey: Uint8Array; hash: 'sha1' | 'sha256' | 'sha384' | 'sha512'; integKey: Uint8Array;
  spi: number; seq: bigint; esn: boolean; iv: Uint8Array; payload: Uint8Array; nextHeader: number;
  /** Padding beyond the minimum, a multiple of the block size (RFC 4303 §2.4 allows up to 255 bytes). */
  extraPad?: number;
}): Uint8Array {
  const block = o.cipher === '3des' ? 8 : 16;
  const pad = minimalPad(o.payload.length, block) + (o.extraPad ?? 0);
  const ct = cbc('encrypt', o.cipher, o.encKey, o.iv, concat(o.payload, trailerOf(pad, o.nextHeader)));
  const head = concat(be32(o.spi), be32(Number(o.seq & 0xffffffffn)), o.iv, ct);
  const icv = o.esn ? hmacIcv(o.hash, o.integKey, head, be32(Number(o.seq >> 32n))) : hmacIcv(o.hash, o.integKey, head);
  return concat(head, icv);
}

/** RFC 1761 snoop file → the packets' bytes (link-layer header included). */
export function snoopPackets(file: Uint8Array): Uint8Array[] {
  const magic = Buffer.from(file.subarray(0, 8)).toString('latin1');
  if (magic !== 'snoop\0\0\0') throw new Error('not a snoop file');
  const dv = new DataView(file.buffer, file.byteOffset, file.length);
  const out: Uint8Array[] = [];
  for (let at = 16; at + 24 <= file.length; ) {
    const included = dv.getUint32(at + 4);
    const recordLength = dv.getUint32(at + 8);
    out.push(file.subarray(at + 24, at + 24 + included));
    at += recordLength;
  }
  return out;
}
