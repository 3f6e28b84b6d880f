// SHA-1, SHA-256, SHA-384 and SHA-512 (FIPS 180-4) as one-call digests. The compression functions
// are in sha1.ts, sha256.ts and sha512.ts; padding and buffering in digest.ts.
import { absorb, finish, isHashAlg, start, STREAM_SIZE, zero16 } from "./digest";
import { wipeSchedule } from "./schedule";
import { DIGEST_AT, scratch } from "../scratch";

export { HASH_SHA1, HASH_SHA256, HASH_SHA384, HASH_SHA512 } from "./digest";

/**
 * Writes the digest of the `len` bytes at `data` to `out`: 20, 32, 48 or 64 bytes for HASH_SHA1,
 * HASH_SHA256, HASH_SHA384, HASH_SHA512. `out` may overlap `data`.
 */
export function hashDigest(alg: i32, data: usize, len: usize, out: usize): void {
  if (!isHashAlg(alg)) abort("hashDigest: unknown algorithm");
  const S = scratch() + DIGEST_AT; // the running hash
  start(S, alg);
  absorb(S, alg, data, len);
  finish(S, alg, out);
  // The message may be secret (IKE hashes keys): leave none of it in scratch.
  zero16(S, STREAM_SIZE);
  wipeSchedule();
}
