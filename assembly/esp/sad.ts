// The security association database (RFC 4301 §4.4.2): an array of SA records in memory the host
// provides, and for inbound SAs an index from SPI to record (open addressing). The host writes a
// record's fields and keying material (layout.ts) and calls saActivate, which derives the per-key
// state (key schedules, GHASH tables, HMAC pads) once, wipes the raw keys it no longer needs and
// makes the SA visible; saRemove wipes the whole record.
import { AES_CTX_SIZE, aesSetKey } from "../crypto/aes";
import { DES3_CTX_SIZE, des3SetKey } from "../crypto/des";
import { gcmSetKey } from "../crypto/gcm";
import { hmacSetKey } from "../crypto/hmac";
import {
  DIR_IN, DIR_OUT, ENC_3DES_CBC, ENC_AES_CBC, ENC_AES_GCM, ENC_CHACHA20_POLY1305, ENC_NULL,
  INTEG_HMAC_SHA1, INTEG_HMAC_SHA256, INTEG_HMAC_SHA384, INTEG_HMAC_SHA512, INTEG_NONE,
  MODE_TRANSPORT, PROTO_AH, PROTO_ESP, SA_ACTIVE, SA_ALIGN, SA_CTX, SA_DIR, SA_ENC, SA_ENC_KEY,
  SA_ESN, SA_FAMILY, SA_HARD, SA_ICV, SA_INTEG, SA_INTEG_KEY, SA_IV, SA_KEY, SA_KEY_MAX, SA_MODE,
  SA_NSEL, SA_PROTO, SA_REPLAY, SA_SIZE, SA_SPI, SA_STATE, SA_WINDOW, MAX_SELECTORS,
} from "./layout";
import { REPLAY_MAX_WINDOW, replayInit } from "./replay";

let base: usize = 0;
let capacity: u32 = 0;
let spiTable: usize = 0; // u32 per bucket: 0 empty, TOMBSTONE removed, else SA index + 1
let spiMask: u32 = 0;
const TOMBSTONE: u32 = 0xffffffff;

// Errors of saActivate.
export const SA_OK: i32 = 0;
export const SA_ERR_INDEX: i32 = 1;
export const SA_ERR_ALGORITHM: i32 = 2;
export const SA_ERR_KEY: i32 = 3;
export const SA_ERR_ICV: i32 = 4;
export const SA_ERR_SPI: i32 = 5; // an active inbound SA already has this SPI and protocol
export const SA_ERR_FIELD: i32 = 6; // direction, mode, protocol, family, window or selectors out of range

/**
 * Uses `cap` SA records at p and an SPI index of `buckets` u32 at table (a power of two, at least
 * twice cap). The host zeroes both first.
 */
export function sadInit(p: usize, cap: u32, table: usize, buckets: u32): void {
  base = p;
  capacity = cap;
  spiTable = table;
  spiMask = buckets - 1;
}

// @ts-ignore: decorator
@inline export function saAt(i: u32): usize {
  return base + <usize>i * <usize>SA_SIZE;
}

/** The index of the SA record at sa. */
export function saIndex(sa: usize): u32 {
  return <u32>((sa - base) / <usize>SA_SIZE);
}

// @ts-ignore: decorator
@inline function bucket(spi: u32, proto: u32): u32 {
  let h = (spi ^ (proto << 24)) * 0x9e3779b1; // Fibonacci hashing
  return (h ^ (h >> 15)) & spiMask;
}

/** The active inbound SA for (SPI, protocol), or 0. */
export function saLookup(spi: u32, proto: u32): usize {
  for (let b = bucket(spi, proto), n: u32 = 0; n <= spiMask; b = (b + 1) & spiMask, n++) {
    const v = load<u32>(spiTable + (<usize>b << 2));
    if (v == 0) return 0;
    if (v == TOMBSTONE) continue;
    const sa = saAt(v - 1);
    if (load<u32>(sa + SA_SPI) == spi && <u32>load<u8>(sa + SA_PROTO) == proto) return sa;
  }
  return 0;
}

