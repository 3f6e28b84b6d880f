// Byte-level helpers shared by the IKEv2 codecs (not exported from index.ts).
//
// Decoders check every length against the bytes they were given before reading or allocating, and
// throw only DecodeError. Encoders trust their input's shape (it comes from our own code) but check
// numeric ranges and throw RangeError on a value that doesn't fit its field.

import { DecodeError } from './errors.js';

export { put16, put32, target, u16, u32, uint, type Codec } from '../bytes.js';
import { target, type Codec } from '../bytes.js';

/** Throws unless buf[offset, offset + length) lies inside `buf`. */
export function need(buf: Uint8Array, offset: number, length: number, what: string): void {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > buf.length) {
    throw new DecodeError(`${what}: needs ${length} bytes at offset ${offset}, have ${Math.max(0, buf.length - offset)}`);
  }
}

/** Throws unless the body has at least `min` bytes. */
export function atLeast(length: number, min: number, what: string): void {
  if (length < min) throw new DecodeError(`${what}: ${length} bytes, needs at least ${min}`);
}


/**
 * A codec for payloads whose body is `prefix` bytes of small fields followed by opaque data
 * (KE, ID, CERT, CERTREQ, AUTH, Nonce, V, EAP). `read` / `write` handle the prefix.
 */
export function prefixedData<P extends { type: number; data: Uint8Array }>(
  what: string,
  prefix: number,
  read: (buf: Uint8Array, at: number, length: number) => Omit<P, 'data'>,
  write: (p: P, out: Uint8Array, at: number) => void,
): Codec<P> {
  const codec: Codec<P> = {
    encode(p, buf, offset = 0) {
      const out = target(buf, offset, codec.encodingLength(p), what);
      out.fill(0, offset, offset + prefix);
      write(p, out, offset);
      out.set(p.data, offset + prefix);
      return out;
    },
    decode(buf, offset, length) {
      need(buf, offset, length, what);
      atLeast(length, prefix, what);
      return { ...read(buf, offset, length), data: buf.subarray(offset + prefix, offset + length) } as P;
    },
    encodingLength: (p) => prefix + p.data.length,
  };
  return codec;
}
