// Mutable scratch memory. Several datapath workers may share one linear memory, one instance each
// (DESIGN.md, "Multi-core"); static data must then stay read-only after start, and whatever a call
// writes for itself must live in memory its own instance owns. WebAssembly globals belong to the
// instance, so each instance points `base` at an area of its own with setScratch(); a lone
// instance can keep the static default. Calls within one instance do not run concurrently.
//
// The regions, as offsets from the base (16-byte aligned):
export const SCHEDULE_AT: usize = 0; // SHA-256/512 message schedule W_t + K_t: 80 × 8 bytes
export const DIGEST_AT: usize = 640; // hashDigest's running hash (STREAM_SIZE = 208)
export const HMAC_STREAM_AT: usize = 848; // HMAC's running hash (208)
export const HMAC_K0_AT: usize = 1056; // HMAC's padded key block K0 (128)
export const HMAC_T_AT: usize = 1184; // the MAC hmacVerify compares (64)
export const CHACHA_STATE_AT: usize = 1248; // ChaCha20 input block (64)
export const CHACHA_KS_AT: usize = 1312; // ChaCha20 key stream of eight blocks (512)
export const POLY_AT: usize = 1824; // Poly1305 key limbs and accumulator (128)
export const POLY_BLOCK_AT: usize = 1952; // Poly1305 padding / length block (16)
export const CHACHA_TAG_AT: usize = 1968; // the tag chacha20Poly1305Open compares (16)
export const FLOW_AT: usize = 2048; // the packet being processed, parsed (esp/ip.ts, FLOW_SIZE)
export const ESP_NONCE_AT: usize = 2112; // AEAD nonce: salt ‖ IV (16)
export const ESP_AAD_AT: usize = 2128; // AEAD AAD with extended sequence numbers (16)
export const ESP_MAC_AT: usize = 2144; // a full HMAC before truncation (64)
export const ESP_IV_AT: usize = 2208; // tests only: an IV to use once instead of the usual (esp/iv.ts, 32)
export const RNG_AT: usize = 2240; // the IV generator's key and pool (esp/rng.ts, RNG_SIZE)
export const STATS_AT: usize = 2624; // counters of this instance (esp/stats.ts, STATS_SIZE)
export const AH_ICV_AT: usize = 2784; // the ICV of an AH packet being verified (32)
export const GRO_AT: usize = 2816; // TCP flows being coalesced for the TUN device (esp/gro.ts, GRO_TABLE_SIZE = 512)
export const GHASH_AT: usize = 3328; // GHASH's work area (crypto/ghash.ts, GHASH_WORK_SIZE = 336)
export const CTR_KS_AT: usize = 3664; // CTR's keystream for the blocks after the last batch of eight (crypto/ctr.ts)
export const CTR_KS_SIZE: usize = 144;
export const SCRATCH_SIZE: i32 = 4096;

let base: usize = memory.data(SCRATCH_SIZE, 64);

/** Gives this instance its own scratch area of SCRATCH_SIZE bytes. */
export function setScratch(p: usize): void {
  base = p;
}

/** The scratch area of this instance. */
// @ts-ignore: decorator
@inline export function scratch(): usize {
  return base;
}
