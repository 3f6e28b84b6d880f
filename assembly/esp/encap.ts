// Outbound processing (RFC 4301 §5.1): SPD lookup, then ESP (RFC 4303 §3) or AH (RFC 4302 §3)
// in tunnel or transport mode, plain or UDP-encapsulated (RFC 3948), in place in the packet's slot.
//
//   tunnel:     [outer IP][UDP][ESP hdr][IV][inner IP packet ..........][pad][pl][nh][ICV]
//   transport:  [IP hdr moved back][UDP][ESP hdr][IV][upper layer ....][pad][pl][nh][ICV]
//   AH tunnel:  [outer IP][AH hdr + ICV][inner IP packet]
//
// The inner packet stays where the host put it; headers are written into the headroom before it
// and the trailer after it, so nothing is copied but the (short) IP header in transport mode.
import { aesCbcEncrypt } from "../crypto/cbc";
import { chacha20Poly1305Seal } from "../crypto/chacha20poly1305";
import { des3CbcEncrypt } from "../crypto/des";
import { gcmSeal } from "../crypto/gcm";
import { hmacCompute2 } from "../crypto/hmac";
import { ESP_MAC_AT, scratch } from "../scratch";
import { aadLength, aeadAad, aeadNonce, esnHigh, esnHighLength } from "./aead";
import {
  FLOW_DF, FLOW_FAMILY, FLOW_HDR, FLOW_NH, FLOW_PROTO, FLOW_TOS, csum, csumFinish, ipv4Checksum,
  pseudoSum, put16, put32,
} from "./ip";
import {
  DF_CLEAR, DF_COPY, DROP_EXPIRED, DROP_TOO_BIG, DROP_UNSUPPORTED, ENC_3DES_CBC, ENC_AES_CBC,
  ENC_AES_GCM, ENC_CHACHA20_POLY1305, FLAG_SOFT, MODE_TUNNEL, PROTO_AH, SA_ALIGN, SA_BYTES, SA_CTX,
  SA_DF, SA_DPORT, SA_DST, SA_ENC, SA_ENCAP, SA_EXPIRED, SA_FAMILY, SA_FLAGS, SA_HARD, SA_ICV,
  SA_IV, SA_KEY, SA_MODE, SA_PACKETS, SA_PROTO, SA_SEQ, SA_SOFT, SA_SPI, SA_SPORT, SA_SRC,
  SA_STATE, SA_TTL, SA_USED, SLOT_BUF, SLOT_CAP, SLOT_LEN, SLOT_OFF,
} from "./layout";
import { ivFor } from "./iv";
import { macContext } from "./sad";

// Per-instance IPv4 identification counter for outer headers (RFC 6864: unique enough).
let ipId: u32 = 0;

/**
 * Protects the packet in slot with sa (the flow already parsed). Returns 0 when the slot now
 * holds the packet to send, else a DROP_* reason.
 */
export function encapsulate(slot: usize, sa: usize, f: usize, now: u64): u32 {
  const seq = load<u64>(sa + SA_SEQ) + 1;
  // Sequence numbers never wrap (RFC 4303 §3.3.3): past the hard limit the SA is dead.
  if (seq > load<u64>(sa + SA_HARD)) {
    store<u32>(sa + SA_STATE, SA_EXPIRED);
    return DROP_EXPIRED;
  }
  if (seq > load<u64>(sa + SA_SOFT)) store<u8>(sa + SA_FLAGS, load<u8>(sa + SA_FLAGS) | FLAG_SOFT);
  const tunnel = load<u8>(sa + SA_MODE) == MODE_TUNNEL;
  const outer6 = load<u8>(sa + SA_FAMILY) == 6;
  const inner6 = load<u8>(f + FLOW_FAMILY) == 6;
  // Transport mode keeps the packet's own header, so its family must be the SA's.
  if (!tunnel && inner6 != outer6) return DROP_UNSUPPORTED;
  const p = <usize>load<u32>(slot + SLOT_OFF);
  const n = <usize>load<u32>(slot + SLOT_LEN);
  const result = load<u8>(sa + SA_PROTO) == PROTO_AH
    ? encapAh(slot, sa, f, p, n, seq, tunnel, outer6, inner6)
    : encapEsp(slot, sa, f, p, n, seq, tunnel, outer6, inner6);
  if (result) return result;
  store<u64>(sa + SA_SEQ, seq);
  store<u64>(sa + SA_PACKETS, load<u64>(sa + SA_PACKETS) + 1);
  store<u64>(sa + SA_BYTES, load<u64>(sa + SA_BYTES) + n);
  store<u64>(sa + SA_USED, now);
  return 0;
}

