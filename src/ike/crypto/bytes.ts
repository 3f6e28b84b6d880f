// Byte helpers shared by the IKE crypto modules. wipe() is the one place secrets are zeroed: key
// material lives in Uint8Arrays we own, and clearing them when an SA is gone keeps it out of heap
// snapshots and core dumps for longer than necessary. It is best effort — node:crypto and V8 keep
// copies we cannot reach — but it is cheap and keeps the habit in one greppable name.
import { randomFillSync, timingSafeEqual } from 'node:crypto';

/** Overwrites each array with zeros (best effort: copies held by node:crypto are out of reach). */
export function wipe(...secrets: (Uint8Array | undefined | null)[]): void {
  for (const s of secrets) s?.fill(0);
}

const POOL = new Uint8Array(4096);
let poolAt = POOL.length;

/**
 * n bytes from the CSPRNG (OpenSSL's, via randomFillSync), drawn from a pool refilled 4 KB at a
 * time: an IKE SA takes a dozen small values (SPIs, nonces, IVs), and one call per value cost
 * more than the values. Handed-out bytes are zeroed in the pool; none is ever given twice.
 */
export function random(n: number): Uint8Array {
  if (n > POOL.length) return new Uint8Array(randomFillSync(new Uint8Array(n)));
  if (poolAt + n > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const out = POOL.slice(poolAt, poolAt + n);
  POOL.fill(0, poolAt, poolAt + n);
  poolAt += n;
  return out;
}

/** a ‖ b ‖ …, a new array. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A 32-bit value as 4 bytes, network byte order (IKE's M-ID and SPIs, RFC 2408 §3.1). */
export function u32be(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`not a 32-bit unsigned value: ${value}`);
  return Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

/** Equal length and contents, in time independent of where they differ (for MACs, HASH payloads, signatures). */
export function equalConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A plain Uint8Array view of a Buffer (node:crypto's results), so that callers and deepEqual see one type. */
export function u8(b: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(b) === Uint8Array.prototype ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** value left-padded with zeros to n bytes (RFC 7296 §3.4, RFC 2409 §5: fixed-length D-H values); throws if longer. */
export function leftPad(value: Uint8Array, n: number): Uint8Array {
  if (value.length === n) return value;
  if (value.length > n) throw new RangeError(`value of ${value.length} bytes does not fit in ${n}`);
  const out = new Uint8Array(n);
  out.set(value, n - value.length);
  return out;
}

/** Big-endian bytes as a bigint (public values only: bigint arithmetic is not constant-time). */
export function toBigInt(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt('0x' + Buffer.from(b).toString('hex'));
}
