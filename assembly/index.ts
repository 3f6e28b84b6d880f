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

/** First byte of linear memory the host may use: everything below holds static tables. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~63;
}