function indexInsert(spi: u32, proto: u32, i: u32): void {
  let b = bucket(spi, proto);
  for (;;) {
    const p = spiTable + (<usize>b << 2);
    const v = load<u32>(p);
    if (v == 0 || v == TOMBSTONE) {
      store<u32>(p, i + 1);
      return;
    }
    b = (b + 1) & spiMask;
  }
}

function indexRemove(spi: u32, proto: u32, i: u32): void {
  for (let b = bucket(spi, proto), n: u32 = 0; n <= spiMask; b = (b + 1) & spiMask, n++) {
    const p = spiTable + (<usize>b << 2);
    const v = load<u32>(p);
    if (v == 0) return;
    if (v == i + 1) {
      store<u32>(p, TOMBSTONE);
      return;
    }
  }
}

/** HMAC context offset within SA_CTX: after the cipher's own context. */
export function macContext(sa: usize): usize {
  const enc = load<u8>(sa + SA_ENC);
  const cipher: i32 = enc == ENC_AES_CBC ? AES_CTX_SIZE : enc == ENC_3DES_CBC ? DES3_CTX_SIZE : 0;
  return sa + <usize>SA_CTX + <usize>cipher;
}

/** ICV bytes of an HMAC integrity algorithm: its output truncated to half (RFC 2404, RFC 4868). */
function hmacIcv(integ: u8): u8 {
  return integ == INTEG_HMAC_SHA1 ? 12 : integ == INTEG_HMAC_SHA256 ? 16 : integ == INTEG_HMAC_SHA384 ? 24 : 32;
}

function hmacKeyOk(integ: u8, n: u32): bool {
  // RFC 2404 / RFC 4868: the key is as long as the hash output.
  return n == (integ == INTEG_HMAC_SHA1 ? 20 : integ == INTEG_HMAC_SHA256 ? 32 : integ == INTEG_HMAC_SHA384 ? 48 : 64);
}

/**
 * Checks the record the host wrote at index i, sets IV size and padding alignment, derives the key
 * state, wipes the raw key bytes no packet needs, and makes the SA active. Returns SA_OK or an
 * SA_ERR_* code (and then changes nothing visible).
 */
