// Byte-level helpers both IKE codecs share (v1/wire.ts and v2/wire.ts add their DecodeError checks):
// the payload-body codec shape, big-endian integers, range checks for encoders, output buffers.

/** encode / decode / encodingLength of one payload BODY: the bytes after the 4-byte generic header. */
export interface Codec<P> {
  /** Writes `p` at `offset` into `buf` (or into a new buffer of encodingLength(p) bytes) and returns the buffer. */
  encode(p: P, buf?: Uint8Array, offset?: number): Uint8Array;
  /** Reads the body at buf[offset, offset + length). Byte fields are subarray views of `buf`. */
  decode(buf: Uint8Array, offset: number, length: number): P;
  encodingLength(p: P): number;
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