/** Whether [start, end) lies within the slot's buffer. */
// @ts-ignore: decorator
@inline function fits(slot: usize, start: usize, end: usize): bool {
  const buf = <usize>load<u32>(slot + SLOT_BUF);
  return start >= buf && end <= buf + <usize>load<u32>(slot + SLOT_CAP) && start <= end;
}

function encapEsp(
  slot: usize, sa: usize, f: usize, p: usize, n: usize, seq: u64, tunnel: bool, outer6: bool, inner6: bool,
): u32 {
  const udp: usize = load<u8>(sa + SA_ENCAP) ? 8 : 0;
  const ivLen = <usize>load<u8>(sa + SA_IV), icvLen = <usize>load<u8>(sa + SA_ICV);
  const align = <usize>load<u8>(sa + SA_ALIGN);
  const hdr: usize = tunnel ? 0 : <usize>load<u32>(f + FLOW_HDR); // the IP header kept in transport mode
  const payload = p + hdr; // what ESP protects: the whole packet, or the upper layer
  const pLen = n - hdr;
  // Padding: bytes 1, 2, 3, … so that payload + pad + 2 is a multiple of the block (§2.4).
  const padLen = (align - ((pLen + 2) % align)) % align;
  const ctLen = pLen + padLen + 2;
  const esp = payload - 8 - ivLen;
  const outerLen: usize = tunnel ? (outer6 ? 40 : 20) : hdr;
  const start = esp - udp - outerLen;
  const end = payload + ctLen + icvLen;
  if (!fits(slot, start, end)) return DROP_TOO_BIG;
  const nextHeader: u32 = tunnel ? (inner6 ? 41 : 4) : <u32>load<u8>(f + FLOW_PROTO);
  // Transport mode: the IP header moves back to make room (memory.copy handles the overlap).
  if (!tunnel) memory.copy(start, p, hdr);
  // Trailer (§2.4): padding, pad length, next header.
  const trailer = payload + pLen;
  for (let i: usize = 0; i < padLen; i++) store<u8>(trailer + i, <u8>(i + 1));
  store<u8>(trailer + padLen, <u8>padLen);
  store<u8>(trailer + padLen + 1, <u8>nextHeader);
  // ESP header (§2.1): SPI and the low 32 bits of the sequence number.
  put32(esp, load<u32>(sa + SA_SPI));
  put32(esp + 4, <u32>seq);
  const iv = esp + 8;
  ivFor(sa, iv, seq);
  sealPayload(sa, esp, ivLen, payload, ctLen, icvLen, seq);
  writeOuter(sa, f, start, end, outerLen, udp, tunnel, outer6, 50);
  store<u32>(slot + SLOT_OFF, <u32>start);
  store<u32>(slot + SLOT_LEN, <u32>(end - start));
  return 0;
}

