// The WebAssembly datapath: crypto primitives (assembly/crypto) and, later, the ESP engine
// (assembly/esp). See README.md in this folder for the rules: no I/O, no allocation, constant time.
export { AES_CTX_SIZE, aesSetKey, aesWipe, aesEncryptBlock, aesDecryptBlock } from "./crypto/aes";
export { CBC_JOB_SIZE, aesCbcEncrypt, aesCbcEncryptJobs, aesCbcDecrypt } from "./crypto/cbc";
export { aesCtr } from "./crypto/ctr";
export { GCM_CTX_SIZE, gcmSetKey, gcmWipe, gcmSeal, gcmOpen } from "./crypto/gcm";
export * from "./crypto/sha";
export * from "./crypto/hmac";
export * from "./crypto/chacha20poly1305";
export * from "./crypto/des";

export { SCRATCH_SIZE, setScratch } from "./scratch";

// The ESP engine (assembly/esp): shared layouts and codes, SAD, SPD, the batch entry points.
export * from "./esp/layout";
export { SA_OK, SA_ERR_INDEX, SA_ERR_ALGORITHM, SA_ERR_KEY, SA_ERR_ICV, SA_ERR_SPI, SA_ERR_FIELD, sadInit, saActivate, saRemove } from "./esp/sad";
export { spdInit, spdSet } from "./esp/spd";
export { espEncapBatch, espDecapBatch } from "./esp/batch";
export { STATS_DROPS, STATS_ENCAP, STATS_DECAP, STATS_SIZE, espStats } from "./esp/stats";
export { rngSeed } from "./esp/rng";
export { espTestIv } from "./esp/iv";
export { REPLAY_SIZE, REPLAY_MAX_WINDOW, replayInit, replayCheck, replayUpdate, esnInfer } from "./esp/replay";
export { VNET_HDR_LEN, GSO_NO_ROOM, GSO_MALFORMED, gsoSplit, vnetFinish } from "./esp/gso";
export { GRO_VNET_LEN, GRO_NO_ROOM, GRO_MALFORMED, GRO_MAX_SEGS, GRO_MAX_LEN, GRO_TABLE_SIZE, groCoalesce } from "./esp/gro";

/** First byte of linear memory the host may use: everything below holds static tables. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~63;
}
