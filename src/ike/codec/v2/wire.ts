// Byte-level helpers shared by the IKEv2 codecs (not exported from index.ts).
//
// Decoders check every length against the bytes they were given before reading or allocating, and
// throw only DecodeError. Encoders trust their input's shape (it comes from our own code) but check
// numeric ranges and throw RangeError on a value that doesn't fit its field.

import { DecodeError } from './errors.js';

/** encode / decode / encodingLength of one payload BODY: the bytes after the 4-byte generic header. */
export interface Codec<P> {
  /** Writes `p` at `offset` into `buf` (or into a new buffer of encodingLength(p) bytes) and returns the buffer. */
  encode(p: P, buf?: Uint8Array, offset?: number): Uint8Array;
  /** Reads the body at buf[offset, offset + length). Byte fields are subarray views of `buf`. */
  decode(buf: Uint8Array, offset: number, length: number): P;
  encodingLength(p: P): number;
}

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

export const u16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];
export const u32 = (b: Uint8Array, o: number): number => b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);

export function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v & 0xff;
}
export function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/** Checks that `v` is an unsigned integer of `bits` bits (for encoders). */
export function uint(v: number, bits: 8 | 16 | 32, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 2 ** bits - 1) throw new RangeError(`${what}: ${v} is not a ${bits}-bit unsigned integer`);
  return v;
}

/** The buffer to encode into: `buf` with room for `length` bytes at `offset`, or a new one. */
export function target(buf: Uint8Array | undefined, offset: number, length: number, what: string): Uint8Array {
  if (!buf) {
    if (offset !== 0) throw new RangeError(`${what}: an offset needs a buffer`);
    return new Uint8Array(length);
  }
  if (!Number.isInteger(offset) || offset < 0 || offset + length > buf.length) {
    throw new RangeError(`${what}: ${length} bytes don't fit at offset ${offset} of a ${buf.length}-byte buffer`);
  }
  return buf;
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