/** Encrypts ctLen bytes at ct (after the IV) and appends the ICV (§3.3.2, §3.3.4). */
function sealPayload(sa: usize, esp: usize, ivLen: usize, ct: usize, ctLen: usize, icvLen: usize, seq: u64): void {
  const enc = load<u8>(sa + SA_ENC);
  if (enc == ENC_AES_GCM || enc == ENC_CHACHA20_POLY1305) {
    const nonce = aeadNonce(sa, esp), aad = aeadAad(sa, esp, seq), aadLen = aadLength(sa);
    if (enc == ENC_AES_GCM) gcmSeal(sa + SA_CTX, nonce, aad, aadLen, ct, ctLen, ct, <i32>icvLen);
    else chacha20Poly1305Seal(sa + SA_KEY, nonce, aad, aadLen, ct, ctLen, ct);
    return;
  }
  const iv = esp + 8;
  if (enc == ENC_AES_CBC) aesCbcEncrypt(sa + SA_CTX, iv, ct, ctLen, ct);
  else if (enc == ENC_3DES_CBC) des3CbcEncrypt(sa + SA_CTX, iv, ct, ctLen, ct);
  // ICV over ESP header, IV and ciphertext (and the high sequence bits with ESN), truncated.
  const mac = scratch() + ESP_MAC_AT;
  hmacCompute2(macContext(sa), esp, 8 + ivLen + ctLen, esnHigh(seq), esnHighLength(sa), mac);
  memory.copy(ct + ctLen, mac, icvLen);
}

/**
 * The headers in front of ESP or AH: a new outer IP header (tunnel) or the packet's own, adjusted
 * (transport); and the UDP header of RFC 3948 when udp is 8.
 */
function writeOuter(
  sa: usize, f: usize, start: usize, end: usize, ipLen: usize, udp: usize, tunnel: bool, v6: bool, proto: u32,
): void {
  const total = end - start;
  const next: u32 = udp ? 17 : proto;
  if (tunnel) {
    if (v6) {
      // Traffic class copied from the inner packet (RFC 4301 §5.1.2.1, DSCP and ECN).
      put32(start, 0x60000000 | (<u32>load<u8>(f + FLOW_TOS) << 20));
      put16(start + 4, <u32>(total - 40));
      store<u8>(start + 6, <u8>next);
      store<u8>(start + 7, load<u8>(sa + SA_TTL));
      memory.copy(start + 8, sa + SA_SRC, 16);
      memory.copy(start + 24, sa + SA_DST, 16);
    } else {
      store<u8>(start, 0x45);
      store<u8>(start + 1, load<u8>(f + FLOW_TOS));
      put16(start + 2, <u32>total);
      ipId = (ipId + 1) & 0xffff;
      put16(start + 4, ipId);
      const dfMode = load<u8>(sa + SA_DF);
      const df = dfMode == DF_COPY ? load<u8>(f + FLOW_DF) != 0 : dfMode != DF_CLEAR;
      put16(start + 6, df ? 0x4000 : 0);
      store<u8>(start + 8, load<u8>(sa + SA_TTL));
      store<u8>(start + 9, <u8>next);
      store<u32>(start + 12, load<u32>(sa + SA_SRC));
      store<u32>(start + 16, load<u32>(sa + SA_DST));
      ipv4Checksum(start, 20);
    }
  } else if (v6) {
    store<u8>(start + <usize>load<u32>(f + FLOW_NH), <u8>next);
    put16(start + 4, <u32>(total - 40));
  } else {
    store<u8>(start + 9, <u8>next);
    put16(start + 2, <u32>total);
    ipv4Checksum(start, ipLen);
  }
  if (udp) {
    const u = start + ipLen;
    put16(u, load<u16>(sa + SA_SPORT));
    put16(u + 2, load<u16>(sa + SA_DPORT));
    put16(u + 4, <u32>(end - u));
    store<u16>(u + 6, 0);
    // IPv4 may leave the UDP checksum zero (RFC 3948 §2.1); IPv6 may not (RFC 8200 §8.1).
    if (v6) {
      const sum = csum(u, end - u, pseudoSum(6, start + 8, start + 24, 17, <u32>(end - u)));
      let c = csumFinish(sum);
      if (c == 0) c = 0xffff;
      store<u16>(u + 6, c);
    }
  }
}

