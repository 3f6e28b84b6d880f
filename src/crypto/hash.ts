// SHA-1/256/384/512 (FIPS 180-4) and HMAC over them (RFC 2104), one call each, on the WASM core
// (assembly/crypto/sha.ts, hmac.ts). Everything staged in WASM memory is wiped before returning.
import { bytes, oneOf } from './check.js';
import { CTX_AREA, read, stage, wipe } from './scratch.js';

export const HASH_ALGS = ['sha1', 'sha256', 'sha384', 'sha512'] as const;
export type HashAlg = (typeof HASH_ALGS)[number];

/** The algorithm's HASH_* number in the WASM module, and its digest size in bytes. */
const ID: Record<HashAlg, number> = { sha1: 1, sha256: 2, sha384: 3, sha512: 4 };
const SIZE: Record<HashAlg, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

/** Reads the `n`-byte result at the last staged pointer, then wipes the context and all staged data. */
function take(ctx: number, out: number, n: number): Uint8Array {
  const result = read(out, n);
  wipe(out + n - ctx - CTX_AREA);
  return result;
}

export function hash(alg: HashAlg, data: Uint8Array): Uint8Array {
  const a = oneOf('hash algorithm', alg, HASH_ALGS);
  const d = bytes('data', data);
  const { ctx, ptr: [p, out], fn } = stage([d], [SIZE[a]]);
  fn.hashDigest(ID[a], p, d.length, out);
  return take(ctx, out, SIZE[a]);
}

export function hmac(alg: HashAlg, key: Uint8Array, data: Uint8Array): Uint8Array {
  const a = oneOf('hash algorithm', alg, HASH_ALGS);
  const k = bytes('key', key);
  const d = bytes('data', data);
  const { ctx, ptr: [pk, pd, out], fn } = stage([k, d], [SIZE[a]]);
  fn.hmacSetKey(ctx, ID[a], pk, k.length);
  fn.hmacCompute(ctx, pd, d.length, out);
  return take(ctx, out, SIZE[a]);
}
