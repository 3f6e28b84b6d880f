// ipsecgw/crypto: synchronous one-shot faces of the WebAssembly crypto core, for tests and tools.
// The datapath itself calls the WASM functions with per-SA contexts; these functions set a key up,
// run once and wipe it.
export { aeadSeal, aeadOpen, AEAD_ALGS, type AeadAlg } from './aead.js';
export { cbcEncrypt, cbcDecrypt, CBC_ALGS, type CbcAlg } from './cbc.js';
export { hash, hmac, HASH_ALGS, type HashAlg } from './hash.js';