/** AH (RFC 4302): the ICV covers the IP header's immutable fields, the AH header and the payload. */
function encapAh(
  slot: usize, sa: usize, f: usize, p: usize, n: usize, seq: u64, tunnel: bool, outer6: bool, inner6: bool,
): u32 {
  const icvLen = <usize>load<u8>(sa + SA_ICV);
  // The AH header is a multiple of 32 bits in IPv4, of 64 bits in IPv6 (§2.2).
  const unit: usize = outer6 ? 8 : 4;
  const ahLen: usize = (icvLen + 12 + unit - 1) & ~(unit - 1);
  const hdr: usize = tunnel ? 0 : <usize>load<u32>(f + FLOW_HDR);
  // Transport mode: only a plain header (no IPv4 options, no IPv6 extensions), whose mutable
  // fields are all known (§3.3.3.1).
  if (!tunnel && hdr != (outer6 ? 40 : 20)) return DROP_UNSUPPORTED;
  const outerLen: usize = tunnel ? (outer6 ? 40 : 20) : hdr;
  const payload = p + hdr;
  const ah = payload - ahLen;
  const start = ah - outerLen;
  const end = p + n;
  if (!fits(slot, start, end)) return DROP_TOO_BIG;
  const nextHeader: u32 = tunnel ? (inner6 ? 41 : 4) : <u32>load<u8>(f + FLOW_PROTO);
  if (!tunnel) memory.copy(start, p, hdr);
  store<u8>(ah, <u8>nextHeader);
  store<u8>(ah + 1, <u8>((ahLen >> 2) - 2)); // payload length, in 32-bit words minus 2 (§2.2)
  store<u16>(ah + 2, 0);
  put32(ah + 4, load<u32>(sa + SA_SPI));
  put32(ah + 8, <u32>seq);
  memory.fill(ah + 12, 0, ahLen - 12);
  writeOuter(sa, f, start, end, outerLen, 0, tunnel, outer6, 51);
  memory.copy(ah + 12, ahMac(sa, start, end, outer6, seq), icvLen);
  store<u32>(slot + SLOT_OFF, <u32>start);
  store<u32>(slot + SLOT_LEN, <u32>(end - start));
  return 0;
}

/**
 * The AH MAC of the packet [start, end), whose ICV field is zero: the mutable header fields are
 * zeroed for the computation and restored (§3.3.3.1); with ESN the high sequence bits are
 * appended after the packet (§3.3.3.2.2), as in ESP. Returns where the (untruncated) MAC is.
 */
export function ahMac(sa: usize, start: usize, end: usize, v6: bool, seq: u64): usize {
  let saved: u64;
  if (v6) {
    // Traffic class, flow label, hop limit.
    saved = (<u64>load<u32>(start) << 8) | <u64>load<u8>(start + 7);
    store<u32>(start, bswap<u32>(0x60000000));
    store<u8>(start + 7, 0);
  } else {
    // TOS, flags and fragment offset, TTL, checksum.
    saved = (<u64>load<u8>(start + 1) << 56) | (<u64>load<u16>(start + 6) << 40)
      | (<u64>load<u8>(start + 8) << 32) | <u64>load<u16>(start + 10);
    store<u8>(start + 1, 0);
    store<u16>(start + 6, 0);
    store<u8>(start + 8, 0);
    store<u16>(start + 10, 0);
  }
  const mac = scratch() + ESP_MAC_AT;
  hmacCompute2(macContext(sa), start, end - start, esnHigh(seq), esnHighLength(sa), mac);
  if (v6) {
    store<u32>(start, <u32>(saved >> 8));
    store<u8>(start + 7, <u8>saved);
  } else {
    store<u8>(start + 1, <u8>(saved >> 56));
    store<u16>(start + 6, <u16>(saved >> 40));
    store<u8>(start + 8, <u8>(saved >> 32));
    store<u16>(start + 10, <u16>saved);
  }
  return mac;
}
