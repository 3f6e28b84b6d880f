// Byte-level helpers shared by the IKEv1 codecs (not exported from index.ts).
//
// Decoders check every length against the bytes they were given before reading or allocating, and
// throw only DecodeError. Encoders trust their input's shape (it comes from our own code) but check
// numeric ranges and throw RangeError on a value that doesn't fit its field.

import { DecodeError } from './errors.js';

export { put16, put32, target, u16, u32, uint, type Codec } from '../bytes.js';
import { target, type Codec } from '../bytes.js';

/** Throws unless buf[offset, offset + length) lies inside `buf`. */
export function need(buf: Uint8Array, offset: number, length: number, what: string, notify?: number): void {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > buf.length) {
    throw new DecodeError(`${what}: needs ${length} bytes at offset ${offset}, have ${Math.max(0, buf.length - offset)}`, notify);
  }
}


/** A codec for payloads whose body is all data: KE, HASH, SIG, Nonce, Vendor ID. */
export function dataCodec<P extends { type: number; data: Uint8Array }>(type: P['type'], what: string): Codec<P> {
  return {
    encode(p, buf, offset = 0) {
      const out = target(buf, offset, p.data.length, what);
      out.set(p.data, offset);
      return out;
    },
    decode(buf, offset, length) {
      need(buf, offset, length, what);
      return { type, data: buf.subarray(offset, offset + length) } as P;
    },
    encodingLength: (p) => p.data.length,
  };
}