export function saActivate(i: u32): i32 {
  if (i >= capacity) return SA_ERR_INDEX;
  const sa = saAt(i);
  const dir = load<u8>(sa + SA_DIR), proto = load<u8>(sa + SA_PROTO), family = load<u8>(sa + SA_FAMILY);
  if (dir != DIR_IN && dir != DIR_OUT) return SA_ERR_FIELD;
  if (proto != PROTO_ESP && proto != PROTO_AH) return SA_ERR_FIELD;
  if (family != 4 && family != 6) return SA_ERR_FIELD;
  if (load<u8>(sa + SA_MODE) > MODE_TRANSPORT) return SA_ERR_FIELD;
  if (load<u32>(sa + SA_NSEL) > <u32>MAX_SELECTORS) return SA_ERR_FIELD;
  if (dir == DIR_IN && (load<u32>(sa + SA_WINDOW) == 0 || load<u32>(sa + SA_WINDOW) > REPLAY_MAX_WINDOW)) return SA_ERR_FIELD;
  const enc = load<u8>(sa + SA_ENC), integ = load<u8>(sa + SA_INTEG);
  const ekl = <u32>load<u8>(sa + SA_ENC_KEY), ikl = <u32>load<u8>(sa + SA_INTEG_KEY);
  const aead = enc == ENC_AES_GCM || enc == ENC_CHACHA20_POLY1305;
  if (integ > INTEG_HMAC_SHA512 || enc > ENC_3DES_CBC) return SA_ERR_ALGORITHM;
  // AEADs carry their own integrity; everything else needs an HMAC (no unauthenticated ESP), and
  // AH is integrity only.
  if (aead ? integ != INTEG_NONE : integ == INTEG_NONE) return SA_ERR_ALGORITHM;
  if (proto == PROTO_AH && enc != ENC_NULL) return SA_ERR_ALGORITHM;
  const salt: u32 = aead ? 4 : 0;
  if (ekl + salt + ikl > <u32>SA_KEY_MAX) return SA_ERR_KEY;
  if (enc == ENC_AES_CBC || enc == ENC_AES_GCM) {
    if (ekl != 16 && ekl != 24 && ekl != 32) return SA_ERR_KEY;
  } else if (enc == ENC_CHACHA20_POLY1305) {
    if (ekl != 32) return SA_ERR_KEY;
  } else if (enc == ENC_3DES_CBC) {
    if (ekl != 24) return SA_ERR_KEY;
  } else if (ekl != 0) return SA_ERR_KEY;
  if (integ != INTEG_NONE && !hmacKeyOk(integ, ikl)) return SA_ERR_KEY;
  let icv: u8 = 0;
  if (enc == ENC_AES_GCM) {
    icv = load<u8>(sa + SA_ICV); // 8, 12 or 16 (RFC 4106 §8)
    if (icv != 8 && icv != 12 && icv != 16) return SA_ERR_ICV;
  } else if (enc == ENC_CHACHA20_POLY1305) icv = 16; // RFC 7634 §2
  else icv = hmacIcv(integ);
  const spi = load<u32>(sa + SA_SPI);
  if (dir == DIR_IN && saLookup(spi, proto) != 0) return SA_ERR_SPI;

  store<u8>(sa + SA_ICV, icv);
  // IVs: a block for CBC (RFC 3602 §3, RFC 2451), 8 bytes for the AEADs (RFC 4106 §3, RFC 7634 §2).
  store<u8>(sa + SA_IV, enc == ENC_AES_CBC ? 16 : enc == ENC_3DES_CBC || aead ? 8 : 0);
  // Padding: to the cipher's block, or to four bytes (RFC 4303 §2.4).
  store<u8>(sa + SA_ALIGN, enc == ENC_AES_CBC ? 16 : enc == ENC_3DES_CBC ? 8 : 4);
  const key = sa + SA_KEY, ctx = sa + SA_CTX;
  if (enc == ENC_AES_GCM) gcmSetKey(ctx, key, ekl);
  else if (enc == ENC_AES_CBC) aesSetKey(ctx, key, ekl);
  else if (enc == ENC_3DES_CBC) des3SetKey(ctx, key);
  if (integ != INTEG_NONE) hmacSetKey(macContext(sa), integ, key + ekl, ikl);
  // Only ChaCha20 needs its key per packet, and the AEADs their salt (which follows the key).
  if (enc != ENC_CHACHA20_POLY1305) memory.fill(key, 0, ekl);
  memory.fill(key + ekl + salt, 0, <usize>SA_KEY_MAX - ekl - salt);
  if (!load<u8>(sa + SA_ESN) && load<u64>(sa + SA_HARD) > 0xffffffff) store<u64>(sa + SA_HARD, 0xffffffff);
  if (dir == DIR_IN) {
    replayInit(sa + SA_REPLAY, 0);
    indexInsert(spi, proto, i);
  }
  store<u32>(sa + SA_STATE, SA_ACTIVE);
  return SA_OK;
}

/** Deletes SA i: out of the SPI index, and every byte of its record zeroed, keys included. */
export function saRemove(i: u32): void {
  if (i >= capacity) return;
  const sa = saAt(i);
  if (load<u32>(sa + SA_STATE) != 0 && load<u8>(sa + SA_DIR) == DIR_IN) {
    indexRemove(load<u32>(sa + SA_SPI), load<u8>(sa + SA_PROTO), i);
  }
  memory.fill(sa, 0, <usize>SA_SIZE);
}
